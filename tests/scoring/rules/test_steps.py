"""docs/rules.md §4.1–4.7 for one branch: components, base, bonus, penalty, score, band, limits."""

from decimal import Decimal
from fractions import Fraction

import pytest

from scoring.rules import render_all

from .helpers import D, ev, one


def test_score_of_89_99_is_four_stars():
    assert one(base="89.99").band == 4


def test_score_of_90_00_is_five_stars():
    assert one(base="90.00").band == 5


def test_components_are_rounded_half_up_before_weighting():
    # 89.995 → 90.00 in each component, so the base is 90.00, not 89.995.
    result = one(components=("89.995", "89.995", "89.995"))
    assert (result.base, result.score, result.band) == (D("90.00"), D("90.00"), 5)


def test_a_component_of_89_994_rounds_down():
    result = one(components=("89.994", "89.994", "89.994"))
    assert (result.score, result.band) == (D("89.99"), 4)


def test_a_given_base_is_used_unrounded_and_the_score_rounds_half_up():
    assert one(base="89.995").score == D("90.00")
    assert one(base="89.9949").score == D("89.99")


def test_base_weighs_the_components_by_the_default_weights():
    result = one(components=(95, 92, 90))
    assert result.base == D("91.60")
    assert result.review_score == D("90.00")


def test_each_bonus_group_takes_only_its_highest_level():
    events = [
        ev("commendation", level="city"),
        ev("media_article", level="national"),
        ev("innovation", level="province"),
        ev("innovation", level="city"),
    ]
    assert one(base=70, events=events).bonus == D("13.00")  # A national 8 + B province 5


def test_bonus_is_at_most_16():
    events = [ev("commendation", level="national"), ev("innovation", level="national")] * 2
    assert one(base=10, events=events).bonus == D("16.00")


@pytest.mark.parametrize(
    ("event", "points"),
    [
        (ev("criticism", by="work_committee"), 3),
        (ev("criticism", by="municipal_committee"), 5),
        (ev("leader_discipline", severity="warning"), 3),
        (ev("leader_discipline", severity="removal"), 5),
        (ev("member_violation"), 2),
        (ev("absence"), 3),
    ],
)
def test_each_penalty_occurrence_counts(event, points):
    single = one(base=80, events=[event]).penalty
    tripled = one(base=80, events=[event._replace(count=3)]).penalty
    assert (single, tripled) == (Decimal(points), Decimal(3 * points))


def test_satisfaction_of_exactly_60_percent_costs_nothing():
    assert one(base=80, satisfaction="0.60").penalty == 0


def test_satisfaction_just_below_60_percent_costs_5():
    assert one(base=80, satisfaction="0.5999").penalty == 5


def test_satisfaction_is_compared_exactly_as_a_fraction():
    assert one(base=80, satisfaction=Fraction(3, 5)).penalty == 0
    assert one(base=80, satisfaction=Fraction(5999, 10000)).penalty == 5


def test_satisfaction_of_exactly_50_percent_keeps_the_star():
    result = one(base=95, satisfaction="0.50")  # below 60 %: 95 − 5 = 90
    assert (result.band, result.star, result.limits) == (5, 5, ())


def test_satisfaction_below_50_percent_gives_no_star():
    result = one(base=95, satisfaction="0.4999")
    assert (result.band, result.star, result.limits) == (5, 0, ("satisfaction_below_50",))


def test_no_satisfaction_appraisal_applies_no_satisfaction_rule():
    result = one(base=95, satisfaction=None)
    assert (result.penalty, result.star) == (0, 5)


def test_score_is_clamped_at_0():
    result = one(base=2, events=[ev("absence", count=5)])
    assert (result.penalty, result.score, result.band) == (D(15), D("0.00"), 0)
    assert "Score -13.00 is outside 0–100 and counts as 0.00" in render_all(result.explain)


def test_score_is_clamped_at_100():
    events = [ev("commendation", level="national"), ev("innovation", level="national")]
    result = one(base=99, events=events)
    assert (result.base, result.score) == (D("99.00"), D("100.00"))


def test_band_follows_the_policy_thresholds():
    from scoring.rules import Policy

    policy = Policy(bands=(95, 85, 75, 65, 60), quota_mode="off")
    assert [one(policy, base=b).band for b in (95, "94.99", 85, 75, 65, 60, "59.99")] == [
        5,
        4,
        4,
        3,
        2,
        1,
        0,
    ]


def test_election_overdue_caps_the_star_at_four():
    result = one(base=96, election="overdue")
    assert (result.star, result.limits) == (4, ("election_overdue",))


def test_election_overdue_over_a_year_caps_the_star_at_three():
    result = one(base=96, election="overdue_over_1y")
    assert (result.star, result.limits) == (3, ("election_overdue_over_1y",))


def test_a_limit_that_does_not_lower_the_star_is_not_listed():
    result = one(base=75, election="overdue")
    assert (result.star, result.limits) == (3, ())
    assert any("already three stars, unchanged" in line for line in render_all(result.explain))


def test_two_absences_do_not_limit_the_star():
    result = one(base=100, events=[ev("absence", count=2)])
    assert (result.score, result.star, result.limits) == (D("94.00"), 5, ())


def test_three_absences_in_total_cap_the_star_at_four():
    result = one(base=100, events=[ev("absence", count=2), ev("absence")])
    assert (result.score, result.band, result.star) == (D("91.00"), 5, 4)
    assert result.limits == ("absences",)


def test_year_end_band_five_with_three_absences_ends_at_three_stars():
    result = one(kind="year_end", base=100, events=[ev("absence", count=3)])
    assert (result.band, result.star) == (5, 3)
    assert result.limits == ("absences", "absences_year_end")


def test_year_end_lowers_a_star_below_the_cap_by_one():
    result = one(kind="year_end", base=79, events=[ev("absence", count=3)])  # 79 − 9 = 70
    assert (result.band, result.star, result.limits) == (3, 2, ("absences_year_end",))


def test_year_end_leaves_no_star_at_no_star():
    result = one(kind="year_end", base=40, events=[ev("absence", count=3)])
    assert (result.band, result.star, result.limits) == (0, 0, ())


def test_limits_apply_in_order_to_the_star_left_before():
    result = one(base=100, satisfaction="0.45", election="overdue", events=[ev("absence", count=3)])
    assert (result.star, result.limits) == (0, ("satisfaction_below_50",))


def test_numbers_are_shown_with_two_decimals():
    result = one(base=80)
    assert [str(v) for v in (result.base, result.bonus, result.penalty, result.score)] == [
        "80.00",
        "0.00",
        "0.00",
        "80.00",
    ]


def test_base_line_shows_the_formula_with_its_numbers(chinese):
    result = one(components=(95, 92, 90))
    assert result.explain[0].render() == (
        "Base = self-evaluation 95.00 × 0.2 + survey 92.00 × 0.3 + review 90.00 × 0.5 = 91.60"
    )
    assert result.explain[0].render(chinese) == (
        "基础分 = 自评 95.00×0.2 + 测评 92.00×0.3 + 考评 90.00×0.5 = 91.60"
    )


def test_trace_says_which_bonus_counted_in_its_group(chinese):
    events = [ev("commendation", level="city"), ev("media_article", level="province")]
    lines = render_all(one(base=80, events=events).explain, chinese)
    assert "加分（A类）：市级表彰，3 分，不计入（同类只计最高一项）" in lines
    assert "加分（A类）：省级署名文章报道，5 分，计入" in lines


def test_trace_gives_each_penalty_with_its_event_and_count(chinese):
    events = [ev("criticism", by="municipal_committee"), ev("member_violation", count=2)]
    lines = render_all(one(base=95, satisfaction="0.55", events=events).explain, chinese)
    assert lines == [
        "基础分（直接给定）：95.00",
        "减分：市委通报批评 1 次 × 5 分 = −5",
        "减分：普通党员违法违纪 2 人次 × 2 分 = −4",
        "满意率 55.00% 低于 60%，减 5 分",
        "减分合计：14.00",
        "总分 = 基础分 95.00 + 加分 0.00 − 减分 14.00 = 81.00",
        "按分定星：四星级（总分 81.00 ≥ 80.00）",
    ]


def test_trace_gives_each_limit_with_its_reason(chinese):
    lines = render_all(one(base=96, satisfaction="0.4999").explain, chinese)
    assert lines[-1] == "星级限制：满意率 49.99% 低于 50%，不定星级（五星级 → 不定星级）"


def test_satisfaction_is_shown_cut_not_rounded():
    lines = render_all(one(base=80, satisfaction="0.59999").explain)
    assert "Satisfaction rate 59.99% is below 60%: −5" in lines
    lines = render_all(one(base=80, satisfaction=Fraction(2, 3)).explain)
    assert "Satisfaction rate 66.66% is not below 60%: no deduction" in lines


def test_a_sum_just_above_100_needs_no_clamp_line():
    result = one(base="99.004", events=[ev("innovation", level="city")], satisfaction="0.4")
    assert result.score == D("97.00")  # 99.004 + 3 − 5
    result = one(base="97.004", events=[ev("innovation", level="city")])
    assert result.score == D("100.00")
    assert not any("outside" in line for line in render_all(result.explain))


def test_a_sum_just_below_0_shows_no_negative_zero():
    result = one(base="2.996", events=[ev("absence")])
    assert result.score == D("0.00")
    assert "Score = base 3.00 + bonus 0.00 − penalty 3.00 = 0.00" in render_all(result.explain)


@pytest.mark.parametrize(
    ("base", "events", "score"),
    [
        ("97.004", [ev("innovation", level="city")], "100.00"),  # 100.004
        ("97.005", [ev("innovation", level="city")], "100.00"),  # 100.005 would round up
        ("2.996", [ev("absence")], "0.00"),  # −0.004
        ("2.995", [ev("absence")], "0.00"),  # −0.005 would round down
    ],
)
def test_the_score_is_clamped_before_it_is_quantised(base, events, score):
    assert str(one(base=base, events=events).score) == score
