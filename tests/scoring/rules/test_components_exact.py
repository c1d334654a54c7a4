"""The survey component from a sum, in whole numbers: the same as the exact Fraction
(docs/rules.md §4.1: the mean of the ballots' points, to 0.01 half up, rounded once)."""

import random
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from scoring.rules.components import survey_component_from_sum


def by_fraction(total: Decimal, count: int) -> Decimal:
    exact = Fraction(total) / count * 100
    whole = (exact.numerator * 2 + exact.denominator) // (2 * exact.denominator)
    return (Decimal(whole) / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_half_way_means_round_up_once():
    assert survey_component_from_sum(Decimal("12.345"), 1) == Decimal("12.35")
    assert survey_component_from_sum(Decimal("37.035"), 3) == Decimal("12.35")
    assert survey_component_from_sum(Decimal("100"), 3) == Decimal("33.33")
    assert survey_component_from_sum(Decimal("200"), 3) == Decimal("66.67")
    assert survey_component_from_sum(Decimal("0"), 5) == Decimal("0.00")
    assert survey_component_from_sum(Decimal("5"), 0) is None


def test_it_agrees_with_the_exact_fraction_on_random_sums():
    rng = random.Random(20)
    for _ in range(5000):
        count = rng.randint(1, 400)
        total = Decimal(rng.randint(0, count * 1000)) / 10  # ballot points have one decimal
        assert survey_component_from_sum(total, count) == by_fraction(total, count), (
            total,
            count,
        )
