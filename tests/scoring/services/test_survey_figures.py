"""Aggregate figures for the rating and the pages.

See docs/rules.md §4.1, docs/survey.md §2.1.2, docs/nonfunctional.md §7.
"""

import datetime
from decimal import Decimal
from fractions import Fraction

from scoring.models import Assessment, Ballot, Slip, Survey
from scoring.services import survey as service
from tests import factories
from tests.factories import cast, member_codes, public_codes

DAY = datetime.date(2026, 5, 20)


def _ballot(survey, points, verdict="satisfied", kind="member", grades="E" * 10):
    return Ballot(
        survey=survey, kind=kind, cast_on=DAY, grades=grades, verdict=verdict, points=points
    )


def test_figures_match_a_hand_computation(tree, campaign):
    assessment = Assessment.objects.create(campaign=campaign, branch=tree.branch_a)
    survey = Survey.objects.create(
        assessment=assessment,
        status="closed",
        electorate=5,
        member_slips_issued=5,
        public_slips_issued=3,
    )
    Slip.objects.create(survey=survey, kind="member", code_hash="a" * 64)
    Slip.objects.create(survey=survey, kind="public", code_hash="b" * 64)
    Ballot.objects.bulk_create(
        [
            _ballot(survey, Decimal("100"), "satisfied"),
            _ballot(survey, Decimal("80"), "basically_satisfied"),
            _ballot(survey, Decimal("60"), "dissatisfied"),
            _ballot(survey, Decimal("90.005"), "satisfied"),
            _ballot(survey, Decimal("75.5"), "dissatisfied", kind="public"),
            _ballot(survey, Decimal("88"), "basically_satisfied", kind="public"),
        ]
    )
    figures = service.survey_figures(campaign)[assessment.pk]
    # (100 + 80 + 60 + 90.005 + 75.5 + 88) / 6 = 493.505 / 6 = 82.25083… → 82.25
    assert figures.component == Decimal("82.25")
    assert figures.satisfaction_rate == Fraction(4, 6)
    assert (figures.satisfied, figures.basically_satisfied, figures.dissatisfied) == (2, 2, 2)
    assert figures.valid_ballots == 6
    assert (figures.member_ballots, figures.public_ballots) == (4, 2)
    assert (figures.members_voted, figures.public_voted, figures.electorate) == (4, 2, 5)
    assert figures.participation_rate == Fraction(4, 5)


def test_the_component_rounds_half_up(tree, campaign):
    assessment = Assessment.objects.create(campaign=campaign, branch=tree.branch_a)
    survey = Survey.objects.create(assessment=assessment, status="open", electorate=2)
    Ballot.objects.bulk_create(
        [_ballot(survey, Decimal("80.00")), _ballot(survey, Decimal("80.01"))]
    )
    assert service.survey_figures(campaign)[assessment.pk].component == Decimal("80.01")


def test_a_survey_without_ballots_has_no_component_and_no_satisfaction(tree, campaign):
    assessment = Assessment.objects.create(campaign=campaign, branch=tree.branch_a)
    Survey.objects.create(assessment=assessment, status="open", electorate=3)
    figures = service.survey_figures(campaign)[assessment.pk]
    assert figures.component is None
    assert figures.satisfaction_rate is None
    assert figures.valid_ballots == 0


def test_figures_of_a_whole_campaign_take_a_bounded_number_of_queries(
    tree, campaign, django_assert_max_num_queries
):
    for n in range(30):
        branch = factories.branch(tree.party_committee)
        assessment = Assessment.objects.create(campaign=campaign, branch=branch)
        survey = Survey.objects.create(
            assessment=assessment, status="closed", electorate=5, member_slips_issued=5
        )
        Slip.objects.create(survey=survey, kind="member", code_hash=f"{n:064d}")
        Ballot.objects.bulk_create(_ballot(survey, Decimal(70 + i)) for i in range(4))
    with django_assert_max_num_queries(3):
        figures = service.survey_figures(campaign)
    assert len(figures) == 30
    assert {f.component for f in figures.values()} == {Decimal("71.50")}
    assert {f.members_voted for f in figures.values()} == {4}


def test_distribution_counts_each_grade_per_criterion(tree, issued, survey, criteria):
    for code, grade in zip(member_codes(issued)[:4], "EEGP", strict=True):
        cast(code, criteria, grade=grade)
    distribution = service.criterion_distribution(survey)
    assert len(distribution.rows) == 10
    assert distribution.rows[0].all == {"E": 2, "G": 1, "F": 0, "P": 1}


def test_distribution_hides_the_split_when_a_group_has_fewer_than_3(tree, issued, survey, criteria):
    for code in member_codes(issued)[:5]:
        cast(code, criteria)
    for code in public_codes(issued)[:2]:
        cast(code, criteria, grade="P")
    distribution = service.criterion_distribution(survey)
    assert not distribution.split
    assert distribution.rows[0].members is None and distribution.rows[0].public is None
    assert distribution.rows[0].all == {"E": 5, "G": 0, "F": 0, "P": 2}


def test_distribution_splits_when_both_groups_have_3(tree, issued, survey, criteria):
    for code in member_codes(issued)[:3]:
        cast(code, criteria)
    for code in public_codes(issued)[:3]:
        cast(code, criteria, grade="F")
    distribution = service.criterion_distribution(survey)
    assert distribution.split
    assert distribution.rows[2].members == {"E": 3, "G": 0, "F": 0, "P": 0}
    assert distribution.rows[2].public == {"E": 0, "G": 0, "F": 3, "P": 0}


def test_distribution_shows_nothing_below_3_ballots(tree, issued, survey, criteria):
    for code in member_codes(issued)[:2]:
        cast(code, criteria)
    distribution = service.criterion_distribution(survey)
    assert distribution.hidden
    assert distribution.rows == []
    assert distribution.total == 2
