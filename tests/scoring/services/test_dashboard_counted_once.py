"""The dashboard reads each figure once (D-7pc, D-7qb): the ranking's parts, the trend's
current year and staff's completeness come from the parents' rows, and equal what their
own queries count; each tab's rows count what it shows, the same as the full rows, and
join nothing else (D-7qs)."""

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
@pytest.mark.parametrize("tab", [None, "stars", "ranking"])
def test_the_tabs_show_the_campaigns_completeness(client, tree, world, role, tab):
    client.force_login(getattr(tree, role))
    url = reverse("scoring:dashboard", args=[tab] if tab else [])
    response = client.get(url, {"campaign": world.campaign.pk})
    assert response.status_code == 200
    shown = response.context["completeness"]
    assert shown == completeness(world.campaign)
    assert (shown.enrolled, shown.complete) == (7, 6)


#: What each kind of rows counts (`parent_rows`' flags), by the figures' names.
COUNTED = {
    "progress": (
        "enrolled",
        "self_submitted",
        "survey_open",
        "survey_closed",
        "reviews_submitted",
        "audits_pending",
        "audits_agreed",
        "complete",
        "missing",
    ),
    "participation": ("enrolled", "electorate", "members_voted", "participation"),
    "stars": ("enrolled", "rated", "high", "mean_score", "stars"),
}


@pytest.mark.parametrize("role", ["staff", "reviewer"])
@pytest.mark.parametrize(
    "flags",
    [
        {"stars": False},  # the progress tab
        {"progress": False},  # the stars tab and the comparison chart
        {"progress": False, "participation": False},  # the ranking tab
    ],
)
def test_each_tabs_rows_count_what_the_full_rows_count(tree, world, role, flags):
    scope = dashboard.scope(getattr(tree, role), world.campaign)
    full = dashboard.parent_rows(scope)
    light = dashboard.parent_rows(scope, **flags)
    assert [row.code for row in light] == [row.code for row in full]
    for kind, names in COUNTED.items():
        if not flags.get(kind, True):
            continue
        assert [[getattr(r, n) for n in names] for r in light] == [
            [getattr(r, n) for n in names] for r in full
        ], kind
    assert any(row.enrolled for row in light)


def test_the_progress_rows_join_no_rating(tree, world):
    with CaptureQueriesContext(connection) as ctx:
        dashboard.parent_rows(dashboard.scope(tree.staff, world.campaign), stars=False)
    assert "scoring_rating" not in ctx.captured_queries[0]["sql"]


def test_the_rankings_rows_read_neither_surveys_nor_slips(tree, world):
    scope = dashboard.scope(tree.staff, world.campaign)
    with CaptureQueriesContext(connection) as ctx:
        dashboard.parent_rows(scope, progress=False, participation=False)
    read = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "scoring_survey" not in read and "scoring_slip" not in read
    assert len(ctx.captured_queries) == 2, "the rows and the parents' names"


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
    parents = [None, tree.party_committee, world.p2]
    split = 0
    for parent, star, status in itertools.product(parents, STARS, STATUSES):
        filters = {"parent": parent, "star": star, "status": status}
        ranked = dashboard.ranking(scope, **filters)
        with CaptureQueriesContext(connection) as ctx:
            parts = dashboard.ranking_parts(ranked, scope, **filters)
        if parts is None:
            assert status not in (None, dashboard.RATED)
            assert not ctx.captured_queries, "nothing read for filters it cannot split"
            continue
        split += len(parts) > 1
        whole = KeysPaginator(ranked, 2)
        paged = PartsPaginator(ranked, 2, parts=parts)
        assert paged.count == whole.count, filters
        for number in whole.page_range:
            assert list(paged.page(number)) == list(whole.page(number)), (filters, number)
    assert split == len(parents)
    assert dashboard.ranking_parts(ranked, scope, search="第") is None


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
