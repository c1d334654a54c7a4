"""docs/rules.md §4.1: the helpers the web app forms components and satisfaction with."""

from decimal import Decimal
from fractions import Fraction

from scoring.rules.components import (
    ballot_points,
    satisfaction_rate,
    sheet_total,
    survey_component,
    survey_component_from_sum,
)

from .helpers import D


def test_sheet_total_sums_the_criterion_scores_to_two_decimals_half_up():
    assert sheet_total([D("9.5"), D("8.125"), D("10")]) == D("27.63")
    assert sheet_total([D("9.994"), D("0.001")]) == D("10.00")
    assert sheet_total([]) == D("0.00")


def test_a_ballot_of_all_excellent_is_worth_the_full_points():
    assert ballot_points([(D(10), "excellent")] * 10) == 100


def test_ballot_points_weigh_each_grade():
    pairs = [(D(10), "excellent"), (D(10), "good"), (D(10), "fair"), (D(10), "poor")]
    assert ballot_points(pairs) == D("24.0")


def test_survey_component_is_the_mean_rounded_half_up():
    assert survey_component([D(100), D("80.01")]) == D("90.01")  # 90.005 → 90.01
    assert survey_component([D(100), D(90), D(90)]) == D("93.33")
    assert survey_component([D("66.665")]) == D("66.67")


def test_survey_component_is_none_without_ballots():
    assert survey_component([]) is None


def test_the_survey_component_from_a_sum_and_a_count_is_the_same_mean():
    # What a database aggregate gives (Sum, Count): the survey services use this form.
    assert survey_component_from_sum(D("180.01"), 2) == survey_component([D(100), D("80.01")])
    assert survey_component_from_sum(D("66.665"), 1) == D("66.67")
    assert survey_component_from_sum(D(0), 0) is None


def test_satisfaction_rate_is_exact():
    assert satisfaction_rate(1, 1, 3) == Fraction(2, 3)
    assert satisfaction_rate(3, 0, 5) == Decimal("0.6")


def test_satisfaction_rate_is_none_without_valid_ballots():
    assert satisfaction_rate(0, 0, 0) is None
