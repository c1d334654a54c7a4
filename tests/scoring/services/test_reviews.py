"""Submitting, returning and auditing reviews (docs/process.md §2.1.3)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from scoring.models import AuditStatus, Review, ReviewScore, ReviewStatus, SurveyStatus
from scoring.services import reviews
from starrating.todos import review_todos
from tests import factories
from tests.factories import ballots, ready_branch


def full_scores(campaign, value="8"):
    return {c.pk: Decimal(value) for c in campaign.criteria.all()}


def test_submit_review_stores_total_and_proposal(ready, campaign, tree):
    review = reviews.submit_review(
        actor=tree.reviewer, assessment=ready, scores=full_scores(campaign, "8.5")
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert review.total == Decimal("85.00")
    assert review.reviewer == tree.reviewer
    # self 90 × 0.2 + survey 90 × 0.3 + review 85 × 0.5 = 87.5 → four stars
    assert review.proposed_star == 4
    assert review.audit_status == AuditStatus.NOT_NEEDED
    assert review.history.first().history_change_reason == "review.submitted"


def test_submit_is_refused_while_self_evaluation_not_submitted(campaign, tree):
    assessment = factories.assessment(campaign, tree.branch_a)
    factories.sheet(assessment, 90, status="draft")
    factories.survey(assessment, ballots(90, 10))
    with pytest.raises(reviews.NotReadyForReview):
        reviews.submit_review(
            actor=tree.reviewer, assessment=assessment, scores=full_scores(campaign)
        )
    assert not Review.objects.filter(status=ReviewStatus.SUBMITTED).exists()
    assert not ReviewScore.objects.exists()


def test_submit_is_refused_while_survey_not_closed(campaign, tree):
    assessment = factories.assessment(campaign, tree.branch_a)
    factories.sheet(assessment, 90)
    factories.survey(assessment, ballots(90, 10), status=SurveyStatus.OPEN)
    with pytest.raises(reviews.NotReadyForReview):
        reviews.submit_review(
            actor=tree.reviewer, assessment=assessment, scores=full_scores(campaign)
        )
    assert not ReviewScore.objects.exists()


@pytest.mark.parametrize("bad", ["10.01", "-1", "abc", "NaN", "5.123"])
def test_submit_refuses_a_bad_score_and_saves_nothing(ready, campaign, tree, bad):
    scores = full_scores(campaign)
    first = campaign.criteria.first()
    scores[first.pk] = bad
    with pytest.raises(reviews.InvalidScores) as error:
        reviews.submit_review(actor=tree.reviewer, assessment=ready, scores=scores)
    assert first.pk in error.value.errors
    assert not ReviewScore.objects.exists()
    assert not Review.objects.filter(status=ReviewStatus.SUBMITTED).exists()


def test_submit_refuses_a_missing_criterion(ready, campaign, tree):
    scores = full_scores(campaign)
    scores.pop(campaign.criteria.last().pk)
    with pytest.raises(reviews.InvalidScores):
        reviews.submit_review(actor=tree.reviewer, assessment=ready, scores=scores)
    assert not ReviewScore.objects.exists()


def test_draft_may_be_partial_and_submit_completes_it(ready, campaign, tree):
    first = campaign.criteria.first()
    reviews.save_review_draft(
        assessment=ready, actor=tree.reviewer, scores={first.pk: Decimal("9")}, remarks={}
    )
    review = ready.review
    assert review.status == ReviewStatus.DRAFT and review.total == Decimal("9.00")
    rest = {c.pk: Decimal("8") for c in campaign.criteria.all()[1:]}
    reviews.submit_review(actor=tree.reviewer, assessment=ready, scores=rest)
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert review.total == Decimal("81.00")


def test_submitted_review_is_locked(ready, campaign, tree):
    reviews.submit_review(actor=tree.reviewer, assessment=ready, scores=full_scores(campaign))
    with pytest.raises(reviews.ReviewLocked):
        reviews.save_review_draft(
            assessment=ready, actor=tree.reviewer, scores=full_scores(campaign, "9")
        )


def test_review_deadline_refuses_changes(ready, campaign, tree):
    campaign.review_deadline = datetime.date(2000, 1, 1)
    campaign.save()
    with pytest.raises(reviews.ReviewDeadlinePassed):
        reviews.submit_review(actor=tree.reviewer, assessment=ready, scores=full_scores(campaign))


def test_reviewer_who_is_a_member_of_the_branch_must_recuse(ready, campaign, tree, member_of):
    member_of(tree.reviewer, tree.branch_a)
    with pytest.raises(PermissionDenied):
        reviews.submit_review(actor=tree.reviewer, assessment=ready, scores=full_scores(campaign))
    review = reviews.submit_review(actor=tree.staff, assessment=ready, scores=full_scores(campaign))
    assert review.reviewer == tree.staff


def test_staff_cannot_review_a_branch_with_an_available_reviewer(ready, campaign, tree):
    with pytest.raises(PermissionDenied):
        reviews.submit_review(actor=tree.staff, assessment=ready, scores=full_scores(campaign))


def test_secretary_cannot_review_own_branch(ready, campaign, tree):
    with pytest.raises(PermissionDenied):
        reviews.submit_review(actor=tree.secretary, assessment=ready, scores=full_scores(campaign))


def test_staff_review_directly_managed_branches(campaign, tree):
    assessment = ready_branch(campaign, tree.direct)
    review = reviews.submit_review(
        actor=tree.staff, assessment=assessment, scores=full_scores(campaign)
    )
    assert review.status == ReviewStatus.SUBMITTED


def test_five_star_proposal_goes_to_audit(ready, campaign, tree):
    review = reviews.submit_review(
        actor=tree.reviewer, assessment=ready, scores=full_scores(campaign, "10")
    )
    assert review.proposed_star == 5
    assert review.audit_status == AuditStatus.PENDING
    assert list(reviews.audit_queue()) == [review]


def submitted_five_star(ready, campaign, tree):
    return reviews.submit_review(
        actor=tree.reviewer, assessment=ready, scores=full_scores(campaign, "10")
    )


def test_audit_agree(ready, campaign, tree):
    review = submitted_five_star(ready, campaign, tree)
    reviews.audit_five_star(review=review, actor=tree.staff, agree=True)
    review.refresh_from_db()
    assert review.audit_status == AuditStatus.AGREED
    assert review.status == ReviewStatus.SUBMITTED
    assert review.audited_by == tree.staff


def test_audit_send_back_needs_a_reason(ready, campaign, tree):
    review = submitted_five_star(ready, campaign, tree)
    with pytest.raises(reviews.ReasonRequired):
        reviews.audit_five_star(review=review, actor=tree.staff, agree=False, reason=" ")
    review.refresh_from_db()
    assert review.audit_status == AuditStatus.PENDING


def test_audit_send_back_returns_the_review_to_the_reviewer(ready, campaign, tree):
    review = submitted_five_star(ready, campaign, tree)
    reviews.audit_five_star(review=review, actor=tree.staff, agree=False, reason="证据不足")
    review.refresh_from_db()
    assert review.status == ReviewStatus.RETURNED
    assert review.audit_status == AuditStatus.RETURNED
    assert review.return_reason == "证据不足"
    # The reviewer can edit and submit again; a new proposal is audited afresh.
    reviews.submit_review(actor=tree.reviewer, assessment=ready, scores=full_scores(campaign, "9"))
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert review.audit_status in (AuditStatus.PENDING, AuditStatus.NOT_NEEDED)


def test_only_staff_audit(ready, campaign, tree):
    review = submitted_five_star(ready, campaign, tree)
    for user in (tree.reviewer, tree.approver, tree.secretary):
        with pytest.raises(PermissionDenied):
            reviews.audit_five_star(review=review, actor=user, agree=True)


def test_audit_refused_when_not_pending(ready, campaign, tree):
    review = reviews.submit_review(
        actor=tree.reviewer, assessment=ready, scores=full_scores(campaign, "7")
    )
    with pytest.raises(reviews.AuditError):
        reviews.audit_five_star(review=review, actor=tree.staff, agree=True)


def test_staff_return_a_submitted_review(ready, campaign, tree):
    review = reviews.submit_review(
        actor=tree.reviewer, assessment=ready, scores=full_scores(campaign)
    )
    reviews.return_review(review=review, actor=tree.staff, reason="重新评分")
    review.refresh_from_db()
    assert review.status == ReviewStatus.RETURNED


def test_preview_matches_the_engine_for_current_numbers(ready, campaign, tree):
    reviews.save_review_draft(
        assessment=ready, actor=tree.reviewer, scores=full_scores(campaign, "8")
    )
    result = reviews.preview(ready, review_total=Decimal("80")).result
    # 90 × 0.2 + 90 × 0.3 + 80 × 0.5 = 85
    assert result.base == Decimal("85.00") and result.star == 4


def test_reviewer_todos_list_waiting_and_returned(ready, campaign, tree):
    todos = review_todos(tree.reviewer)
    assert [t.count for t in todos] == [1]
    review = reviews.submit_review(
        actor=tree.reviewer, assessment=ready, scores=full_scores(campaign)
    )
    reviews.return_review(review=review, actor=tree.staff, reason="x")
    assert [t.count for t in review_todos(tree.reviewer)] == [1]


def test_staff_todos_list_pending_audits(ready, campaign, tree):
    submitted_five_star(ready, campaign, tree)
    with translation.override("en"):
        titles = [(t.title, t.count) for t in review_todos(tree.staff)]
    assert ("Five-star proposals to audit", 1) in titles
