"""The review queue page: this year's branches, who is ready and what the others wait for."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches.models import OrgKind
from scoring.models import CampaignKind
from starrating import clock
from tests import factories
from tests.factories import YEAR, ready_branch


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response


# --- The queue ----------------------------------------------------------------------


def test_the_queue_shows_this_years_branches_not_last_years_done_ones(client, campaign, tree):
    last_year = factories.campaign(tree.committee, title="上年度评定", kind=CampaignKind.YEAR_END)
    last_year.year, last_year.review_deadline = YEAR - 1, datetime.date(YEAR - 1, 6, 30)
    last_year.save()
    factories.review(ready_branch(last_year, tree.branch_a), 85, reviewer=tree.reviewer)
    ready_branch(campaign, tree.branch_a)
    with clock.frozen(datetime.date(YEAR, 7, 1)):
        html = page(client, tree.reviewer, reverse("scoring:review_queue")).content.decode()
    assert campaign.title in html
    assert "上年度评定" not in html


def test_the_queue_says_ready_for_a_ready_branch_and_what_a_waiting_one_lacks(
    client, campaign, tree
):
    ready_branch(campaign, tree.branch_a)
    factories.assessment(campaign, tree.branch_b)
    response = page(client, tree.reviewer, reverse("scoring:review_queue"))
    html = response.content.decode()
    assert "未开始" not in html
    assert html.count("可以考评") == 2  # the count badge and the ready branch's row
    assert "待支部完成" in html and "自评未提交、测评未结束" in html
    assert response.context["counts"] == (1, 1, 0)


def test_the_home_page_and_the_queue_give_the_same_count(client, campaign, tree):
    ready_branch(campaign, tree.branch_a)
    factories.assessment(campaign, tree.branch_b)
    home = page(client, tree.reviewer, reverse("home")).content.decode()
    counts = page(client, tree.reviewer, reverse("scoring:review_queue")).context["counts"]
    assert counts.to_review == 1
    assert "可以考评的党支部" in home and "另有 1 个党支部尚待自评或测评完成" in home


def test_the_staff_queue_costs_the_same_queries_for_few_or_many_branches(client, campaign, tree):
    """Staff stand in under a general branch without reviewers: every branch is decided
    by the bulk recusal rule, not by a query or two per branch."""
    general = factories.org(OrgKind.GENERAL_BRANCH, parent=tree.committee)

    def queries():
        client.force_login(tree.staff)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("scoring:review_queue"))
        return len(ctx.captured_queries), len(response.context["rows"])

    for _ in range(3):
        ready_branch(campaign, factories.branch(general))
    small = queries()
    for _ in range(20):
        factories.member(factories.branch(general), user=factories.user())
    for branch in general.children.all():
        if not branch.assessments.exists():
            ready_branch(campaign, branch)
    large = queries()
    assert (small[1], large[1]) == (3, 23)
    assert large[0] == small[0]
