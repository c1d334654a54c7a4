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
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from branches.models import Member, OrgKind, Role, RoleAssignment
from branches.permissions import branches_for, is_staff, may_review, roles_of
from scoring.models import (
    Assessment,
    AuditStatus,
    Campaign,
    CampaignStatus,
    Review,
    ReviewScore,
    ReviewStatus,
)
from scoring.rules import BranchResult, rate
from scoring.rules.components import sheet_total
from starrating.inputs import parse_decimal

from . import recompute, versions
from .errors import WorkflowError


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


def reviewable_assessments(user):
    """Assessments of open campaigns the user may review (with recusal applied later)."""
    return (
        Assessment.objects.filter(
            campaign__status=CampaignStatus.OPEN, branch__in=branches_for(user)
        )
        .select_related("campaign", "branch", "branch__parent", "review")
        # The quota report is large and would be decoded once per row (docs/nonfunctional.md §7).
        .defer("campaign__quota_report")
        .order_by("campaign__year", "branch__code")
    )


def review_queue(user) -> list[Assessment]:
    """Assessments of open campaigns this user may review now.

    The same rule as `branches.permissions.may_review` (recusal included), decided for
    all branches with a fixed number of queries instead of a few per branch. The rule
    reads ids only, so staff (who may see every branch but review few) decide on light
    rows and load full objects just for the branches they may review.
    """
    candidates = list(
        reviewable_assessments(user).values_list(
            "pk", "branch_id", "branch__parent_id", "branch__parent__kind"
        )
    )
    if not candidates:
        return []
    branch_ids = {branch_id for _pk, branch_id, _parent, _kind in candidates}
    belongs: dict[int, set[int]] = {}
    for branch_id, user_id in Member.objects.filter(
        branch_id__in=branch_ids, user__isnull=False
    ).values_list("branch_id", "user_id"):
        belongs.setdefault(branch_id, set()).add(user_id)
    for branch_id, user_id in RoleAssignment.objects.filter(
        organisation_id__in=branch_ids, role=Role.SECRETARY
    ).values_list("organisation_id", "user_id"):
        belongs.setdefault(branch_id, set()).add(user_id)
    reviewers: dict[int, set[int]] = {}
    for org_id, user_id in RoleAssignment.objects.filter(role=Role.REVIEWER).values_list(
        "organisation_id", "user_id"
    ):
        reviewers.setdefault(org_id, set()).add(user_id)
    own_reviewer_orgs = roles_of(user).get(Role.REVIEWER, ())
    staff = is_staff(user)

    def may(branch_id: int, parent_id: int | None, parent_kind: str | None) -> bool:
        conflicted = belongs.get(branch_id, set())
        if user.pk in conflicted:
            return False
        if parent_id in own_reviewer_orgs:
            return True
        if not staff:
            return False
        if parent_kind == OrgKind.COMMITTEE:  # directly managed (Organisation.directly_managed)
            return True
        return not (reviewers.get(parent_id, set()) - conflicted)

    allowed = [pk for pk, *branch in candidates if may(*branch)]
    if not allowed:
        return []
    return list(reviewable_assessments(user).filter(pk__in=allowed))


# --- Changing -------------------------------------------------------------------------


def _check_may_review(actor, assessment: Assessment) -> None:
    if not may_review(actor, assessment.branch):
        raise PermissionDenied


def _check_open(campaign: Campaign) -> None:
    if campaign.status != CampaignStatus.OPEN:
        raise CampaignNotOpen()
    if campaign.review_deadline and timezone.localdate() > campaign.review_deadline:
        raise ReviewDeadlinePassed()


def _locked_review(assessment: Assessment, actor) -> Review:
    """The assessment's review, locked; started (and audited) by `actor` when there is none.

    The assessment row is locked first, so two reviewers starting at once wait in turn
    instead of one failing on the one-review-per-assessment constraint.
    """
    Assessment.objects.select_for_update().only("pk").get(pk=assessment.pk)
    review = Review.objects.select_for_update().filter(assessment=assessment).first()
    if review is None:
        review = Review(assessment=assessment, reviewer=actor)
        review._history_user = actor
        review._change_reason = gettext_noop("review started")
        review.save()
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


def _write_scores(review: Review, criteria, scores, remarks, actor, stamp=None) -> None:
    existing = {s.criterion_id: s for s in review.scores.all()}
    for criterion in criteria:
        if criterion.pk not in scores:
            continue
        row = existing.get(criterion.pk) or ReviewScore(review=review, criterion=criterion)
        remark = (remarks or {}).get(criterion.pk, row.remark or "")
        if row.pk and row.score == scores[criterion.pk] and row.remark == remark:
            continue
        row.score = scores[criterion.pk]
        row.remark = remark
        row._history_user = actor
        if stamp is not None:
            row._history_date = stamp
        row.save()
    review.total = sheet_total(s.score for s in review.scores.all())


def _editable_review(assessment: Assessment, actor, version=None, typed=None):
    """(assessment, its locked review, the criteria, the history stamp) when `actor` may
    still edit it from the review's `version` (`versions.check_version`), which is raised."""
    assessment = Assessment.objects.select_related("campaign", "branch__parent").get(
        pk=assessment.pk
    )
    _check_may_review(actor, assessment)
    _check_open(assessment.campaign)
    review = _locked_review(assessment, actor)
    if review.status == ReviewStatus.SUBMITTED:
        raise ReviewLocked()
    versions.check_version(review, version, actor=actor, typed=typed)
    stamp = versions.bump(review)
    return assessment, review, list(assessment.campaign.criteria.all()), stamp


def save_review_draft(
    *, assessment: Assessment, actor, scores, remarks=None, version=None
) -> Review:
    """Save the scores given so far (each 0..max; some may be left empty).

    `version` is the review's version the form was loaded at: a save from an older one is
    refused with `versions.StaleVersion`, so nothing saved in between is overwritten unseen.
    """
    with transaction.atomic():
        assessment, review, criteria, stamp = _editable_review(
            assessment, actor, version, _typed(scores, remarks)
        )
        clean = _clean_scores(criteria, scores, complete=False)
        _write_scores(review, criteria, clean, remarks, actor, stamp)
        review.reviewer = actor
        review._history_user = actor
        review._change_reason = gettext_noop("draft saved")
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
    with transaction.atomic():
        assessment, review, criteria, stamp = _editable_review(
            assessment, actor, version, _typed(scores, remarks)
        )
        if scores is not None:
            merged = {s.criterion_id: s.score for s in review.scores.all()}
            merged.update({k: v for k, v in scores.items() if v not in (None, "")})
            clean = _clean_scores(criteria, merged, complete=True)
            _write_scores(review, criteria, clean, remarks, actor, stamp)
        else:
            stored = {s.criterion_id: s.score for s in review.scores.all()}
            _clean_scores(criteria, stored, complete=True)
        proposal = preview(assessment, review_total=review.total)
        if proposal.result is None:
            raise NotReadyForReview()
        review.reviewer = actor
        review.status = ReviewStatus.SUBMITTED
        review.submitted_at = timezone.now()
        review.proposed_star = proposal.result.star
        review.return_reason = ""
        if review.proposed_star == FIVE_STARS:
            review.audit_status = AuditStatus.PENDING
        else:
            review.audit_status = AuditStatus.NOT_NEEDED
        review.audit_reason = ""
        review.audited_by = None
        review.audited_at = None
        review._history_user = actor
        review._change_reason = gettext_noop("submitted")
        review.save()
    return review


def return_review(*, review: Review, actor, reason: str, version=None) -> Review:
    """Staff return a submitted review to its reviewer for rework, with a reason.

    `version` is the one the staff member's page showed: a review changed since (returned
    and submitted again by someone else) is not returned on the strength of the old one.
    """
    if not is_staff(actor):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        if review.status != ReviewStatus.SUBMITTED:
            raise ReviewError(_("Only a submitted review can be returned."))
        versions.check_version(review, version, actor=actor, editing=False)
        versions.bump(review)
        review.status = ReviewStatus.RETURNED
        review.return_reason = reason
        review._history_user = actor
        review._change_reason = gettext_noop("returned")
        review.save()
    return review


def audit_five_star(
    *, review: Review, actor, agree: bool, reason: str = "", version=None
) -> Review:
    """Staff audit a five-star proposal: agree, or send it back to the reviewer with a
    reason (the review is then returned and must be submitted again). `version` is the
    one the audit page showed: a review submitted anew since is not decided unseen."""
    if not is_staff(actor):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not agree and not reason:
        raise ReasonRequired(_("Give the reason for sending the review back."))
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        if review.status != ReviewStatus.SUBMITTED or review.audit_status != AuditStatus.PENDING:
            raise AuditError()
        versions.check_version(review, version, actor=actor, editing=False)
        versions.bump(review)
        review.audited_by = actor
        review.audited_at = timezone.now()
        review.audit_reason = reason
        if agree:
            review.audit_status = AuditStatus.AGREED
            review._change_reason = gettext_noop("five-star audit agreed")
        else:
            review.audit_status = AuditStatus.RETURNED
            review.status = ReviewStatus.RETURNED
            review.return_reason = reason
            review._change_reason = gettext_noop("five-star audit sent back")
        review._history_user = actor
        review.save()
    return review


# --- To-dos ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Workload:
    """A reviewer's (or staff's) reviews to do now: not started or draft, and returned."""

    waiting: int
    returned: int


def review_workload(user) -> Workload:
    """Counts over `review_queue(user)` (for the home page's to-dos)."""
    statuses = [getattr(a.part("review"), "status", None) for a in review_queue(user)]
    return Workload(
        waiting=sum(1 for s in statuses if s in (None, ReviewStatus.DRAFT)),
        returned=sum(1 for s in statuses if s == ReviewStatus.RETURNED),
    )


def audits_pending() -> int:
    """Five-star proposals waiting for the audit."""
    return Review.objects.filter(
        status=ReviewStatus.SUBMITTED, audit_status=AuditStatus.PENDING
    ).count()


def audit_queue():
    """Reviews waiting for the five-star audit, oldest first."""
    return (
        Review.objects.filter(status=ReviewStatus.SUBMITTED, audit_status=AuditStatus.PENDING)
        .select_related("assessment__campaign", "assessment__branch__parent", "reviewer")
        .defer("assessment__campaign__quota_report")  # large; decoded once per row
        .order_by("submitted_at")
    )


def review_counts(campaign: Campaign) -> dict:
    return Review.objects.filter(assessment__campaign=campaign).aggregate(
        submitted=Count("pk", filter=Q(status=ReviewStatus.SUBMITTED)),
        pending=Count("pk", filter=Q(audit_status=AuditStatus.PENDING)),
    )
