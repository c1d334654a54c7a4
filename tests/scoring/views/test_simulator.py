"""The policy simulator's pages (docs/rules.md, "The policy simulator"): staff only, GET
only, the moved list sorted and paged, the workbook read back, bad input refused in
Chinese with nothing saved."""

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from scoring.models import Campaign, Rating
from scoring.services.recompute import recompute_campaign
from tests import factories
from tests.factories import ready_branch
from tests.scoring.services.test_recompute import build_key_campaign

CJK = re.compile("[\u4e00-\u9fff]")


def form(campaign, **changes) -> dict:
    """The simulator's query for the campaign's own policy with `changes` (as typed)."""
    data = {
        "weight_self": "20",
        "weight_survey": "30",
        "weight_review": "50",
        "band_5": "90",
        "band_4": "80",
        "band_3": "70",
        "band_2": "60",
        "band_1": "50",
        "five_star_share": "10",
        "low_share": "10",
        "quota_mode": "enforce",
    }
    data.update(changes)
    return data


@pytest.fixture
def rated(campaign, tree):
    build_key_campaign(campaign, tree)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    campaign.refresh_from_db()
    return campaign


def url(campaign, name="scoring:simulator"):
    return reverse(name, args=[campaign.pk])


ROLES = ["secretary", "secretary_b", "reviewer", "approver", "rereviewer", "nobody"]


@pytest.mark.parametrize("name", ["scoring:simulator", "scoring:simulator_export"])
def test_only_staff_may_simulate(client, tree, rated, name):
    assert client.get(url(rated, name)).status_code == 302  # to the login page
    for role in ROLES:
        client.force_login(getattr(tree, role))
        assert client.get(url(rated, name), form(rated)).status_code == 403, role
    client.force_login(tree.staff)
    assert client.get(url(rated, name), form(rated)).status_code == 200


@pytest.mark.parametrize("name", ["scoring:simulator", "scoring:simulator_export"])
def test_the_simulator_takes_no_post(client, tree, rated, name):
    for user in (tree.staff, tree.reviewer):
        client.force_login(user)
        assert client.post(url(rated, name), form(rated)).status_code == 405


def test_an_unknown_campaign_is_404(client, tree):
    client.force_login(tree.staff)
    assert client.get(reverse("scoring:simulator", args=[999999])).status_code == 404


def test_the_form_starts_from_the_campaigns_policy_and_runs_nothing(client, tree, rated):
    rated.band_5 = Decimal(95)
    rated.save()
    client.force_login(tree.staff)
    response = client.get(url(rated))
    assert response.context["simulation"] is None
    assert response.context["form"]["band_5"].value() == "95"
    assert response.context["form"]["weight_self"].value() == "20"  # shown as a percentage


def test_the_own_policy_shows_no_branch_moving(client, tree, rated):
    client.force_login(tree.staff)
    response = client.get(url(rated), form(rated))
    assert response.context["simulation"].moves == []
    assert "此政策下没有党支部改变星级" in response.content.decode()


def test_lower_bands_list_the_moved_branches_with_their_trace_line(client, tree, rated):
    client.force_login(tree.staff)
    response = client.get(url(rated), form(rated, band_5="85", band_4="75", quota_mode="off"))
    simulation = response.context["simulation"]
    assert simulation.moves
    page = response.content.decode()
    for move in simulation.moves:
        assert move.name in page
    assert "按分定星" in page  # the band line, in Chinese, through the note filter
    assert "simulator.xlsx?" in page


def test_the_moved_list_sorts_by_each_column(client, tree, rated):
    client.force_login(tree.staff)
    changes = {"band_5": "85", "band_4": "75", "band_3": "65", "quota_mode": "off"}
    keys = {
        "name": lambda m: (m.name, m.code),
        "from": lambda m: (m.from_star, m.to_star, m.name, m.code),
        "to": lambda m: (m.to_star, m.from_star, m.name, m.code),
        "delta": lambda m: (m.delta, m.name, m.code),
    }
    for column, key in keys.items():
        for descending in (False, True):
            sort = f"-{column}" if descending else column
            response = client.get(url(rated), {**form(rated, **changes), "sort": sort})
            shown = list(response.context["page"].object_list)
            assert shown == sorted(shown, key=key, reverse=descending), sort
            assert response.context["sort"] == sort
    response = client.get(url(rated), {**form(rated, **changes), "sort": "<script>"})
    assert response.context["sort"] == "name"


def test_the_moved_list_shows_50_a_page(client, tree, campaign):
    for i in range(55):
        ready_branch(campaign, factories.branch(tree.party_committee), review_total=75 + i % 5)
    client.force_login(tree.staff)
    query = form(campaign, band_3="80", band_2="70", band_1="60", band_4="85", band_5="95")
    query["quota_mode"] = "off"
    first = client.get(url(campaign), query)
    assert len(first.context["simulation"].moves) == 55
    assert len(first.context["page"].object_list) == 50
    second = client.get(url(campaign), {**query, "page": "2"})
    assert len(second.context["page"].object_list) == 5
    assert "page=2" in first.content.decode()


def test_the_page_query_count_does_not_grow_with_branches(
    client, tree, campaign, django_assert_max_num_queries
):
    for i in range(60):
        ready_branch(campaign, factories.branch(tree.party_committee), review_total=60 + i % 30)
    client.force_login(tree.staff)
    with django_assert_max_num_queries(25):
        response = client.get(url(campaign), form(campaign, band_4="75", quota_mode="warn"))
    assert response.context["simulation"].moves


def test_the_workbook_holds_every_moved_branch_in_the_pages_order(client, tree, rated):
    client.force_login(tree.staff)
    query = {**form(rated, band_5="85", band_4="75", quota_mode="off"), "sort": "-delta"}
    page = client.get(url(rated), query).context["simulation"]
    response = client.get(url(rated, "scoring:simulator_export"), query)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert book.sheetnames == ["变动的党支部", "数字", "政策"]
    rows = list(book["变动的党支部"].iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == [m.code for m in page.sorted_moves("-delta")]
    for row, move in zip(rows[1:], page.sorted_moves("-delta"), strict=True):
        assert Decimal(str(row[6])) == move.to_score
        assert "按分定星" in row[8]


def test_a_workbook_of_a_bad_policy_is_refused_with_a_message(client, tree, rated):
    client.force_login(tree.staff)
    response = client.get(url(rated, "scoring:simulator_export"), form(rated, weight_self="90"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response.context["form"].errors
    assert CJK.search(" ".join(str(m) for m in response.context["messages"]))


def test_a_policy_the_campaign_form_refuses_is_refused_in_chinese(client, tree, rated):
    client.force_login(tree.staff)
    for changes in ({"weight_self": "30"}, {"band_4": "95"}, {"quota_mode": "sometimes"}):
        response = client.get(url(rated), form(rated, **changes))
        assert response.status_code == 200
        assert response.context["simulation"] is None
        errors = response.context["form"].errors
        assert errors and all(CJK.search(m) for ms in errors.values() for m in ms), changes


def test_warn_needs_no_reason_in_a_simulation(client, tree, rated):
    client.force_login(tree.staff)
    response = client.get(url(rated), form(rated, quota_mode="warn"))
    assert response.context["simulation"].tried.quota.mode == "warn"
    assert response.context["simulation"].tried.quota.violations


def test_staff_find_the_simulator_on_the_results_and_campaign_pages(client, tree, rated):
    link = url(rated)
    client.force_login(tree.staff)
    for page in ("scoring:campaign_results", "scoring:campaign_detail"):
        assert link in client.get(reverse(page, args=[rated.pk])).content.decode(), page
    client.force_login(tree.reviewer)
    results = client.get(reverse("scoring:campaign_results", args=[rated.pk]))
    assert link not in results.content.decode()


# --- bad input: never a 500, nothing saved, the message in Chinese ------------------------

BAD = st.one_of(
    st.just(""),
    st.just("9" * 5000),
    st.just("x" * 20_000),
    st.just("\x00"),
    st.just("1\x00"),
    st.just("\u202e05"),
    st.just("１２"),
    st.just("٣٠"),
    st.just("-5"),
    st.just("-0.0001"),
    st.just("NaN"),
    st.just("Infinity"),
    st.just("1e309"),
    st.just("<script>alert(1)</script>"),
    st.just("=1+1"),
    st.just("@SUM(A1)"),
    st.text(max_size=40),
)
FIELDS = [
    "weight_self",
    "weight_survey",
    "weight_review",
    "band_5",
    "band_4",
    "band_3",
    "band_2",
    "band_1",
    "five_star_share",
    "low_share",
    "quota_mode",
    "off",
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(field=st.sampled_from(FIELDS), value=BAD)
def test_bad_input_is_refused_in_chinese_and_saves_nothing(client, tree, rated, field, value):
    client.force_login(tree.staff)
    before = (Rating.objects.count(), Campaign.history.count(), rated.quota_report)
    query = form(rated, **{field: value})
    for name in ("scoring:simulator", "scoring:simulator_export"):
        response = client.get(url(rated, name), query)
        assert response.status_code == 200, (field, value)
    response = client.get(url(rated), query)
    simulation = response.context["simulation"]
    if simulation is None:
        errors = response.context["form"].errors
        assert errors
        assert all(CJK.search(m) for ms in errors.values() for m in ms), errors
        assert "<script>alert" not in response.content.decode()
    rated.refresh_from_db()
    assert before == (Rating.objects.count(), Campaign.history.count(), rated.quota_report)


def test_a_campaign_without_rated_branches_says_there_is_nothing_to_try(client, tree, campaign):
    factories.assessment(campaign, tree.branch_a)  # enrolled, nothing submitted
    client.force_login(tree.staff)
    response = client.get(url(campaign), form(campaign))
    assert response.context["simulation"].rated == 0
    assert "暂无可试算的对象" in response.content.decode()
