"""Survey fixtures built straight with the ORM (no dependency on the campaign service)."""

import pytest

from scoring.models import Assessment, Campaign, CampaignStatus, Criterion
from scoring.rubric import default_rubric
from scoring.services import survey as service
from tests import factories


def make_campaign(tree, *, status=CampaignStatus.OPEN, year=2026):
    campaign = Campaign.objects.create(
        committee=tree.committee, year=year, title=f"{year}年度星级评定", status=status
    )
    Criterion.objects.bulk_create(
        Criterion(campaign=campaign, position=i, title=t, description=d, max_points=m)
        for i, (t, d, m) in enumerate(default_rubric(), start=1)
    )
    return campaign


def add_members(branch, count, **fields):
    return [factories.member(branch, **fields) for _ in range(count)]


@pytest.fixture
def campaign(tree):
    return make_campaign(tree)


@pytest.fixture
def criteria(campaign):
    return list(campaign.criteria.order_by("position"))


@pytest.fixture
def assessment(tree, campaign):
    """Branch A in the open campaign, with 10 active members and one inactive."""
    add_members(tree.branch_a, 10)
    factories.member(tree.branch_a, active=False)
    return Assessment.objects.create(campaign=campaign, branch=tree.branch_a)


@pytest.fixture
def issued(tree, assessment):
    """The survey of branch A, open, with 10 member slips and 4 public slips."""
    return service.open_survey(assessment=assessment, actor=tree.secretary, public_slips=4)


@pytest.fixture
def survey(issued, assessment):
    assessment.refresh_from_db()
    return assessment.survey


def member_codes(issued):
    return [code for kind, code in issued.codes if kind == "member"]


def public_codes(issued):
    return [code for kind, code in issued.codes if kind == "public"]


def all_grades(criteria, grade="E"):
    return {criterion.pk: grade for criterion in criteria}


def cast(code, criteria, grade="E", verdict="satisfied"):
    return service.cast_ballot(code=code, grades=all_grades(criteria, grade), verdict=verdict)


@pytest.fixture(autouse=True)
def fast_pdf(monkeypatch):
    """Skip WeasyPrint where the sheet's content does not matter (test_pdf renders it)."""
    monkeypatch.setattr(service, "render_slip_sheet", lambda survey, codes, link_base: b"%PDF-")
