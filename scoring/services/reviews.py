"""The superior review (上级党组织考评) and the five-star audit (审核), docs/process.md §2.1.3.

- A reviewer (or staff, for directly managed branches and when every reviewer must
  recuse: `branches.permissions.may_review`) scores every criterion 0..max with a
  remark, saves drafts and submits.
- Submitting needs BOTH the branch's self-evaluation submitted AND its survey closed:
  the reviewer must have seen both (docs/process.md §2.1.3: "sees the self-evaluation and survey
  results"). Past the campaign's review deadline (when set) nothing can be saved.
- On submission the engine proposes a star for this branch alone: the same code as the
  recompute (`recompute.engine_input_for`), with the quotas off, since quotas need the
  whole campaign ("proposed star before quotas"). A five-star proposal goes to staff
  for audit; staff agree, or send the review back to the reviewer with a reason.
- The queue (`review_queue`) holds the campaigns taking reviews today
  (`accepting_reviews`) and says which branches are ready; the home page's to-dos count
  the same rows (docs/decisions.md D-2.1.3f).

A refusal of the actor is `NotAllowed`; every change is recorded through
`starrating.audit` with a `review.*` code, at the date of the review's new version
(`versions.bump`), so the review and its score rows of one change share one date.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.core.paginator import Page
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.permissions import (
    branches_for,
    may_audit,
    may_review,
    reviewable_filter,
)
from scoring.models import (
    Assessment,
    AuditStatus,
    Campaign,
    CampaignStatus,
    Review,
    ReviewStatus,
    SelfEvaluationStatus,
    SurveyStatus,
)
from scoring.rules import BranchResult, rate
from scoring.rules.components import sheet_total
from starrating import audit, clock
from starrating.inputs import parse_decimal
from starrating.paging import KeysPaginator

from . import recompute, versions
from .errors import NotAllowed, WorkflowError


class ReviewError(WorkflowError):
    default_message = gettext_lazy("This review cannot be changed now.")


class NotReadyForReview(ReviewError):
    default_message = gettext_lazy(
        "The review can be submitted only after the self-evaluation is submitted and the "
        "survey is closed."
    )


class ReviewLocked(ReviewError):
    default_message = gettext_lazy("The review is submitted and can no longer be edited.")


class ReviewDeadlinePassed(ReviewError):
    default_message = gettext_lazy("The review deadline has passed.")


class CampaignNotOpen(ReviewError):
    default_message = gettext_lazy("The campaign is not open for review.")


class InvalidScores(ReviewError):
    """Bad scores; `errors` maps a criterion id to its message."""

    def __init__(self, errors: dict[int, str]):
        self.errors = errors
        super().__init__(gettext_lazy("Some scores are missing or out of range."))


class AuditError(WorkflowError):
    default_message = gettext_lazy("This review is not waiting for a five-star audit.")


class ReasonRequired(WorkflowError):
    default_message = gettext_lazy("Give a reason.")


FIVE_STARS = 5

#: Reviews waiting for the five-star audit (`Review.awaiting_audit`, as a filter).
AWAITING_AUDIT = Q(status=ReviewStatus.SUBMITTED, audit_status=AuditStatus.PENDING)


# --- Reading --------------------------------------------------------------------------


@dataclass
class Preview:
    """The engine's result for one branch's current numbers (quotas off)."""

    figures: recompute.Figures
    result: BranchResult | None  # None while self-evaluation or survey is missing

    @property
    def explain(self):
        return self.result.explain if self.result else []


def preview(assessment: Assessment, *, review_total: Decimal | None = None) -> Preview:
    """The proposal for the numbers as they stand: the engine run on this branch alone.

    `review_total` overrides the stored review total (the scores being submitted).
    Uses `recompute.gather` / `to_branch_input`, exactly the recompute's input.
    """
    campaign = assessment.campaign
    (figures,) = recompute.gather(campaign, [assessment])
    if not figures.inputs_ready or (review_total is None and figures.review_total is None):
        return Preview(figures, None)
    branch_input = recompute.to_branch_input(figures, review_total=review_total)
    outcome = rate([branch_input], recompute.policy_of(campaign, quota_mode="off"), campaign.kind)
    return Preview(figures, outcome.results[0])


def review_of(assessment: Assessment) -> Review:
    """The assessment's review, unsaved and empty when none was started."""
    try:
        return assessment.review
    except Review.DoesNotExist:
        return Review(assessment=assessment)


def accepting_reviews(today: datetime.date) -> Q:
    """The campaigns that take reviews on `today`: open, and the review deadline (when
    set) not passed. The same rule as `_check_open`, for one campaign (a test keeps the
    two in step)."""
    return Q(status=CampaignStatus.OPEN) & (
        Q(review_deadline__isnull=True) | Q(review_deadline__gte=today)
    )


#: Where a queue row stands, in the order the queue lists them.
TO_REVIEW, WAITING, SUBMITTED = "to_review", "waiting", "submitted"


class QueueRow(NamedTuple):
    """One branch in a reviewer's queue: its assessment (annotated with the statuses of
    its self-evaluation and survey) and its review, None when not started."""

    assessment: Assessment
    review: Review | None

    @property
    def waiting_for(self) -> list[str]:
        """What the branch has still to do before it can be reviewed (the rule of
        `recompute.Figures.inputs_ready`), as the results page names it."""
        missing = []
        if self.assessment.self_status != SelfEvaluationStatus.SUBMITTED:
            missing.append(recompute.MISSING_LABELS[recompute.MISSING_SELF])
        if self.assessment.survey_status != SurveyStatus.CLOSED:
            missing.append(recompute.MISSING_LABELS[recompute.MISSING_SURVEY])
        return missing

    @property
    def ready(self) -> bool:
        """Self-evaluation submitted and survey closed: the review may be submitted."""
        return not self.waiting_for

    @property
    def returned(self) -> bool:
        return self.review is not None and self.review.status == ReviewStatus.RETURNED

    @property
    def state(self) -> str:
        if self.review is not None and self.review.is_submitted:
            return SUBMITTED
        return TO_REVIEW if self.ready else WAITING

    @property
    def to_review(self) -> bool:
        """Ready, and the review not submitted: the reviewer can act now."""
        return self.state == TO_REVIEW


_ORDER = {TO_REVIEW: 0, WAITING: 1, SUBMITTED: 2}
#: The queue's page size (docs/nonfunctional.md §7: a page does not grow with the campaign).
QUEUE_PAGE_SIZE = 50


class QueueCounts(NamedTuple):
    to_review: int
    waiting: int
    submitted: int

    @classmethod
    def of(cls, rows: list[QueueRow]) -> "QueueCounts":
        states = [row.state for row in rows]
        return cls(states.count(TO_REVIEW), states.count(WAITING), states.count(SUBMITTED))


#: `QueueRow.state` in the database, as its place in the queue's order (`_ORDER`).
_STATE_ORDER = Case(
    When(review__status=ReviewStatus.SUBMITTED, then=Value(_ORDER[SUBMITTED])),
    When(
        self_evaluation__status=SelfEvaluationStatus.SUBMITTED,
        survey__status=SurveyStatus.CLOSED,
        then=Value(_ORDER[TO_REVIEW]),
    ),
    default=Value(_ORDER[WAITING]),
    output_field=IntegerField(),
)


def _queue(user):
    """The queue's assessments, in its order, as a queryset (None when the user may
    review nothing).

    Recusal is `branches.permissions.reviewable_filter`, the rule of `may_review` as a
    condition the database tests on every branch at once: the whole queue costs a fixed
    number of queries and no branch is read into Python. Newest campaign first; in each,
    the branches to review now, then those still waiting for their self-evaluation or
    survey, then the reviews submitted; by branch code.
    """
    rule = reviewable_filter(user, "branch")
    if rule is None:
        return None
    return (
        Assessment.objects.filter(
            rule,
            campaign__in=Campaign.objects.filter(accepting_reviews(clock.today())),
            branch__in=branches_for(user),
        )
        .select_related("campaign", "branch", "branch__parent", "review")
        # The quota report is large and would be decoded once per row (docs/nonfunctional.md §7).
        .defer("campaign__quota_report")
        .annotate(
            self_status=F("self_evaluation__status"),
            survey_status=F("survey__status"),
            state_order=_STATE_ORDER,
        )
        .order_by("-campaign__year", "campaign_id", "state_order", "branch__code")
    )


def review_queue(user) -> list[QueueRow]:
    """The branches this user may review in the campaigns taking reviews today, whole
    (`_queue`'s order); the queue page reads `queue_page` instead."""
    found = _queue(user)
    return [] if found is None else [QueueRow(a, a.part("review")) for a in found]


def queue_page(user, page=None) -> tuple[Page | None, QueueCounts]:
    """One page of `QUEUE_PAGE_SIZE` rows of the user's queue and the counts over all of
    it (one aggregate query): a fixed number of queries and rows whatever its length.
    (None, zero counts) when the queue is empty."""
    found = _queue(user)
    if found is None:
        return None, QueueCounts(0, 0, 0)
    counts = found.order_by().aggregate(
        **{
            state: Count("pk", filter=Q(state_order=_ORDER[state]))
            for state in (TO_REVIEW, WAITING, SUBMITTED)
        }
    )
    if not any(counts.values()):
        return None, QueueCounts(0, 0, 0)
    # Keys first (D-7pb), the page's rows read with their annotations; counted above.
    paginator = KeysPaginator(found, QUEUE_PAGE_SIZE, count=sum(counts.values()), annotated=True)
    shown = paginator.get_page(page)
    shown.object_list = [QueueRow(a, a.part("review")) for a in shown.object_list]
    return shown, QueueCounts(counts[TO_REVIEW], counts[WAITING], counts[SUBMITTED])


# --- Changing -------------------------------------------------------------------------


def _check_may_review(actor, assessment: Assessment) -> None:
    if not may_review(actor, assessment.branch):
        raise NotAllowed(_("You may not review this branch."))


#: After declaration, a branch reopened by an upheld objection is reviewed again
#: (docs/process.md §2.1.4) while the campaign is in publicity or awaiting approval.
REOPENABLE = (CampaignStatus.PUBLICITY, CampaignStatus.AWAITING_APPROVAL)


def _check_open(campaign: Campaign, assessment: Assessment | None = None) -> None:
    """The rule of `accepting_reviews`, for one campaign, with the reason it refuses; a
    branch reopened by an upheld objection is reviewed again after declaration too."""
    if campaign.status in REOPENABLE and assessment is not None:
        from .publicity import reopened

        if reopened(assessment):
            return
    if campaign.status != CampaignStatus.OPEN:
        raise CampaignNotOpen()
    if campaign.review_deadline and clock.today() > campaign.review_deadline:
        raise ReviewDeadlinePassed()


def _check_decidable(assessment: Assessment) -> None:
    """A submitted review is returned or audited while its campaign is declaring, and
    after it only for a branch reopened by an upheld objection (docs/process.md §2.1.4:
    nothing about the ratings changes during publicity but through one)."""
    campaign = assessment.campaign
    if campaign.status == CampaignStatus.OPEN:
        return
    if campaign.status in REOPENABLE:
        from .publicity import reopened

        if reopened(assessment):
            return
    raise CampaignNotOpen()


def _check_may_audit(actor, message) -> None:
    if not may_audit(actor):
        raise NotAllowed(message)


def _locked_review(assessment: Assessment, actor) -> Review:
    """The assessment's review, locked; started (and audited) by `actor` when there is none.

    The assessment row is locked first, so two reviewers starting at once wait in turn
    instead of one failing on the one-review-per-assessment constraint.
    """
    Assessment.objects.select_for_update().only("pk").get(pk=assessment.pk)
    review = Review.objects.select_for_update().filter(assessment=assessment).first()
    if review is None:
        review = Review(assessment=assessment, reviewer=actor)
        audit.save(review, actor=actor, action="review.started")
    return review


def _clean_scores(criteria, scores, *, complete: bool) -> dict[int, Decimal]:
    """Scores by criterion id, each a number 0..max with at most two decimals."""
    errors: dict[int, str] = {}
    clean: dict[int, Decimal] = {}
    for criterion in criteria:
        raw = scores.get(criterion.pk)
        if raw is None or raw == "":
            if complete:
                errors[criterion.pk] = _("Score every criterion.")
            continue
        try:
            value = parse_decimal(raw)
        except ValueError:
            errors[criterion.pk] = _("Enter a number.")
            continue
        if value < 0 or value > criterion.max_points:
            errors[criterion.pk] = _("Enter a score from 0 to %(max)s.") % {
                "max": criterion.max_points
            }
        elif value != value.quantize(Decimal("0.01")):
            errors[criterion.pk] = _("Use at most two decimals.")
        else:
            clean[criterion.pk] = value
    unknown = set(scores) - {c.pk for c in criteria}
    if unknown:
        errors[next(iter(unknown))] = _("Unknown criterion.")
    if errors:
        raise InvalidScores(errors)
    return clean


def _typed(scores, remarks) -> dict:
    """The request's values, keyed as `versions.check_version` compares them. An empty
    score keeps the stored one (and so does its remark): such items are left out."""
    typed = {}
    for criterion_id, value in (scores or {}).items():
        if value is None or value == "":
            continue
        typed[versions.SCORE, criterion_id] = value
        if remarks is not None and criterion_id in remarks:
            typed[versions.REMARK, criterion_id] = remarks[criterion_id]
    return typed


def _write_scores(review, criteria, scores, remarks, actor, action, stamp) -> None:
    """Save the changed score rows, recorded at the version's `stamp` like the review.

    `review` is a `Review` or a `SecondReview`: the score rows are those of its `scores`."""
    existing = {s.criterion_id: s for s in review.scores.all()}
    score_model, parent = review.scores.model, review.scores.field.name
    for criterion in criteria:
        if criterion.pk not in scores:
            continue
        row = existing.get(criterion.pk) or score_model(**{parent: review}, criterion=criterion)
        remark = (remarks or {}).get(criterion.pk, row.remark or "")
        if row.pk and row.score == scores[criterion.pk] and row.remark == remark:
            continue
        row.score = scores[criterion.pk]
        row.remark = remark
        audit.stamp(row, actor=actor, action=action)
        row._history_date = stamp  # one change, one date (scoring.services.versions)
        row.save()
    review.total = sheet_total(s.score for s in review.scores.all())


def _editable_review(assessment: Assessment, actor, version, typed, action):
    """(assessment, its locked review, the criteria, the history stamp) when `actor` may
    still edit it from the review's `version` (`versions.check_version`), which is raised.

    The review is stamped for its history with `action`, at the date of its new version.
    """
    assessment = Assessment.objects.select_related("campaign", "branch__parent").get(
        pk=assessment.pk
    )
    _check_may_review(actor, assessment)
    _check_open(assessment.campaign, assessment)
    review = _locked_review(assessment, actor)
    if review.status == ReviewStatus.SUBMITTED:
        raise ReviewLocked()
    versions.check_version(review, version, actor=actor, typed=typed)
    audit.stamp(review, actor=actor, action=action)
    stamp = versions.bump(review)  # after the audit stamp: the version's date wins
    return assessment, review, list(assessment.campaign.criteria.all()), stamp


def save_review_draft(
    *, assessment: Assessment, actor, scores, remarks=None, version=None
) -> Review:
    """Save the scores given so far (each 0..max; some may be left empty).

    `version` is the review's version the form was loaded at: a save from an older one is
    refused with `versions.StaleVersion`, so nothing saved in between is overwritten unseen.
    """
    action = "review.draft_saved"
    with transaction.atomic():
        assessment, review, criteria, stamp = _editable_review(
            assessment, actor, version, _typed(scores, remarks), action
        )
        clean = _clean_scores(criteria, scores, complete=False)
        _write_scores(review, criteria, clean, remarks, actor, action, stamp)
        review.reviewer = actor
        review.save()
    return review


def submit_review(
    *,
    actor,
    review: Review | None = None,
    assessment: Assessment | None = None,
    scores=None,
    remarks=None,
    version=None,
) -> Review:
    """Submit the review: every criterion scored 0..max, self-evaluation submitted and
    survey closed; stores the engine's proposal (quotas off) and routes a five-star
    proposal to the staff audit. `scores`, when given, are saved first (same transaction).
    `version` as for `save_review_draft`: a submission from an older page is refused.
    """
    assessment = assessment or review.assessment
    action = "review.submitted"
    with transaction.atomic():
        assessment, review, criteria, stamp = _editable_review(
            assessment, actor, version, _typed(scores, remarks), action
        )
        if scores is not None:
            merged = {s.criterion_id: s.score for s in review.scores.all()}
            merged.update({k: v for k, v in scores.items() if v not in (None, "")})
            clean = _clean_scores(criteria, merged, complete=True)
            _write_scores(review, criteria, clean, remarks, actor, action, stamp)
        else:
            stored = {s.criterion_id: s.score for s in review.scores.all()}
            _clean_scores(criteria, stored, complete=True)
        proposal = preview(assessment, review_total=review.total)
        if proposal.result is None:
            raise NotReadyForReview()
        review.reviewer = actor
        review.status = ReviewStatus.SUBMITTED
        review.submitted_at = clock.now()
        review.proposed_star = proposal.result.star
        review.return_reason = ""
        if review.proposed_star == FIVE_STARS:
            review.audit_status = AuditStatus.PENDING
        else:
            review.audit_status = AuditStatus.NOT_NEEDED
        review.audit_reason = ""
        review.audited_by = None
        review.audited_at = None
        review.save()
    return review


def return_review(*, review: Review, actor, reason: str, version=None) -> Review:
    """Staff return a submitted review to its reviewer for rework, with a reason.

    `version` is the one the staff member's page showed: a review changed since (returned
    and submitted again by someone else) is not returned on the strength of the old one.
    """
    _check_may_audit(actor, _("Only committee staff may return a review."))
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    with transaction.atomic():
        review = (
            Review.objects.select_for_update(of=("self",))
            .select_related("assessment__campaign")
            .get(pk=review.pk)
        )
        if not review.is_submitted:
            raise ReviewError(_("Only a submitted review can be returned."))
        _check_decidable(review.assessment)
        versions.check_version(review, version, actor=actor, editing=False)
        audit.stamp(review, actor=actor, action="review.returned")
        versions.bump(review)
        review.status = ReviewStatus.RETURNED
        review.return_reason = reason
        review.save()
    return review


def audit_five_star(
    *, review: Review, actor, agree: bool, reason: str = "", version=None
) -> Review:
    """Staff audit a five-star proposal: agree, or send it back to the reviewer with a
    reason (the review is then returned and must be submitted again). `version` is the
    one the audit page showed: a review submitted anew since is not decided unseen."""
    _check_may_audit(actor, _("Only committee staff may audit five-star proposals."))
    reason = (reason or "").strip()
    if not agree and not reason:
        raise ReasonRequired(_("Give the reason for sending the review back."))
    with transaction.atomic():
        review = (
            Review.objects.select_for_update(of=("self",))
            .select_related("assessment__campaign")
            .get(pk=review.pk)
        )
        if not review.awaiting_audit:
            raise AuditError()
        _check_decidable(review.assessment)
        versions.check_version(review, version, actor=actor, editing=False)
        action = "review.audit_agreed" if agree else "review.audit_sent_back"
        audit.stamp(review, actor=actor, action=action)
        versions.bump(review)
        review.audited_by = actor
        review.audited_at = clock.now()
        review.audit_reason = reason
        if agree:
            review.audit_status = AuditStatus.AGREED
        else:
            review.audit_status = AuditStatus.RETURNED
            review.status = ReviewStatus.RETURNED
            review.return_reason = reason
        review.save()
    return review


# --- To-dos ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Workload:
    """What the home page's review to-dos count, over `review_queue(user)`: branches
    ready to review (not returned), returned reviews, and branches still waiting for
    their self-evaluation or survey."""

    ready: int
    returned: int
    waiting: int
    # The earliest review deadline of the branches to review or returned (None: no deadline).
    deadline: datetime.date | None = None


def review_workload(user) -> Workload:
    """Counts over `review_queue(user)`, so the home page and the queue agree."""
    queue = review_queue(user)
    due = [
        row.assessment.campaign.review_deadline
        for row in queue
        if (row.to_review or row.returned) and row.assessment.campaign.review_deadline
    ]
    return Workload(
        ready=sum(1 for row in queue if row.to_review and not row.returned),
        returned=sum(1 for row in queue if row.returned),
        waiting=QueueCounts.of(queue).waiting,
        deadline=min(due, default=None),
    )


def audits_pending() -> int:
    """Five-star proposals waiting for the audit."""
    return Review.objects.filter(AWAITING_AUDIT).count()


def audit_queue():
    """Reviews waiting for the five-star audit, oldest first, with what the queue shows of
    each (its campaign's title, the branch and its parent): a campaign row is about
    fifty columns (its quota report large, decoded once per row) and the queue lists
    fifty rows."""
    return (
        Review.objects.filter(AWAITING_AUDIT)
        .select_related("assessment__campaign", "assessment__branch__parent")
        .only(
            "assessment_id",
            "status",
            "audit_status",
            "total",
            "submitted_at",
            "assessment__campaign_id",
            "assessment__branch_id",
            "assessment__campaign__title",
            "assessment__branch__name",
            "assessment__branch__parent_id",
            "assessment__branch__parent__name",
        )
        .order_by("submitted_at")
    )


def audit_queue_rows():
    """`audit_queue` as the queue page lists it: one dict a review (its pk, total and
    submission, its campaign's title, the branch's and its parent's names), in the same
    order. No model instances: five of them a row were most of the page's CPU."""
    return audit_queue().values(
        "pk",
        "total",
        "submitted_at",
        campaign_title=F("assessment__campaign__title"),
        branch_name=F("assessment__branch__name"),
        parent_name=F("assessment__branch__parent__name"),
    )
