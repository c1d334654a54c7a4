"""Campaign workflow (docs/process.md §2, §3): create, edit the rubric, open.

Services take keyword-only arguments and the acting user, run in one transaction, lock
what they change and raise a `WorkflowError` subclass when they refuse.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from branches.models import Organisation, OrgKind
from branches.permissions import is_staff
from scoring.models import (
    Assessment,
    Campaign,
    CampaignKind,
    CampaignStatus,
    Criterion,
    QuotaMode,
    SelfEvaluation,
)
from scoring.models.campaign import PUBLICITY_DAYS, YEARS
from scoring.rubric import default_rubric
from starrating.inputs import parse_decimal, parse_int

from .errors import InvalidPolicy, InvalidRubric, NotAllowed, WrongState

POLICY_FIELDS = (
    "weight_self",
    "weight_survey",
    "weight_review",
    "band_5",
    "band_4",
    "band_3",
    "band_2",
    "band_1",
    "five_star_share",
    "low_share",
    "quota_mode",
    "quota_mode_reason",
    "self_deadline",
    "review_deadline",
    "publicity_days",
)
WEIGHTS = ("weight_self", "weight_survey", "weight_review")
BANDS = ("band_5", "band_4", "band_3", "band_2", "band_1")
SHARES = ("five_star_share", "low_share")
RUBRIC_TOTAL = Decimal("100")
BATCH = 1000


def _require_staff(actor):
    if not is_staff(actor):
        raise NotAllowed(_("Only committee staff may manage campaigns."))


def _decimal(value, label):
    try:
        return parse_decimal(value)
    except ValueError:
        raise InvalidPolicy(_("%(field)s is not a number.") % {"field": label}) from None


def _whole(value, label, low, high):
    try:
        number = parse_int(value)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise InvalidPolicy(
            _("%(field)s must be a whole number from %(low)s to %(high)s.")
            % {"field": label, "low": low, "high": high}
        )
    return number


def validate_policy(values: dict, *, previous_mode: str | None = None) -> dict:
    """Check a campaign's policy (docs/rules.md §4.2, §4.6, §4.8); return normalised values.

    Weights each 0–1 summing to exactly 1; bands strictly descending within 0–100;
    shares 0–1; publicity 1–30 days; switching the quota mode to `warn` needs a reason.
    """
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise InvalidPolicy(_("Unknown policy field: %(f)s") % {"f": ", ".join(sorted(unknown))})
    out = dict(values)
    for name in (*WEIGHTS, *BANDS, *SHARES):
        if name in out:
            out[name] = _decimal(out[name], name)
    if "publicity_days" in out:
        out["publicity_days"] = _whole(out["publicity_days"], "publicity_days", *PUBLICITY_DAYS)
    defaults = {f.name: f.get_default() for f in Campaign._meta.fields if f.name in POLICY_FIELDS}
    merged = {**defaults, **out}
    for name in (*WEIGHTS, *SHARES):
        if not Decimal(0) <= merged[name] <= Decimal(1):
            raise InvalidPolicy(_("Weights and shares must lie between 0 and 1."))
    if sum(merged[w] for w in WEIGHTS) != Decimal(1):
        raise InvalidPolicy(_("The three weights must sum to exactly 1."))
    bands = [merged[b] for b in BANDS]
    if any(not Decimal(0) <= b <= Decimal(100) for b in bands):
        raise InvalidPolicy(_("Band thresholds must lie between 0 and 100."))
    if any(low >= high for high, low in zip(bands, bands[1:], strict=False)):
        raise InvalidPolicy(_("Band thresholds must fall strictly from five stars to one star."))
    mode = merged["quota_mode"]
    if mode not in QuotaMode.values:
        raise InvalidPolicy(_("Unknown quota mode."))
    if (
        mode == QuotaMode.WARN
        and previous_mode != QuotaMode.WARN
        and not str(merged.get("quota_mode_reason") or "").strip()
    ):
        raise InvalidPolicy(_("Switching the quotas to warn only needs a recorded reason."))
    return out


def previous_campaign(committee, *, before=None):
    """The committee's latest campaign (by year, then kind: year-end after initial)."""
    campaigns = Campaign.objects.filter(committee=committee)
    if before is not None:
        campaigns = campaigns.exclude(pk=before.pk)
    kind_order = {CampaignKind.INITIAL: 0, CampaignKind.YEAR_END: 1}
    found = sorted(campaigns, key=lambda c: (c.year, kind_order.get(c.kind, 0)))
    return found[-1] if found else None


def create_campaign(*, committee, year, kind, actor, title=None, **policy) -> Campaign:
    """Create a draft campaign; the rubric is copied from the previous one (docs/process.md §3)."""
    _require_staff(actor)
    if committee.kind != OrgKind.COMMITTEE:
        raise InvalidPolicy(_("A campaign belongs to the work committee."))
    if kind not in CampaignKind.values:
        raise InvalidPolicy(_("Unknown campaign kind."))
    year = _whole(year, _("year"), *YEARS)
    policy = validate_policy(policy)
    with transaction.atomic():
        if Campaign.objects.filter(committee=committee, year=year, kind=kind).exists():
            raise WrongState(_("There is already a campaign of this kind for this year."))
        source = previous_campaign(committee)
        if title is None:
            title = _("%(year)s star rating: %(kind)s") % {
                "year": year,
                "kind": CampaignKind(kind).label,
            }
        campaign = Campaign(
            committee=committee, year=year, kind=kind, title=title, created_by=actor, **policy
        )
        campaign._history_user = actor
        campaign._change_reason = gettext_noop("created")
        campaign.save()
        if source is not None:
            rows = [
                (c.title, c.description, c.max_points) for c in source.criteria.order_by("position")
            ]
        else:
            rows = default_rubric()
        Criterion.objects.bulk_create(
            Criterion(campaign=campaign, position=i, title=t, description=d, max_points=m)
            for i, (t, d, m) in enumerate(rows, start=1)
        )
    return campaign


def update_campaign(*, campaign, actor, title=None, **policy) -> Campaign:
    """Change the title or the policy (before publicity; the rubric has its own service)."""
    _require_staff(actor)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.OPEN):
            raise WrongState(_("The policy is fixed once the campaign has left declaration."))
        policy = validate_policy(
            {**{f: getattr(campaign, f) for f in POLICY_FIELDS}, **policy},
            previous_mode=campaign.quota_mode,
        )
        for name, value in policy.items():
            setattr(campaign, name, value)
        if title:
            campaign.title = title
        campaign._history_user = actor
        campaign._change_reason = gettext_noop("policy changed")
        campaign.save()
    return campaign


def update_rubric(*, campaign, actor, criteria) -> list[Criterion]:
    """Replace the rubric while the campaign is a draft.

    `criteria` is a list of (title, description, max_points) in order. Any sum is kept;
    opening requires exactly 100.
    """
    _require_staff(actor)
    rows = []
    for title, description, max_points in criteria:
        points = _decimal(max_points, "max_points")
        if not (Decimal(0) < points <= RUBRIC_TOTAL) or not str(title).strip():
            raise InvalidRubric(_("Every criterion needs a title and 0 < points ≤ 100."))
        rows.append((str(title).strip(), description or "", points))
    if not rows:
        raise InvalidRubric(_("The rubric needs at least one criterion."))
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if not campaign.is_editable_rubric:
            raise WrongState(_("The rubric is fixed once the campaign is open."))
        existing = list(campaign.criteria.order_by("position"))
        kept = []
        for i, (title, description, points) in enumerate(rows, start=1):
            criterion = existing[i - 1] if i <= len(existing) else Criterion(campaign=campaign)
            changed = (
                criterion.pk is None
                or criterion.title != title
                or criterion.description != description
                or criterion.max_points != points
                or criterion.position != i
            )
            criterion.position, criterion.title = i, title
            criterion.description, criterion.max_points = description, points
            if changed:
                criterion._history_user = actor
                criterion._change_reason = gettext_noop("rubric edited")
                criterion.save()
            kept.append(criterion)
        for extra in existing[len(rows) :]:
            extra._history_user = actor
            extra.delete()
    return kept


def rubric_total(campaign) -> Decimal:
    return campaign.criteria.aggregate(total=Sum("max_points"))["total"] or Decimal(0)


def open_campaign(*, campaign, actor) -> Campaign:
    """Draft → open: freeze the rubric and enrol every active branch (docs/process.md §2.1, §3).

    One bulk insert of assessments (with the election status at the reference date) and
    one of empty draft self-evaluations.
    """
    _require_staff(actor)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status != CampaignStatus.DRAFT:
            raise WrongState(_("Only a draft campaign can be opened."))
        total = rubric_total(campaign)
        if total != RUBRIC_TOTAL:
            raise InvalidRubric(
                _("The criteria's maximum points sum to %(total)s, not 100.") % {"total": total}
            )
        branches = list(committee_branches(campaign.committee).filter(active=True))
        reference = campaign.reference_date
        assessments = bulk_create_with_history(
            [
                Assessment(
                    campaign=campaign, branch=branch, election=branch.election_status(reference)
                )
                for branch in branches
            ],
            Assessment,
            batch_size=BATCH,
            default_user=actor,
            default_change_reason=gettext_noop("enrolled"),
        )
        bulk_create_with_history(
            [SelfEvaluation(assessment_id=a.pk) for a in assessments],
            SelfEvaluation,
            batch_size=BATCH,
            default_user=actor,
            default_change_reason=gettext_noop("enrolled"),
        )
        campaign.status = CampaignStatus.OPEN
        campaign.opened_at = timezone.now()
        campaign._history_user = actor
        campaign._change_reason = gettext_noop("opened")
        campaign.save()
    return campaign


def committee_branches(committee):
    """Every branch under the committee (directly or through a party committee)."""
    # The tree is at most three levels deep (committee → party committee → branch).
    return Organisation.objects.filter(kind=OrgKind.BRANCH).filter(
        Q(parent=committee) | Q(parent__parent=committee)
    )


def refresh_election_status(campaign, *, actor=None) -> int:
    """Recompute every assessment's election snapshot at the reference date; bulk write.

    Returns the number of assessments whose status changed (each gets a history row).
    """
    assessments = list(campaign.assessments.select_related("branch"))
    changed = []
    for assessment in assessments:
        status = assessment.branch.election_status(campaign.reference_date)
        if status != assessment.election:
            assessment.election = status
            changed.append(assessment)
    if changed:
        bulk_update_with_history(
            changed,
            Assessment,
            ["election"],
            batch_size=BATCH,
            default_user=actor,
            default_change_reason=gettext_noop("election status refreshed"),
        )
    return len(changed)


def current_campaign(committee):
    """The latest open campaign of the committee, or None."""
    return (
        Campaign.objects.filter(committee=committee, status=CampaignStatus.OPEN)
        .order_by("-year", "-kind")
        .first()
    )


def draft_campaigns() -> list[Campaign]:
    """Campaigns still being prepared (for staff's to-dos)."""
    return list(Campaign.objects.filter(status=CampaignStatus.DRAFT).order_by("year", "pk"))


def open_campaigns() -> list[Campaign]:
    """Campaigns open for declaration (for staff's to-dos)."""
    return list(Campaign.objects.filter(status=CampaignStatus.OPEN).order_by("year", "pk"))
