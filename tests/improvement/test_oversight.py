"""The oversight lists (docs/process.md §2.2): every branch's plan and ledger progress for
the parents (their branches) and staff (all), filtered by parent and category, 50 a page
in a fixed number of queries; the focused-rectification list holds one star or none."""

import datetime

import pytest
from django.urls import reverse

from improvement.models import Category, ItemStatus, PlanStatus
from improvement.services import oversight
from scoring.models import StarCause, StarChange
from scoring.services.publicity import current_star
from starrating import clock
from tests import factories

TODAY = clock.today()


def give_star(branch, star, actor, effective=TODAY):
    StarChange.objects.create(
        branch=branch,
        effective=effective,
        to_star=star,
        cause=StarCause.APPROVAL,
        actor=actor,
        recorded_at=clock.now(),
    )


@pytest.fixture
def many(tree, campaign):
    """Branches of stars 5, 4, 1 and none (A, B, direct, and one more), each with a plan."""
    extra = factories.branch(tree.party_committee, name="第三党支部")
    give_star(tree.branch_a, 5, tree.approver)
    give_star(tree.branch_b, 4, tree.approver)
    give_star(tree.direct, 3, tree.approver, effective=TODAY - datetime.timedelta(days=30))
    give_star(tree.direct, 1, tree.approver)  # the latest change counts
    plans = {}
    for branch in (tree.branch_a, tree.branch_b, tree.direct, extra):
        plans[branch] = factories.plan(campaign, branch, status=PlanStatus.FILED)
        factories.ledger_item(plans[branch])
        factories.ledger_item(plans[branch], status=ItemStatus.CLOSED)
    factories.ledger_item(plans[tree.direct], due=TODAY - datetime.timedelta(days=1))
    return extra


def rows(user, **filters):
    return {row.name: row for row in oversight(user, year=factories.YEAR, **filters)}


def test_the_rows_carry_the_star_and_the_ledgers_progress(tree, many):
    found = rows(tree.staff)
    assert {name: row.star for name, row in found.items()} == {
        "第一党支部": 5,
        "第二党支部": 4,
        "直属党支部": 1,
        "第三党支部": None,
    }
    direct = found["直属党支部"]
    assert (direct.items_open, direct.items_closed, direct.items_overdue) == (2, 1, 1)
    assert (direct.plan_status, direct.plan_target) == ("filed", 3)


def test_the_star_is_the_rule_of_current_star(tree, many):
    for row in oversight(tree.staff, year=factories.YEAR):
        assert row.star == current_star(row)


def test_the_parent_sees_its_branches_only(tree, many):
    assert set(rows(tree.reviewer)) == {"第一党支部", "第二党支部", "第三党支部"}


@pytest.mark.parametrize(
    ("category", "names"),
    [
        (Category.CONSOLIDATE, {"第一党支部"}),
        (Category.FILL_GAPS, {"第二党支部"}),
        (Category.FOCUSED, {"直属党支部", "第三党支部"}),
    ],
)
def test_the_category_filter(tree, many, category, names):
    assert set(rows(tree.staff, category=category)) == names


def test_the_parent_filter(tree, many):
    assert set(rows(tree.staff, parent=tree.committee)) == {"直属党支部"}


def test_the_focused_list_holds_one_star_or_none(client, tree, many):
    client.force_login(tree.staff)
    response = client.get(reverse("improvement:focused"))
    assert {row.name for row in response.context["page"].object_list} == {
        "直属党支部",
        "第三党支部",
    }


def test_the_overview_page_filters_by_category(client, tree, many):
    client.force_login(tree.staff)
    response = client.get(reverse("improvement:overview"), {"category": "fill_gaps"})
    assert [row.name for row in response.context["page"].object_list] == ["第二党支部"]


def test_an_overdue_row_is_highlighted(client, tree, many):
    client.force_login(tree.staff)
    html = client.get(reverse("improvement:overview")).content.decode()
    assert html.count('class="table-danger"') == 1


def test_a_bad_filter_shows_the_default_year(client, tree, many):
    client.force_login(tree.staff)
    response = client.get(reverse("improvement:overview"), {"year": "x", "category": "<b>"})
    assert response.status_code == 200 and response.context["year"] == factories.YEAR


def test_another_parents_reviewer_sees_none_of_these_branches(client, tree, many):
    other = factories.org("party_committee", parent=tree.committee)
    stranger = factories.user("other_reviewer", role="reviewer", organisation=other)
    client.force_login(stranger)
    response = client.get(reverse("improvement:overview"))
    assert list(response.context["page"].object_list) == []


@pytest.mark.parametrize("size", [5, 60])
def test_the_overview_reads_in_a_fixed_number_of_queries(
    client, tree, campaign, size, django_assert_max_num_queries
):
    for i in range(size):
        branch = factories.branch(tree.party_committee, name=f"支部{i:03d}")
        give_star(branch, i % 6, tree.approver)
        plan = factories.plan(campaign, branch, status=PlanStatus.FILED)
        factories.ledger_item(plan)
    client.force_login(tree.staff)
    client.get(reverse("improvement:overview"))  # session, roles
    with django_assert_max_num_queries(9):
        response = client.get(reverse("improvement:overview"))
    assert len(response.context["page"].object_list) == min(size + 3, 50)


@pytest.mark.parametrize("size", [5, 60])
def test_the_focused_list_reads_in_a_fixed_number_of_queries(
    client, tree, campaign, size, django_assert_max_num_queries
):
    for i in range(size):
        factories.branch(tree.party_committee, name=f"支部{i:03d}")
    client.force_login(tree.reviewer)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("improvement:focused"))
    assert response.context["page"].paginator.count == size + 2
