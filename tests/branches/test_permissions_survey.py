"""Who runs a branch's survey (docs/decisions.md D-2.1.2p): `may_run_survey`."""

import pytest
from django.contrib.auth.models import AnonymousUser

from branches.permissions import may_run_survey


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("secretary", True),
        ("staff", True),
        ("secretary_b", False),
        ("reviewer", False),
        ("approver", False),
        ("rereviewer", False),
        ("nobody", False),
    ],
)
def test_the_branchs_secretary_and_committee_staff_run_its_survey(tree, who, allowed):
    assert may_run_survey(getattr(tree, who), tree.branch_a) is allowed


def test_an_anonymous_visitor_runs_no_survey(tree):
    assert may_run_survey(AnonymousUser(), tree.branch_a) is False


def test_staff_run_the_survey_of_a_directly_managed_branch(tree):
    assert may_run_survey(tree.staff, tree.direct) is True
    assert may_run_survey(tree.secretary, tree.direct) is False
