"""docs/rules.md §4.8: the five-star cap, then the low floor, in enforce, warn and off modes."""

from decimal import Decimal

import pytest

from scoring.rules import Policy, rate
from scoring.rules.quotas import five_star_max, low_min

from .helpers import branch


def stars(outcome) -> dict[str, int]:
    return {r.id: r.star for r in outcome.results}


def moves(adjustments) -> list[tuple[str, int, int]]:
    return [(a.id, a.from_star, a.to_star) for a in adjustments]


def fillers(n: int, score=75, start=0) -> list:
    """Three-star branches that neither quota touches."""
    return [branch(f"F{i:03d}", base=score, satisfaction="0.9") for i in range(start, start + n)]


def cap_only(share="0.10") -> Policy:
    return Policy(five_star_share=Decimal(share), low_share=Decimal(0))


def test_quota_figures_use_the_exact_decimal_product():
    assert five_star_max(Decimal("0.1"), 120) == 12
    assert low_min(Decimal("0.1"), 120) == 12
    assert (five_star_max(Decimal("0.1"), 119), low_min(Decimal("0.1"), 119)) == (11, 12)


def test_no_branches_give_zero_quota_figures():
    outcome = rate([])
    assert outcome.results == []
    q = outcome.quota
    assert (q.mode, q.total, q.five_star_max, q.low_min, q.adjusted, q.violations) == (
        "enforce",
        0,
        0,
        0,
        [],
        [],
    )


def test_the_top_ranked_keep_five_stars_within_the_cap():
    branches = [branch(f"T{i}", base=99 - i, satisfaction="0.9") for i in range(4)]
    outcome = rate(branches + fillers(16), cap_only())  # N = 20: cap 2
    assert [stars(outcome)[f"T{i}"] for i in range(4)] == [5, 5, 4, 4]
    assert moves(outcome.quota.adjusted) == [("T2", 5, 4), ("T3", 5, 4)]


def test_a_tie_straddling_the_cap_is_demoted_whole():
    branches = [
        branch("TOP", base=99, satisfaction="0.9"),
        branch("TIE1", base=95, satisfaction="0.9"),
        branch("TIE2", base=95, satisfaction="0.9"),
    ]
    outcome = rate(branches + fillers(17), cap_only())  # cap 2; the tie holds places 2 and 3
    assert [stars(outcome)[i] for i in ("TOP", "TIE1", "TIE2")] == [5, 4, 4]
    reason = outcome.quota.adjusted[0].reason.render()
    assert "rank 2 of 3 five-star candidates, one of 2 tied across the cap of 2" in reason


def test_a_tie_within_the_cap_keeps_five_stars():
    branches = [branch(f"TIE{i}", base=95, satisfaction="0.9") for i in range(2)]
    outcome = rate(branches + [branch("LOW5", base=94)] + fillers(17), cap_only())
    assert [stars(outcome)[i] for i in ("TIE0", "TIE1", "LOW5")] == [5, 5, 4]


def test_satisfaction_breaks_a_tie_on_score():
    branches = [
        branch("LESS", components=(95, 95, 95), satisfaction="0.9"),
        branch("MORE", components=(95, 95, 95), satisfaction="0.95"),
    ]
    outcome = rate(branches + fillers(8), cap_only())  # cap 1
    assert (stars(outcome)["MORE"], stars(outcome)["LESS"]) == (5, 4)


def test_review_breaks_a_tie_on_score_and_satisfaction():
    branches = [
        branch("HIGH_REVIEW", components=(90, 90, 100), satisfaction="0.9"),  # 95.00
        branch("LOW_REVIEW", components=(100, 100, 90), satisfaction="0.9"),  # 95.00
    ]
    outcome = rate(branches + fillers(8), cap_only())  # cap 1
    assert (stars(outcome)["HIGH_REVIEW"], stars(outcome)["LOW_REVIEW"]) == (5, 4)


def test_missing_satisfaction_ranks_below_any_present_satisfaction():
    branches = [
        branch("NONE", base=95, satisfaction=None),
        branch("ZERO_SIX", base=95, satisfaction="0.6"),
    ]
    outcome = rate(branches + fillers(8), cap_only())  # cap 1
    assert (stars(outcome)["ZERO_SIX"], stars(outcome)["NONE"]) == (5, 4)


def test_missing_review_ranks_below_any_present_review():
    branches = [
        branch("BASE", base=95, satisfaction="0.9"),  # no review component
        branch("COMPONENTS", components=(100, 100, 90), satisfaction="0.9"),  # 95.00
    ]
    outcome = rate(branches + fillers(8), cap_only())  # cap 1
    assert (stars(outcome)["COMPONENTS"], stars(outcome)["BASE"]) == (5, 4)


def floor_only(share="0.10") -> Policy:
    return Policy(five_star_share=Decimal(1), low_share=Decimal(share))


def test_the_floor_sets_the_lowest_ranked_to_one_star():
    branches = [branch("LOWEST", base=61), branch("NEXT", base=62)] + fillers(8)
    outcome = rate(branches, floor_only("0.2"))  # N = 10: floor 2
    assert (stars(outcome)["LOWEST"], stars(outcome)["NEXT"]) == (1, 1)
    assert moves(outcome.quota.adjusted) == [("LOWEST", 2, 1), ("NEXT", 2, 1)]


def test_branches_already_low_count_towards_the_floor():
    branches = [branch("NONE", base=40), branch("TWO", base=61)] + fillers(8)
    outcome = rate(branches, floor_only("0.1"))  # floor 1, met by NONE
    assert outcome.quota.adjusted == []
    assert stars(outcome)["TWO"] == 2


def test_a_tie_straddling_the_floor_is_taken_whole():
    branches = [branch("TIE1", base=61), branch("TIE2", base=61)] + fillers(8)
    outcome = rate(branches, floor_only("0.1"))  # floor 1, but the two lowest are tied
    assert (stars(outcome)["TIE1"], stars(outcome)["TIE2"]) == (1, 1)
    assert "one of 2 tied across the cut" in outcome.quota.adjusted[0].reason.render()


def test_the_floor_takes_a_missing_value_first():
    branches = [
        branch("PRESENT", base=61, satisfaction="0.6"),
        branch("MISSING", base=61, satisfaction=None),
    ] + fillers(8)
    outcome = rate(branches, floor_only("0.1"))
    assert (stars(outcome)["MISSING"], stars(outcome)["PRESENT"]) == (1, 2)


def test_a_branch_moved_by_both_cap_and_floor_is_recorded_twice():
    outcome = rate([branch("B01", base=92)])  # N = 1: cap 0, floor 1
    assert moves(outcome.quota.adjusted) == [("B01", 5, 4), ("B01", 4, 1)]
    assert [a.rule for a in outcome.quota.adjusted] == ["five_star_cap", "low_floor"]
    assert outcome.results[0].star == 1


def test_quota_trace_gives_rank_and_cut_off(chinese):
    branches = [branch(f"B{i:02d}", base=100 - i, satisfaction="0.9") for i in range(20)]
    outcome = rate(branches)
    b02 = outcome.results[2]
    assert b02.explain[-1].render() == (
        "Five-star quota: rank 3 of 11 five-star candidates, beyond the cap of 2: "
        "five stars → four stars"
    )
    assert b02.explain[-1].render(chinese) == (
        "五星级名额为 2 个：在 11 个五星级候选党支部中排第 3 名，超出名额，由五星级降为四星级"
    )
    assert outcome.quota.adjusted[0].reason == b02.explain[-1]


def test_warn_mode_leaves_stars_and_lists_violations():
    branches = [branch(f"B{i:02d}", base=100 - i, satisfaction="0.9") for i in range(20)]
    enforced = rate(branches)
    warned = rate(branches, Policy(quota_mode="warn"))
    assert [r.star for r in warned.results] == [r.band for r in warned.results]
    assert warned.quota.adjusted == []
    assert moves(warned.quota.violations) == moves(enforced.quota.adjusted)
    line = warned.results[2].explain[-1].render()
    assert line.startswith("Quota mode warn, star unchanged; enforcing would give: Five-star")


def test_off_mode_checks_nothing_but_reports_the_figures():
    branches = [branch(f"B{i:02d}", base=100 - i) for i in range(20)]
    outcome = rate(branches, Policy(quota_mode="off"))
    q = outcome.quota
    assert (q.mode, q.total, q.five_star_max, q.low_min, q.adjusted, q.violations) == (
        "off",
        20,
        2,
        2,
        [],
        [],
    )
    assert [r.star for r in outcome.results] == [r.band for r in outcome.results]


@pytest.mark.parametrize("mode", ["enforce", "warn", "off"])
def test_results_come_in_input_order(mode):
    ids = ["Z", "A", "M", "B"]
    outcome = rate([branch(i, base=90 + n) for n, i in enumerate(ids)], Policy(quota_mode=mode))
    assert [r.id for r in outcome.results] == ids
