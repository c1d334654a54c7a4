"""What the engine reads and writes (docs/rules.md §4.1): plain values, no Django.

Vocabularies are tuples of the codes the JSON contract and the web app's choices use.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from .i18n import Note

KINDS = ("initial", "year_end")
ELECTIONS = ("on_time", "overdue", "overdue_over_1y")
LEVELS = ("city", "province", "national")
ISSUERS = ("work_committee", "municipal_committee")  # `by` of a criticism
SEVERITIES = ("warning", "removal")  # of a leader_discipline
QUOTA_MODES = ("enforce", "warn", "off")

#: Bonus event types and their group (docs/rules.md §4.3): each group counts only its highest.
BONUS_GROUPS = {"commendation": "A", "media_article": "A", "innovation": "B"}
PENALTY_TYPES = ("criticism", "leader_discipline", "member_violation", "absence")
EVENT_TYPES = (*BONUS_GROUPS, *PENALTY_TYPES)

#: Limit codes, in the order the limits apply (docs/rules.md §4.7).
LIMIT_CODES = (
    "satisfaction_below_50",
    "election_overdue",
    "election_overdue_over_1y",
    "absences",
    "absences_year_end",
)
#: Rules of a quota adjustment (docs/rules.md §4.8).
QUOTA_RULES = ("five_star_cap", "low_floor")

Satisfaction = Decimal | Fraction


# Inputs are NamedTuples: immutable like a frozen dataclass, and five times cheaper to
# build (a campaign builds 100,000 of them).


class Event(NamedTuple):
    """A bonus or penalty event (docs/rules.md §4.3–4.4).

    Bonus events (commendation, media_article, innovation) carry `level`; a criticism
    carries `by`, a leader_discipline `severity`; penalty events count `count` times.
    """

    type: str
    level: str | None = None
    by: str | None = None
    severity: str | None = None
    count: int = 1


class BranchInput(NamedTuple):
    """One branch to rate: the three components *or* a base, and what else §4 reads.

    Components are the unrounded sums/means (the engine rounds them, docs/rules.md §4.1);
    `satisfaction` is exact (a Fraction or Decimal in 0–1) or None when there was no
    appraisal.
    """

    id: str
    self_score: Decimal | None = None
    survey_score: Decimal | None = None
    review_score: Decimal | None = None
    base: Decimal | None = None
    satisfaction: Satisfaction | None = None
    election: str = "on_time"
    events: tuple[Event, ...] = ()


@dataclass(slots=True)
class BranchResult:
    """The rating of one branch (docs/rules.md §4.1 output), built by the engine; read-only after.

    `base`, `bonus`, `penalty` and `score` are quantised to 0.01; `band` is the star the
    score alone gives, `star` the final one; `limits` holds the codes of the limits that
    lowered the star; `explain` is the trace, one Note per line. `satisfaction` and
    `review_score` (rounded, None when a base was given) are the quota's ranking keys.
    """

    id: str
    base: Decimal
    bonus: Decimal
    penalty: Decimal
    score: Decimal
    band: int
    star: int
    limits: tuple[str, ...]
    explain: list[Note]
    satisfaction: Satisfaction | None = None
    review_score: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Adjustment:
    """A star changed (or, in warn mode, that would change) by a quota rule."""

    id: str
    from_star: int
    to_star: int
    rule: str  # one of QUOTA_RULES
    reason: Note


@dataclass(slots=True)
class QuotaReport:
    """The quota figures (always) and what the quotas changed (docs/rules.md §4.8)."""

    mode: str
    total: int
    five_star_max: int
    low_min: int
    adjusted: list[Adjustment] = field(default_factory=list)
    violations: list[Adjustment] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Outcome:
    """Everything one `rate()` call produces; results in input order."""

    results: list[BranchResult]
    quota: QuotaReport
