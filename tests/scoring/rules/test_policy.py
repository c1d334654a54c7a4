"""The per-campaign policy (docs/rules.md §4): defaults and what it refuses."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from scoring.rules import InvalidInput, Policy


def test_defaults_are_those_of_the_design():
    policy = Policy()
    assert policy.weights == (Decimal("0.2"), Decimal("0.3"), Decimal("0.5"))
    assert policy.bands == tuple(map(Decimal, (90, 80, 70, 60, 50)))
    assert (policy.five_star_share, policy.low_share, policy.quota_mode) == (
        Decimal("0.10"),
        Decimal("0.10"),
        "enforce",
    )


def test_weights_given_as_decimals_that_sum_to_1_are_accepted():
    Policy(weight_self=Decimal("0.1"), weight_survey=Decimal("0.2"), weight_review=Decimal("0.7"))


def test_weights_must_sum_to_exactly_1():
    with pytest.raises(InvalidInput) as caught:
        Policy(
            weight_self=Decimal("0.2"),
            weight_survey=Decimal("0.3"),
            weight_review=Decimal("0.5000000000000000000000000000001"),
        )
    assert caught.value.field == "policy.weights"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"weight_self": Decimal("1.2"), "weight_survey": Decimal("-0.2")}, "policy.weights.self"),
        ({"weight_self": 0.2}, "policy.weights.self"),  # a binary float is refused
        ({"bands": (90, 80, 70, 60)}, "policy.bands"),
        ({"bands": (90, 80, 70, 60, 60)}, "policy.bands"),
        ({"bands": (90, 80, 70, 60, -1)}, "policy.bands[4]"),
        ({"five_star_share": Decimal("1.01")}, "policy.five_star_share"),
        ({"low_share": True}, "policy.low_share"),
        ({"quota_mode": "strict"}, "policy.quotas"),
    ],
)
def test_a_policy_outside_the_rules_is_refused_naming_the_field(change, field):
    with pytest.raises(InvalidInput) as caught:
        Policy(**change)
    assert caught.value.field == field


def test_whole_numbers_are_taken_as_decimals():
    assert Policy(bands=(95, 85, 75, 65, 60)).bands[0] == Decimal(95)


def test_a_policy_reads_the_campaign_fields():
    campaign = SimpleNamespace(
        weight_self=Decimal("0.3"),
        weight_survey=Decimal("0.3"),
        weight_review=Decimal("0.4"),
        band_5=Decimal(95),
        band_4=Decimal(85),
        band_3=Decimal(75),
        band_2=Decimal(65),
        band_1=Decimal(60),
        five_star_share=Decimal("0.15"),
        low_share=Decimal("0.05"),
        quota_mode="warn",
    )
    policy = Policy.from_campaign(campaign)
    assert (policy.weight_review, policy.bands[-1], policy.quota_mode) == (
        Decimal("0.4"),
        Decimal(60),
        "warn",
    )
