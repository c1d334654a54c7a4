"""docs/rules.md §4.8: the quotas' integer rank keys order and tie exactly as the spec's keys."""

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from scoring.rules.model import BranchResult
from scoring.rules.quotas import rank_key, rank_keys

_rates = st.one_of(
    st.none(),
    st.builds(Fraction, st.integers(0, 60), st.integers(1, 60)).filter(lambda f: f <= 1),
    st.decimals(min_value=0, max_value=1, places=3),
)
_scores = st.sampled_from([Decimal("80.00"), Decimal("80.01"), Decimal("95.50")])
_reviews = st.one_of(st.none(), st.sampled_from([Decimal("90.00"), Decimal("91.25")]))


def _result(score, rate, review) -> BranchResult:
    return BranchResult("B", score, Decimal(0), Decimal(0), score, 3, 3, (), [], rate, review)


@given(st.lists(st.tuples(_scores, _rates, _reviews), min_size=1, max_size=40))
def test_integer_keys_order_and_tie_as_the_exact_keys(rows):
    results = [_result(*row) for row in rows]
    exact = [rank_key(r) for r in results]
    fast = rank_keys(results)
    for i in range(len(results)):
        for j in range(len(results)):
            assert (fast[i] < fast[j]) == (exact[i] < exact[j])
            assert (fast[i] == fast[j]) == (exact[i] == exact[j])


def test_a_half_as_fraction_and_as_decimal_tie():
    results = [
        _result(Decimal(80), Fraction(1, 2), None),
        _result(Decimal(80), Decimal("0.5"), None),
    ]
    first, second = rank_keys(results)
    assert first == second
    assert rank_keys([_result(Decimal(80), None, None)])[0] < first
