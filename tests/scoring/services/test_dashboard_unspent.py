"""The dashboard's unspent member slips per parent (`dashboard.unspent_member_slips`):
counted per survey, then grouped by the parents of the scope's branches, they equal the
slips counted one by one through the scope's joins, whoever reads (docs/survey.md, A8:
the cast writes no counter, so the slips are counted)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from branches.models import OrgKind
from scoring.models import Slip, SlipKind, Survey, SurveyStatus
from scoring.services import dashboard
from tests import factories


def survey_of(assessment, status, member, public):
    survey = Survey.objects.create(
        assessment=assessment,
        status=status,
        opened_on=None if status == SurveyStatus.NOT_OPEN else datetime.date(factories.YEAR, 5, 1),
        electorate=member + 3,
        member_slips_issued=member + 3,
    )
    Slip.objects.bulk_create(
        [
            Slip(survey=survey, kind=SlipKind.MEMBER, code_hash=f"{survey.pk}-m{i}")
            for i in range(member)
        ]
        + [
            Slip(survey=survey, kind=SlipKind.PUBLIC, code_hash=f"{survey.pk}-p{i}")
            for i in range(public)
        ]
    )


def one_by_one(assessments):
    """The slips counted one by one through the scope's joins (the former query)."""
    return dict(
        assessments.filter(survey__slips__kind=SlipKind.MEMBER)
        .values("branch__parent_id")
        .annotate(n=dashboard.Count("survey__slips"))
        .order_by()
        .values_list("branch__parent_id", "n")
    )


@pytest.fixture
def campaign_with_slips(tree):
    p2 = factories.org(OrgKind.PARTY_COMMITTEE, parent=tree.committee, name="机关党委乙")
    campaign = factories.campaign(tree.committee)
    kinds = [
        (SurveyStatus.OPEN, 4, 2),
        (SurveyStatus.CLOSED, 1, 0),
        (SurveyStatus.OPEN, 0, 5),  # only public slips left
        (SurveyStatus.NOT_OPEN, 7, 7),  # not opened: its slips are not counted
    ]
    for i in range(12):
        parent = (tree.party_committee, p2, tree.committee)[i % 3]
        branch = tree.direct if i == 2 else factories.branch(parent, name=f"支部{i:02d}")
        assessment = factories.assessment(campaign, branch)
        status, member, public = kinds[i % 4]
        survey_of(assessment, status, member + i, public)
    return campaign


@pytest.mark.parametrize("few", [False, True])
@pytest.mark.parametrize("who", ["staff", "reviewer"])
def test_the_unspent_member_slips_per_parent_are_the_slips_counted_one_by_one(
    tree, campaign_with_slips, who, few
):
    opened = dashboard.Q(survey__status__in=[SurveyStatus.OPEN, SurveyStatus.CLOSED])
    scope = dashboard.scope(getattr(tree, who), campaign_with_slips).filter(opened)
    expected = one_by_one(scope)
    assert expected and all(expected.values())
    with CaptureQueriesContext(connection) as ctx:
        counted = dashboard.unspent_member_slips(scope, few=few)
    assert len(ctx.captured_queries) == 1
    assert counted == expected
    if who == "reviewer":
        assert set(counted) == {tree.party_committee.pk}


def test_no_slips_count_nothing(tree):
    campaign = factories.campaign(tree.committee)
    assert dashboard.unspent_member_slips(dashboard.scope(tree.staff, campaign)) == {}
