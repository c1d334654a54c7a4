"""The home page's to-dos: what each role has to do now, and where it is done.

To-dos build URLs, so they live beside the views; they read the state through the
services' selector functions and decide nothing of their own. `todos(user)` lists every
to-do of every role the user holds; the home page shows them grouped by `Todo.role`.
A to-do with a deadline says the days left; the reminder e-mails (`reminders.services`)
are these same to-dos, filtered to those due soon (docs/process.md §2.5, Reminders).
"""

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from branches.models import Role
from branches.permissions import is_staff, may_approve, may_rereview, may_use_reviews, roles_of
from improvement import services as improvement
from improvement.models import PlanStatus
from scoring.services import (
    campaigns,
    publicity,
    recompute,
    reviews,
    second_reviews,
    self_evaluation,
    survey,
)
from starrating import clock


@dataclass(frozen=True)
class Todo:
    role: str  # a branches.models.Role value: the home page groups by it
    title: str
    url: str
    detail: str = ""
    count: int | None = None
    overdue: bool = False  # a deadline has passed: the home page shows the count in red
    deadline: datetime.date | None = None  # the last day, when the to-do has one
    # What the to-do is about, the same from day to day ("survey:12"): the reminders'
    # sent log keys on it, so one deadline is reminded once per threshold.
    key: str = ""

    @property
    def days_left(self) -> int | None:
        """Days from today to the deadline: 0 on the day itself, negative once past."""
        return None if self.deadline is None else (self.deadline - clock.today()).days

    @property
    def due_label(self) -> str:
        """还剩 N 天, 今天截止 or 已逾期 N 天 (in the active language); empty without a deadline."""
        days = self.days_left
        if days is None:
            return ""
        if days > 0:
            return ngettext("%(n)d day left", "%(n)d days left", days) % {"n": days}
        if days == 0:
            return _("Due today")
        return ngettext("%(n)d day overdue", "%(n)d days overdue", -days) % {"n": -days}


def _past(deadline) -> bool:
    return deadline is not None and clock.today() > deadline


def roster_todos(user) -> list[Todo]:
    """Staff: keep the organisations and members up to date."""
    if not is_staff(user):
        return []
    return [
        Todo(
            Role.STAFF,
            _("Import or update the roster"),
            reverse("branches:roster_import"),
            _("Organisations and members from an Excel file."),
        )
    ]


def campaign_todos(user) -> list[Todo]:
    """Staff: create or open a campaign; count unsubmitted self-evaluations (overdue once
    the campaign's deadline has passed)."""
    if not is_staff(user):
        return []
    drafts, open_ones = campaigns.draft_campaigns(), campaigns.open_campaigns()
    items = [
        Todo(
            role=Role.STAFF,
            title=_("Open the campaign “%(title)s”") % {"title": campaign.title},
            url=reverse("scoring:campaign_edit", args=[campaign.pk]),
            detail=_("Check the rubric and the policy, then open it."),
        )
        for campaign in drafts
    ]
    if not drafts and not open_ones:
        items.append(
            Todo(
                role=Role.STAFF,
                title=_("Create this year's campaign"),
                url=reverse("scoring:campaign_create"),
            )
        )
    for campaign in open_ones:
        count = self_evaluation.unsubmitted_count(campaign)
        if count:
            items.append(
                Todo(
                    role=Role.STAFF,
                    title=_("Self-evaluations not yet submitted"),
                    url=reverse("scoring:campaign_detail", args=[campaign.pk])
                    + "?status=unsubmitted",
                    detail=campaign.title,
                    count=count,
                    overdue=_past(campaign.self_deadline),
                    deadline=campaign.self_deadline,
                    key=f"unsubmitted:{campaign.pk}",
                )
            )
    return items


def self_evaluation_todos(user) -> list[Todo]:
    """Secretary: fill in and submit the self-evaluation; a returned one with the reason."""
    items = []
    for sheet in self_evaluation.sheets_to_complete(user):
        if sheet.is_returned:
            title = _("Rework the returned self-evaluation of %(branch)s")
            detail = sheet.return_reason
        else:
            title = _("Fill in and submit the self-evaluation of %(branch)s")
            detail = _("Deadline: %(date)s") % {"date": date_format(sheet.deadline, "DATE_FORMAT")}
        items.append(
            Todo(
                role=Role.SECRETARY,
                title=title % {"branch": sheet.assessment.branch.name},
                url=reverse("scoring:self_evaluation", args=[sheet.assessment_id]),
                detail=detail,
                overdue=_past(sheet.deadline),
                deadline=sheet.deadline,
                key=f"self-evaluation:{sheet.pk}",
            )
        )
    return items


def survey_todos(user) -> list[Todo]:
    """Secretary: open the survey, follow it, close it."""
    items = []
    for assessment, _survey, counts in survey.surveys_to_run(user):
        url = reverse("scoring:survey", args=[assessment.pk])
        # The campaign's deadline is the self-evaluation's and the survey's (D-2.5i).
        deadline = assessment.campaign.self_deadline
        due = {"overdue": _past(deadline), "deadline": deadline, "key": f"survey:{assessment.pk}"}
        if counts is None:
            items.append(
                Todo(
                    Role.SECRETARY,
                    _("Open the member/public survey"),
                    url,
                    detail=f"{assessment.branch} · {assessment.campaign}",
                    **due,
                )
            )
            continue
        title = (
            _("Close the member/public survey")
            if counts.enough
            else _("Member/public survey running")
        )
        detail = _("%(voted)d of %(electorate)d members voted (%(percent)d%%)") % {
            "voted": counts.members_voted,
            "electorate": counts.electorate,
            "percent": counts.percent or 0,
        }
        if counts.members_missing:
            # Counts only, never who (docs/survey.md §2.1.2).
            detail += " · " + ngettext(
                "%(n)d more member needed for %(percent)d%%",
                "%(n)d more members needed for %(percent)d%%",
                counts.members_missing,
            ) % {"n": counts.members_missing, "percent": survey.MIN_PARTICIPATION_PERCENT}
        items.append(
            Todo(Role.SECRETARY, title, url, detail=detail, count=counts.members_voted, **due)
        )
    return items


def review_todos(user) -> list[Todo]:
    """Reviewer: branches ready for review (and how many still wait for their inputs),
    returned reviews. Staff: the same for the
    branches staff review, pending five-star audits, a recompute when inputs changed."""
    if not getattr(user, "is_authenticated", False):
        return []
    items: list[Todo] = []
    workload = reviews.review_workload(user)
    staff = is_staff(user)
    role = Role.STAFF if staff else Role.REVIEWER
    if workload.ready:
        detail = ""
        if workload.waiting:
            detail = ngettext(
                "%(n)d more waiting for its self-evaluation or survey",
                "%(n)d more waiting for their self-evaluation or survey",
                workload.waiting,
            ) % {"n": workload.waiting}
        items.append(
            Todo(
                role,
                _("Branches ready for your review"),
                reverse("scoring:review_queue"),
                detail=detail,
                count=workload.ready,
                deadline=workload.deadline,
                key="reviews-ready",
            )
        )
    if workload.returned:
        items.append(
            Todo(
                role,
                _("Reviews returned to you"),
                reverse("scoring:review_queue"),
                count=workload.returned,
                deadline=workload.deadline,
                key="reviews-returned",
            )
        )
    assigned = second_reviews.to_do(user) if may_use_reviews(user) else 0
    if assigned:
        items.append(
            Todo(
                role,
                _("Second reviews assigned to you"),
                reverse("scoring:second_review_queue"),
                count=assigned,
            )
        )
    if not staff:
        return items
    pending = reviews.audits_pending()
    if pending:
        items.append(
            Todo(
                Role.STAFF,
                _("Five-star proposals to audit"),
                reverse("scoring:audit_queue"),
                count=pending,
            )
        )
    for campaign in campaigns.open_campaigns():
        if recompute.inputs_changed_since_recompute(campaign):
            items.append(
                Todo(
                    Role.STAFF,
                    _("Recompute the ratings"),
                    reverse("scoring:campaign_results", args=[campaign.pk]),
                    detail=str(campaign),
                )
            )
    return items


def publicity_todos(user) -> list[Todo]:
    """Staff: open objections to handle (named ones first: the count says how many are
    named), a recompute after an upheld objection, a complete campaign to publish.
    Approver: each campaign awaiting approval, ready or blocked (saying why).
    Re-reviewer: approved five-star results waiting. Windows past their end are closed
    first (docs/decisions.md D-2.1.4a)."""
    staff, approver, rereviewer = is_staff(user), may_approve(user), may_rereview(user)
    if not (staff or approver or rereviewer):
        return []
    publicity.end_due_publicity()
    items = []
    if staff:
        for campaign, count, named in publicity.objections_to_handle():
            detail = str(campaign)
            if named:
                detail = ngettext(
                    "%(campaign)s · %(n)d named, handled first",
                    "%(campaign)s · %(n)d named, handled first",
                    named,
                ) % {"campaign": campaign, "n": named}
            items.append(
                Todo(
                    Role.STAFF,
                    _("Objections to handle"),
                    reverse("scoring:objections", args=[campaign.pk]),
                    detail=detail,
                    count=count,
                )
            )
        for campaign in publicity.in_publicity():
            end = timezone.localdate(campaign.publicity_end)
            items.append(
                Todo(
                    Role.STAFF,
                    _("Public notice under way"),
                    reverse("scoring:objections", args=[campaign.pk]),
                    detail=_("%(campaign)s · ends %(date)s")
                    % {"campaign": campaign, "date": date_format(end, "DATE_FORMAT")},
                    deadline=end,
                    key=f"publicity:{campaign.pk}",
                )
            )
        for campaign in publicity.recompute_after_objection():
            items.append(
                Todo(
                    Role.STAFF,
                    _("Recompute after the upheld objection"),
                    reverse("scoring:campaign_results", args=[campaign.pk]),
                    detail=str(campaign),
                )
            )
        for campaign in campaigns.open_campaigns():
            if not publicity.blockers(campaign):
                items.append(
                    Todo(
                        Role.STAFF,
                        _("Publish the results for public notice"),
                        reverse("scoring:campaign_publish", args=[campaign.pk]),
                        detail=str(campaign),
                    )
                )
    if approver:
        for campaign, why in publicity.approvals_waiting():
            items.append(
                Todo(
                    Role.APPROVER,
                    _("Record the committee's approval")
                    if not why
                    else _("Approval waiting, blocked"),
                    reverse("scoring:campaign_approve", args=[campaign.pk]),
                    detail=" · ".join([str(campaign), " ".join(why[:3]) + ("…" if why[3:] else "")])
                    if why
                    else str(campaign),
                )
            )
    if rereviewer:
        waiting = publicity.rereviews_waiting()
        if waiting:
            items.append(
                Todo(
                    Role.REREVIEWER,
                    _("Five-star results to re-review"),
                    reverse("scoring:rereviews"),
                    count=len(waiting),
                )
            )
    return items


def improvement_todos(user) -> list[Todo]:
    """Secretary: write and file the improvement plan, file a returned one again; the
    ledger items due within 14 days or overdue. Parent: filed plans to acknowledge
    (docs/process.md §2.2)."""
    if not getattr(user, "is_authenticated", False):
        return []
    items = []
    for branch, plan, campaign in improvement.plans_to_file(user):
        if plan is None:
            items.append(
                Todo(
                    Role.SECRETARY,
                    _("Write the improvement plan of %(year)d") % {"year": campaign.year},
                    reverse("improvement:plan_create", args=[branch.pk]),
                    detail=branch.name,
                )
            )
        elif plan.status == PlanStatus.RETURNED:
            items.append(
                Todo(
                    Role.SECRETARY,
                    _("Rework and file again the returned improvement plan"),
                    reverse("improvement:plan", args=[plan.pk]),
                    detail=plan.return_reason,
                )
            )
        else:
            items.append(
                Todo(
                    Role.SECRETARY,
                    _("File the improvement plan of %(year)d") % {"year": plan.year},
                    reverse("improvement:plan", args=[plan.pk]),
                    detail=branch.name,
                )
            )
    due = list(improvement.items_due(user))
    today = clock.today()
    for branch_id in sorted({item.plan.branch_id for item in due}):
        mine = [item for item in due if item.plan.branch_id == branch_id]
        late = [item for item in mine if item.due < today]
        items.append(
            Todo(
                Role.SECRETARY,
                _("Rectification items overdue or due within 14 days"),
                reverse("improvement:branch", args=[branch_id]),
                detail=mine[0].plan.branch.name,
                count=len(mine),
                overdue=bool(late),
                deadline=min(item.due for item in mine),  # the earliest (D-2.5i)
                key=f"ledger:{branch_id}",
            )
        )
    waiting = improvement.plans_waiting(user).count()
    if waiting:
        items.append(
            Todo(
                Role.STAFF if not roles_of(user).get(Role.REVIEWER) else Role.REVIEWER,
                _("Improvement plans to acknowledge"),
                reverse("improvement:overview"),
                count=waiting,
            )
        )
    return items


def todos(user) -> list[Todo]:
    """Every to-do of every role the user holds."""
    return [
        *roster_todos(user),
        *campaign_todos(user),
        *self_evaluation_todos(user),
        *survey_todos(user),
        *review_todos(user),
        *publicity_todos(user),
        *improvement_todos(user),
    ]
