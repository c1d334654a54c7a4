"""Campaign workflow (docs/process.md §2, §2.5, §3): create, edit the policy and the rubric,
move the campaign along its life, withdraw and reinstate a branch, extend a deadline.

Services take keyword-only arguments and the acting user, run in one transaction, lock
what they change, record it through `starrating.audit` and raise a `WorkflowError`
subclass when they refuse. The campaign's status moves only through `_move`, which checks
`scoring.models.campaign.TRANSITIONS` (one service per row of that table).
"""

from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from branches.models import Organisation, OrgKind
from branches.permissions import is_staff
from scoring.models import (
    Assessment,
    AuditStatus,
    Campaign,
    CampaignKind,
    CampaignStatus,
    Criterion,
    QuotaMode,
    Rating,
    ReviewStatus,
    SelfEvaluation,
    SelfEvaluationStatus,
    SurveyStatus,
    WithdrawalCause,
)
from scoring.models.campaign import PUBLICITY_DAYS, TRANSITIONS, YEARS, default_self_deadline
from scoring.rubric import default_rubric
from scoring.rules import InvalidInput
from starrating import audit, clock
from starrating.inputs import parse_decimal, parse_int
from starrating.wording import percent

from .errors import InvalidPolicy, InvalidRubric, NotAllowed, WrongState
from .recompute import COMPLETE, Completeness

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
RUBRIC_TOTAL = Decimal("100")
BATCH = 1000


def _require_staff(actor):
    if not is_staff(actor):
        raise NotAllowed(_("Only committee staff may manage campaigns."))


def _label(name):
    return str(Campaign._meta.get_field(name).verbose_name)


def _decimal(value, name):
    try:
        return parse_decimal(value)
    except ValueError:
        raise InvalidPolicy(
            _("%(field)s is not a number.") % {"field": _label(name)}, field=name
        ) from None


def _whole(value, label, low, high, *, field=None):
    try:
        number = parse_int(value)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise InvalidPolicy(
            _("%(field)s must be a whole number from %(low)s to %(high)s.")
            % {"field": label, "low": low, "high": high},
            field=field,
        )
    return number


#: The engine's policy fields (`scoring.rules.Policy`, as its errors name them) and the
#: model field each one reads; `Campaign.policy()` builds the engine's Policy.
_ENGINE_FIELDS = MappingProxyType(
    {
        "policy.weights.self": "weight_self",
        "policy.weights.survey": "weight_survey",
        "policy.weights.review": "weight_review",
        **{f"policy.bands[{i}]": f"band_{5 - i}" for i in range(5)},
        "policy.five_star_share": "five_star_share",
        "policy.low_share": "low_share",
        "policy.quotas": "quota_mode",
    }
)
_SHARES = ("weight_self", "weight_survey", "weight_review", "five_star_share", "low_share")


def _policy_refusal(error: InvalidInput, campaign: Campaign) -> InvalidPolicy:
    """The engine's refusal of a policy, said in the campaign form's terms: weights and
    shares in percent, bands by star, the field named by its label."""
    field = _ENGINE_FIELDS.get(error.field or "")
    if error.field == "policy.weights":
        total = sum((getattr(campaign, f) for f in _SHARES[:3]), Decimal(0))
        return InvalidPolicy(
            _("The three weights must add up to 100%% (now %(sum)s).") % {"sum": percent(total)}
        )
    if error.field == "policy.bands":
        return InvalidPolicy(_("Band thresholds must fall strictly from five stars to one star."))
    if field == "quota_mode":
        return InvalidPolicy(_("Unknown quota mode."), field=field)
    if field in _SHARES:
        message = _("%(field)s must lie between 0%% and 100%%.")
    elif field is not None:
        message = _("%(field)s must lie between 0 and 100.")
    else:  # a rule the engine gained later: its own words, translated
        return InvalidPolicy(error.render(_))
    return InvalidPolicy(message % {"field": _label(field)}, field=field)


def validate_policy(values: dict, *, previous_mode: str | None = None) -> dict:
    """Check a campaign's policy and settings; return the values normalised.

    The policy itself (weights summing to 1, descending bands within 0–100, shares 0–1,
    the quota mode: docs/rules.md §4.2, §4.6, §4.8) is checked by the rules engine, by
    building the campaign's `Policy`; its refusal is put in the form's terms. The
    campaign's own settings are checked here: publicity 1–30 days, and switching the
    quota mode to `warn` needs a reason.
    """
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise InvalidPolicy(_("Unknown policy field: %(f)s") % {"f": ", ".join(sorted(unknown))})
    out = dict(values)
    decimals = {f.name for f in Campaign._meta.fields if f.get_internal_type() == "DecimalField"}
    for name in decimals & set(out):
        out[name] = _decimal(out[name], name)
    if "publicity_days" in out:
        out["publicity_days"] = _whole(
            out["publicity_days"], _label("publicity_days"), *PUBLICITY_DAYS, field="publicity_days"
        )
    candidate = Campaign(**out)  # the model's defaults for what is not given
    try:
        candidate.policy()
    except InvalidInput as error:
        raise _policy_refusal(error, candidate) from None
    if (
        candidate.quota_mode == QuotaMode.WARN
        and previous_mode != QuotaMode.WARN
        and not str(candidate.quota_mode_reason or "").strip()
    ):
        raise InvalidPolicy(
            _("Switching the quotas to warn only needs a recorded reason."),
            field="quota_mode_reason",
        )
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
    """Create a draft campaign; the rubric is copied from the previous one (docs/process.md §3).

    Without a self-evaluation deadline it is 5 June of the campaign's year (§2.1).
    """
    _require_staff(actor)
    if committee.kind != OrgKind.COMMITTEE:
        raise InvalidPolicy(_("A campaign belongs to the work committee."))
    if kind not in CampaignKind.values:
        raise InvalidPolicy(_("Unknown campaign kind."))
    year = _whole(year, _("year"), *YEARS)
    policy.setdefault("self_deadline", default_self_deadline(year))
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
        audit.save(campaign, actor=actor, action="campaign.created")
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
    """Change the title or the policy (until declaration ends, D-2.5a; the rubric has its
    own service)."""
    _require_staff(actor)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if not campaign.policy_is_editable:
            raise WrongState(_("The policy is fixed once the campaign has left declaration."))
        policy = validate_policy(
            {**{f: getattr(campaign, f) for f in POLICY_FIELDS}, **policy},
            previous_mode=campaign.quota_mode,
        )
        for name, value in policy.items():
            setattr(campaign, name, value)
        if title:
            campaign.title = title
        audit.save(campaign, actor=actor, action="campaign.policy_changed")
    return campaign


def update_rubric(*, campaign, actor, criteria) -> list[Criterion]:
    """Replace the rubric while the campaign is a draft.

    `criteria` is a list of (title, description, max_points) in order. Any sum is kept;
    opening requires exactly 100.
    """
    _require_staff(actor)
    rows = []
    for title, description, max_points in criteria:
        points = _points(max_points)
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
                audit.save(criterion, actor=actor, action="campaign.rubric_edited")
            kept.append(criterion)
        for extra in existing[len(rows) :]:
            audit.delete(extra, actor=actor, action="campaign.rubric_edited")
    return kept


def _points(value) -> Decimal:
    try:
        return parse_decimal(value)
    except ValueError:
        raise InvalidRubric(_("Every criterion needs a title and 0 < points ≤ 100.")) from None


def rubric_total(campaign) -> Decimal:
    return campaign.criteria.aggregate(total=Sum("max_points"))["total"] or Decimal(0)


# --- The campaign's life (docs/process.md §2.5) ------------------------------------------
#
# One service per row of `TRANSITIONS`, each calling `_move`: `open_campaign` (draft →
# declaring) here; the later moves are in `scoring.services.publicity`
# (`publish_campaign`, `end_publicity_if_due`, `approve_campaign`, and `rereview`, whose
# last re-review closes the campaign).


def _move(campaign, target, *, actor, refusal) -> Campaign:
    """Move the (locked) campaign to `target` if `TRANSITIONS` allows it, recording the
    table's action; otherwise raise `WrongState(refusal)`."""
    if not campaign.may_move_to(target):
        raise WrongState(refusal)
    action = TRANSITIONS[(campaign.status, target)]
    campaign.status = target
    audit.save(campaign, actor=actor, action=action)
    return campaign


def open_campaign(*, campaign, actor) -> Campaign:
    """Draft → declaring: freeze the rubric and enrol every active branch
    (docs/process.md §2.1, §3).

    One bulk insert of assessments (with the election status at the reference date) and
    one of empty draft self-evaluations.
    """
    _require_staff(actor)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        refusal = _("Only a draft campaign can be opened.")
        if not campaign.may_move_to(CampaignStatus.DECLARING):
            raise WrongState(refusal)
        total = rubric_total(campaign)
        if total != RUBRIC_TOTAL:
            raise InvalidRubric(
                _("The criteria's maximum points sum to %(total)s, not 100.") % {"total": total}
            )
        enrol(campaign, committee_branches(campaign.committee).filter(active=True), actor=actor)
        _move(campaign, CampaignStatus.DECLARING, actor=actor, refusal=refusal)
    return campaign


def enrol(campaign, branches, *, actor) -> None:
    """Enrol `branches` in the (locked, draft) campaign as it opens: one bulk insert of
    assessments, with each branch's election status at the reference date, and one of
    empty draft self-evaluations (opening, and the year-end re-rating)."""
    reference = campaign.reference_date
    assessments = bulk_create_with_history(
        [
            Assessment(campaign=campaign, branch=branch, election=branch.election_status(reference))
            for branch in branches
        ],
        Assessment,
        batch_size=BATCH,
        **audit.bulk_options(actor=actor, action="assessment.enrolled"),
    )
    bulk_create_with_history(
        [SelfEvaluation(assessment_id=a.pk) for a in assessments],
        SelfEvaluation,
        batch_size=BATCH,
        **audit.bulk_options(actor=actor, action="assessment.enrolled"),
    )
    campaign.opened_at = clock.now()


def committee_branches(committee):
    """Every branch under the committee (directly or through a party committee)."""
    # The tree is at most three levels deep (committee → party committee → branch).
    return Organisation.objects.filter(kind=OrgKind.BRANCH).filter(
        Q(parent=committee) | Q(parent__parent=committee)
    )


# --- Withdrawing a branch (docs/process.md §2.5) -------------------------------------------


def _locked_assessment(assessment):
    found = Assessment.objects.select_for_update().get(pk=assessment.pk)
    campaign = Campaign.objects.get(pk=found.campaign_id)
    if not campaign.is_declaring:
        raise WrongState(_("A branch can be withdrawn or reinstated only during declaration."))
    return found


def _reason(reason, message):
    reason = (reason or "").strip()
    if not reason:
        raise WrongState(message)
    return reason


def withdraw_branch(*, assessment, actor, cause, reason) -> Assessment:
    """Staff withdraw an enrolled branch (dissolved, merged, newly founded…) with a reason.

    Only while the campaign is declaring. The branch leaves every count and N
    (`Assessment.objects.enrolled()`); its sheets, survey and review are kept, its stored
    rating is removed (the next recompute counts without it).
    """
    _require_staff(actor)
    if cause not in WithdrawalCause.values:
        raise WrongState(_("Choose why the branch is withdrawn."))
    reason = _reason(reason, _("Give a reason for the withdrawal."))
    with transaction.atomic():
        assessment = _locked_assessment(assessment)
        if assessment.is_withdrawn:
            raise WrongState(_("This branch is already withdrawn."))
        assessment.withdrawn_at = clock.now()
        assessment.withdrawal_cause = cause
        assessment.withdrawal_reason = reason
        audit.save(assessment, actor=actor, action="assessment.withdrawn")
        Rating.objects.filter(assessment=assessment).delete()
    return assessment


def reinstate_branch(*, assessment, actor, reason) -> Assessment:
    """Staff take a withdrawn branch back into the campaign, with a reason (while declaring)."""
    _require_staff(actor)
    reason = _reason(reason, _("Give a reason for the reinstatement."))
    with transaction.atomic():
        assessment = _locked_assessment(assessment)
        if not assessment.is_withdrawn:
            raise WrongState(_("This branch takes part in the campaign."))
        assessment.withdrawn_at = None
        assessment.withdrawal_cause = ""
        assessment.withdrawal_reason = ""
        assessment.reinstatement_reason = reason
        audit.save(assessment, actor=actor, action="assessment.reinstated")
    return assessment


# --- Reading a campaign's progress (the campaign page) -----------------------------------

#: The pseudo-status of a part not yet started (no survey or review row).
NOT_STARTED = "none"

#: Each column of the campaign page: its name, the filter of each status, in order.
#: A missing survey counts as not open; a missing review as not started.
COLUMNS = MappingProxyType(
    {
        "self": {value: Q(self_evaluation__status=value) for value in SelfEvaluationStatus.values},
        "survey": {
            SurveyStatus.NOT_OPEN: Q(survey__isnull=True) | Q(survey__status=SurveyStatus.NOT_OPEN),
            SurveyStatus.OPEN: Q(survey__status=SurveyStatus.OPEN),
            SurveyStatus.CLOSED: Q(survey__status=SurveyStatus.CLOSED),
        },
        "review": {
            NOT_STARTED: Q(review__isnull=True),
            **{value: Q(review__status=value) for value in ReviewStatus.values},
        },
        "audit": {
            value: Q(review__audit_status=value)
            for value in (AuditStatus.PENDING, AuditStatus.AGREED, AuditStatus.RETURNED)
        },
    }
)


@dataclass(frozen=True)
class Progress:
    """Counts of a campaign's enrolled branches per column and status, and withdrawals."""

    counts: dict  # {column: {status: n}}
    enrolled: int
    withdrawn: int

    def of(self, column, status) -> int:
        return self.counts[column][status]


def progress(assessments) -> Progress:
    """One aggregate query over `assessments` (a campaign's, maybe filtered by parent)."""
    enrolled = Q(withdrawn_at__isnull=True)
    aggregates = {
        f"{column}__{status}": Count("pk", filter=enrolled & condition)
        for column, statuses in COLUMNS.items()
        for status, condition in statuses.items()
    }
    row = assessments.order_by().aggregate(
        enrolled=Count("pk", filter=enrolled),
        withdrawn=Count("pk", filter=~enrolled),
        **aggregates,
    )
    counts = {column: {} for column in COLUMNS}
    for key, n in row.items():
        if "__" in key:
            column, status = key.split("__", 1)
            counts[column][status] = n
    return Progress(counts=counts, enrolled=row["enrolled"], withdrawn=row["withdrawn"])


#: The self-evaluation filter "not submitted" (draft or returned; the staff to-do links it).
UNSUBMITTED = "unsubmitted"


def filter_by_status(assessments, column, status):
    """The enrolled assessments whose `column` is at `status` (see `COLUMNS`)."""
    if (column, status) == ("self", UNSUBMITTED):
        return assessments.enrolled().exclude(COLUMNS["self"][SelfEvaluationStatus.SUBMITTED])
    return assessments.enrolled().filter(COLUMNS[column][status])


def completeness_by_campaign(campaigns) -> dict[int, Completeness]:
    """{campaign id: Completeness} of the given campaigns in one grouped query (the
    campaign list); the same figures as `recompute.completeness` for one."""
    rows = (
        Assessment.objects.enrolled()
        .filter(campaign__in=campaigns)
        .order_by()
        .values("campaign")
        .annotate(enrolled=Count("pk"), complete=Count("pk", filter=COMPLETE))
    )
    found = {row["campaign"]: row for row in rows}
    return {
        c.pk: Completeness(
            found.get(c.pk, {}).get("enrolled", 0),
            found.get(c.pk, {}).get("complete", 0),
            (c.quota_report or {}).get("total"),
        )
        for c in campaigns
    }


def results_complete(completeness: Completeness) -> bool:
    """Every enrolled branch complete and counted by the last recompute: the results are
    final, the campaign waits only to be published ("申报中 · 结果已完整")."""
    return completeness.counted is not None and not completeness.provisional


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
            **audit.bulk_options(actor=actor, action="assessment.election_refreshed"),
        )
    return len(changed)


def current_campaign(committee):
    """The latest declaring campaign of the committee, or None."""
    return (
        Campaign.objects.filter(committee=committee, status=CampaignStatus.DECLARING)
        .order_by("-year", "-kind")
        .first()
    )


def draft_campaigns() -> list[Campaign]:
    """Campaigns still being prepared (for staff's to-dos)."""
    return list(Campaign.objects.filter(status=CampaignStatus.DRAFT).order_by("year", "pk"))


def open_campaigns() -> list[Campaign]:
    """Campaigns in declaration (for staff's to-dos)."""
    return list(Campaign.objects.filter(status=CampaignStatus.DECLARING).order_by("year", "pk"))
