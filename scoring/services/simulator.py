"""The policy simulator (docs/rules.md, "The policy simulator"): a campaign's figures
rated under another policy, side by side with its own, and nothing saved.

`simulate` reads the campaign's figures once through the recompute's `gather` and
`to_branch_input` (the one place that turns stored numbers into engine input), keeps the
branches the recompute would rate, and runs the engine (`scoring.rules.rate`, the code the
recompute and `manage.py rate` run) twice over the same inputs: with the campaign's policy
and with the trial. So a branch that moves moves because of the policy alone, whatever
changed since the last recompute (D-4.9e); when nothing did, the campaign's side is the
stored result.

A trial is a `Policy` (weights, bands, the shares and the quota mode, checked by the
campaign form's own rules) and the event types switched off: their events are left out
of every branch's input, as if they were not recorded (D-4.9f). Nothing is written: no
rating, no audit record, no cache.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext

from branches.permissions import may_simulate
from scoring.models import Campaign, EventType, QuotaMode
from scoring.rules import BranchInput, BranchResult, InvalidInput, Note, Policy, QuotaReport, rate
from scoring.rules.engine import star_line
from starrating import collector

from .errors import InvalidPolicy, NotAllowed
from .recompute import gather, policy_of, to_branch_input

#: The stars a campaign's counts are given for, most first (0: no star).
STARS = (5, 4, 3, 2, 1, 0)
#: How the moved list sorts: the key of a `Move` for each column (a "-" before the
#: name in the request sorts it descending).
SORTS = {
    "name": lambda m: (m.name, m.code),
    "from": lambda m: (m.from_star, m.to_star, m.name, m.code),
    "to": lambda m: (m.to_star, m.from_star, m.name, m.code),
    "delta": lambda m: (m.delta, m.name, m.code),
}
DEFAULT_SORT = "name"


@dataclass(frozen=True)
class Trial:
    """A policy to try: the engine's `Policy` and the event types switched off."""

    policy: Policy
    off: frozenset[str] = frozenset()

    @classmethod
    def of(cls, values: dict, off: Iterable[str] = ()) -> "Trial":
        """The trial of policy field values already checked (`validate_policy`): the
        model's field names, what `Campaign.policy()` reads, normalised as the
        recompute's policy is (so an unchanged policy gives the very same trace)."""
        off = frozenset(off)
        unknown = off - set(EventType.values)
        if unknown:
            names = ", ".join(sorted(unknown))
            raise InvalidPolicy(gettext("Unknown event type: %(t)s") % {"t": names})
        try:
            return cls(policy_of(Campaign(**values)), off)
        except InvalidInput as error:  # the form checks first; a caller that did not
            raise InvalidPolicy(error.render(gettext)) from error


@dataclass(frozen=True)
class Move:
    """A branch whose star the trial changes: from the campaign's policy's star to the
    trial's, the scores under each, and the trace line that set each star."""

    assessment_id: int
    code: str
    name: str
    parent: str
    from_star: int
    to_star: int
    from_score: Decimal
    to_score: Decimal
    line: Note | None  # the trial's line that set its star (`rules.engine.star_line`)
    was: Note | None  # the campaign's policy's

    @property
    def delta(self) -> Decimal:
        return self.to_score - self.from_score

    @property
    def loss(self) -> Decimal:
        """The points lost (positive), for a score shown with its minus sign."""
        return -self.delta


@dataclass(frozen=True)
class Side:
    """One policy's outcome over the campaign: stars counted, the quota report, and each
    branch's result (in the branches' order, by code)."""

    policy: Policy
    counts: dict[int, int]
    quota: QuotaReport
    results: list[BranchResult]

    @property
    def mode_label(self) -> str:
        return str(QuotaMode(self.policy.quota_mode).label)

    @property
    def quota_moves(self) -> int:
        """Branches' stars the quotas changed (enforce) or would change (warn)."""
        return len(self.quota.adjusted) + len(self.quota.violations)


@dataclass(frozen=True)
class Simulation:
    """The campaign's policy and the trial over the same rated branches."""

    campaign: Campaign
    trial: Trial
    real: Side
    tried: Side
    moves: list[Move]
    rated: int
    rescored: int  # branches whose score changes (moved or not)

    @property
    def star_rows(self) -> list[tuple[int, int, int, int]]:
        """[(star, count now, count in the trial, change)], five stars first."""
        return [
            (
                star,
                self.real.counts[star],
                self.tried.counts[star],
                self.tried.counts[star] - self.real.counts[star],
            )
            for star in STARS
        ]

    @property
    def up(self) -> int:
        return sum(1 for m in self.moves if m.to_star > m.from_star)

    @property
    def down(self) -> int:
        return sum(1 for m in self.moves if m.to_star < m.from_star)

    def sorted_moves(self, sort: str = DEFAULT_SORT) -> list[Move]:
        """The moved branches sorted by `sort` (a key of SORTS, "-" before it descending)."""
        name = sort.removeprefix("-")
        key = SORTS.get(name, SORTS[DEFAULT_SORT])
        return sorted(self.moves, key=key, reverse=sort.startswith("-") and name in SORTS)


def _side(policy: Policy, outcome) -> Side:
    counts = Counter(result.star for result in outcome.results)
    return Side(
        policy, {star: counts.get(star, 0) for star in STARS}, outcome.quota, outcome.results
    )


def _without(inputs: list[BranchInput], off: frozenset[str]) -> list[BranchInput]:
    if not off:
        return inputs
    return [
        branch._replace(events=tuple(e for e in branch.events if e.type not in off))
        if branch.events
        else branch
        for branch in inputs
    ]


def simulate(*, campaign: Campaign, trial: Trial, actor) -> Simulation:
    """Rate the campaign's rated branches under its policy and under `trial`; compare.

    Staff only (`may_simulate`). Reads the figures once (`recompute.gather`: a fixed
    number of queries whatever the campaign's size), runs the engine twice in memory and
    writes nothing. Branches are those the recompute rates (N is the same).
    """
    if not may_simulate(actor):
        raise NotAllowed(gettext("Only committee staff may use the policy simulator."))
    with collector.paused():  # some 300,000 acyclic objects at 5,000 branches
        return _simulate(campaign, trial)


def _simulate(campaign: Campaign, trial: Trial) -> Simulation:
    rated = [f for f in gather(campaign) if f.rated]
    inputs = [to_branch_input(f) for f in rated]
    real_policy = policy_of(campaign)
    real = rate(inputs, real_policy, campaign.kind)
    tried = rate(_without(inputs, trial.off), trial.policy, campaign.kind)
    moves = []
    rescored = 0
    for f, now, then in zip(rated, real.results, tried.results, strict=True):
        if now.score != then.score:
            rescored += 1
        if now.star == then.star:
            continue
        branch = f.assessment.branch
        moves.append(
            Move(
                assessment_id=f.assessment.pk,
                code=branch.code,
                name=branch.name,
                parent=branch.parent.name if branch.parent else "",
                from_star=now.star,
                to_star=then.star,
                from_score=now.score,
                to_score=then.score,
                line=star_line(then),
                was=star_line(now),
            )
        )
    return Simulation(
        campaign=campaign,
        trial=trial,
        real=_side(real_policy, real),
        tried=_side(trial.policy, tried),
        moves=moves,
        rated=len(rated),
        rescored=rescored,
    )


__all__ = ["DEFAULT_SORT", "SORTS", "STARS", "Move", "Side", "Simulation", "Trial", "simulate"]
