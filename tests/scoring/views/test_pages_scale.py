"""The pages that list a whole campaign do not grow with it (docs/nonfunctional.md §7,
issue #20 item 3): the results page, the dashboard's four tabs (D-7qs) and its charts (each
an SVG response of its own, D-7pa), the review and audit queues and the branch page take the
same number of queries, and send about the same number of bytes, for a campaign of 30
branches and one of 90.

The page sizes are set to 5 here so that both campaigns fill every list's first page
(at 50 rows a 30-branch campaign would show fewer rows, and the sizes could not be
compared); bench/bench_pages.py measures the real sizes at 5,000 and 20,000 branches.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from scoring.models import AuditStatus, Survey
from scoring.services import dashboard as dashboard_service
from scoring.services import recompute, results
from scoring.services import reviews as reviews_service
from scoring.views import dashboard as dashboard_view
from scoring.views import reviews as reviews_view
from tests import factories
from tests.factories import ready_branch

SMALL, LARGE = 30, 90
PAGE = 5


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    monkeypatch.setattr(results, "PER_PAGE", PAGE)
    monkeypatch.setattr(reviews_service, "QUEUE_PAGE_SIZE", PAGE)
    monkeypatch.setattr(reviews_view, "AUDIT_PAGE_SIZE", PAGE)
    monkeypatch.setattr(dashboard_view, "PAGE_SIZE", PAGE)


def add_branches(campaign, tree, start, stop):
    """Branches of every kind the pages list: missing a review, missing everything, a
    five-star proposal waiting for its audit, rated (some under 80 % participation, some
    proposed five stars and agreed)."""
    for i in range(start, stop):
        kind = i % 6
        # Directly managed (staff review them): half the kinds, so that staff's queue
        # fills its first page at 30 branches too.
        parent = tree.committee if kind in (0, 1, 5) else tree.party_committee
        branch = factories.branch(parent, name=f"党支部{i:03d}", code=f"S{i:03d}")
        if kind == 0:
            ready_branch(campaign, branch)
        elif kind == 1:
            factories.assessment(campaign, branch)
        elif kind == 2:
            ready_branch(campaign, branch, review_total=99, audit=AuditStatus.PENDING)
        elif kind == 3:
            made = ready_branch(campaign, branch, review_total=70, self_total=95)
            # 10 of 20 voted: closed by staff's override, as `close_survey` records it.
            Survey.objects.filter(assessment=made).update(
                electorate=20, close_override_reason="停电，补投无法完成"
            )
        elif kind == 4:
            ready_branch(campaign, branch, review_total=99, audit=AuditStatus.AGREED)
        else:
            ready_branch(campaign, branch, review_total=80 + i % 10)


def pages(campaign, tree):
    first = (
        campaign.assessments.filter(branch__parent=tree.party_committee)
        .order_by("branch__code")
        .first()
    )
    query = f"?campaign={campaign.pk}"
    board, stars, ranking, gaps = (
        reverse("scoring:dashboard", args=[tab] if tab else []) + query
        for tab in (None, "stars", "ranking", "gaps")
    )
    results_url = reverse("scoring:campaign_results", args=[campaign.pk])
    branch_page = reverse("scoring:assessment", args=[first.pk])
    return {
        "results, page 1": (tree.staff, results_url),
        "results, page 2 of each list": (
            tree.staff,
            f"{results_url}?page=2&missing=2&moves=2",
        ),
        "results, approver": (tree.approver, results_url),
        # The dashboard's tabs (D-7qs).
        **{
            f"dashboard {tab}, {role}": (getattr(tree, role), url)
            for tab, url in (
                ("progress", board),
                ("stars", stars),
                ("ranking", ranking),
                ("gaps", gaps),
            )
            for role in ("staff", "reviewer")
        },
        "dashboard ranking, page 2, incomplete": (
            tree.staff,
            f"{ranking}&status={dashboard_service.INCOMPLETE}&page=2",
        ),
        "dashboard gaps, page 2": (tree.staff, f"{gaps}&page=2"),
        # The dashboard's charts, each its own SVG response (D-7pa).
        **{
            f"dashboard chart {chart}, {size}, {role}": (
                getattr(tree, role),
                reverse("scoring:dashboard_chart", args=[chart, size]) + f"?campaign={campaign.pk}",
            )
            for chart in dashboard_view.CHARTS
            for size in dashboard_view.CHART_SIZES
            for role in ("staff", "reviewer")
        },
        "review queue, reviewer": (tree.reviewer, reverse("scoring:review_queue")),
        "review queue, staff": (tree.staff, reverse("scoring:review_queue")),
        "audit queue": (tree.staff, reverse("scoring:audit_queue")),
        "branch page, staff": (tree.staff, branch_page),
        "branch page, reviewer": (tree.reviewer, branch_page),
    }


def measure(client, campaign, tree):
    """{page: (queries, bytes)}."""
    recompute.recompute_campaign(campaign=campaign, actor=tree.staff)
    campaign.refresh_from_db()
    measured = {}
    for name, (user, url) in pages(campaign, tree).items():
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, name
        measured[name] = (len(captured.captured_queries), len(response.content))
    return measured


@pytest.fixture
def two_sizes(client, campaign, tree):
    with translation.override("zh-hans"):
        add_branches(campaign, tree, 0, SMALL)
        small = measure(client, campaign, tree)
        add_branches(campaign, tree, SMALL, LARGE)
        large = measure(client, campaign, tree)
    return small, large


def test_every_page_takes_the_same_queries_at_30_and_90_branches(two_sizes):
    small, large = two_sizes
    assert {name: q for name, (q, _b) in large.items()} == {
        name: q for name, (q, _b) in small.items()
    }


def test_every_page_sends_about_the_same_bytes_at_30_and_90_branches(two_sizes):
    small, large = two_sizes
    for name, (_q, size) in large.items():
        if "page 2" in name:
            continue  # at 30 branches the quota moves' second page is not full
        # Three times the branches; only counts, names and page numbers grow a little.
        assert size < small[name][1] * 1.15, (name, small[name][1], size)


@pytest.mark.parametrize(
    "name",
    [
        "results, page 1",
        "dashboard progress, staff",
        "dashboard stars, reviewer",
        "dashboard ranking, staff",
        "dashboard gaps, staff",
        "dashboard chart distribution, wide, staff",
        "dashboard chart trend, narrow, reviewer",
        "dashboard chart comparison, wide, staff",
        "review queue, reviewer",
        "audit queue",
        "branch page, staff",
    ],
)
def test_the_query_count_is_pinned_at_90_branches(
    client, campaign, tree, two_sizes, name, django_assert_num_queries
):
    small, _large = two_sizes
    user, url = pages(campaign, tree)[name]
    client.force_login(user)
    with django_assert_num_queries(small[name][0]):
        assert client.get(url).status_code == 200


def test_the_lists_are_paged_and_counted_whole(client, campaign, tree):
    with translation.override("zh-hans"):
        add_branches(campaign, tree, 0, LARGE)
        recompute.recompute_campaign(campaign=campaign, actor=tree.staff)
        campaign.refresh_from_db()
        client.force_login(tree.staff)
        url = reverse("scoring:campaign_results", args=[campaign.pk])
        response = client.get(url, {"missing": 2, "moves": 2})
    progress, quota = response.context["progress"], response.context["quota"]
    sixth = LARGE // 6  # of each kind
    # Kinds 0, 1 and 2 lack something.
    assert (progress.enrolled, progress.missing_count) == (LARGE, 3 * sixth)
    assert progress.missing.number == 2 and len(progress.missing) == PAGE
    assert progress.missing.paginator.num_pages == 3 * sixth // PAGE
    assert [row.assessment.branch.code for row in progress.missing] == sorted(
        row.assessment.branch.code for row in progress.missing
    )
    # self-evaluation, survey, review, audit (recompute.MISSING_LABELS' order)
    assert [n for _label, n in progress.counts] == [sixth, sixth, 2 * sixth, sixth]
    assert progress.low_participation_count == sixth
    assert len(progress.low_participation) == PAGE
    everything = results.QuotaCheck.of(campaign)
    assert quota.adjusted_count == len(everything.adjusted) > PAGE
    assert quota.adjusted == everything.adjusted[PAGE : 2 * PAGE]
    html = response.content.decode()
    assert "missing=3" in html and "missing=1" in html  # the missing list's pager
    assert "moves=3" in html and "moves=1" in html  # the quota moves' pager
    assert "page=2" in html  # the ranking's pager keeps its own place


def test_the_missing_list_and_low_participation_follow_the_recompute_rule(campaign, tree):
    """The database counts agree with `recompute.gather`, branch by branch."""
    add_branches(campaign, tree, 0, SMALL)
    figures = recompute.gather(campaign)
    progress = results.Progress.of(campaign, page=1)
    expected = sorted(f.assessment.branch.code for f in figures if f.missing)
    assert progress.missing_count == len(expected)
    assert [row.assessment.branch.code for row in progress.missing] == expected[:PAGE]
    for row in progress.missing:
        (figure,) = [f for f in figures if f.assessment.pk == row.assessment.pk]
        assert row.missing_labels == figure.missing_labels
    for code, label in recompute.MISSING_LABELS.items():
        assert (label, sum(1 for f in figures if code in f.missing)) in progress.counts
    low = sorted(
        f.assessment.branch.code for f in figures if f.survey_closed and f.participation_low
    )
    assert [a.branch.code for a in progress.low_participation] == low[:PAGE]
    assert progress.low_participation_count == len(low)


def test_the_review_queue_pages_in_the_queue_order(client, campaign, tree):
    add_branches(campaign, tree, 0, SMALL)
    whole = reviews_service.review_queue(tree.reviewer)
    page, counts = reviews_service.queue_page(tree.reviewer, 2)
    assert [row.assessment.pk for row in page] == [
        row.assessment.pk for row in whole[PAGE : 2 * PAGE]
    ]
    assert counts == reviews_service.QueueCounts.of(whole)
    assert [row.state for row in whole] == sorted(
        (row.state for row in whole), key=reviews_service._ORDER.get
    )
