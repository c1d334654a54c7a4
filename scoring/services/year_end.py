"""The December re-rating (复检核星, docs/process.md §2.3, §2.5).

Staff create it in one action from the year's approved declaration campaign: the
rubric, the policy and the branches taking part are copied and it opens at once
(declaring). The whole workflow then runs again, with the engine's year-end rules
(`Campaign.kind` is the engine's `kind`; the events of the whole year count, as in any
campaign of the year: `scoring.services.events.events_for_campaign`). Publicity is
optional: without it the campaign goes from declaring straight to awaiting approval
(`submit_for_approval`). Its approval lists the branches whose star goes up or down
against their current star (晋星减星报工委审批, `star_moves`), and only their stars change
(`scoring.services.publicity.approve_campaign`).
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from branches.permissions import is_staff
from scoring.models import Assessment, Campaign, CampaignKind, CampaignStatus, Criterion, Rating
from starrating import audit, clock

from .campaigns import POLICY_FIELDS, _move, enrol
from .errors import NotAllowed, WrongState
from .publicity import blockers
from .stars import current_star_of

#: A source campaign in these statuses has official stars (docs/process.md §2.5).
APPROVED = (CampaignStatus.APPROVED, CampaignStatus.CLOSED)
#: The policy is copied but for the deadlines, which belong to December (D-2.3e).
COPIED = tuple(f for f in POLICY_FIELDS if f not in ("self_deadline", "review_deadline"))


def default_deadline(year: int) -> datetime.date:
    """20 December of the year, or today when later (D-2.3e)."""
    return max(datetime.date(year, 12, 20), clock.today())


def refusal(source: Campaign) -> str | None:
    """Why no year-end re-rating may be created from `source` now, or None."""
    if source.kind != CampaignKind.INITIAL:
        return _("A year-end re-rating is created from the year's declaration campaign.")
    if source.status not in APPROVED:
        return _("The year's declaration campaign must be approved before its year-end re-rating.")
    if Campaign.objects.filter(
        committee_id=source.committee_id, year=source.year, kind=CampaignKind.YEAR_END
    ).exists():
        return _("There is already a year-end re-rating for this year.")
    return None


def year_end_of(source: Campaign) -> Campaign | None:
    return Campaign.objects.filter(
        committee_id=source.committee_id, year=source.year, kind=CampaignKind.YEAR_END
    ).first()


def create_year_end_campaign(
    *, source, actor, with_publicity=True, self_deadline=None, title=None
) -> Campaign:
    """Staff create and open the year's re-rating from its approved (or closed)
    declaration campaign: rubric, policy and the branches taking part (still active)
    copied, kind `year_end`. Refused without an approved declaration, or when the year
    has a re-rating already; the deadline may not lie in the past."""
    if not is_staff(actor):
        raise NotAllowed(_("Only committee staff may manage campaigns."))
    deadline = self_deadline or default_deadline(source.year)
    if deadline < clock.today():
        raise WrongState(_("The deadline lies in the past."))
    with transaction.atomic():
        source = Campaign.objects.select_for_update().get(pk=source.pk)
        why = refusal(source)
        if why:
            raise WrongState(why)
        campaign = Campaign(
            committee_id=source.committee_id,
            year=source.year,
            kind=CampaignKind.YEAR_END,
            title=(title or "").strip()
            or _("%(year)s star rating: %(kind)s")
            % {"year": source.year, "kind": CampaignKind.YEAR_END.label},
            created_by=actor,
            with_publicity=bool(with_publicity),
            self_deadline=deadline,
            **{name: getattr(source, name) for name in COPIED},
        )
        audit.save(campaign, actor=actor, action="campaign.created")
        Criterion.objects.bulk_create(
            Criterion(
                campaign=campaign,
                position=c.position,
                title=c.title,
                description=c.description,
                max_points=c.max_points,
            )
            for c in source.criteria.order_by("position")
        )
        branches = [
            a.branch
            for a in Assessment.objects.enrolled()
            .filter(campaign=source, branch__active=True)
            .select_related("branch")
            .order_by("branch__code")
        ]
        enrol(campaign, branches, actor=actor)
        _move(
            campaign,
            CampaignStatus.DECLARING,
            actor=actor,
            refusal=_("Only a draft campaign can be opened."),
        )
    return campaign


def submit_for_approval(*, campaign, actor) -> Campaign:
    """Declaring → awaiting approval for a re-rating without publicity: staff submit the
    results once every branch is complete and recomputed (the refusal lists what
    blocks it, as publishing does)."""
    if not is_staff(actor):
        raise NotAllowed(_("Only committee staff may submit the results for approval."))
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        refusal_text = _("Only a year-end re-rating without publicity is submitted directly.")
        if campaign.kind != CampaignKind.YEAR_END or campaign.with_publicity:
            raise WrongState(refusal_text)
        if not campaign.is_declaring:
            raise WrongState(_("Only a campaign in declaration can be submitted for approval."))
        blocking = blockers(campaign)
        if blocking:
            raise WrongState(_("The results cannot be submitted yet:") + "\n" + "\n".join(blocking))
        _move(campaign, CampaignStatus.AWAITING_APPROVAL, actor=actor, refusal=refusal_text)
    return campaign


@dataclass(frozen=True)
class Move:
    """A branch whose star the re-rating changes: up (晋星) or down (减星)."""

    code: str
    branch: str
    parent: str
    current: int | None
    proposed: int

    @property
    def up(self) -> bool:
        return self.current is None or self.proposed > self.current


def star_moves(campaign) -> list[Move]:
    """The enrolled branches whose stored star differs from their current star, by
    branch code: what the approval of a year-end re-rating changes. One query."""
    ratings = (
        Rating.objects.filter(assessment__campaign=campaign, assessment__withdrawn_at__isnull=True)
        .select_related("assessment__branch__parent")
        .annotate(current=current_star_of("assessment__branch"))
        .order_by("assessment__branch__code")
    )
    return [
        Move(
            code=r.assessment.branch.code,
            branch=r.assessment.branch.name,
            parent=r.assessment.branch.parent.name if r.assessment.branch.parent else "",
            current=r.current,
            proposed=r.star,
        )
        for r in ratings
        if r.current != r.star
    ]
