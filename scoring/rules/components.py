"""docs/rules.md §4.1: how the web app forms the components and the satisfaction rate it passes in.

Pure helpers over plain values, so forms, services and the calculator agree on every
rounding.
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from .i18n import CENT

#: §4.1: a survey grade's factor: 好 excellent, 较好 good, 一般 fair, 差 poor.
GRADE_FACTORS = {
    "excellent": Decimal("1.0"),
    "good": Decimal("0.8"),
    "fair": Decimal("0.6"),
    "poor": Decimal("0"),
}


def sheet_total(scores: Iterable[Decimal]) -> Decimal:
    """§4.1: the self or review component: the sum of the criterion scores, to 0.01 half up."""
    return sum(scores, Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP)


def ballot_points(pairs: Iterable[tuple[Decimal, str]]) -> Decimal:
    """§4.1: one ballot's points: Σ criterion max × grade factor, exact (not rounded).

    *pairs* are (criterion max, grade code). A ballot keeps this total, computed once when
    it is cast (docs/nonfunctional.md §7); `survey_component` rounds the mean of the totals.
    """
    return sum((maximum * GRADE_FACTORS[grade] for maximum, grade in pairs), Decimal(0))


def survey_component(ballot_totals: Iterable[Decimal]) -> Decimal | None:
    """§4.1: the survey component: the mean of the valid ballots' points, to 0.01 half up.

    None when there is no ballot.
    """
    count, total = 0, Decimal(0)
    for value in ballot_totals:
        count += 1
        total += value
    return survey_component_from_sum(total, count)


def survey_component_from_sum(total: Decimal, count: int) -> Decimal | None:
    """§4.1: the survey component from the sum of the valid ballots' points and their
    number (what a database aggregate gives): their mean, to 0.01 half up.

    None when there is no ballot.
    """
    if not count:
        return None
    # Quantising the exact quotient of two Decimals could round twice; whole numbers cannot.
    numerator, denominator = total.as_integer_ratio()
    return _half_up(numerator, denominator * count)


def satisfaction_rate(satisfied: int, basically_satisfied: int, valid: int) -> Fraction | None:
    """§4.1: (满意 + 基本满意) / valid ballots, exact; None when there is no valid ballot."""
    if valid == 0:
        return None
    return Fraction(satisfied + basically_satisfied, valid)


def _half_up(numerator: int, denominator: int) -> Decimal:
    """numerator / denominator (denominator > 0) to 0.01 half up, exactly."""
    if numerator < 0:
        return -_half_up(-numerator, denominator)  # half up rounds away from zero
    whole, rest = divmod(numerator * 100, denominator)
    if 2 * rest >= denominator:
        whole += 1
    return Decimal(whole).scaleb(-2).quantize(CENT)
