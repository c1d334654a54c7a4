"""docs/rules.md §4.8: the five-star cap, then the low floor, over all N branches of a campaign."""

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from fractions import Fraction
from math import lcm

from .i18n import N_, Note
from .labels import STAR_LABELS
from .model import Adjustment, BranchResult, QuotaReport
from .policy import Policy

_ZERO = Decimal(0)

_CAP = N_(
    "Five-star quota: rank %(rank)s of %(candidates)s five-star candidates, beyond the cap "
    "of %(cap)s: five stars → four stars"
)
_CAP_TIE = N_(
    "Five-star quota: rank %(rank)s of %(candidates)s five-star candidates, one of "
    "%(tied)s tied across the cap of %(cap)s (a tie at the cut is demoted whole): "
    "five stars → four stars"
)
_CAP_KEPT = N_(
    "Five-star quota: rank %(rank)s of %(candidates)s five-star candidates, within the cap "
    "of %(cap)s: keeps five stars"
)
_FLOOR = N_(
    "Low-star floor: at least %(floor)s branches must have one star or none and %(low)s "
    "have; rank %(rank)s from the bottom of %(candidates)s branches with two stars or more: "
    "%(from)s → one star"
)
_FLOOR_TIE = N_(
    "Low-star floor: at least %(floor)s branches must have one star or none and %(low)s "
    "have; rank %(rank)s from the bottom of %(candidates)s branches with two stars or more, "
    "one of %(tied)s tied across the cut (a tie at the cut is taken whole): "
    "%(from)s → one star"
)
#: The lines of an enforced quota move (a warn mode's line only lists one).
MOVE_LINES = frozenset({_CAP, _CAP_TIE, _FLOOR, _FLOOR_TIE})
_WARN = N_("Quota mode warn, star unchanged; enforcing would give: %(reason)s")


def five_star_max(share: Decimal, total: int) -> int:
    """§4.8: floor(five_star_share × N) on the exact product."""
    return int((share * total).to_integral_value(rounding=ROUND_FLOOR))


def low_min(share: Decimal, total: int) -> int:
    """§4.8: ceil(low_share × N) on the exact product (0.1 × 120 is 12)."""
    return int((share * total).to_integral_value(rounding=ROUND_CEILING))


def rank_key(result: BranchResult) -> tuple:
    """§4.8: (score, satisfaction, review component); a missing value ranks below any."""
    sat, review = result.satisfaction, result.review_score
    return (
        result.score,
        sat is not None,
        _ZERO if sat is None else sat,
        review is not None,
        _ZERO if review is None else review,
    )


def rank_keys(results: list[BranchResult]) -> list[tuple]:
    """`rank_key` of every result with the satisfaction rate as an exact integer: sorted
    and tied exactly as `rank_key`, but cheap to compare (a sort of 20,000 keys would
    otherwise compare Fractions, in pure Python, tens of thousands of times).

    Each rate a/b becomes a·(D/b) over D, the common denominator of all the rates: the
    same order and the same ties, in whole numbers.
    """
    rates = [_exact(r.satisfaction) for r in results]
    common = lcm(*{rate.denominator for rate in rates if rate is not None})
    return [
        (
            r.score,
            rate is not None,
            0 if rate is None else rate.numerator * (common // rate.denominator),
            r.review_score is not None,
            _ZERO if r.review_score is None else r.review_score,
        )
        for r, rate in zip(results, rates, strict=True)
    ]


def _exact(rate) -> Fraction | None:
    return rate if rate is None or type(rate) is Fraction else Fraction(rate)


def quotas(results: list[BranchResult], policy: Policy) -> QuotaReport:
    """§4.8: apply (enforce), list (warn) or skip (off) the cap and the floor.

    The figures are reported in every mode. In warn mode the would-be adjustments are
    worked out on a copy of the stars, exactly as enforce would make them.
    """
    total = len(results)
    report = QuotaReport(
        mode=policy.quota_mode,
        total=total,
        five_star_max=five_star_max(policy.five_star_share, total),
        low_min=low_min(policy.low_share, total),
    )
    if report.mode == "off":
        return report
    stars = [r.star for r in results]
    keys: list[tuple] = []  # filled on first need: most campaigns need neither sort
    notes: list[tuple[int, Note, bool]] = []  # (index, trace line, whether it moves)
    moves = cap(results, stars, keys, report.five_star_max, notes)
    moves += floor(results, stars, keys, report.low_min, notes)
    if report.mode == "enforce":
        report.adjusted = [move for _, move in moves]
        for index, move in moves:  # in order: a branch moved twice ends at the second
            results[index].star = move.to_star
        for index, note, _ in notes:
            results[index].explain.append(note)
    else:
        report.violations = [move for _, move in moves]
        for index, note, moved in notes:
            results[index].explain.append(Note(_WARN, {"reason": note}) if moved else note)
    return report


def cap(
    results: list[BranchResult],
    stars: list[int],
    keys: list[tuple],
    most: int,
    notes: list[tuple[int, Note, bool]],
) -> list[tuple[int, Adjustment]]:
    """§4.8 five-star cap: the top *most* by rank keep five stars, the rest get four.

    A tie on all keys that straddles the cut is demoted whole, so the cap is never
    exceeded. Candidates tied on all keys keep their input order.
    """
    candidates = [i for i, star in enumerate(stars) if star == 5]
    if len(candidates) <= most:
        return []
    _fill(keys, results)
    candidates.sort(key=keys.__getitem__, reverse=True)  # stable even when reversed
    cut = keys[candidates[most]]  # the key of the first one beyond the cap
    keep = most
    while keep and keys[candidates[keep - 1]] == cut:
        keep -= 1
    tied = sum(1 for i in candidates if keys[i] == cut) if keep < most else 0
    moves = []
    n = len(candidates)
    for position, rank, i in _ranked(candidates, keys):
        params = {"rank": rank, "candidates": n, "cap": most}
        if position < keep:
            notes.append((i, Note(_CAP_KEPT, params), False))
            continue
        if tied and keys[i] == cut:
            note = Note(_CAP_TIE, {**params, "tied": tied})
        else:
            note = Note(_CAP, params)
        notes.append((i, note, True))
        stars[i] = 4
        moves.append((i, Adjustment(results[i].id, 5, 4, "five_star_cap", note)))
    return moves


def floor(
    results: list[BranchResult],
    stars: list[int],
    keys: list[tuple],
    least: int,
    notes: list[tuple[int, Note, bool]],
) -> list[tuple[int, Adjustment]]:
    """§4.8 low floor: the lowest-ranked branches with two stars or more get one star.

    Taken from the bottom (ascending keys, so a missing value goes first) until *least*
    branches have one star or none; a tie that straddles the cut is taken whole.
    """
    low = sum(1 for star in stars if star <= 1)
    need = least - low
    if need <= 0:
        return []
    _fill(keys, results)
    pool = [i for i, star in enumerate(stars) if star >= 2]
    pool.sort(key=keys.__getitem__)
    take = min(need, len(pool))
    tied = 0
    if take < len(pool) and keys[pool[take]] == keys[pool[take - 1]]:
        cut = keys[pool[take - 1]]
        tied = sum(1 for i in pool if keys[i] == cut)
        while take < len(pool) and keys[pool[take]] == cut:
            take += 1
    moves = []
    n = len(pool)
    for position, rank, i in _ranked(pool, keys):
        if position >= take:
            break
        params = {
            "floor": least,
            "low": low,
            "rank": rank,
            "candidates": n,
            "from": STAR_LABELS[stars[i]],
        }
        if tied and keys[i] == keys[pool[take - 1]]:
            note = Note(_FLOOR_TIE, {**params, "tied": tied})
        else:
            note = Note(_FLOOR, params)
        notes.append((i, note, True))
        moves.append((i, Adjustment(results[i].id, stars[i], 1, "low_floor", note)))
        stars[i] = 1
    return moves


def _fill(keys: list[tuple], results: list[BranchResult]) -> None:
    if not keys:
        keys.extend(rank_keys(results))


def _ranked(ordered: list[int], keys: list[tuple]):
    """(position, rank, index) with competition ranks: ties share the better rank."""
    rank, previous = 0, None
    for position, i in enumerate(ordered):
        if keys[i] != previous:
            rank, previous = position + 1, keys[i]
        yield position, rank, i
