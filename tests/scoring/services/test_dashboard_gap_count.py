"""The gap list's count, counted with the parents' rows (D-7qa): the same branches as
`dashboard.gaps`, per parent and in total, at every margin."""

from decimal import Decimal

import pytest

from scoring.services import dashboard
from tests.factories import ready_branch
from tests.scoring.services.test_dashboard import world  # noqa: F401  (the fixture)


@pytest.mark.parametrize("margin", ["0", "10", "10.49", "10.5", "15"])
def test_each_parent_counts_the_branches_of_its_gap_list(tree, world, margin):  # noqa: F811
    scope = dashboard.scope(tree.staff, world.campaign)
    rows = dashboard.parent_rows(scope, margin=Decimal(margin))
    listed = list(dashboard.gaps(scope, margin=Decimal(margin)))
    by_parent = {}
    for assessment in listed:
        parent = assessment.branch.parent_id
        by_parent[parent] = by_parent.get(parent, 0) + 1
    assert {row.parent_id: row.gap_count for row in rows if row.gap_count} == by_parent
    assert dashboard.totals(rows).gap_count == len(listed)


def test_the_count_follows_the_margin(tree, world):  # noqa: F811
    scope = dashboard.scope(tree.staff, world.campaign)

    def total(margin):
        return dashboard.totals(dashboard.parent_rows(scope, margin=Decimal(margin))).gap_count

    assert (total("10.49"), total("10.5"), total("15")) == (2, 1, 0)


def test_a_gap_exactly_at_the_margin_is_not_counted_despite_binary_floats(tree, campaign):
    ready_branch(campaign, tree.branch_a, self_total="90.1", review_total="80.1")
    scope = dashboard.scope(tree.staff, campaign)
    assert dashboard.totals(dashboard.parent_rows(scope, margin=Decimal(10))).gap_count == 0
    assert dashboard.totals(dashboard.parent_rows(scope, margin=Decimal("9.99"))).gap_count == 1


def test_without_a_margin_nothing_is_counted(tree, world):  # noqa: F811
    scope = dashboard.scope(tree.staff, world.campaign)
    assert all(row.gap_count == 0 for row in dashboard.parent_rows(scope))
