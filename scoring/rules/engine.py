"""`rate()`: docs/rules.md §4 over a whole campaign — the one entry point of the engine.

The calculator (`manage.py rate`) and the web app's recompute service both call it.
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Context, DivisionByZero, InvalidOperation, Overflow, localcontext

from .errors import InvalidInput, unknown_value
from .i18n import CENT, N_, Note
from .model import KINDS, BranchInput, BranchResult, Outcome
from .policy import Policy
from .quotas import MOVE_LINES, quotas
from .steps import (
    STAR_LINES,
    Run,
    absence_count,
    band,
    base,
    bonus,
    limits,
    penalty,
    round_components,
    score,
)

# Every step runs under this context, whatever the caller's: enough digits that the base
# of two-decimal components and the policy's weights is exact, and nothing silently lost.
_CONTEXT = Context(
    prec=60, rounding=ROUND_HALF_UP, traps=[InvalidOperation, DivisionByZero, Overflow]
)

_DEFAULT_POLICY = Policy()


def rate(
    branches: Iterable[BranchInput], policy: Policy | None = None, kind: str = "initial"
) -> Outcome:
    """Rate every branch of a campaign (docs/rules.md §4); *kind* is ``initial`` or ``year_end``.

    Results come in input order, each with its trace; the quota report covers all of
    them (N is the number of branches given). Raises `InvalidInput` for a bad *kind*, a
    duplicate id, or a branch giving both or neither of components and base.
    """
    if kind not in KINDS:
        raise InvalidInput(unknown_value(kind, KINDS), field="kind")
    policy = _DEFAULT_POLICY if policy is None else policy
    run = Run.of(policy)
    with localcontext(_CONTEXT):
        results = [rate_branch(b, kind, run) for b in branches]
        _check_unique(results)
        report = quotas(results, policy)
    return Outcome(results, report)


def rate_branch(branch: BranchInput, kind: str, run: Run) -> BranchResult:
    """§4.1–4.7 for one branch: everything but the quotas, which need all branches."""
    trace: list[Note] = []
    components = round_components(branch)
    base_value = base(components, branch.base, run, trace)
    events = branch.events
    bonus_value = bonus(events, run, trace)
    penalty_value = penalty(events, branch.satisfaction, run, trace)
    score_value = score(base_value, bonus_value, penalty_value, run, trace)
    band_value = band(score_value, run, trace)
    star, lowered = limits(
        band_value,
        satisfaction=branch.satisfaction,
        election=branch.election,
        absences=absence_count(events) if events else 0,
        kind=kind,
        trace=trace,
    )
    return BranchResult(
        id=branch.id,
        base=base_value.quantize(CENT, ROUND_HALF_UP),
        bonus=bonus_value,
        penalty=penalty_value,
        score=score_value,
        band=band_value,
        star=star,
        limits=lowered,
        explain=trace,
        satisfaction=branch.satisfaction,
        review_score=None if components is None else components[2],
    )


def star_line(result: BranchResult) -> Note | None:
    """The trace line that set the result's final star (docs/rules.md §4.9): the last of
    its band line, the limits that lowered the star and the enforced quota moves."""
    for note in reversed(result.explain):
        if note.msgid in STAR_LINES or note.msgid in MOVE_LINES:
            return note
    return None


def _check_unique(results: list[BranchResult]) -> None:
    seen: set[str] = set()
    for result in results:
        if result.id in seen:
            problem = Note(N_("the id is used by more than one branch"))
            raise InvalidInput(problem, branch=result.id, field="id")
        seen.add(result.id)
