"""The per-branch steps of docs/rules.md §4, one function each, in the order they apply.

Every step appends its trace line(s) to *trace* (docs/rules.md §4.9) as it computes. All
arithmetic is Decimal; `engine.rate` runs the steps under a fixed decimal context.
"""

from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from fractions import Fraction
from sys import intern
from typing import NamedTuple

from .errors import InvalidInput
from .i18n import CENT, N_, Note
from .labels import LEVEL_LABELS, STAR_LABELS, event_label
from .model import BONUS_GROUPS, BranchInput, Event, Satisfaction
from .policy import Policy

ZERO, HUNDRED, _HUNDRED_00 = Decimal("0.00"), Decimal(100), Decimal("100.00")

#: §4.3: points of a bonus event by level; each group counts only its highest.
LEVEL_POINTS = {"city": 3, "province": 5, "national": 8}
#: §4.4: points per notice by issuer, per person-time by severity, per occurrence.
CRITICISM_POINTS = {"work_committee": 3, "municipal_committee": 5}
DISCIPLINE_POINTS = {"warning": 3, "removal": 5}
MEMBER_VIOLATION_POINTS = 2
ABSENCE_POINTS = 3
LOW_SATISFACTION_POINTS = 5
#: §4.4 and §4.7: satisfaction thresholds, compared exactly.
SATISFACTION_PENALTY_BELOW = Decimal("0.6")
SATISFACTION_NO_STAR_BELOW = Decimal("0.5")
#: §4.7: this many absences/undone tasks in the year cap the star.
ABSENCES_LIMIT = 3

# The trace lines, one msgid each (the steps run 100,000 times a campaign: no call here).
_BASE = N_(
    "Base = self-evaluation %(self)s × %(w_self)s + survey %(survey)s × %(w_survey)s + "
    "review %(review)s × %(w_review)s = %(base)s"
)
_BASE_GIVEN = N_("Base given directly: %(base)s")
_BONUS_COUNTED = N_("Bonus group %(group)s: %(level)s %(event)s, %(points)s points, counted")
_BONUS_NOT_COUNTED = N_(
    "Bonus group %(group)s: %(level)s %(event)s, %(points)s points, not counted "
    "(a group counts only its highest)"
)
_BONUS = N_("Bonus = group A %(a)s + group B %(b)s = %(bonus)s")
_PER_TIME = N_("Penalty: %(event)s, %(count)s time(s) × %(points)s = −%(total)s")
_PER_PERSON = N_("Penalty: %(event)s, %(count)s person-time(s) × %(points)s = −%(total)s")
_NO_APPRAISAL = Note(N_("No satisfaction appraisal: the satisfaction rules do not apply"))
_SATISFACTION_LOW = N_("Satisfaction rate %(rate)s%% is below 60%%: −%(points)s")
_SATISFACTION_OK = N_("Satisfaction rate %(rate)s%% is not below 60%%: no deduction")
_PENALTY = N_("Penalty = %(penalty)s")
_SCORE = N_("Score = base %(base)s + bonus %(bonus)s − penalty %(penalty)s = %(score)s")
_CLAMPED = N_("Score %(raw)s is outside 0–100 and counts as %(score)s")
_BAND = N_("Band: %(star)s (score %(score)s ≥ %(threshold)s)")
_BAND_NONE = N_("Band: %(star)s (score %(score)s < %(threshold)s)")
_LIMIT = N_("Limit: %(rule)s (%(from)s → %(to)s)")
_LIMIT_NO_CHANGE = N_("Limit: %(rule)s (already %(star)s, unchanged)")
_RULE_SATISFACTION = N_("satisfaction rate %(rate)s%% is below 50%%: no star")
_RULE_OVERDUE = Note(N_("election overdue without a reason or request: at most four stars"))
_RULE_OVERDUE_1Y = Note(N_("election overdue by more than one year: at most three stars"))
_RULE_ABSENCES = N_(
    "%(count)s absences or undone tasks in the year (3 or more): at most four stars"
)
_RULE_YEAR_END = N_("year-end re-rating with %(count)s absences or undone tasks: one star lower")
#: The lines that set a star (docs/rules.md §4.9): the band and a limit that lowered it;
#: a quota move's lines are `quotas.MOVE_LINES`. `engine.star_line` reads them.
STAR_LINES = frozenset({_BAND, _BAND_NONE, _LIMIT})
_EITHER = Note(N_("give either the three components or a base, not both or neither"))
_ALL_THREE = Note(N_("give all three components: self, survey and review"))

_STARS_DOWN = (5, 4, 3, 2, 1)
_SCORE_PARAMS = ("base", "bonus", "penalty", "score")


class Run(NamedTuple):
    """What the steps share over one `rate()` call: the policy, as numbers and as text,
    and the trace lines made so far.

    Trace params are pre-formatted text (scores with two decimals, weights as given,
    "0.2"), so rendering a trace is plain string formatting. Notes are immutable, so a
    line that many branches share (the same band line for the same score, the same
    satisfaction line for the same rate) is one Note: a campaign of 100,000 branches
    holds a few thousand of them instead of half a million.
    """

    weights: tuple[Decimal, Decimal, Decimal]
    weight_texts: tuple[str, str, str]
    bands: tuple[Decimal, ...]
    band_texts: tuple[str, ...]
    lines: dict[tuple, Note]

    @classmethod
    def of(cls, policy: Policy) -> "Run":
        return cls(
            policy.weights,
            tuple(format(w, "f") for w in policy.weights),
            policy.bands,
            tuple(text(b) for b in policy.bands),
            {},
        )


def text(value: Decimal) -> str:
    """A score as the trace shows it: two decimals, half up (docs/rules.md §4.5)."""
    return str(value.quantize(CENT, ROUND_HALF_UP))


def shared(run: Run, key: tuple, params: Callable[[], dict]) -> Note:
    """The run's one Note for *key* (its msgid first), made with *params()* the first time."""
    note = run.lines.get(key)
    if note is None:
        note = run.lines[key] = Note(key[0], params())
    return note


def round_components(branch: BranchInput) -> tuple[Decimal, Decimal, Decimal] | None:
    """§4.1: each component rounded to 0.01 half up before it is weighted.

    None when the branch gives a base instead; exactly one of the two must be given.
    """
    s, v, r = branch.self_score, branch.survey_score, branch.review_score
    if s is None and v is None and r is None:
        if branch.base is None:
            raise InvalidInput(_EITHER, branch=branch.id)
        return None
    if branch.base is not None:
        raise InvalidInput(_EITHER, branch=branch.id)
    if s is None or v is None or r is None:
        raise InvalidInput(_ALL_THREE, branch=branch.id, field="components")
    return (
        s.quantize(CENT, ROUND_HALF_UP),
        v.quantize(CENT, ROUND_HALF_UP),
        r.quantize(CENT, ROUND_HALF_UP),
    )


def base(
    components: tuple[Decimal, Decimal, Decimal] | None,
    given: Decimal | None,
    run: Run,
    trace: list[Note],
) -> Decimal:
    """§4.2: base = self × w_self + survey × w_survey + review × w_review, not rounded.

    A base given directly (the calculator's `base`) is used as it is.
    """
    if components is None:
        shown = text(given)
        trace.append(shared(run, (_BASE_GIVEN, shown), lambda: {"base": shown}))
        return given
    s, v, r = components
    w_self, w_survey, w_review = run.weights
    value = s * w_self + v * w_survey + r * w_review
    ws, wv, wr = run.weight_texts
    # The components are rounded already: str() shows their two decimals. This line is
    # seldom shared, but its numbers are: interned, each text is held once.
    params = {
        "self": intern(str(s)),
        "w_self": ws,
        "survey": intern(str(v)),
        "w_survey": wv,
        "review": intern(str(r)),
        "w_review": wr,
        "base": intern(text(value)),
    }
    trace.append(Note(_BASE, params))
    return value


def bonus(events: tuple[Event, ...], run: Run, trace: list[Note]) -> Decimal:
    """§4.3: bonus = highest of group A + highest of group B (city 3, province 5, national 8).

    Every bonus event gets a line saying whether it counted: the first event of the
    highest level in its group does, the others do not. Without bonus events the step
    adds no line (the score line shows the bonus as 0.00).
    """
    if not events:
        return ZERO
    bonus_events = [e for e in events if e.type in BONUS_GROUPS]
    if not bonus_events:
        return ZERO
    best = {"A": 0, "B": 0}
    for event in bonus_events:
        group = BONUS_GROUPS[event.type]
        best[group] = max(best[group], LEVEL_POINTS[event.level])
    counted = {"A": False, "B": False}
    for event in bonus_events:
        group = BONUS_GROUPS[event.type]
        points = LEVEL_POINTS[event.level]
        counts = points == best[group] and not counted[group]
        counted[group] |= counts
        key = (_BONUS_COUNTED if counts else _BONUS_NOT_COUNTED, event)
        trace.append(
            shared(
                run,
                key,
                lambda e=event, g=group, p=points: {
                    "group": g,
                    "level": LEVEL_LABELS[e.level],
                    "event": event_label(e),
                    "points": p,
                },
            )
        )
    a, b = Decimal(best["A"]), Decimal(best["B"])
    total = (a + b).quantize(CENT)
    trace.append(
        shared(
            run,
            (_BONUS, a, b),
            lambda: {
                "a": text(a),
                "b": text(b),
                "bonus": str(total),
            },
        )
    )
    return total


def penalty(
    events: tuple[Event, ...], satisfaction: Satisfaction | None, run: Run, trace: list[Note]
) -> Decimal:
    """§4.4: every penalty occurrence counts; satisfaction below 60 % costs 5 once.

    One line per penalty event and one for the satisfaction rule; a total line when
    anything was deducted.
    """
    total = 0
    for event in events:
        kind = event.type
        if kind == "criticism":
            points, msgid = CRITICISM_POINTS[event.by], _PER_TIME
        elif kind == "leader_discipline":
            points, msgid = DISCIPLINE_POINTS[event.severity], _PER_PERSON
        elif kind == "member_violation":
            points, msgid = MEMBER_VIOLATION_POINTS, _PER_PERSON
        elif kind == "absence":
            points, msgid = ABSENCE_POINTS, _PER_TIME
        else:
            continue  # a bonus event
        amount = points * event.count
        total += amount
        trace.append(
            shared(
                run,
                (msgid, event),
                lambda e=event, p=points, a=amount: {
                    "event": event_label(e),
                    "count": e.count,
                    "points": p,
                    "total": a,
                },
            )
        )
    if satisfaction is None:
        trace.append(_NO_APPRAISAL)
    else:
        low = satisfaction < SATISFACTION_PENALTY_BELOW  # exact: 0.5999 is, 0.60 is not
        if low:
            total += LOW_SATISFACTION_POINTS
        shown = percent(satisfaction)
        if low:
            key, points = (_SATISFACTION_LOW, shown), LOW_SATISFACTION_POINTS
            trace.append(shared(run, key, lambda: {"rate": shown, "points": points}))
        else:
            trace.append(shared(run, (_SATISFACTION_OK, shown), lambda: {"rate": shown}))
    if not total:
        return ZERO
    value = Decimal(total).quantize(CENT)
    trace.append(shared(run, (_PENALTY, total), lambda: {"penalty": str(value)}))
    return value


def score(base: Decimal, bonus: Decimal, penalty: Decimal, run: Run, trace: list[Note]) -> Decimal:
    """§4.5: score = clamp(base + bonus − penalty, 0, 100), quantised to 0.01 half up.

    *bonus* and *penalty* come quantised from their steps.
    """
    raw = base + bonus - penalty
    summed = raw.quantize(CENT, ROUND_HALF_UP) or ZERO  # −0.004 shows 0.00, not -0.00
    # Quantising first and clamping after gives the same score: 100.004 and 100.005 both
    # end at 100.00, −0.004 and −0.005 at 0.00.
    value = summed if ZERO <= summed <= HUNDRED else (ZERO if raw < ZERO else _HUNDRED_00)
    shown = str(summed)
    key = (_SCORE, text(base), str(bonus), str(penalty), shown)
    trace.append(shared(run, key, lambda: dict(zip(_SCORE_PARAMS, key[1:], strict=True))))
    if value != summed:
        trace.append(Note(_CLAMPED, {"raw": shown, "score": str(value)}))
    return value


def band(score: Decimal, run: Run, trace: list[Note]) -> int:
    """§4.6: the star the score alone gives; the bands are the lowest score of 5 … 1 star."""
    star = 0
    for stars, threshold in zip(_STARS_DOWN, run.bands, strict=True):
        if score >= threshold:
            star = stars
            break
    shown = str(score)  # quantised already
    # One policy per run: the score decides the line.
    threshold = run.band_texts[5 - star if star else 4]
    key = (_BAND if star else _BAND_NONE, shown)
    trace.append(
        shared(
            run,
            key,
            lambda: {
                "star": STAR_LABELS[star],
                "score": shown,
                "threshold": threshold,
            },
        )
    )
    return star


def absence_count(events: tuple[Event, ...]) -> int:
    """§4.7: the sum of the counts of the year's absences and undone tasks."""
    return sum(event.count for event in events if event.type == "absence")


def limits(
    star: int,
    *,
    satisfaction: Satisfaction | None,
    election: str,
    absences: int,
    kind: str,
    trace: list[Note],
) -> tuple[int, tuple[str, ...]]:
    """§4.7: the limits, in order, each on the star the steps before it left.

    Returns the star and the codes of the limits that actually lowered it; a limit that
    applies but finds the star already low enough still gets its trace line.
    """
    if (satisfaction is None or satisfaction >= SATISFACTION_NO_STAR_BELOW) and (
        election == "on_time" and absences < ABSENCES_LIMIT
    ):
        return star, ()  # the common case: no limit applies
    lowered: list[str] = []
    if satisfaction is not None and satisfaction < SATISFACTION_NO_STAR_BELOW:
        rule = Note(_RULE_SATISFACTION, {"rate": percent(satisfaction)})
        star = _limit(star, 0, "satisfaction_below_50", rule, lowered, trace)
    if election == "overdue":
        star = _limit(star, 4, "election_overdue", _RULE_OVERDUE, lowered, trace)
    elif election == "overdue_over_1y":
        star = _limit(star, 3, "election_overdue_over_1y", _RULE_OVERDUE_1Y, lowered, trace)
    if absences >= ABSENCES_LIMIT:
        rule = Note(_RULE_ABSENCES, {"count": absences})
        star = _limit(star, 4, "absences", rule, lowered, trace)
        if kind == "year_end":  # then one star lower still, never below no star
            rule = Note(_RULE_YEAR_END, {"count": absences})
            star = _limit(star, max(star - 1, 0), "absences_year_end", rule, lowered, trace)
    return star, tuple(lowered)


def _limit(
    star: int, most: int, code: str, rule: Note, lowered: list[str], trace: list[Note]
) -> int:
    if star <= most:
        trace.append(Note(_LIMIT_NO_CHANGE, {"rule": rule, "star": STAR_LABELS[star]}))
        return star
    lowered.append(code)
    trace.append(Note(_LIMIT, {"rule": rule, "from": STAR_LABELS[star], "to": STAR_LABELS[most]}))
    return most


def percent(rate: Satisfaction) -> str:
    """A satisfaction rate as a percentage for display, cut (not rounded) to 0.01.

    Cutting keeps the display honest at the thresholds: 0.59999 shows 59.99, not 60.00.
    """
    if type(rate) is Decimal:
        return str((rate * 100).quantize(CENT, ROUND_DOWN))
    exact = rate if type(rate) is Fraction else Fraction(rate)
    hundredths = exact.numerator * 10000 // exact.denominator  # floor(rate × 10000)
    return str((Decimal(hundredths) / 100).quantize(CENT))
