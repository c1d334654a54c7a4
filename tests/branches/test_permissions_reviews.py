"""The review predicates: `reviewable` (the bulk form) is `may_review`'s rule, for a whole
list of branches in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from branches import permissions as perms
from branches.models import Organisation, OrgKind, Role, RoleAssignment
from tests import factories


def _branches():
    return list(Organisation.objects.filter(kind=OrgKind.BRANCH).select_related("parent"))


def _fresh(user):
    perms.forget_roles(user)
    return user


@pytest.fixture
def tangled(tree):
    """Recusals of every kind: the reviewer is a member of branch_a; a second reviewer
    of the party committee is secretary of branch_b; a general branch whose only
    reviewer belongs to its only branch; a branch with no reviewer above at all."""
    factories.member(tree.branch_a, user=tree.reviewer)
    second = factories.user(role=Role.REVIEWER, organisation=tree.party_committee)
    RoleAssignment.objects.create(user=second, organisation=tree.branch_b, role=Role.SECRETARY)
    general = factories.org(OrgKind.GENERAL_BRANCH, parent=tree.committee)
    lone = factories.branch(general)
    only = factories.user(role=Role.REVIEWER, organisation=general)
    factories.member(lone, user=only)
    bare = factories.org(OrgKind.PARTY_COMMITTEE, parent=tree.committee)
    factories.branch(bare)
    return [tree.reviewer, second, only, tree.staff, tree.secretary, tree.approver, tree.nobody]


def test_the_bulk_rule_decides_every_branch_as_may_review_does(tree, tangled):
    branches = _branches()
    for user in tangled:
        expected = {b.pk for b in branches if perms.may_review(_fresh(user), b)}
        assert perms.reviewable(_fresh(user), branches) == expected, user.username


def test_staff_stand_in_only_where_every_reviewer_recuses(tree, tangled):
    allowed = perms.reviewable(tree.staff, _branches())
    names = set(Organisation.objects.filter(pk__in=allowed).values_list("name", flat=True))
    # branch_a: one reviewer recuses but the second is free; branch_b: the reviewer is free.
    assert tree.direct.name in names
    assert tree.branch_a.name not in names and tree.branch_b.name not in names
    assert len(allowed) == 3  # direct, the general branch's lone one, the bare one


def test_the_bulk_rule_costs_the_same_queries_for_three_or_thirty_branches(tree, tangled):
    def queries(user):
        perms.roles_of(_fresh(user))  # the role cache is per request: count the rule alone
        branches = _branches()
        with CaptureQueriesContext(connection) as ctx:
            perms.reviewable(user, branches)
        return len(ctx.captured_queries)

    small = {user.username: queries(user) for user in (tree.reviewer, tree.staff)}
    for _ in range(27):
        factories.member(factories.branch(tree.party_committee), user=factories.user())
    large = {user.username: queries(user) for user in (tree.reviewer, tree.staff)}
    assert large == small
    assert max(large.values()) <= 4


@pytest.mark.parametrize(
    ("name", "queue", "audit", "results"),
    [
        ("secretary", False, False, False),
        ("reviewer", True, False, False),
        ("staff", True, True, True),
        ("approver", False, False, True),
        ("rereviewer", False, False, True),
        ("nobody", False, False, False),
    ],
)
def test_who_may_use_the_queue_audit_and_see_results(tree, name, queue, audit, results):
    user = tree.users_by_role()[name]
    assert perms.may_use_reviews(user) is queue
    assert perms.may_audit(user) is audit
    assert perms.may_recompute(user) is audit
    assert perms.may_see_results(user) is results
