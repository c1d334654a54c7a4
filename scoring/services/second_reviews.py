"""Second reviews and disagreement (复核考评), docs/process.md §2.1.3.

- Staff draw a sample of a campaign's enrolled branches (a number or a share, at random,
  optionally stratified per parent organisation) or pick branches by hand
  (`draw_sample`, `pick_branches`), and assign each a second reviewer
  (`assign_reviewer`): staff or another parent's reviewer, never one who belongs to the
  branch, a reviewer of its own parent or its first reviewer
  (`branches.permissions.may_second_review`, D-2.1.3i).
- The second reviewer scores blind (`save_second_draft`, `submit_second_review`): the
  same score rules as the first review (`reviews._clean_scores`), the same "taking
  reviews" rule (`reviews._check_open`), the inputs ready; the page never shows the
  first review, and no page of the first reviewer shows the second (D-2.1.3j).
- The rating uses the first review unless staff decide otherwise with a reason
  (`decide`): "use the second review" makes `recompute.gather` read the second
  review's total instead of the first's; nothing else does (D-2.1.3k). Draws,
  assignments and decisions are taken only while the campaign is declaring
  (D-2.1.3l): once published, the ratings change only through an upheld objection
  (`recompute.refusal`).
- `disagreement` is the staff page's read model: per branch and criterion both scores
  and the difference, flagged above a margin; per criterion the number of pairs, the
  medians and the spread (D-2.1.3m).

Every change is recorded through `starrating.audit` with a `second_review.*` code.
"""

import math
import random
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from branches.permissions import may_run_second_reviews, may_second_review
from scoring.models import (
    Assessment,
    Campaign,
    CampaignStatus,
    Decision,
    Review,
    ReviewScore,
    ReviewStatus,
    SecondReview,
    SecondReviewStatus,
)
from starrating import audit, clock

from . import recompute, versions
from .errors import NotAllowed, WorkflowError
from .reviews import (
    NotReadyForReview,
    _check_open,
    _clean_scores,
    _typed,
    _write_scores,
    accepting_reviews,
)

#: A criterion's difference is flagged above this share of its maximum, in percent
#: (2 points of a 10-point criterion), unless the page sets another (D-2.1.3m).
MARGIN_PERCENT = Decimal(20)
CENT = Decimal("0.01")


class SecondReviewError(WorkflowError):
    default_message = gettext_lazy("This second review cannot be changed now.")


class NotDeclaring(SecondReviewError):
    default_message = gettext_lazy(
        "Second reviews are drawn, assigned and decided only while the campaign is declaring."
    )


class EmptySample(SecondReviewError):
    default_message = gettext_lazy(
        "No branch is left to draw: every enrolled branch is already in the sample."
    )


class SecondReviewLocked(SecondReviewError):
    default_message = gettext_lazy("The second review is submitted and can no longer be changed.")


class DecisionRefused(SecondReviewError):
    default_message = gettext_lazy("This decision cannot be taken now.")


# --- Rules shared by the changes -------------------------------------------------------


def _check_staff(actor) -> None:
    if not may_run_second_reviews(actor):
        raise NotAllowed(_("Only committee staff may run second reviews."))


def _check_declaring(campaign: Campaign) -> None:
    """Declaring only: after it the recompute's refusal says why (D-2.1.3l)."""
    if campaign.status != CampaignStatus.OPEN:
        raise NotDeclaring(recompute.refusal(campaign) or None)


def _locked_campaign(campaign: Campaign) -> Campaign:
    """The campaign row locked, as `recompute_campaign` and `publish` lock it: a draw or
    a decision never interleaves with a recompute or the start of publicity."""
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def _locked(second: SecondReview) -> SecondReview:
    return (
        SecondReview.objects.select_for_update(of=("self",))
        .select_related("assessment__campaign", "assessment__branch__parent")
        .get(pk=second.pk)
    )


def first_reviewer_id(assessment: Assessment) -> int | None:
    """Who wrote the first review (None before it is started)."""
    return (
        Review.objects.filter(assessment=assessment).values_list("reviewer_id", flat=True).first()
    )


# --- The sample ------------------------------------------------------------------------


def sample_pool(campaign: Campaign):
    """The enrolled branches of the campaign not in the sample yet."""
    return (
        Assessment.objects.enrolled()
        .filter(campaign=campaign, second_review__isnull=True)
        .select_related("branch", "branch__parent")
        .order_by("branch__parent__code", "branch__code")
    )


def sample_size(pool_size: int, *, count=None, percent=None) -> int:
    """How many to draw: `count`, or `percent` of the pool rounded up, at most the pool."""
    wanted = int(count) if count is not None else math.ceil(Decimal(percent) * pool_size / 100)
    return max(0, min(wanted, pool_size))


def _allocate(groups: dict, size: int, rng) -> dict:
    """{group: how many to draw}: proportional to the groups' sizes, the remainder to the
    largest fractions (ties at random), so every parent is represented as its share."""
    total = sum(len(members) for members in groups.values())
    exact = {key: Fraction(len(members) * size, total) for key, members in groups.items()}
    shares = {key: int(value) for key, value in exact.items()}
    left = size - sum(shares.values())
    order = sorted(groups, key=lambda key: (-(exact[key] - shares[key]), rng.random()))
    for key in order[:left]:
        shares[key] += 1
    return shares


def choose(pool: list, size: int, *, stratified: bool, rng) -> list:
    """`size` of `pool` at random; stratified: per parent organisation in proportion."""
    if not stratified:
        return rng.sample(pool, size)
    groups = defaultdict(list)
    for assessment in pool:
        groups[assessment.branch.parent_id].append(assessment)
    chosen = []
    for key, count in _allocate(groups, size, rng).items():
        chosen.extend(rng.sample(groups[key], count))
    return chosen


def _add_to_sample(campaign, assessments, *, actor, drawn: bool) -> list[SecondReview]:
    rows = [SecondReview(assessment=a, drawn=drawn) for a in assessments]
    action = "second_review.drawn" if drawn else "second_review.picked"
    return bulk_create_with_history(
        rows, SecondReview, **audit.bulk_options(actor=actor, action=action)
    )


def draw_sample(
    *, campaign: Campaign, actor, count=None, percent=None, stratified=False, rng=None
) -> list[SecondReview]:
    """Draw `count` branches, or `percent` of those not sampled yet, at random into the
    sample (stratified: in proportion per parent organisation). Staff, while declaring.
    `rng` is a `random.Random` (tests pass a seeded one); by default the system's."""
    _check_staff(actor)
    if (count is None) == (percent is None):
        raise SecondReviewError(_("Give either a number of branches or a percentage."))
    rng = rng or random.SystemRandom()
    with transaction.atomic():
        campaign = _locked_campaign(campaign)
        _check_declaring(campaign)
        pool = list(sample_pool(campaign))
        size = sample_size(len(pool), count=count, percent=percent)
        if not pool:
            raise EmptySample()
        if size == 0:
            raise SecondReviewError(_("The sample would be empty: draw at least one branch."))
        chosen = choose(pool, size, stratified=stratified, rng=rng)
        return _add_to_sample(campaign, chosen, actor=actor, drawn=True)


def pick_branches(*, campaign: Campaign, actor, assessments) -> list[SecondReview]:
    """Add branches picked by hand to the sample. Staff, while declaring; each must be an
    enrolled branch of the campaign not in the sample yet."""
    _check_staff(actor)
    ids = {a.pk for a in assessments}
    if not ids:
        raise SecondReviewError(_("Pick at least one branch."))
    with transaction.atomic():
        campaign = _locked_campaign(campaign)
        _check_declaring(campaign)
        found = list(sample_pool(campaign).filter(pk__in=ids))
        if len(found) != len(ids):
            raise SecondReviewError(
                _("A branch picked is not enrolled in this campaign or is already in the sample.")
            )
        return _add_to_sample(campaign, found, actor=actor, drawn=False)


def assign_reviewer(*, second: SecondReview, actor, reviewer, version=None) -> SecondReview:
    """Give the branch its second reviewer (or another one, before submission): staff,
    while declaring; the reviewer as `may_second_review` allows."""
    _check_staff(actor)
    with transaction.atomic():
        second = _locked(second)
        assessment = second.assessment
        _check_declaring(assessment.campaign)
        if second.is_submitted:
            raise SecondReviewLocked()
        first = first_reviewer_id(assessment)
        if not may_second_review(reviewer, assessment.branch, first_reviewer_id=first):
            raise NotAllowed(
                _(
                    "This person may not review the branch a second time: a second reviewer "
                    "is staff or another parent organisation's reviewer, never its first "
                    "reviewer or someone who belongs to the branch."
                )
            )
        versions.check_version(second, version, actor=actor, editing=False)
        audit.stamp(second, actor=actor, action="second_review.assigned")
        versions.bump(second)
        second.reviewer = reviewer
        second.save()
    return second


def remove_from_sample(*, second: SecondReview, actor) -> None:
    """Take a branch out of the sample before its second review is submitted."""
    _check_staff(actor)
    with transaction.atomic():
        second = _locked(second)
        _check_declaring(second.assessment.campaign)
        if second.is_submitted:
            raise SecondReviewLocked()
        audit.delete(second, actor=actor, action="second_review.removed")


# --- The second reviewer's sheet -------------------------------------------------------


def _editable(second: SecondReview, actor, version, typed, action):
    """(the locked second review, its criteria, the history stamp) when `actor` may
    still edit it from `version`: its assigned reviewer, still allowed (recusal is
    checked again: membership may have changed since the assignment)."""
    second = _locked(second)
    assessment = second.assessment
    if second.reviewer_id != getattr(actor, "pk", None) or not may_second_review(
        actor, assessment.branch, first_reviewer_id=first_reviewer_id(assessment)
    ):
        raise NotAllowed(_("You may not review this branch a second time."))
    _check_open(assessment.campaign)
    if second.is_submitted:
        raise SecondReviewLocked()
    versions.check_version(second, version, actor=actor, typed=typed)
    audit.stamp(second, actor=actor, action=action)
    stamp = versions.bump(second)
    return second, list(assessment.campaign.criteria.all()), stamp


def save_second_draft(
    *, second: SecondReview, actor, scores, remarks=None, version=None
) -> SecondReview:
    """Save the second reviewer's scores so far (each 0..max; some may be empty)."""
    action = "second_review.draft_saved"
    with transaction.atomic():
        second, criteria, stamp = _editable(second, actor, version, _typed(scores, remarks), action)
        clean = _clean_scores(criteria, scores, complete=False)
        _write_scores(second, criteria, clean, remarks, actor, action, stamp)
        second.save()
    return second


def submit_second_review(
    *, second: SecondReview, actor, scores=None, remarks=None, version=None
) -> SecondReview:
    """Submit the second review: every criterion scored, the branch's self-evaluation
    submitted and survey closed (what the reviewer reads, as for the first review)."""
    action = "second_review.submitted"
    with transaction.atomic():
        second, criteria, stamp = _editable(second, actor, version, _typed(scores, remarks), action)
        merged = {s.criterion_id: s.score for s in second.scores.all()}
        merged.update({k: v for k, v in (scores or {}).items() if v not in (None, "")})
        clean = _clean_scores(criteria, merged, complete=True)
        _write_scores(second, criteria, clean, remarks, actor, action, stamp)
        (figures,) = recompute.gather(second.assessment.campaign, [second.assessment])
        if not figures.inputs_ready:
            raise NotReadyForReview()
        second.status = SecondReviewStatus.SUBMITTED
        second.submitted_at = clock.now()
        second.save()
    return second


# --- The decision ----------------------------------------------------------------------


def decide(*, second: SecondReview, actor, use_second: bool, reason: str, version=None):
    """Staff decide which review the rating uses, with a reason: the second one
    (`recompute.gather` then reads its total) or the first. While declaring only, once
    both reviews are submitted; the decision may be changed, each time recorded."""
    _check_staff(actor)
    reason = (reason or "").strip()
    if not reason:
        raise DecisionRefused(_("Give the reason for the decision."))
    with transaction.atomic():
        _locked_campaign(second.assessment.campaign)
        second = _locked(second)
        _check_declaring(second.assessment.campaign)
        if not second.is_submitted:
            raise DecisionRefused(_("The second review is not submitted yet."))
        if not Review.objects.filter(
            assessment=second.assessment, status=ReviewStatus.SUBMITTED
        ).exists():
            raise DecisionRefused(
                _("The first review is not submitted: there is nothing to compare yet.")
            )
        versions.check_version(second, version, actor=actor, editing=False)
        action = "second_review.used" if use_second else "second_review.kept_first"
        audit.stamp(second, actor=actor, action=action)
        versions.bump(second)
        second.decision = Decision.USE_SECOND if use_second else Decision.KEEP_FIRST
        second.decision_reason = reason
        second.decided_by = actor
        second.decided_at = clock.now()
        second.save()
    return second


# --- Reading ---------------------------------------------------------------------------


def sample_of(campaign: Campaign) -> list[SecondReview]:
    """The campaign's sample, by parent and branch code, with the first review's status."""
    return list(
        SecondReview.objects.filter(assessment__campaign=campaign)
        .select_related(
            "assessment__branch__parent", "assessment__review", "reviewer", "decided_by"
        )
        .order_by("assessment__branch__parent__code", "assessment__branch__code")
    )


def queue_of(user) -> list[SecondReview]:
    """The second reviews assigned to the user in the campaigns taking reviews today."""
    return list(
        SecondReview.objects.filter(
            reviewer=user,
            assessment__campaign__in=Campaign.objects.filter(accepting_reviews(clock.today())),
        )
        .select_related("assessment__campaign", "assessment__branch__parent")
        .defer("assessment__campaign__quota_report")
        .order_by("status", "assessment__branch__code")
    )


def to_do(user) -> int:
    """Second reviews assigned to the user and not submitted (the home page's to-do)."""
    return sum(1 for second in queue_of(user) if not second.is_submitted)


@dataclass(frozen=True)
class Pair:
    """One criterion of one branch: both scores and the difference (second − first)."""

    criterion: object
    first: Decimal | None
    second: Decimal | None
    margin: Decimal
    first_remark: str = ""
    second_remark: str = ""

    @property
    def difference(self) -> Decimal | None:
        if self.first is None or self.second is None:
            return None
        return self.second - self.first

    @property
    def flagged(self) -> bool:
        return self.difference is not None and abs(self.difference) > self.margin


@dataclass(frozen=True)
class BranchPairs:
    second_review: SecondReview
    first_total: Decimal
    pairs: list[Pair]

    @property
    def total_difference(self) -> Decimal:
        return self.second_review.total - self.first_total

    @property
    def flagged(self) -> int:
        return sum(1 for pair in self.pairs if pair.flagged)


@dataclass(frozen=True)
class CriterionSpread:
    """Across the campaign's pairs, one criterion (D-2.1.3m): the number of pairs, the
    medians of the first and second scores and of the difference, the spread of the
    difference as its interquartile range (Q3 − Q1, inclusive quartiles), the largest
    difference either way, and how many pairs are flagged."""

    criterion: object
    pairs: int
    median_first: Decimal | None
    median_second: Decimal | None
    median_difference: Decimal | None
    spread: Decimal | None
    largest: Decimal | None
    flagged: int


@dataclass(frozen=True)
class Disagreement:
    margin_percent: Decimal
    branches: list[BranchPairs]
    criteria: list[CriterionSpread]
    waiting: list[SecondReview]  # in the sample, one of the two reviews not submitted


def _cent(value):
    return None if value is None else Decimal(value).quantize(CENT)


def _spread(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    if len(values) < 2:
        return Decimal(0)
    q1, _median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q3 - q1


def margin_of(criterion, margin_percent: Decimal) -> Decimal:
    """The flagging margin of a criterion in points: `margin_percent` of its maximum."""
    return (criterion.max_points * margin_percent / 100).quantize(CENT)


def disagreement(campaign: Campaign, *, margin_percent: Decimal = MARGIN_PERCENT) -> Disagreement:
    """The staff page's figures, in four queries whatever the sample's size: the
    criteria, the second reviews with their first reviews, and both reviews' scores."""
    criteria = list(campaign.criteria.all())
    margins = {c.pk: margin_of(c, margin_percent) for c in criteria}
    seconds = list(
        SecondReview.objects.filter(assessment__campaign=campaign)
        .select_related(
            "assessment__branch__parent", "assessment__review", "reviewer", "decided_by"
        )
        .prefetch_related("scores")
        .order_by("assessment__branch__parent__code", "assessment__branch__code")
    )
    compared, waiting = [], []
    for second in seconds:
        first = second.assessment.part("review")
        if second.is_submitted and first is not None and first.is_submitted:
            compared.append((second, first))
        else:
            waiting.append(second)
    first_scores = defaultdict(dict)
    for row in ReviewScore.objects.filter(review_id__in=[first.pk for _s, first in compared]):
        first_scores[row.review_id][row.criterion_id] = row
    branches = []
    for second, first in compared:
        mine = {s.criterion_id: s for s in second.scores.all()}
        theirs = first_scores[first.pk]
        pairs = []
        for c in criteria:
            a, b = theirs.get(c.pk), mine.get(c.pk)
            pairs.append(
                Pair(
                    c,
                    a.score if a else None,
                    b.score if b else None,
                    margins[c.pk],
                    a.remark if a else "",
                    b.remark if b else "",
                )
            )
        branches.append(BranchPairs(second, first.total, pairs))
    spreads = []
    for index, criterion in enumerate(criteria):
        pairs = [b.pairs[index] for b in branches if b.pairs[index].difference is not None]
        differences = [p.difference for p in pairs]
        spreads.append(
            CriterionSpread(
                criterion=criterion,
                pairs=len(pairs),
                median_first=_cent(statistics.median([p.first for p in pairs])) if pairs else None,
                median_second=_cent(statistics.median([p.second for p in pairs]))
                if pairs
                else None,
                median_difference=_cent(statistics.median(differences)) if pairs else None,
                spread=_cent(_spread(differences)),
                largest=max(differences, key=abs) if pairs else None,
                flagged=sum(1 for p in pairs if p.flagged),
            )
        )
    return Disagreement(margin_percent, branches, spreads, waiting)
