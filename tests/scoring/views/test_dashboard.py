"""The dashboard's tabs and its export (scoring/views/dashboard.py), as each role sees them."""

import io
import re

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches.models import OrgKind
from scoring.models import ExportJob, QuotaMode, Rating
from scoring.services import dashboard, exports
from scoring.services.recompute import recompute_campaign
from tests import factories
from tests.factories import ready_branch
from tests.scoring.services.test_dashboard import World

URL = reverse("scoring:dashboard")
EXPORT = reverse("scoring:dashboard_export")
#: Each tab (D-7qs): its slug (None: the dashboard's own address, progress) and its sections.
TABS = {
    None: ("progress-by-parent",),
    "stars": ("star-distribution", "star-trend", "comparison"),
    "ranking": ("ranking",),
    "gaps": ("gaps",),
}


def url_of(tab=None):
    return reverse("scoring:dashboard", args=[tab] if tab else [])


@pytest.fixture
def world(tree):
    return World(tree)


def page(client, user, tab=None, **query):
    client.force_login(user)
    response = client.get(url_of(tab), query)
    assert response.status_code == 200
    return response


def ranking(client, user, **query):
    return page(client, user, "ranking", **query)


def gap_list(client, user, **query):
    return page(client, user, "gaps", **query)


def ranked_codes(response):
    return [a.branch.code for _rank, a, _missing in response.context["ranked"]]


def gap_codes(response):
    return [a.branch.code for a, _gap in response.context["gaps"]]


# --- Who may see it ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "reviewer"])
@pytest.mark.parametrize("tab", list(TABS))
def test_staff_and_reviewers_see_each_tab_and_only_its_sections(client, tree, world, role, tab):
    response = page(client, getattr(tree, role), tab)
    html = response.content.decode()
    for shown, sections in TABS.items():
        for section in sections:
            assert (f'id="{section}"' in html) is (shown == tab), (tab, section)
    assert response.context["campaign"] == world.campaign, "the latest campaign by default"
    tabs = re.search(r'<ul class="nav nav-tabs mb-3" id="dashboard-tabs">.*?</ul>', html, re.S)
    links = re.findall(r'<a class="nav-link( active" aria-current="page)?" href="([^"]+)"', tabs[0])
    assert [href for _active, href in links] == [
        f"{url_of(other)}?campaign={world.campaign.pk}" for other in TABS
    ], "every tab linked, for the campaign shown"
    assert [href for active, href in links if active] == [
        f"{url_of(tab)}?campaign={world.campaign.pk}"
    ]


def test_an_unknown_tab_is_not_found(client, tree, world):
    client.force_login(tree.staff)
    assert client.get(url_of("progress")).status_code == 404
    assert client.get(url_of("nothing")).status_code == 404


@pytest.mark.parametrize(
    ("query", "tab"),
    [
        ("star=4&page=2", "ranking"),
        ("campaign=1&status=rated&margin=", "ranking"),
        ("q=%E7%AC%AC", "ranking"),
        ("campaign=1&parent=&star=&status=&q=&margin=12.5", "gaps"),
    ],
)
def test_a_link_from_before_the_tabs_goes_to_its_tab(client, tree, world, query, tab):
    client.force_login(tree.staff)
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 302
    assert response["Location"] == f"{url_of(tab)}?{query}", "the query kept"


def test_the_progress_tabs_own_links_stay(client, tree, world):
    client.force_login(tree.staff)
    for query in ("", f"?campaign={world.campaign.pk}", "?campaign=&margin=&q="):
        assert client.get(f"{URL}{query}").status_code == 200, query


@pytest.mark.parametrize("role", ["secretary", "approver", "rereviewer", "nobody"])
def test_other_roles_are_refused(client, tree, world, role):
    client.force_login(getattr(tree, role))
    for tab in TABS:
        assert client.get(url_of(tab)).status_code == 403
    assert client.post(EXPORT).status_code == 403
    assert not ExportJob.objects.exists()


def test_anonymous_is_sent_to_login(client, world):
    for response in (*(client.get(url_of(tab)) for tab in TABS), client.post(EXPORT)):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_navbar_links_the_dashboard_for_staff_and_reviewers_only(client, tree, world):
    link = f'href="{URL}"'
    for user, shown in ((tree.staff, True), (tree.reviewer, True), (tree.secretary, False)):
        client.force_login(user)
        assert (link in client.get(reverse("home")).content.decode()) is shown


@pytest.mark.parametrize("tab", list(TABS))
def test_the_navbar_marks_the_dashboard_on_each_tab(client, tree, world, tab):
    html = page(client, tree.staff, tab).content.decode()
    assert f'<a class="nav-link active" href="{URL}">' in html


def test_a_reviewer_sees_only_its_own_branches(client, tree, world):
    progress = page(client, tree.reviewer)
    assert [row.code for row in progress.context["rows"]] == [tree.party_committee.code]
    stars = page(client, tree.reviewer, "stars")
    assert [row.code for row in stars.context["rows"]] == [tree.party_committee.code]
    ranked = ranking(client, tree.reviewer)
    assert set(ranked_codes(ranked)) == {tree.branch_a.code, tree.branch_b.code, world.c.code}
    gaps = gap_list(client, tree.reviewer)
    assert gap_codes(gaps) == [tree.branch_a.code]
    for response in (progress, stars, ranked, gaps):
        html = response.content.decode()
        for other in (world.d, world.e, tree.direct, world.p2):
            assert other.name not in html


@pytest.mark.parametrize("tab", list(TABS))
def test_no_campaign_yet_is_an_empty_page(client, tree, tab):
    response = page(client, tree.staff, tab)
    assert response.context["campaign"] is None
    html = response.content.decode()
    assert "尚无已开启的评定活动。" in html and 'id="dashboard-tabs"' not in html


# --- What it shows -------------------------------------------------------------------------


def test_the_progress_table_shows_each_parents_figures(client, tree, world):
    html = page(client, tree.staff).content.decode()
    row = re.search(rf'<tr data-parent="{tree.party_committee.code}">(.*?)</tr>', html, re.S)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row.group(1))
    # taking part, sheets submitted, surveys open, closed, participation, reviews, audits
    assert cells == ["3", "3", "1", "2", "86%", "2", "0 / 0"]
    assert "测评未结束 × 1" in row.group(1) and "考评未提交 × 1" in row.group(1)
    assert "尚有 1 个党支部材料未齐，暂不能发布公示。" in html


def test_the_charts_are_images_with_chinese_labels(client, tree, world):
    html = page(client, tree.staff, "stars").content.decode()
    narrow = re.findall(r'<img class="dashboard-chart" src="([^"]+)"', html)
    wide = re.findall(r'<source media="\(min-width: 576px\)" srcset="([^"]+)"', html)
    assert len(narrow) == len(wide) == 3, "three charts, each wide and narrow"
    assert "data:" not in html, "no chart drawn into the page (D-7pa)"
    svgs = []
    for url in [*wide, *narrow]:
        response = client.get(url.replace("&amp;", "&"))
        assert response.status_code == 200 and response["Content-Type"].startswith("image/svg")
        svgs.append(response.content.decode())
    assert "五星级" in svgs[0] and "不定星级" in svgs[0] and "五星级" in svgs[3]
    assert str(factories.YEAR - 1) in svgs[1]
    assert world.p2.name in svgs[2] and "平均分" in svgs[2] and world.p2.name in svgs[5]
    assert all("Noto Sans CJK SC" in svg for svg in svgs)


@pytest.mark.parametrize("tab", list(TABS))
def test_no_tab_has_inline_script_or_style(client, tree, world, tab):
    html = page(client, tree.staff, tab).content.decode()
    assert "style=" not in html
    assert "<style" not in html
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []


def test_the_trend_table_counts_each_year(client, tree, world):
    response = page(client, tree.staff, "stars")
    years = dict(response.context["trend_rows"])
    assert list(years) == [factories.YEAR - 1, factories.YEAR]
    assert sum(years[factories.YEAR]) == 5 and sum(years[factories.YEAR - 1]) == 2


def test_a_campaign_is_chosen(client, tree, world):
    response = ranking(client, tree.staff, campaign=world.last.pk)
    assert response.context["campaign"] == world.last
    assert len(ranked_codes(response)) == 2
    html = response.content.decode()
    assert f'href="{URL}?campaign={world.last.pk}"' in html, "the tabs keep the campaign"


# --- Filters, search and bad input --------------------------------------------------------


def test_the_ranking_is_filtered_and_searched(client, tree, world):
    assert ranked_codes(ranking(client, tree.staff, status="incomplete")) == [world.c.code]
    assert ranked_codes(ranking(client, tree.staff, q="第四")) == [world.d.code]
    assert ranked_codes(ranking(client, tree.staff, q=world.e.code)) == [world.e.code]
    by_parent = ranking(client, tree.staff, parent=world.p2.pk)
    assert set(ranked_codes(by_parent)) == {world.d.code, world.e.code}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"star": "9"}, "请从列出的星级中选择。"),
        ({"status": "bogus"}, "请从列出的状态中选择。"),
        ({"parent": "999999"}, "请从列出的上级党组织中选择。"),
        ({"parent": "abc"}, "请从列出的上级党组织中选择。"),
        ({"campaign": "abc"}, "请从列出的评定活动中选择。"),
        ({"q": "x" * 51}, "最多"),
    ],
)
def test_a_bad_filter_is_a_message_and_is_ignored(client, tree, world, query, message):
    response = ranking(client, tree.staff, **query)
    html = response.content.decode()
    assert 'id="filter-errors"' in html and message in html
    assert len(ranked_codes(response)) == 6, "the filter is not applied"


def test_a_reviewer_cannot_filter_on_another_parent(client, tree, world):
    response = ranking(client, tree.reviewer, parent=world.p2.pk)
    assert "请从列出的上级党组织中选择。" in response.content.decode()
    assert world.d.code not in ranked_codes(response)


def test_the_parent_filter_lists_the_parents_of_the_users_branches(client, tree, world):
    empty = factories.org(OrgKind.GENERAL_BRANCH, parent=tree.committee, name="无支部的总支")

    def listed(user):
        html = ranking(client, user).content.decode()
        select = re.search(r'<select name="parent".*?</select>', html, re.S).group(0)
        return re.findall(r'<option value="(\d+)"', select)

    staff = [tree.committee, tree.party_committee, world.p2]
    assert listed(tree.staff) == [str(o.pk) for o in sorted(staff, key=lambda o: o.code)]
    assert str(empty.pk) not in listed(tree.staff), "no branch under it"
    assert listed(tree.reviewer) == [str(tree.party_committee.pk)]


def test_a_bad_page_number_shows_a_ranking(client, tree, world):
    assert ranked_codes(ranking(client, tree.staff, page="abc"))


def test_the_ranking_pages_by_fifty(client, tree, campaign):
    for _ in range(51):
        ready_branch(campaign, factories.branch(tree.party_committee), review_total=80)
    first = ranking(client, tree.staff)
    assert len(ranked_codes(first)) == 50
    second = ranking(client, tree.staff, page=2)
    assert len(ranked_codes(second)) == 1
    assert second.context["ranked"][0][0] == 51


def test_the_gap_list_pages_by_fifty_with_its_count(client, tree, campaign):
    for _ in range(51):
        ready_branch(
            campaign, factories.branch(tree.party_committee), self_total=95, review_total=80
        )
    first = gap_list(client, tree.staff)
    assert len(gap_codes(first)) == 50
    html = first.content.decode()
    assert re.search(r'<span id="gap-count">\s*51 个党支部\s*</span>', html)
    second = gap_list(client, tree.staff, page=2, margin="10")
    assert len(gap_codes(second)) == 1
    assert "margin=10&amp;page=1" in second.content.decode(), "the pager keeps the margin"


# --- The gap list --------------------------------------------------------------------------


def test_the_gap_list_uses_a_margin_of_ten_by_default(client, tree, world):
    response = gap_list(client, tree.staff)
    assert gap_codes(response) == [tree.branch_a.code, world.e.code]
    gaps = [str(gap) for _a, gap in response.context["gaps"]]
    assert gaps == ["15.00", "10.50"]
    assert "高出 10 分以上" in response.content.decode()


def test_the_gap_list_takes_a_margin(client, tree, world):
    assert gap_codes(gap_list(client, tree.staff, margin="10.5")) == [tree.branch_a.code]
    assert gap_codes(gap_list(client, tree.staff, margin="0")) == [tree.branch_a.code, world.e.code]


@pytest.mark.parametrize("margin", ["abc", "-1", "150", "1.234", "１０"])
def test_a_bad_margin_is_a_chinese_message_and_the_default_applies(client, tree, world, margin):
    response = gap_list(client, tree.staff, margin=margin)
    html = response.content.decode()
    assert "差距须为 0 到 100 之间的分数。" in html or "差距最多保留两位小数。" in html
    assert gap_codes(response) == [tree.branch_a.code, world.e.code]


# --- The export ----------------------------------------------------------------------------


def exported(client, user, **query):
    """The page's filters posted to the export, its job run (D-6z), the file downloaded."""
    client.force_login(user)
    response = client.post(EXPORT, query)
    job = ExportJob.objects.get(requested_by=user)
    assert response["Location"] == reverse("scoring:export_job", args=[job.pk])
    exports.run_job(job.pk)
    response = client.get(reverse("scoring:export_download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return book


def sheet_rows(book):
    return list(book.worksheets[0].iter_rows(values_only=True))


def test_the_export_holds_exactly_the_filtered_rows(client, tree, world):
    book = exported(client, tree.staff, status="rated", parent=tree.party_committee.pk)
    header, *rows = sheet_rows(book)
    assert header[:3] == ("名次", "组织", "代码")
    expected = dashboard.ranking(
        dashboard.scope(tree.staff, world.campaign),
        parent=tree.party_committee,
        status=dashboard.RATED,
    )
    assert [row[2] for row in rows] == [a.branch.code for a in expected]
    for row, assessment in zip(rows, expected, strict=True):
        rating = Rating.objects.get(assessment=assessment)
        assert row[1] == assessment.branch.name
        assert row[3] == tree.party_committee.name
        assert float(row[7]) == float(rating.score)
        assert row[9] == rating.star
    conditions = dict(book.worksheets[1].iter_rows(values_only=True))
    assert conditions["上级党组织"] == tree.party_committee.name
    assert conditions["状态"] == "已评定"


def test_the_export_spans_every_page(client, tree, campaign):
    for _ in range(55):
        ready_branch(campaign, factories.branch(tree.party_committee), review_total=80)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    _header, *rows = sheet_rows(exported(client, tree.staff))
    assert len(rows) == 55
    assert [row[0] for row in rows] == list(range(1, 56))


def test_a_reviewers_export_holds_its_own_branches(client, tree, world):
    _header, *rows = sheet_rows(exported(client, tree.reviewer))
    assert {row[2] for row in rows} == {tree.branch_a.code, tree.branch_b.code, world.c.code}
    unrated = [row for row in rows if row[2] == world.c.code]
    assert unrated[0][0] is None and unrated[0][10] == "材料未齐"


def test_an_export_with_a_bad_filter_is_refused_with_the_message(client, tree, world):
    client.force_login(tree.staff)
    response = client.post(EXPORT, {"star": "9"}, follow=True)
    assert response.redirect_chain[-1][0].startswith(url_of("ranking")), "back to the ranking"
    assert "请从列出的星级中选择。" in response.content.decode()


# --- The query count -----------------------------------------------------------------------


def _grow(tree, count):
    campaign = factories.campaign(tree.committee, quota_mode=QuotaMode.OFF)
    parents = [tree.party_committee, factories.org("party_committee", parent=tree.committee)]
    for i in range(count):
        branch = factories.branch(parents[i % 2])
        ready_branch(campaign, branch, self_total=95, review_total=70 + i % 25)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    return campaign


def _queries(client, user, tab=None, **query):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url_of(tab), query).status_code == 200
    return len(queries)


#: Each tab's queries, whatever the number of branches (D-7qs): session, user, roles,
#: the campaigns (once, for the drop-down and the default, D-7qh) and the filter's
#: parents, then the tab's own — progress: the parents' rows, their unspent slips and
#: names, the recompute check's two (and a reviewer's completeness: staff's is the
#: rows'); stars: the rows, the unspent slips, the names, the trend, completeness;
#: ranking: the rows (no unspent slips), the names, completeness, the keys of the
#: page's parts and its rows; gaps: the count, the page's keys and its rows.
PINNED = {None: 10, "stars": 10, "ranking": 11, "gaps": 8}


@pytest.mark.parametrize("role", ["staff", "reviewer"])
@pytest.mark.parametrize("tab", list(TABS))
def test_the_query_count_does_not_grow_with_the_branches(
    client, tree, role, tab, django_assert_max_num_queries
):
    user = getattr(tree, role)
    campaign = _grow(tree, 4)
    small = _queries(client, user, tab, campaign=campaign.pk)
    for i in range(40):
        ready_branch(campaign, factories.branch(tree.party_committee), review_total=60 + i)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    large = _queries(client, user, tab, campaign=campaign.pk)
    assert large == small
    assert large == PINNED[tab] + (role == "reviewer" and tab is None), (tab, role)


def test_a_search_in_the_ranking_is_counted_by_its_own_query(
    client, tree, django_assert_max_num_queries
):
    campaign = _grow(tree, 4)
    client.force_login(tree.staff)
    # The pager counts a search (and the status filters the rows do not split) instead of
    # the parents' rows: no more queries than the ranking's own.
    for filters in ({"status": "rated", "q": "组织"}, {"status": "incomplete"}):
        with django_assert_max_num_queries(PINNED["ranking"]):
            client.get(url_of("ranking"), {"campaign": campaign.pk, **filters})
