"""The improvement plan and the rectification ledger (docs/process.md §2.2): one function
per transition, and the selectors the pages, the to-dos and the exports read.

Plan: draft → filed (the secretary) → acknowledged (备案, the parent) or returned (with a
reason; the secretary edits and files again). Items: added by the secretary, open until
closed (销账) with a date, a note and evidence; the parent or staff reopen one with a
reason. Every function takes keyword-only arguments and the acting user, runs in one
transaction, locks the row it changes and records it through `starrating.audit`; a
refusal raises a `WorkflowError` with a translated message and changes nothing.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from branches.models import Member, Organisation, OrgKind, Role
from branches.permissions import (
    branches_for,
    is_staff,
    may_acknowledge_plan,
    may_edit_improvement,
    roles_of,
)
from scoring.models import Assessment, Campaign, CampaignStatus, ReviewScore, ReviewStatus
from scoring.models.events import PENALTY_TYPES, ScoreEvent
from scoring.services.errors import InvalidUpload, WrongState
from scoring.services.stars import current_star, current_star_of
from scoring.services.versions import check_row_version
from starrating import audit, clock, uploads
from starrating.errors import NotAllowed, WorkflowError
from starrating.inputs import TEXT_MAX_LENGTH, clean_text

from .models import Category, ImprovementPlan, ItemStatus, LedgerItem, PlanStatus, category_of

#: How many of the review's weakest criteria the starting list offers (D-2.2a).
WEAKEST_CRITERIA = 3
#: A to-do names the items due within this many days (and those overdue).
DUE_SOON_DAYS = 14
#: The furthest a due date may lie ahead: a ledger item is this year's or next year's work.
DUE_YEARS_AHEAD = 2


class InvalidPlan(WorkflowError):
    default_message = _("The plan is not valid.")


class InvalidItem(WorkflowError):
    default_message = _("The ledger item is not valid.")


# --- Checks ------------------------------------------------------------------------------


def _text(value, message, error=InvalidItem) -> str:
    """Required multi-line text: cleaned as forms clean it, at most TEXT_MAX_LENGTH."""
    value = clean_text(str(value or ""), multiline=True).strip()
    if not value:
        raise error(message)
    if len(value) > TEXT_MAX_LENGTH:
        raise error(
            _("At most %(limit)d characters (this has %(count)d).")
            % {"limit": TEXT_MAX_LENGTH, "count": len(value)}
        )
    return value


def _may_edit(actor, branch):
    if not may_edit_improvement(actor, branch):
        raise NotAllowed(_("Only the branch's secretary may change its plan and ledger."))


def _may_decide(actor, branch):
    if not may_acknowledge_plan(actor, branch):
        raise NotAllowed(_("Only the parent organisation or committee staff may do this."))


def _target(target_star, star) -> int:
    """A target of one to five stars, not below the current star (晋位: hold or rise)."""
    if not isinstance(target_star, int) or isinstance(target_star, bool):
        raise InvalidPlan(_("Choose a target star from one to five."))
    if not 1 <= target_star <= 5:
        raise InvalidPlan(_("Choose a target star from one to five."))
    if star is not None and target_star < star:
        raise InvalidPlan(
            _("The target cannot be below the branch's current star (%(star)d).") % {"star": star}
        )
    return target_star


def _locked_plan(plan) -> ImprovementPlan:
    return (
        ImprovementPlan.objects.select_for_update(of=("self",))
        .select_related("branch", "campaign")
        .get(pk=plan.pk)
    )


def _locked_item(item) -> LedgerItem:
    return (
        LedgerItem.objects.select_for_update(of=("self",))
        .select_related("plan__branch", "plan__campaign")
        .get(pk=item.pk)
    )


# --- The plan ----------------------------------------------------------------------------


def plan_campaign(branch) -> Campaign | None:
    """The campaign a new plan of the branch follows: the latest one (by year) with results
    (past its draft and recomputed) in which the branch is enrolled and whose year has no
    plan of the branch yet (D-2.2b)."""
    years = ImprovementPlan.objects.filter(branch=branch).values("year")
    return (
        Campaign.objects.exclude(status=CampaignStatus.DRAFT)
        .filter(recomputed_at__isnull=False)
        .filter(pk__in=Assessment.objects.enrolled().filter(branch=branch).values("campaign_id"))
        .exclude(year__in=years)
        .order_by("-year", "-kind")
        .first()
    )


def create_plan(*, actor, branch, campaign, target_star, measures) -> ImprovementPlan:
    """Start the branch's plan for the campaign's year, as a draft; its category comes
    from the branch's current star (docs/process.md §2.2, §2.6)."""
    _may_edit(actor, branch)
    measures = _text(measures, _("Describe the measures of the plan."), InvalidPlan)
    if campaign.status == CampaignStatus.DRAFT:
        raise WrongState(_("The campaign is not open yet."))
    if campaign.recomputed_at is None:
        raise WrongState(_("The campaign has no results yet: a plan follows a rating."))
    if not Assessment.objects.enrolled().filter(campaign=campaign, branch=branch).exists():
        raise WrongState(_("The branch does not take part in this campaign."))
    star = current_star(branch)
    target_star = _target(target_star, star)
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=branch.pk).first()
        if ImprovementPlan.objects.filter(branch=branch, year=campaign.year).exists():
            raise WrongState(
                _("The branch already has a plan for %(year)d.") % {"year": campaign.year}
            )
        plan = ImprovementPlan(
            branch=branch,
            campaign=campaign,
            year=campaign.year,
            current_star=star,
            category=category_of(star),
            target_star=target_star,
            measures=measures,
            created_at=clock.now(),
        )
        audit.save(plan, actor=actor, action="plan.created")
    return plan


def update_plan(*, actor, plan, target_star, measures) -> ImprovementPlan:
    """Change the target and the measures of a draft or returned plan."""
    _may_edit(actor, plan.branch)
    measures = _text(measures, _("Describe the measures of the plan."), InvalidPlan)
    with transaction.atomic():
        plan = _locked_plan(plan)
        if not plan.editable:
            raise WrongState(_("A filed plan cannot be changed."))
        plan.target_star = _target(target_star, current_star(plan.branch))
        plan.measures = measures
        audit.save(plan, actor=actor, action="plan.edited")
    return plan


def file_plan(*, actor, plan) -> ImprovementPlan:
    """File the plan to the parent organisation (报备). The category and the current star
    are taken again at filing, so the filed plan says what held when it was filed."""
    _may_edit(actor, plan.branch)
    with transaction.atomic():
        plan = _locked_plan(plan)
        if plan.status in (PlanStatus.FILED, PlanStatus.ACKNOWLEDGED):
            raise WrongState(_("The plan is already filed."))
        star = current_star(plan.branch)
        _target(plan.target_star, star)
        plan.current_star, plan.category = star, category_of(star)
        plan.status = PlanStatus.FILED
        plan.filed_at, plan.filed_by = clock.now(), actor
        audit.save(plan, actor=actor, action="plan.filed")
    return plan


def acknowledge_plan(*, actor, plan) -> ImprovementPlan:
    """The parent acknowledges the filed plan (备案)."""
    _may_decide(actor, plan.branch)
    with transaction.atomic():
        plan = _locked_plan(plan)
        if plan.status != PlanStatus.FILED:
            raise WrongState(_("Only a filed plan can be acknowledged or returned."))
        plan.status = PlanStatus.ACKNOWLEDGED
        plan.decided_at, plan.decided_by = clock.now(), actor
        plan.return_reason = ""
        audit.save(plan, actor=actor, action="plan.acknowledged")
    return plan


def return_plan(*, actor, plan, reason) -> ImprovementPlan:
    """The parent returns the filed plan with a reason; the secretary edits and files again."""
    _may_decide(actor, plan.branch)
    reason = _text(reason, _("Give the reason for returning the plan."), InvalidPlan)
    with transaction.atomic():
        plan = _locked_plan(plan)
        if plan.status != PlanStatus.FILED:
            raise WrongState(_("Only a filed plan can be acknowledged or returned."))
        plan.status = PlanStatus.RETURNED
        plan.decided_at, plan.decided_by = clock.now(), actor
        plan.return_reason = reason
        audit.save(plan, actor=actor, action="plan.returned")
    return plan


# --- The ledger --------------------------------------------------------------------------


def _due(due, today) -> datetime.date:
    if not isinstance(due, datetime.date):
        raise InvalidItem(_("Give the due date."))
    if due < today:
        raise InvalidItem(
            _("The due date %(date)s lies in the past.") % {"date": date_format(due, "DATE_FORMAT")}
        )
    if due.year > today.year + DUE_YEARS_AHEAD:
        raise InvalidItem(
            _("The due date lies more than %(years)d years ahead.") % {"years": DUE_YEARS_AHEAD}
        )
    return due


def _item_fields(plan, *, problem, measures, responsible, due, criterion, event) -> dict:
    """An item's fields checked against its plan (the rules of `add_item`)."""
    fields = {
        "problem": _text(problem, _("Describe the problem.")),
        "measures": _text(measures, _("Describe the measures.")),
        "due": _due(due, clock.today()),
        "responsible": responsible,
        "criterion": criterion,
        "event": event,
    }
    if not isinstance(responsible, Member) or not (
        responsible.branch_id == plan.branch_id and responsible.active
    ):
        raise InvalidItem(_("The person responsible must be an active member of the branch."))
    if criterion is not None and criterion.campaign_id != plan.campaign_id:
        raise InvalidItem(_("The criterion is not one of the campaign's rubric."))
    if event is not None and not (
        event.branch_id == plan.branch_id
        and event.type in PENALTY_TYPES
        and event.date.year == plan.year
    ):
        raise InvalidItem(_("The event is not a penalty of the branch in the plan's year."))
    return fields


def add_item(
    *, actor, plan, problem, measures, responsible, due, criterion=None, event=None
) -> LedgerItem:
    """Add an item to the plan's ledger: the person responsible is an active member of
    the branch; a criterion is one of the campaign's rubric; an event is a penalty of
    the branch in the plan's year (the starting list offers both, `starting_list`)."""
    _may_edit(actor, plan.branch)
    fields = _item_fields(
        plan,
        problem=problem,
        measures=measures,
        responsible=responsible,
        due=due,
        criterion=criterion,
        event=event,
    )
    with transaction.atomic():
        plan = _locked_plan(plan)
        item = LedgerItem(plan=plan, created_at=clock.now(), created_by=actor, **fields)
        audit.save(item, actor=actor, action="ledger.item_added")
    return item


def update_item(
    *, actor, item, problem, measures, responsible, due, criterion=None, version=None
) -> LedgerItem:
    """Change an open item (its wording, the person responsible, a new due date); the
    history keeps what it was. A closed item is reopened first. `version` is the one the
    form was loaded at: of two tabs saving from the same one, the second is refused
    (`StaleVersion`, saying who saved in between)."""
    plan = item.plan
    _may_edit(actor, plan.branch)
    fields = _item_fields(
        plan,
        problem=problem,
        measures=measures,
        responsible=responsible,
        due=due,
        criterion=criterion,
        event=item.event,
    )
    with transaction.atomic():
        item = _locked_item(item)
        check_row_version(item, version, actor=actor, noun=pgettext("ledger", "ledger item"))
        if item.status != ItemStatus.OPEN:
            raise WrongState(_("A closed item cannot be changed."))
        for name, value in fields.items():
            setattr(item, name, value)
        item.version += 1
        audit.save(item, actor=actor, action="ledger.item_edited")
    return item


def close_item(*, actor, item, closed_on, note, uploaded_file) -> LedgerItem:
    """Close the item (销账): the closing date (not in the future, not before the item was
    added), a note and the evidence file are all required."""
    _may_edit(actor, item.plan.branch)
    note = _text(note, _("Describe how the problem was put right."))
    if not isinstance(closed_on, datetime.date):
        raise InvalidItem(_("Give the closing date."))
    today = clock.today()
    if closed_on > today:
        raise InvalidItem(_("The closing date lies in the future."))
    if not uploaded_file:
        raise InvalidItem(_("Closing an item needs its evidence: attach a file."))
    try:
        content_type = uploads.check_upload(uploaded_file, uploads.LEDGER)
    except ValidationError as error:
        raise InvalidUpload(" ".join(error.messages)) from None
    with uploads.storing() as stash, transaction.atomic():
        item = _locked_item(item)
        if item.status != ItemStatus.OPEN:
            raise WrongState(_("The item is already closed."))
        if closed_on < timezone.localdate(item.created_at):
            raise InvalidItem(_("The closing date lies before the item was added."))
        item.status = ItemStatus.CLOSED
        item.closed_on, item.closing_note, item.closed_by = closed_on, note, actor
        item.evidence_name = uploads.display_name(uploaded_file.name)
        item.evidence_type = content_type
        try:
            stash.save(item.evidence, uploaded_file)
        except ValidationError as error:
            raise InvalidUpload(" ".join(error.messages)) from None
        audit.save(item, actor=actor, action="ledger.item_closed")
    return item


def reopen_item(*, actor, item, reason) -> LedgerItem:
    """The parent or staff reopen a closed item with a reason; the closing and its
    evidence stay in the item's history."""
    _may_decide(actor, item.plan.branch)
    reason = _text(reason, _("Give the reason for reopening the item."))
    with transaction.atomic():
        item = _locked_item(item)
        if item.status != ItemStatus.CLOSED:
            raise WrongState(_("Only a closed item can be reopened."))
        item.status = ItemStatus.OPEN
        item.reopen_reason = reason
        item.closed_on, item.closing_note, item.closed_by = None, "", None
        item.evidence, item.evidence_name, item.evidence_type = "", "", ""
        audit.save(item, actor=actor, action="ledger.item_reopened")
    return item


# --- The starting list -------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """One line of the starting list: a weak criterion of the review or a penalty event."""

    problem: str
    criterion: object = None  # a Criterion
    event: object = None  # a ScoreEvent
    share: Decimal | None = None  # the review's score as a share of the criterion's maximum
    added: bool = False  # the ledger already has an item for it


def starting_list(plan) -> list[Suggestion]:
    """What the rating itself suggests for the ledger (docs/process.md §2.2): the
    WEAKEST_CRITERIA criteria where the submitted review gave the branch the lowest share
    of the maximum (below full marks; ties in rubric order), then every penalty event of
    the plan's year. Three queries."""
    taken = LedgerItem.objects.filter(plan=plan).values_list("criterion_id", "event_id")
    taken_criteria = {c for c, _e in taken if c}
    taken_events = {e for _c, e in taken if e}
    scores = (
        ReviewScore.objects.filter(
            review__assessment__campaign_id=plan.campaign_id,
            review__assessment__branch_id=plan.branch_id,
            review__status=ReviewStatus.SUBMITTED,
        )
        .select_related("criterion")
        .order_by("criterion__position")
    )
    shares = [
        (score.score / score.criterion.max_points, score)
        for score in scores
        if score.score < score.criterion.max_points
    ]
    shares.sort(key=lambda pair: (pair[0], pair[1].criterion.position))
    found = [
        Suggestion(
            problem=_("%(title)s: the review gave %(score)s of %(max)s points.")
            % {
                "title": score.criterion.title,
                "score": score.score,
                "max": score.criterion.max_points,
            },
            criterion=score.criterion,
            share=share,
            added=score.criterion_id in taken_criteria,
        )
        for share, score in shares[:WEAKEST_CRITERIA]
    ]
    events = ScoreEvent.objects.filter(
        branch_id=plan.branch_id, date__year=plan.year, type__in=PENALTY_TYPES
    ).order_by("date", "pk")
    for event in events:
        text = event.get_type_display()
        if event.description:
            text = f"{text}: {event.description}"
        found.append(
            Suggestion(
                problem=_("%(date)s %(what)s")
                % {"date": date_format(event.date, "DATE_FORMAT"), "what": text},
                event=event,
                added=event.pk in taken_events,
            )
        )
    return found


# --- Selectors: progress, oversight, to-dos, exports --------------------------------------


def _plan_field(year, name):
    return Subquery(
        ImprovementPlan.objects.filter(branch=OuterRef("pk"), year=year).values(name)[:1]
    )


CATEGORY_FILTERS = {
    Category.CONSOLIDATE: Q(star=5),
    Category.FILL_GAPS: Q(star__gte=2, star__lte=4),
    Category.FOCUSED: Q(star__isnull=True) | Q(star__lte=1),
}


def progress_of(branches, *, year, today=None):
    """The branches annotated with their current star (`star`), the plan of `year`
    (`plan_id`, `plan_status`, `plan_target`) and its ledger's counts (`items_open`,
    `items_closed`, `items_overdue`: open past their due date), in one query."""
    today = today or clock.today()
    in_year = Q(improvement_plans__year=year)
    items = "improvement_plans__items"
    return branches.annotate(
        star=current_star_of(),
        plan_id=_plan_field(year, "pk"),
        plan_status=_plan_field(year, "status"),
        plan_target=_plan_field(year, "target_star"),
        items_open=Count(items, filter=in_year & Q(**{f"{items}__status": ItemStatus.OPEN})),
        items_closed=Count(items, filter=in_year & Q(**{f"{items}__status": ItemStatus.CLOSED})),
        items_overdue=Count(
            items,
            filter=in_year & Q(**{f"{items}__status": ItemStatus.OPEN, f"{items}__due__lt": today}),
        ),
    )


def plans_of(branch, *, today=None):
    """The branch's plans, latest year first, with their ledger's counts (one query)."""
    today = today or clock.today()
    return (
        ImprovementPlan.objects.filter(branch=branch)
        .select_related("campaign")
        .annotate(
            items_open=Count("items", filter=Q(items__status=ItemStatus.OPEN)),
            items_closed=Count("items", filter=Q(items__status=ItemStatus.CLOSED)),
            items_overdue=Count(
                "items", filter=Q(items__status=ItemStatus.OPEN, items__due__lt=today)
            ),
        )
        .order_by("-year")
    )


def plan_years() -> list[int]:
    """The years the oversight offers: those of campaigns past their draft, latest first."""
    return list(
        Campaign.objects.exclude(status=CampaignStatus.DRAFT)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def campaign_of_year(year: int) -> Campaign | None:
    """The campaign whose ledger workbook covers `year` (the ledger is the year's, D-2.2b):
    the year's latest past its draft."""
    return (
        Campaign.objects.exclude(status=CampaignStatus.DRAFT)
        .filter(year=year)
        .order_by("-kind")
        .first()
    )


def default_year(years: list[int]) -> int:
    """The year the oversight shows unless told: the latest with plans, else the latest
    campaign's (a new campaign's year has no plans until its rating is done)."""
    latest = ImprovementPlan.objects.order_by("-year").values_list("year", flat=True).first()
    return latest if latest in years else years[0]


def oversight(user, *, year, parent=None, category=None, focused_only=False):
    """The branches `user` may see with their plan and ledger progress of `year`,
    filtered by parent and by category (from the current star), in code order."""
    branches = branches_for(user).filter(active=True).select_related("parent")
    if parent is not None:
        branches = branches.filter(parent=parent)
    rows = progress_of(branches, year=year)
    if focused_only:
        category = Category.FOCUSED
    if category:
        rows = rows.filter(CATEGORY_FILTERS[category])
    return rows.order_by("code")


def plans_to_file(user) -> list[tuple[Organisation, ImprovementPlan | None, Campaign | None]]:
    """Secretary: each of the user's branches whose plan is to be written or filed (a
    draft), or filed again (returned), with the campaign a new plan would follow."""
    found = []
    branch_ids = roles_of(user).get(Role.SECRETARY, ())
    for branch in Organisation.objects.filter(pk__in=branch_ids, kind=OrgKind.BRANCH, active=True):
        latest = ImprovementPlan.objects.filter(branch=branch).order_by("-year").first()
        campaign = plan_campaign(branch)
        if campaign is not None and (latest is None or latest.year < campaign.year):
            found.append((branch, None, campaign))
        elif latest is not None and latest.editable:
            found.append((branch, latest, latest.campaign))
    return found


def items_due(user, *, days=DUE_SOON_DAYS):
    """Secretary: the open items of the user's branches due within `days` or overdue."""
    branch_ids = roles_of(user).get(Role.SECRETARY, ())
    limit = clock.today() + datetime.timedelta(days=days)
    return LedgerItem.objects.filter(
        plan__branch_id__in=branch_ids, status=ItemStatus.OPEN, due__lte=limit
    ).select_related("plan__branch")


def plans_waiting(user):
    """Parent: the filed plans waiting for the user's acknowledgement (the reviewer's
    branches; for staff, the directly managed branches, whose parent staff stand for)."""
    plans = ImprovementPlan.objects.filter(status=PlanStatus.FILED)
    reviewer_of = roles_of(user).get(Role.REVIEWER, frozenset())
    where = Q(branch__parent_id__in=reviewer_of)
    if is_staff(user):
        where |= Q(branch__parent__kind=OrgKind.COMMITTEE)
    return plans.filter(where).select_related("branch")


def ledger_items(year) -> Iterator[tuple]:
    """The ledger of `year` as plain rows, in branch-code and due order, for the exports
    (one query): branch name, code, parent, plan status, category, target, problem,
    criterion, measures, person responsible, due, status, overdue, closed on, closing
    note, reopen reason."""
    today = clock.today()
    rows = (
        LedgerItem.objects.filter(plan__year=year)
        .order_by("plan__branch__code", "due", "pk")
        .values_list(
            "plan__branch__name",
            "plan__branch__code",
            "plan__branch__parent__name",
            "plan__status",
            "plan__category",
            "plan__target_star",
            "problem",
            "criterion__title",
            "measures",
            "responsible__name",
            "due",
            "status",
            "closed_on",
            "closing_note",
            "reopen_reason",
        )
    )
    for *head, due, status, closed_on, note, reopened in rows:
        overdue = status == ItemStatus.OPEN and due < today
        yield (*head, due, status, overdue, closed_on, note, reopened)
