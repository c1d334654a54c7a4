import datetime

import pytest
from django.db import IntegrityError, transaction

from branches.models import ElectionStatus, OrgKind, Role, RoleAssignment
from tests import factories

TERM_END = datetime.date(2025, 1, 1)


def integrity_error(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_committee_must_have_no_parent(tree):
    integrity_error(lambda: factories.org(OrgKind.COMMITTEE, parent=tree.committee))


@pytest.mark.parametrize("kind", [OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH])
def test_every_other_kind_needs_a_parent(db, kind):
    integrity_error(lambda: factories.org(kind, parent=None))


def test_term_must_end_after_it_starts(tree):
    day = datetime.date(2024, 1, 1)
    integrity_error(lambda: factories.branch(tree.committee, term_start=day, term_end=day))


def test_organisation_code_is_unique(tree):
    integrity_error(lambda: factories.branch(tree.committee, code=tree.branch_a.code))


def test_member_code_is_unique(tree):
    factories.member(tree.branch_a, code="M1")
    integrity_error(lambda: factories.member(tree.branch_b, code="M1"))


def test_role_assignment_is_unique(tree):
    integrity_error(
        lambda: RoleAssignment.objects.create(
            user=tree.secretary, organisation=tree.branch_a, role=Role.SECRETARY
        )
    )


def test_clean_refuses_a_kind_under_a_parent_it_may_not_sit_under(tree):
    from django.core.exceptions import ValidationError

    nested = factories.org(OrgKind.PARTY_COMMITTEE, parent=tree.committee)
    nested.parent = tree.party_committee
    with pytest.raises(ValidationError):
        nested.clean()


def branch_with_term(tree, **fields):
    fields.setdefault("term_start", datetime.date(2020, 1, 1))
    fields.setdefault("term_end", TERM_END)
    return factories.branch(tree.party_committee, **fields)


def test_election_is_on_time_while_the_term_runs(tree):
    assert branch_with_term(tree).election_status(TERM_END) == ElectionStatus.ON_TIME


def test_election_is_overdue_the_day_after_the_term_ends(tree):
    day_after = TERM_END + datetime.timedelta(days=1)
    assert branch_with_term(tree).election_status(day_after) == ElectionStatus.OVERDUE


def test_election_is_overdue_up_to_a_year_after_the_term_ends(tree):
    year_after = TERM_END + datetime.timedelta(days=365)
    assert branch_with_term(tree).election_status(year_after) == ElectionStatus.OVERDUE


def test_election_is_overdue_over_a_year_after_more_than_365_days(tree):
    later = TERM_END + datetime.timedelta(days=366)
    assert branch_with_term(tree).election_status(later) == ElectionStatus.OVERDUE_OVER_1Y


def test_approved_postponement_keeps_the_election_on_time(tree):
    later = TERM_END + datetime.timedelta(days=500)
    branch = branch_with_term(tree, postponement_approved=True)
    assert branch.election_status(later) == ElectionStatus.ON_TIME


def test_election_held_since_the_term_ended_is_on_time(tree):
    later = TERM_END + datetime.timedelta(days=500)
    branch = branch_with_term(tree, last_election=TERM_END + datetime.timedelta(days=30))
    assert branch.election_status(later) == ElectionStatus.ON_TIME


def test_election_held_before_the_term_ended_does_not_count(tree):
    later = TERM_END + datetime.timedelta(days=30)
    branch = branch_with_term(tree, last_election=datetime.date(2020, 1, 1))
    assert branch.election_status(later) == ElectionStatus.OVERDUE


def test_directly_managed_means_a_branch_under_the_committee(tree):
    assert tree.direct.directly_managed
    assert not tree.branch_a.directly_managed
