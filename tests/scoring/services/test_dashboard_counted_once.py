"""The dashboard reads each figure once (D-7pc, D-7qb): the ranking's count, the trend's
current year and staff's completeness come from the parents' rows, and equal what their
own queries count."""

import itertools
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scoring.models import Campaign
from scoring.services import dashboard
from scoring.services.recompute import completeness, without_quota_report
from starrating.paging import KeysPaginator, PartsPaginator
from tests import factories
from tests.factories import ready_branch
from tests.scoring.services.test_dashboard import World


@pytest.fixture
def world(tree):
    world = World(tree)
    # Complete after the recompute: to recompute, not rated.
    ready_branch(world.campaign, factories.branch(world.p2), self_total=75, review_total=70)
    return world


STARS = [None, *dashboard.STARS]
STATUSES = [None, dashboard.RATED, dashboard.TO_RECOMPUTE, dashboard.INCOMPLETE]


@pytest.mark.parametrize("role", ["staff", "reviewer"])
def test_the_ranking_count_read_from_the_rows_is_the_rankings_own(tree, world, role):
    user = getattr(tree, role)
    scope = dashboard.scope(user, world.campaign)
    rows = dashboard.parent_rows(scope)
    assert dashboard.totals(rows).to_recompute == (1 if role == "staff" else 0)
    parents = [None, tree.party_committee, world.p2, tree.committee]
    counted = 0
    for parent, star, status in itertools.product(parents, STARS, STATUSES):
        filters = {"parent": parent, "star": star, "status": status}
        n = dashboard.ranked_count(rows, **filters)
        if n is None:
            assert star is not None and status not in (None, dashboard.RATED)
            continue
        assert n == dashboard.ranking(scope, **filters).count(), filters
        counted += 1
    assert counted == len(parents) * (len(STATUSES) + len(STARS[1:]) * 2)
    assert dashboard.ranked_count(rows, search="第") is None


@pytest.mark.parametrize("role", ["staff", "reviewer"])
def test_the_trend_with_the_current_year_counted_is_the_trend(tree, world, role):
    user = getattr(tree, role)
    stars = dashboard.totals(dashboard.parent_rows(dashboard.scope(user, world.campaign))).stars
    whole = dashboard.star_trend(user, world.campaign)
    assert dashboard.star_trend(user, world.campaign, current=stars) == whole
    assert set(whole) == {factories.YEAR - 1, factories.YEAR}


def test_a_campaign_not_rated_yet_has_no_year_in_the_trend(tree, world):
    campaign = factories.campaign(tree.committee, year=factories.YEAR + 1)
    ready_branch(campaign, tree.branch_a, self_total=90, review_total=90)
    trend = dashboard.star_trend(tree.staff, campaign, current={})
    assert trend == dashboard.star_trend(tree.staff, campaign)
    assert factories.YEAR + 1 not in trend


@pytest.mark.parametrize("role", ["staff", "reviewer"])
def test_the_page_shows_the_campaigns_completeness(client, tree, world, role):
    client.force_login(getattr(tree, role))
    response = client.get(reverse("scoring:dashboard"), {"campaign": world.campaign.pk})
    assert response.status_code == 200
    shown = response.context["completeness"]
    assert shown == completeness(world.campaign)
    assert (shown.enrolled, shown.complete) == (7, 6)


@pytest.mark.parametrize("role", ["staff", "reviewer"])
def test_the_comparisons_rows_draw_the_figures_of_the_full_rows(tree, world, role):
    scope = dashboard.scope(getattr(tree, role), world.campaign)
    full = dashboard.parent_rows(scope)
    light = dashboard.parent_rows(scope, progress=False)
    drawn = ("code", "name", "participation", "high_percent", "mean_score", "rated", "high")
    assert [[getattr(r, n) for n in drawn] for r in light] == [
        [getattr(r, n) for n in drawn] for r in full
    ]
    assert any(row.members_voted for row in light)


def test_the_comparisons_rows_join_neither_sheets_nor_reviews(tree, world):
    with CaptureQueriesContext(connection) as ctx:
        dashboard.parent_rows(dashboard.scope(tree.staff, world.campaign), progress=False)
    aggregate = ctx.captured_queries[0]["sql"]
    assert "scoring_selfevaluation" not in aggregate and "scoring_review" not in aggregate


@pytest.mark.parametrize("role", ["staff", "reviewer"])
def test_the_ranking_read_by_parts_pages_as_the_whole_list(tree, world, role):
    scope = dashboard.scope(getattr(tree, role), world.campaign)
    rows = dashboard.parent_rows(scope)
    parents = [None, tree.party_committee, world.p2]
    split = 0
    for parent, star, status in itertools.product(parents, STARS, STATUSES):
        filters = {"parent": parent, "star": star, "status": status}
        ranked = dashboard.ranking(scope, **filters)
        parts = dashboard.ranking_parts(ranked, rows, **filters)
        if parts is None:
            assert status not in (None, dashboard.RATED)
            continue
        split += len(parts) > 1
        whole = KeysPaginator(ranked, 2)
        paged = PartsPaginator(ranked, 2, parts=parts)
        assert paged.count == whole.count, filters
        for number in whole.page_range:
            assert list(paged.page(number)) == list(whole.page(number)), (filters, number)
    assert split == len(parents)
    assert dashboard.ranking_parts(ranked, rows, search="第") is None


def test_a_campaign_read_without_its_quota_report_has_the_same_completeness(tree, world):
    light = without_quota_report(Campaign.objects.filter(pk=world.campaign.pk)).get()
    assert world.campaign.quota_report["total"] == 5
    with CaptureQueriesContext(connection) as ctx:
        shown = completeness(light, enrolled=7, complete=6)
    assert not ctx.captured_queries, "the total was read with the row"
    assert shown == completeness(world.campaign, enrolled=7, complete=6)
    assert shown.counted == 5


def test_the_dashboard_never_reads_a_whole_quota_report(client, tree, world):
    client.force_login(tree.staff)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("scoring:dashboard"), {"campaign": world.campaign.pk})
    assert response.status_code == 200
    read = [q["sql"] for q in ctx.captured_queries if "quota_report" in q["sql"]]
    assert read, "its total is read"
    # The column itself is never selected, only the total inside it: (…"quota_report"…).
    whole = re.compile(r'(?<!\()"scoring_campaign"\."quota_report"')
    assert not [sql for sql in read if whole.search(sql)]
