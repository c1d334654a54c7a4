"""Second reviews and disagreement (docs/process.md §2.1.3): who may review a second
time (recusal), the sample, the blind sheet, the decision and what the recompute reads."""

import random
from decimal import Decimal
from types import SimpleNamespace

import pytest

from branches.models import OrgKind, Role
from branches.permissions import may_second_review, second_reviewer_candidates
from scoring.models import (
    CampaignStatus,
    Decision,
    QuotaMode,
    Rating,
    SecondReview,
    SecondReviewScore,
    SecondReviewStatus,
)
from scoring.services import recompute, reviews
from scoring.services import second_reviews as services
from scoring.services.errors import NotAllowed
from tests import factories


@pytest.fixture
def other(tree):
    """A second party committee with its reviewer and one branch."""
    parent = factories.org(OrgKind.PARTY_COMMITTEE, parent=tree.committee, name="机关党委乙")
    reviewer = factories.user("reviewer_other", role=Role.REVIEWER, organisation=parent)
    return SimpleNamespace(parent=parent, reviewer=reviewer, branch=factories.branch(parent))


@pytest.fixture
def rated_campaign(tree):
    """Quotas off; branch A self 90, survey 90, first review 80 by the reviewer: four stars."""
    campaign = factories.campaign(tree.committee, quota_mode=QuotaMode.OFF)
    assessment = factories.ready_branch(campaign, tree.branch_a)
    factories.review(assessment, 80, reviewer=tree.reviewer)
    return campaign


@pytest.fixture
def assessment_a(rated_campaign, tree):
    return rated_campaign.assessments.get(branch=tree.branch_a)


def scores(campaign, value):
    return {c.pk: Decimal(value) for c in campaign.criteria.all()}


def sampled(assessment, reviewer, **fields):
    return SecondReview.objects.create(assessment=assessment, reviewer=reviewer, **fields)


def submitted(assessment, reviewer, value):
    second = sampled(assessment, reviewer)
    return services.submit_second_review(
        second=second, actor=reviewer, scores=scores(assessment.campaign, value)
    )


def star_of(assessment):
    return Rating.objects.get(assessment=assessment).star


# --- Who may review a second time ---------------------------------------------------------


def test_another_parents_reviewer_and_staff_may_review_a_second_time(tree, other):
    assert may_second_review(other.reviewer, tree.branch_a)
    assert may_second_review(tree.staff, tree.branch_a)


def test_a_reviewer_of_the_branchs_own_parent_may_not_review_it_a_second_time(tree, other):
    assert not may_second_review(tree.reviewer, tree.branch_a)
    assert may_second_review(tree.reviewer, other.branch)


def test_the_first_reviewer_may_not_review_a_second_time(tree):
    """Staff review a directly managed branch; that staff member is not its second reviewer."""
    assert not may_second_review(tree.staff, tree.direct, first_reviewer_id=tree.staff.pk)


def test_nobody_who_belongs_to_the_branch_may_review_it_a_second_time(tree, other, member_of):
    member_of(other.reviewer, tree.branch_a)
    assert not may_second_review(other.reviewer, tree.branch_a)
    assert not may_second_review(tree.secretary, tree.branch_a)
    assert not may_second_review(tree.approver, tree.branch_a)


def test_the_candidates_are_the_rule_for_every_user(tree, other, member_of):
    colleague = factories.user("staff2", role=Role.STAFF, organisation=tree.committee)
    member_of(colleague, tree.branch_a)
    found = set(second_reviewer_candidates(tree.branch_a, first_reviewer_id=tree.reviewer.pk))
    assert found == {tree.staff, other.reviewer}
    everyone = [tree.secretary, tree.secretary_b, tree.reviewer, tree.staff, tree.approver]
    everyone += [tree.rereviewer, tree.nobody, other.reviewer, colleague]
    expected = {u for u in everyone if may_second_review(u, tree.branch_a)}
    assert found == expected


# --- The sample -------------------------------------------------------------------------


def _campaign_of_many(tree, other, count_a=4, count_b=2):
    campaign = factories.campaign(tree.committee)
    for _ in range(count_a):
        factories.assessment(campaign, factories.branch(tree.party_committee))
    for _ in range(count_b):
        factories.assessment(campaign, factories.branch(other.parent))
    return campaign


def test_drawing_a_number_adds_that_many_branches_and_records_it(tree, other):
    campaign = _campaign_of_many(tree, other)
    rows = services.draw_sample(campaign=campaign, actor=tree.staff, count=3, rng=random.Random(1))
    assert len(rows) == 3 == SecondReview.objects.filter(drawn=True).count()
    reasons = set(SecondReview.history.values_list("history_change_reason", flat=True))
    assert reasons == {"second_review.drawn"}
    assert set(SecondReview.history.values_list("history_user", flat=True)) == {tree.staff.pk}


def test_drawing_a_percentage_rounds_up_and_never_draws_a_branch_twice(tree, other):
    campaign = _campaign_of_many(tree, other)  # six branches
    services.draw_sample(campaign=campaign, actor=tree.staff, percent=Decimal(50))
    assert SecondReview.objects.count() == 3
    services.draw_sample(campaign=campaign, actor=tree.staff, percent=Decimal(10))  # of 3 left
    assert SecondReview.objects.count() == 4
    services.draw_sample(campaign=campaign, actor=tree.staff, count=99)
    assert SecondReview.objects.count() == 6
    with pytest.raises(services.EmptySample):
        services.draw_sample(campaign=campaign, actor=tree.staff, count=1)


def test_a_stratified_draw_takes_each_parent_in_proportion(tree, other):
    campaign = _campaign_of_many(tree, other, count_a=6, count_b=3)
    for seed in range(5):
        SecondReview.objects.all().delete()
        services.draw_sample(
            campaign=campaign, actor=tree.staff, count=3, stratified=True, rng=random.Random(seed)
        )
        parents = list(SecondReview.objects.values_list("assessment__branch__parent_id", flat=True))
        assert sorted(parents).count(tree.party_committee.pk) == 2
        assert parents.count(other.parent.pk) == 1


def test_only_staff_draw_and_only_while_declaring(tree, other, rated_campaign):
    with pytest.raises(NotAllowed):
        services.draw_sample(campaign=rated_campaign, actor=tree.reviewer, count=1)
    rated_campaign.status = CampaignStatus.PUBLICITY
    rated_campaign.save(update_fields=["status"])
    with pytest.raises(services.NotDeclaring):
        services.draw_sample(campaign=rated_campaign, actor=tree.staff, count=1)
    assert not SecondReview.objects.exists()


def test_picking_by_hand_refuses_a_branch_of_another_campaign(tree, other, rated_campaign):
    elsewhere = factories.assessment(factories.campaign(tree.committee, year=2025), tree.branch_b)
    with pytest.raises(services.SecondReviewError):
        services.pick_branches(campaign=rated_campaign, actor=tree.staff, assessments=[elsewhere])
    assert not SecondReview.objects.exists()
    every = list(rated_campaign.assessments.all())
    (row,) = services.pick_branches(campaign=rated_campaign, actor=tree.staff, assessments=every)
    assert row.drawn is False


# --- Assignment and the blind sheet ------------------------------------------------------


def test_assigning_the_branchs_own_reviewer_is_refused_and_changes_nothing(
    tree, other, assessment_a
):
    second = sampled(assessment_a, None)
    with pytest.raises(NotAllowed):
        services.assign_reviewer(second=second, actor=tree.staff, reviewer=tree.reviewer)
    second.refresh_from_db()
    assert second.reviewer is None and second.version == 0
    services.assign_reviewer(second=second, actor=tree.staff, reviewer=other.reviewer)
    second.refresh_from_db()
    assert second.reviewer == other.reviewer
    assert second.history.first().history_change_reason == "second_review.assigned"


def test_recusal_is_checked_again_when_the_second_reviewer_saves(
    tree, other, assessment_a, member_of
):
    second = sampled(assessment_a, other.reviewer)
    member_of(other.reviewer, tree.branch_a)  # joined the branch after the assignment
    with pytest.raises(NotAllowed):
        services.save_second_draft(
            second=second, actor=other.reviewer, scores=scores(assessment_a.campaign, "5")
        )
    assert not SecondReviewScore.objects.exists()


def test_only_the_assigned_reviewer_scores_the_second_review(tree, other, assessment_a):
    second = sampled(assessment_a, other.reviewer)
    with pytest.raises(NotAllowed):
        services.save_second_draft(
            second=second, actor=tree.staff, scores=scores(assessment_a.campaign, "5")
        )


def test_submitting_needs_every_criterion_and_the_branch_ready(tree, other, rated_campaign):
    second = sampled(rated_campaign.assessments.get(), other.reviewer)
    partial = {rated_campaign.criteria.first().pk: Decimal(5)}
    with pytest.raises(reviews.InvalidScores):
        services.submit_second_review(second=second, actor=other.reviewer, scores=partial)
    waiting = factories.assessment(rated_campaign, tree.branch_b)
    factories.sheet(waiting, 80, status="draft")
    second_b = sampled(waiting, other.reviewer)
    with pytest.raises(reviews.NotReadyForReview):
        services.submit_second_review(
            second=second_b, actor=other.reviewer, scores=scores(rated_campaign, "6")
        )
    assert not SecondReview.objects.filter(status=SecondReviewStatus.SUBMITTED).exists()


def test_a_submitted_second_review_is_locked(tree, other, assessment_a):
    second = submitted(assessment_a, other.reviewer, "6")
    with pytest.raises(services.SecondReviewLocked):
        services.save_second_draft(
            second=second, actor=other.reviewer, scores=scores(assessment_a.campaign, "9")
        )
    assert second.total == Decimal("60.00")


def test_the_first_reviewers_proposal_never_reads_the_second_review(tree, other, assessment_a):
    """Blind both ways: even after staff decide for the second, the review page's preview
    of the first review is the first review's own."""
    second = submitted(assessment_a, other.reviewer, "6")
    services.decide(second=second, actor=tree.staff, use_second=True, reason="复核更准确")
    first = assessment_a.review
    assert reviews.preview(assessment_a, review_total=first.total).result.star == 4


# --- The decision and the recompute ------------------------------------------------------


def test_a_second_review_without_a_decision_never_changes_the_star(
    tree, other, rated_campaign, assessment_a
):
    recompute.recompute_campaign(campaign=rated_campaign, actor=tree.staff)
    assert star_of(assessment_a) == 4
    submitted(assessment_a, other.reviewer, "6")  # 60: three stars if it counted
    recompute.recompute_campaign(campaign=rated_campaign, actor=tree.staff)
    assert star_of(assessment_a) == 4
    assert Rating.objects.get(assessment=assessment_a).review_component == Decimal("80.00")


def test_using_the_second_review_changes_the_star_at_the_recompute_and_is_recorded(
    tree, other, rated_campaign, assessment_a
):
    second = submitted(assessment_a, other.reviewer, "6")
    services.decide(second=second, actor=tree.staff, use_second=True, reason="第一次考评偏高")
    recompute.recompute_campaign(campaign=rated_campaign, actor=tree.staff)
    rating = Rating.objects.get(assessment=assessment_a)
    assert rating.review_component == Decimal("60.00")
    assert rating.star == 3  # 18 + 27 + 30 = 75
    record = second.history.first()
    assert record.history_change_reason == "second_review.used"
    assert record.history_user == tree.staff
    assert record.decision_reason == "第一次考评偏高"


def test_keeping_the_first_review_keeps_its_star(tree, other, rated_campaign, assessment_a):
    second = submitted(assessment_a, other.reviewer, "6")
    services.decide(second=second, actor=tree.staff, use_second=True, reason="先用复核")
    services.decide(second=second, actor=tree.staff, use_second=False, reason="复议后维持")
    recompute.recompute_campaign(campaign=rated_campaign, actor=tree.staff)
    assert star_of(assessment_a) == 4
    second.refresh_from_db()
    assert second.decision == Decision.KEEP_FIRST
    reasons = list(
        second.history.order_by("history_date").values_list("history_change_reason", flat=True)
    )
    assert reasons[-2:] == ["second_review.used", "second_review.kept_first"]


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_decision_needs_a_reason(tree, other, assessment_a, reason):
    second = submitted(assessment_a, other.reviewer, "6")
    with pytest.raises(services.DecisionRefused):
        services.decide(second=second, actor=tree.staff, use_second=True, reason=reason)
    second.refresh_from_db()
    assert second.decision == Decision.UNDECIDED


def test_only_staff_decide(tree, other, assessment_a):
    second = submitted(assessment_a, other.reviewer, "6")
    for actor in (tree.reviewer, other.reviewer, tree.approver):
        with pytest.raises(NotAllowed):
            services.decide(second=second, actor=actor, use_second=True, reason="x")


def test_a_decision_needs_both_reviews_submitted(tree, other, rated_campaign, assessment_a):
    draft = sampled(assessment_a, other.reviewer)
    with pytest.raises(services.DecisionRefused):
        services.decide(second=draft, actor=tree.staff, use_second=True, reason="x")
    b = factories.ready_branch(rated_campaign, tree.branch_b)
    second_b = submitted(b, other.reviewer, "7")
    with pytest.raises(services.DecisionRefused):  # no first review yet
        services.decide(second=second_b, actor=tree.staff, use_second=True, reason="x")


def test_a_decision_after_publicity_begins_is_refused(tree, other, rated_campaign, assessment_a):
    second = submitted(assessment_a, other.reviewer, "6")
    rated_campaign.status = CampaignStatus.PUBLICITY
    rated_campaign.save(update_fields=["status"])
    with pytest.raises(services.NotDeclaring) as refused:
        services.decide(second=second, actor=tree.staff, use_second=True, reason="太晚")
    assert str(refused.value) == recompute.refusal(rated_campaign)
    second.refresh_from_db()
    assert second.decision == Decision.UNDECIDED


def test_the_database_refuses_a_decision_without_its_reason(tree, other, assessment_a):
    from django.db import IntegrityError, transaction

    second = submitted(assessment_a, other.reviewer, "6")
    second.decision = Decision.USE_SECOND
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_a_decision_tells_staff_the_inputs_changed(tree, other, rated_campaign, assessment_a):
    second = submitted(assessment_a, other.reviewer, "6")
    recompute.recompute_campaign(campaign=rated_campaign, actor=tree.staff)
    rated_campaign.refresh_from_db()
    assert not recompute.inputs_changed_since_recompute(rated_campaign)
    services.decide(second=second, actor=tree.staff, use_second=True, reason="复核更准确")
    assert recompute.inputs_changed_since_recompute(rated_campaign)


# --- The disagreement figures ------------------------------------------------------------


def _second_with(assessment, reviewer, values):
    second = sampled(assessment, reviewer)
    criteria = list(assessment.campaign.criteria.all())
    return services.submit_second_review(
        second=second,
        actor=reviewer,
        scores={c.pk: Decimal(v) for c, v in zip(criteria, values, strict=True)},
    )


def test_the_disagreement_flags_differences_above_the_margin(tree, other, assessment_a):
    # first review: 8 on every criterion (factories.review shares 80 evenly)
    _second_with(assessment_a, other.reviewer, ["8", "10", "5.99", "6", "2", *["8"] * 5])
    figures = services.disagreement(assessment_a.campaign)
    (branch,) = figures.branches
    differences = [p.difference for p in branch.pairs[:5]]
    assert differences == [Decimal(0), Decimal(2), Decimal("-2.01"), Decimal(-2), Decimal(-6)]
    assert [p.flagged for p in branch.pairs[:5]] == [False, False, True, False, True]
    assert branch.flagged == 2
    assert branch.total_difference == branch.second_review.total - Decimal(80)
    wider = services.disagreement(assessment_a.campaign, margin_percent=Decimal(10))
    assert wider.branches[0].flagged == 4


def test_the_spread_per_criterion_is_the_interquartile_range_of_the_differences(
    tree, other, rated_campaign
):
    extra = [factories.branch(tree.party_committee) for _ in range(3)]
    assessments = [rated_campaign.assessments.get(branch=tree.branch_a)]
    for branch in extra:
        made = factories.ready_branch(rated_campaign, branch)
        factories.review(made, 80, reviewer=tree.reviewer)
        assessments.append(made)
    for assessment, first_score in zip(assessments, ["8", "9", "10", "4"], strict=True):
        _second_with(assessment, other.reviewer, [first_score, *["8"] * 9])
    row = services.disagreement(rated_campaign).criteria[0]
    # differences 0, 1, 2, -4 → sorted -4, 0, 1, 2: Q1 = -1, Q3 = 1.25 (inclusive)
    assert row.pairs == 4
    assert row.median_first == Decimal("8.00")
    assert row.median_second == Decimal("8.50")
    assert row.median_difference == Decimal("0.50")
    assert row.spread == Decimal("2.25")
    assert row.largest == Decimal(-4)
    assert row.flagged == 1
    assert services.disagreement(rated_campaign).criteria[1].spread == Decimal("0.00")


def test_a_branch_waiting_for_either_review_is_not_compared(tree, other, rated_campaign):
    sampled(rated_campaign.assessments.get(), other.reviewer)
    figures = services.disagreement(rated_campaign)
    assert figures.branches == [] and len(figures.waiting) == 1
    assert figures.criteria[0].pairs == 0 and figures.criteria[0].spread is None


def test_the_branchs_audit_trail_holds_the_second_review_and_the_decision(
    tree, other, assessment_a
):
    from scoring.services.audit_trail import audit_trail

    second = submitted(assessment_a, other.reviewer, "6")
    services.decide(second=second, actor=tree.staff, use_second=True, reason="第一次考评偏高")
    entries = audit_trail(assessment_a)
    reasons = [e["reason"] for e in entries]
    assert "second_review.submitted" in reasons and "second_review.used" in reasons
    decided = next(e for e in entries if e["reason"] == "second_review.used")
    assert any(c["new"] == "第一次考评偏高" for c in decided["changes"])
