"""`reviewable_filter`, the review rule as a condition the database tests (the review
queue's), decides every branch as `reviewable` and `may_review` do."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from branches import permissions as perms
from branches.models import Organisation, OrgKind
from scoring.models import Assessment
from tests import factories
from tests.branches.test_permissions_reviews import _branches, _fresh, tangled  # noqa: F401


def _filtered(user, relation=""):
    rule = perms.reviewable_filter(_fresh(user), relation)
    if rule is None:
        return set()
    if relation:
        return set(Assessment.objects.filter(rule).values_list("branch_id", flat=True))
    return set(Organisation.objects.filter(rule, kind=OrgKind.BRANCH).values_list("pk", flat=True))


def test_the_filter_decides_every_branch_as_the_bulk_rule_does(tree, tangled):  # noqa: F811
    branches = _branches()
    campaign = factories.campaign(tree.committee)
    for branch in branches:
        factories.assessment(campaign, branch)
    for user in tangled:
        expected = perms.reviewable(_fresh(user), branches)
        assert _filtered(user) == expected, user.username
        assert _filtered(user, "branch") == expected, user.username
    assert perms.reviewable_filter(_fresh(tree.nobody)) is None
    # The staff's stand-ins: the direct branch, the lone one, the bare one.
    assert len(_filtered(tree.staff)) == 3


def test_a_reviewer_who_belongs_to_every_branch_below_reviews_none(tree):
    factories.member(tree.branch_a, user=tree.reviewer)
    factories.member(tree.branch_b, user=tree.reviewer)
    below = set(
        Organisation.objects.filter(parent=tree.party_committee).values_list("pk", flat=True)
    )
    assert not _filtered(tree.reviewer) & below
    # Staff stand in for those whose only reviewer recuses.
    assert {tree.branch_a.pk, tree.branch_b.pk} <= _filtered(tree.staff)


@pytest.mark.parametrize("role", ["reviewer", "staff"])
def test_the_filter_costs_the_same_queries_for_few_or_many_branches(tree, tangled, role):  # noqa: F811
    user = getattr(tree, role)

    def queries():
        perms.roles_of(_fresh(user))
        with CaptureQueriesContext(connection) as ctx:
            list(Organisation.objects.filter(perms.reviewable_filter(user)))
        return len(ctx.captured_queries)

    small = queries()
    for _ in range(20):
        factories.member(factories.branch(tree.party_committee), user=tree.reviewer)
    assert queries() == small <= 5
