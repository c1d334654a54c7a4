"""Provisional results (docs/process.md §2.5): while any enrolled branch is not yet complete, every
page that shows results says so, with the count of branches still missing, and marks the
quota figures as counted over the complete branches only."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scoring.models import AuditStatus, ReviewStatus, SelfEvaluationStatus, SurveyStatus
from scoring.services.recompute import completeness, gather, recompute_campaign
from tests import factories
from tests.factories import ready_branch

NOTICE = re.compile(r'<div[^>]*id="provisional-notice"[^>]*>(.*?)</div>', re.S)


def notice(response) -> str | None:
    """The provisional notice's text, or None when the page shows none."""
    found = NOTICE.search(response.content.decode())
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(1))).strip() if found else None


@pytest.fixture
def partly(campaign, tree):
    """Three branches enrolled; only branch_a is complete; recomputed."""
    done = ready_branch(campaign, tree.branch_a, review_total=95)
    ready_branch(campaign, tree.branch_b)  # no review yet
    factories.assessment(campaign, tree.direct)  # nothing yet
    recompute_campaign(campaign=campaign, actor=tree.staff)
    return done


@pytest.fixture
def complete(campaign, tree):
    """Two branches enrolled, both complete; recomputed."""
    done = ready_branch(campaign, tree.branch_a, review_total=95)
    ready_branch(campaign, tree.branch_b, review_total=80)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    return done


def results(client, user, campaign, **headers):
    client.force_login(user)
    return client.get(reverse("scoring:campaign_results", args=[campaign.pk]), **headers)


def test_results_of_a_partly_complete_campaign_are_provisional(client, tree, campaign, partly):
    response = results(client, tree.approver, campaign)
    assert response.context["completeness"].missing == 2
    text = notice(response)
    assert text is not None and "暂定" in text
    assert "3 个参评党支部中还有 2 个未完成" in text
    # The quota figures say over how many branches they were counted.
    assert 'id="quota-provisional"' in response.content.decode()
    assert "仅按上次重新计算时已完成的 1 个党支部计算" in response.content.decode()


def test_results_notice_in_english(client, tree, campaign, partly):
    response = results(client, tree.staff, campaign, HTTP_ACCEPT_LANGUAGE="en")
    text = notice(response)
    assert text.startswith("Provisional results")
    assert "2 of 3 enrolled branches are not yet complete" in text
    assert "Counted over the 1 branch complete at the last recompute" in response.content.decode()


def test_rating_page_of_a_partly_complete_campaign_is_provisional(client, tree, partly):
    client.force_login(tree.secretary)
    response = client.get(reverse("scoring:rating", args=[partly.pk]))
    assert response.context["rating"] is not None
    assert "3 个参评党支部中还有 2 个未完成" in notice(response)


def test_branch_page_with_a_rating_of_a_partly_complete_campaign_is_provisional(
    client, tree, partly
):
    client.force_login(tree.reviewer)
    response = client.get(reverse("scoring:assessment", args=[partly.pk]))
    assert "3 个参评党支部中还有 2 个未完成" in notice(response)


def test_complete_campaign_is_not_provisional(client, tree, campaign, complete):
    response = results(client, tree.staff, campaign)
    assert response.context["completeness"].provisional is False
    assert notice(response) is None
    assert 'id="quota-provisional"' not in response.content.decode()
    client.force_login(tree.secretary)
    assert notice(client.get(reverse("scoring:rating", args=[complete.pk]))) is None
    assert notice(client.get(reverse("scoring:assessment", args=[complete.pk]))) is None


def test_results_stay_provisional_until_recomputed_over_every_branch(
    client, tree, campaign, partly
):
    """Every branch complete now, but the stored results counted one of three."""
    for assessment in campaign.assessments.exclude(pk=partly.pk):
        if not hasattr(assessment, "self_evaluation"):
            factories.sheet(assessment, 80)
            factories.survey(assessment, [("80", "satisfied")] * 3)
        factories.review(assessment, 80)
    response = results(client, tree.staff, campaign)
    assert response.context["completeness"].missing == 0
    assert "上次重新计算只计入了 3 个中的 1 个" in notice(response)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    assert notice(results(client, tree.staff, campaign)) is None


def test_a_branch_reopened_after_a_complete_recompute_makes_results_provisional(
    client, tree, campaign, complete
):
    complete.review.status = ReviewStatus.RETURNED
    complete.review.save()
    response = results(client, tree.staff, campaign)
    assert "2 个参评党支部中还有 1 个未完成" in notice(response)
    # The stored quota figures did count every enrolled branch.
    assert 'id="quota-provisional"' not in response.content.decode()


def test_completeness_counts_what_the_missing_list_counts(campaign, tree):
    """The aggregate (rating and branch pages) and gather's list (results, recompute)
    apply one rule: every way of lacking something, and the complete ones."""
    parent = tree.party_committee

    def branch():
        return factories.branch(parent)

    ready_branch(campaign, branch(), review_total=80)  # complete
    ready_branch(campaign, branch(), review_total=99, audit=AuditStatus.AGREED)  # complete
    ready_branch(campaign, branch(), review_total=99, audit=AuditStatus.PENDING)
    ready_branch(campaign, branch(), review_total=99, audit=AuditStatus.RETURNED)
    ready_branch(campaign, branch())  # no review
    review_draft = ready_branch(campaign, branch())
    factories.review(review_draft, 80, status=ReviewStatus.DRAFT)
    draft_sheet = factories.assessment(campaign, branch())
    factories.sheet(draft_sheet, 80, status=SelfEvaluationStatus.DRAFT)
    factories.survey(draft_sheet, [("80", "satisfied")] * 3)
    factories.review(draft_sheet, 80)
    open_survey = factories.assessment(campaign, branch())
    factories.sheet(open_survey, 80)
    factories.survey(open_survey, [("80", "satisfied")] * 3, status=SurveyStatus.OPEN)
    factories.review(open_survey, 80)
    factories.assessment(campaign, branch())  # nothing at all
    figures = gather(campaign, with_ballots=False)
    found = completeness(campaign)
    assert found.enrolled == len(figures) == 9
    assert found.complete == sum(1 for f in figures if f.rated) == 2
    assert found.missing == 7


def test_rating_page_query_count_does_not_grow_with_the_campaign(client, campaign, tree):
    rated = ready_branch(campaign, tree.branch_a, review_total=90)

    def count():
        recompute_campaign(campaign=campaign, actor=tree.staff)
        client.force_login(tree.staff)
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("scoring:rating", args=[rated.pk]))
        return len(ctx.captured_queries)

    small = count()
    for _ in range(10):
        ready_branch(campaign, factories.branch(tree.party_committee))
    assert count() == small
