"""The review queue: the campaigns taking reviews today, who is ready, and the to-dos
that count the same (docs/process.md §2.1.3, D-2.1.3f)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from scoring.models import (
    CampaignKind,
    CampaignStatus,
    SurveyStatus,
)
from scoring.services import reviews
from starrating import clock
from starrating.todos import review_todos
from tests import factories
from tests.factories import YEAR, ballots, ready_branch


def scores(campaign, value="8"):
    return {c.pk: Decimal(value) for c in campaign.criteria.all()}


def queued(user):
    return [
        (row.assessment.campaign.year, row.assessment.branch) for row in reviews.review_queue(user)
    ]


# --- The queue: the campaigns that take reviews today ----------------------------------


def test_the_queue_leaves_out_an_open_campaign_past_its_review_deadline(campaign, tree):
    last_year = factories.campaign(tree.committee, title="上年度", kind=CampaignKind.YEAR_END)
    last_year.year, last_year.review_deadline = YEAR - 1, datetime.date(YEAR - 1, 6, 30)
    last_year.save()
    factories.review(ready_branch(last_year, tree.branch_a), 85, reviewer=tree.reviewer)
    ready_branch(campaign, tree.branch_a)
    with clock.frozen(datetime.date(YEAR, 7, 1)):
        assert queued(tree.reviewer) == [(YEAR, tree.branch_a)]


def test_the_queue_and_the_submission_agree_on_the_review_deadline(campaign, tree):
    campaign.review_deadline = datetime.date(YEAR, 6, 30)
    campaign.save()
    assessment = ready_branch(campaign, tree.branch_a)
    with clock.frozen(datetime.date(YEAR, 6, 30)):
        assert queued(tree.reviewer) == [(YEAR, tree.branch_a)]
        reviews.save_review_draft(
            assessment=assessment, actor=tree.reviewer, scores=scores(campaign)
        )
    with clock.frozen(datetime.date(YEAR, 7, 1)):
        assert queued(tree.reviewer) == []
        with pytest.raises(reviews.ReviewDeadlinePassed):
            reviews.submit_review(actor=tree.reviewer, assessment=assessment)


@pytest.mark.parametrize("status", [CampaignStatus.DRAFT, CampaignStatus.CLOSED])
def test_the_queue_leaves_out_a_campaign_that_is_not_open(campaign, tree, status):
    ready_branch(campaign, tree.branch_a)
    type(campaign).objects.filter(pk=campaign.pk).update(status=status)  # past the life table
    assert queued(tree.reviewer) == []


def test_the_queue_says_who_is_ready_and_what_the_others_wait_for(campaign, tree):
    ready_branch(campaign, tree.branch_a)
    waiting = factories.assessment(campaign, tree.branch_b)
    factories.sheet(waiting, 90)
    factories.survey(waiting, ballots(90, 10), status=SurveyStatus.OPEN)
    with translation.override("en"):
        rows = {row.assessment.branch: row for row in reviews.review_queue(tree.reviewer)}
        first, second = rows[tree.branch_a], rows[tree.branch_b]
        assert (first.ready, first.state, first.waiting_for) == (True, reviews.TO_REVIEW, [])
        assert (second.ready, second.state) == (False, reviews.WAITING)
        assert [str(label) for label in second.waiting_for] == ["survey not closed"]


def test_the_queue_lists_branches_to_review_first_then_waiting_then_submitted(campaign, tree):
    parent = tree.party_committee
    done = ready_branch(campaign, factories.branch(parent, code="A1"), review_total=80)
    waiting = factories.assessment(campaign, factories.branch(parent, code="A2"))
    ready = ready_branch(campaign, factories.branch(parent, code="A3"))
    order = [row.assessment for row in reviews.review_queue(tree.reviewer)]
    assert order.index(ready) < order.index(waiting) < order.index(done)


def test_the_home_page_count_is_the_queue_count_of_branches_ready(campaign, tree):
    for _ in range(2):
        ready_branch(campaign, factories.branch(tree.party_committee))
    for _ in range(3):
        factories.assessment(campaign, factories.branch(tree.party_committee))
    rows = reviews.review_queue(tree.reviewer)
    with translation.override("en"):
        (todo,) = review_todos(tree.reviewer)
    assert todo.count == reviews.QueueCounts.of(rows).to_review == 2
    assert todo.detail == "3 more waiting for their self-evaluation or survey"


def test_a_returned_review_is_its_own_to_do(campaign, tree):
    assessment = ready_branch(campaign, tree.branch_a)
    review = reviews.submit_review(
        actor=tree.reviewer, assessment=assessment, scores=scores(campaign)
    )
    reviews.return_review(review=review, actor=tree.staff, reason="重新评分")
    with translation.override("en"):
        titles = [(t.title, t.count) for t in review_todos(tree.reviewer)]
    assert titles == [("Reviews returned to you", 1)]
