"""Properties of docs/rules.md §4 over generated campaigns (Hypothesis)."""

import random
from collections import Counter
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.rules import BranchInput, Event, Policy, rate
from scoring.rules.document import parse
from scoring.rules.labels import event_label
from scoring.rules.model import ELECTIONS, ISSUERS, LEVELS, QUOTA_MODES, SEVERITIES

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

points = st.decimals(min_value=0, max_value=100, places=3)
# Coarse values as well, so that ties on every ranking key are common.
scores = st.one_of(points, st.sampled_from([Decimal(v) for v in (45, 60, 79.99, 90, 95)]))
satisfactions = st.one_of(
    st.none(),
    st.decimals(min_value=0, max_value=1, places=4),
    st.fractions(min_value=0, max_value=1, max_denominator=50),
    st.sampled_from([Decimal("0.5"), Decimal("0.6"), Decimal("0.9")]),
)


NONE, COUNTS = st.none(), st.integers(1, 3)


def event(types, level=NONE, by=NONE, severity=NONE, count=COUNTS):
    return st.builds(Event, st.sampled_from(types), level, by, severity, count)


events = st.one_of(
    event(
        ["commendation", "media_article", "innovation"], st.sampled_from(LEVELS), count=st.just(1)
    ),
    event(["criticism"], by=st.sampled_from(ISSUERS)),
    event(["leader_discipline"], severity=st.sampled_from(SEVERITIES)),
    event(["member_violation", "absence"]),
)


@st.composite
def branch_inputs(draw, index: int) -> BranchInput:
    fields = {
        "satisfaction": draw(satisfactions),
        "election": draw(st.sampled_from(ELECTIONS)),
        "events": tuple(draw(st.lists(events, max_size=4))),
    }
    if draw(st.booleans()):
        return BranchInput(f"B{index}", base=draw(scores), **fields)
    parts = [draw(scores) for _ in range(3)]
    return BranchInput(f"B{index}", *parts, **fields)


@st.composite
def campaigns(draw):
    size = draw(st.integers(0, 25))
    branches = [draw(branch_inputs(i)) for i in range(size)]
    policy = Policy(
        five_star_share=draw(st.decimals(min_value=0, max_value=1, places=2)),
        low_share=draw(st.decimals(min_value=0, max_value=1, places=2)),
        quota_mode=draw(st.sampled_from(QUOTA_MODES)),
    )
    return branches, policy, draw(st.sampled_from(["initial", "year_end"]))


@SETTINGS
@given(campaigns())
def test_the_final_star_is_never_above_the_band(campaign):
    for result in rate(*campaign).results:
        assert 0 <= result.star <= result.band <= 5


@SETTINGS
@given(campaigns())
def test_enforced_quotas_hold_the_cap_and_the_floor(campaign):
    branches, policy, kind = campaign
    policy = Policy(five_star_share=policy.five_star_share, low_share=policy.low_share)
    outcome = rate(branches, policy, kind)
    stars = [r.star for r in outcome.results]
    assert stars.count(5) <= outcome.quota.five_star_max
    assert sum(1 for s in stars if s <= 1) >= min(outcome.quota.low_min, len(stars))


@SETTINGS
@given(campaigns(), st.randoms(use_true_random=False))
def test_shuffling_the_input_changes_no_branch_result(campaign, rng: random.Random):
    branches, policy, kind = campaign
    shuffled = branches[:]
    rng.shuffle(shuffled)

    def by_id(outcome):
        return {
            r.id: (
                r.base,
                r.bonus,
                r.penalty,
                r.score,
                r.band,
                r.star,
                r.limits,
                [n.render() for n in r.explain],
            )
            for r in outcome.results
        }

    assert by_id(rate(shuffled, policy, kind)) == by_id(rate(branches, policy, kind))


@SETTINGS
@given(campaigns())
def test_every_trace_mentions_every_event_of_its_branch(campaign):
    branches, policy, kind = campaign
    for branch, result in zip(branches, rate(branches, policy, kind).results, strict=True):
        mentioned = Counter(
            n.params["event"].render() for n in result.explain if "event" in n.params
        )
        assert mentioned == Counter(event_label(e).render() for e in branch.events)


@SETTINGS
@given(campaigns())
def test_the_warn_mode_lists_what_enforce_does(campaign):
    branches, policy, kind = campaign
    shares = {"five_star_share": policy.five_star_share, "low_share": policy.low_share}
    enforced = rate(branches, Policy(**shares), kind)
    warned = rate(branches, Policy(**shares, quota_mode="warn"), kind)
    unchecked = rate(branches, Policy(**shares, quota_mode="off"), kind)
    assert warned.quota.violations == enforced.quota.adjusted
    assert [r.star for r in warned.results] == [r.star for r in unchecked.results]


@SETTINGS
@given(
    st.decimals(min_value=0, max_value=1, places=4),
    st.decimals(min_value=0, max_value=1, places=4),
)
def test_policy_weights_given_as_decimals_that_sum_to_1_are_accepted(a, b):
    low, high = sorted((a, b))
    weights = (low, high - low, 1 - high)  # three decimals summing to exactly 1
    # Written as JSON number text, as a spreadsheet would: 0.1 + 0.2 + 0.7 must be exactly 1.
    members = ", ".join(
        f'"{k}": {w}' for k, w in zip(("self", "survey", "review"), weights, strict=True)
    )
    text = '{"policy": {"weights": {' + members + '}}, "branches": []}'
    assert parse(text).policy.weights == weights


@SETTINGS
@given(st.fractions(min_value=0, max_value=1))
def test_a_fraction_and_its_decimal_give_the_same_rating(rate_value: Fraction):
    as_decimal = Decimal(rate_value.numerator) / Decimal(rate_value.denominator)
    if Fraction(as_decimal) != rate_value:
        return  # not a finite decimal: nothing to compare
    one = BranchInput("A", base=Decimal(95), satisfaction=rate_value)
    other = one._replace(satisfaction=as_decimal)
    first, second = rate([one]).results[0], rate([other]).results[0]
    assert (first.score, first.star) == (second.score, second.star)
