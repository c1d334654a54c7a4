"""The review service refuses with `NotAllowed`, records each step with its action code and
takes its times from the clock (docs/process.md §2.1.3)."""

import datetime
from decimal import Decimal

import pytest

from scoring.models import (
    AuditStatus,
    Review,
    ReviewStatus,
)
from scoring.services import reviews
from starrating import clock
from starrating.errors import NotAllowed
from tests import factories
from tests.factories import YEAR, ready_branch


def scores(campaign, value="8"):
    return {c.pk: Decimal(value) for c in campaign.criteria.all()}


def queued(user):
    return [
        (row.assessment.campaign.year, row.assessment.branch) for row in reviews.review_queue(user)
    ]


# --- Refusals: NotAllowed, with a message -----------------------------------------------


def test_a_reviewer_who_must_recuse_is_refused_with_not_allowed(campaign, tree):
    assessment = ready_branch(campaign, tree.branch_a)
    factories.member(tree.branch_a, user=tree.reviewer)
    with pytest.raises(NotAllowed) as refused:
        reviews.submit_review(actor=tree.reviewer, assessment=assessment, scores=scores(campaign))
    assert str(refused.value)
    assert not Review.objects.filter(status=ReviewStatus.SUBMITTED).exists()


@pytest.mark.parametrize("name", ["reviewer", "approver", "secretary"])
def test_only_staff_audit_or_return_and_others_get_not_allowed(campaign, tree, name):
    review = factories.review(ready_branch(campaign, tree.branch_a), 99, audit=AuditStatus.PENDING)
    user = tree.users_by_role()[name]
    with pytest.raises(NotAllowed):
        reviews.audit_five_star(review=review, actor=user, agree=True)
    with pytest.raises(NotAllowed):
        reviews.return_review(review=review, actor=user, reason="x")
    review.refresh_from_db()
    assert (review.status, review.audit_status) == (ReviewStatus.SUBMITTED, AuditStatus.PENDING)


# --- The audit trail's codes and the clock ---------------------------------------------


def test_every_review_step_is_recorded_with_its_action_code(campaign, tree):
    assessment = ready_branch(campaign, tree.branch_a)
    reviews.save_review_draft(assessment=assessment, actor=tree.reviewer, scores=scores(campaign))
    review = reviews.submit_review(
        actor=tree.reviewer, assessment=assessment, scores=scores(campaign, "10")
    )
    reviews.audit_five_star(review=review, actor=tree.staff, agree=False, reason="核实")
    review = reviews.submit_review(actor=tree.reviewer, assessment=assessment)
    reviews.audit_five_star(review=review, actor=tree.staff, agree=True)
    review.refresh_from_db()
    reviews.return_review(review=review, actor=tree.staff, reason="重新评分")
    trail = [
        (record.history_change_reason, record.history_user)
        for record in review.history.order_by("history_date", "history_id")
    ]
    assert trail == [
        ("review.started", tree.reviewer),
        ("review.draft_saved", tree.reviewer),
        ("review.submitted", tree.reviewer),
        ("review.audit_sent_back", tree.staff),
        ("review.submitted", tree.reviewer),
        ("review.audit_agreed", tree.staff),
        ("review.returned", tree.staff),
    ]
    score_codes = set(
        review.scores.model.history.filter(review_id=review.pk).values_list(
            "history_change_reason", flat=True
        )
    )
    assert score_codes == {"review.draft_saved", "review.submitted"}


def test_submission_and_audit_times_come_from_the_clock(campaign, tree):
    assessment = ready_branch(campaign, tree.branch_a)
    submitted = clock.aware(datetime.date(YEAR, 6, 20), 10)
    audited = clock.aware(datetime.date(YEAR, 6, 22), 15)
    with clock.frozen(submitted):
        review = reviews.submit_review(
            actor=tree.reviewer, assessment=assessment, scores=scores(campaign, "10")
        )
    with clock.frozen(audited):
        reviews.audit_five_star(review=review, actor=tree.staff, agree=True)
    review.refresh_from_db()
    assert (review.submitted_at, review.audited_at) == (submitted, audited)
