import pytest
from django.contrib.auth.models import AnonymousUser

from branches import permissions as perms
from branches.models import Role, RoleAssignment
from tests import factories


def fresh(user):
    perms.forget_roles(user)
    return user


def test_roles_of_lists_the_organisations_per_role(tree):
    assert perms.roles_of(tree.secretary) == {Role.SECRETARY: frozenset({tree.branch_a.pk})}


def test_roles_of_anonymous_is_empty():
    assert perms.roles_of(AnonymousUser()) == {}


def test_roles_are_cached_until_forgotten(tree):
    perms.roles_of(tree.nobody)
    RoleAssignment.objects.create(user=tree.nobody, organisation=tree.committee, role=Role.STAFF)
    assert not perms.is_staff(tree.nobody)
    assert perms.is_staff(fresh(tree.nobody))


@pytest.mark.parametrize(
    "name, expected",
    [
        ("staff", True),
        ("approver", False),
        ("rereviewer", False),
        ("secretary", False),
        ("reviewer", False),
        ("nobody", False),
    ],
)
def test_is_staff_only_for_staff(tree, name, expected):
    assert perms.is_staff(tree.users_by_role()[name]) is expected


@pytest.mark.parametrize(
    "name, expected",
    [
        ("staff", True),
        ("approver", True),
        ("rereviewer", True),
        ("secretary", False),
        ("reviewer", False),
        ("nobody", False),
    ],
)
def test_is_committee_level_for_committee_roles(tree, name, expected):
    assert perms.is_committee_level(tree.users_by_role()[name]) is expected


def test_secretary_is_secretary_of_own_branch_only(tree):
    assert perms.is_secretary_of(tree.secretary, tree.branch_a)
    assert not perms.is_secretary_of(tree.secretary, tree.branch_b)


def test_reviewer_is_above_the_branches_of_the_party_committee_only(tree):
    assert perms.is_reviewer_above(tree.reviewer, tree.branch_a)
    assert not perms.is_reviewer_above(tree.reviewer, tree.direct)


def test_member_with_account_belongs_to_the_branch(tree):
    factories.member(tree.branch_a, user=tree.reviewer)
    assert perms.belongs_to(tree.reviewer, tree.branch_a)
    assert not perms.belongs_to(tree.reviewer, tree.branch_b)


def test_secretary_belongs_to_own_branch(tree):
    assert perms.belongs_to(tree.secretary, tree.branch_a)


@pytest.mark.parametrize(
    "name, branch, expected",
    [
        ("secretary", "branch_a", True),
        ("secretary", "branch_b", False),
        ("reviewer", "branch_a", True),
        ("reviewer", "direct", False),
        ("staff", "direct", True),
        ("approver", "branch_b", True),
        ("rereviewer", "branch_a", True),
        ("nobody", "branch_a", False),
    ],
)
def test_may_view_branch(tree, name, branch, expected):
    assert perms.may_view_branch(tree.users_by_role()[name], getattr(tree, branch)) is expected


def test_reviewer_may_review_a_branch_under_the_party_committee(tree):
    assert perms.may_review(tree.reviewer, tree.branch_a)


def test_staff_may_not_review_a_branch_with_a_reviewer(tree):
    assert not perms.may_review(tree.staff, tree.branch_a)


def test_staff_may_review_a_directly_managed_branch(tree):
    assert perms.may_review(tree.staff, tree.direct)


def test_reviewer_may_not_review_a_directly_managed_branch(tree):
    assert not perms.may_review(tree.reviewer, tree.direct)


def test_secretary_may_not_review_own_branch(tree):
    assert not perms.may_review(tree.secretary, tree.branch_a)


@pytest.mark.parametrize("name", ["approver", "rereviewer", "nobody"])
def test_other_roles_may_not_review(tree, name):
    assert not perms.may_review(tree.users_by_role()[name], tree.branch_a)


def test_reviewer_who_is_a_member_of_the_branch_recuses(tree):
    factories.member(tree.branch_a, user=tree.reviewer)
    assert not perms.may_review(tree.reviewer, tree.branch_a)
    assert perms.may_review(tree.reviewer, tree.branch_b)


def test_staff_reviews_when_every_reviewer_recuses(tree):
    factories.member(tree.branch_a, user=tree.reviewer)
    assert perms.may_review(tree.staff, tree.branch_a)
    assert not perms.may_review(tree.staff, tree.branch_b)


def test_staff_does_not_step_in_while_another_reviewer_is_free(tree):
    factories.member(tree.branch_a, user=tree.reviewer)
    factories.user(role=Role.REVIEWER, organisation=tree.party_committee)
    assert not perms.may_review(tree.staff, tree.branch_a)


def test_a_reviewer_who_is_secretary_of_the_branch_recuses(tree):
    RoleAssignment.objects.create(
        user=tree.reviewer, organisation=tree.branch_a, role=Role.SECRETARY
    )
    reviewer = fresh(tree.reviewer)
    assert not perms.may_review(reviewer, tree.branch_a)
    assert perms.may_review(tree.staff, tree.branch_a)


def branch_set(user):
    return set(perms.branches_for(user))


@pytest.mark.parametrize("name", ["staff", "approver", "rereviewer"])
def test_committee_roles_see_every_branch(tree, name):
    expected = {tree.branch_a, tree.branch_b, tree.direct}
    assert branch_set(tree.users_by_role()[name]) == expected


def test_secretary_sees_own_branch(tree):
    assert branch_set(tree.secretary) == {tree.branch_a}


def test_reviewer_sees_the_branches_below(tree):
    assert branch_set(tree.reviewer) == {tree.branch_a, tree.branch_b}


def test_nobody_sees_no_branch(tree):
    assert branch_set(tree.nobody) == set()


def test_branches_for_lists_branches_only(tree):
    assert tree.party_committee not in perms.branches_for(tree.staff)


def test_require_raises_permission_denied():
    from django.core.exceptions import PermissionDenied

    perms.require(True)
    with pytest.raises(PermissionDenied):
        perms.require(False)
