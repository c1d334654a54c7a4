"""Paper ballots: two tellers enter each paper ballot by its slip's code (docs/survey.md A15, A16).

The slip sheet doubles as a paper ballot. A teller types the code printed on it and the
boxes ticked; the entry counts only when a second, different teller has entered the same
grades and verdict (D-2.1.2s, D-2.1.2t):

- the **first entry** waits as a `PaperEntry` under `paper_hash(code)` — a keyed hash of
  its own, so it joins no slip row — with the grades, the verdict and a keyed tag of the
  teller (`teller_tag`), no user reference and no time;
- the **second entry**, by another teller, either matches it — then the ballot is cast by
  `cast_ballot`, the phone's function (the slip's DELETE, one slip one ballot), with the
  channel ``paper``, and the entry is deleted in the same transaction, so nothing is left
  that ties the ballot to a teller, the slip or a time — or differs: then both entries are
  discarded, the row keeps only the mark `differed`, every teller's page shows the count,
  and the slip is entered afresh, twice (D-2.1.2u). Neither teller is shown the other's
  grades (D-2.1.2u), only which items differ;
- a spent or unknown code, or a code of another survey, is refused with the one message
  of A5; a code spent (by phone) while its first entry waited discards that entry.

Entries write no audit row, no history, no session, no message and no log line (A8 holds
for the teller's request as for the voter's); the survey row is locked, not written.
"""

from dataclasses import dataclass
from enum import Enum

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.permissions import may_enter_paper_ballots
from scoring.models import (
    Ballot,
    BallotChannel,
    Criterion,
    PaperEntry,
    Slip,
    Survey,
    SurveyStatus,
    Verdict,
)

from ..errors import NotAllowed, WorkflowError
from .ballots import BallotInvalid, SlipInvalid, SurveyClosed, _letters, cast_ballot
from .codes import hash_code, looks_like_code, paper_hash, teller_tag
from .slips import _lock_survey


class SameTeller(WorkflowError):
    default_message = gettext_lazy(
        "You made the first entry of this paper ballot; the second entry must be made by "
        "another teller."
    )


class Entered(Enum):
    """What a paper entry did."""

    FIRST = "first"  # stored, waiting for another teller's entry
    AGAIN = "again"  # stored as a new first entry: the slip's earlier entries had differed
    COUNTED = "counted"  # matched the first entry: the ballot is cast
    DIFFERED = "differed"  # did not match: both entries are discarded


@dataclass(frozen=True)
class EntryResult:
    outcome: Entered
    #: When the entries differed: the positions of the criteria that differ (1-based),
    #: and whether the verdict differs; never the other teller's grades.
    items: tuple[int, ...] = ()
    verdict_differs: bool = False


@dataclass(frozen=True)
class PaperCounts:
    """How the survey's ballots came, and the paper entries still open (counts only)."""

    paper: int
    phone: int
    waiting: int
    differed: int


def _require_teller(actor, branch) -> None:
    if not may_enter_paper_ballots(actor, branch):
        raise NotAllowed(
            _("Only the branch's secretary or committee staff may enter paper ballots.")
        )


def _differences(entry: PaperEntry, letters: str, verdict: str) -> EntryResult:
    items = tuple(
        position
        for position, (first, second) in enumerate(zip(entry.grades, letters, strict=True), 1)
        if first != second
    )
    return EntryResult(Entered.DIFFERED, items=items, verdict_differs=entry.verdict != verdict)


def enter_paper_ballot(
    *, survey: Survey, actor, code: str, grades: dict, verdict: str
) -> EntryResult:
    """Enter one paper ballot of an open survey (docs/survey.md A15): a first entry waits,
    a matching second entry by another teller casts the ballot.

    `grades` maps criterion id → grade, as for `cast_ballot`. Refusals (`NotAllowed`,
    `SurveyClosed`, `SlipInvalid`, `BallotInvalid`, `SameTeller`) change nothing, except
    that a waiting entry whose slip was spent meanwhile is discarded.
    """
    if verdict not in Verdict.values:
        raise BallotInvalid(_("Please give an overall verdict."))
    if not looks_like_code(code):
        raise SlipInvalid()
    entry_hash = paper_hash(code)
    refusal = None
    with transaction.atomic():
        # The survey's lock orders tellers, phones (FOR SHARE) and the close; it sets the
        # row's xmax, never its xmin, and writes no history.
        survey = _lock_survey(survey)
        _require_teller(actor, survey.assessment.branch)
        if survey.status != SurveyStatus.OPEN:
            raise SurveyClosed()
        criteria = list(
            Criterion.objects.filter(campaign_id=survey.assessment.campaign_id).order_by("position")
        )
        letters, _points = _letters(criteria, grades)
        entry = PaperEntry.objects.select_for_update().filter(entry_hash=entry_hash).first()
        slip = Slip.objects.filter(code_hash=hash_code(code), survey=survey).exists()
        tag = teller_tag(actor, entry_hash)
        if not slip:
            if entry is not None and entry.survey_id == survey.pk:
                entry.delete()  # spent meanwhile: this entry can never count
            refusal = SlipInvalid()
        elif entry is None or entry.differed:
            fields = {"teller_tag": tag, "grades": letters, "verdict": verdict, "differed": False}
            if entry is None:
                PaperEntry.objects.create(survey=survey, entry_hash=entry_hash, **fields)
                return EntryResult(Entered.FIRST)
            PaperEntry.objects.filter(pk=entry.pk).update(**fields)
            return EntryResult(Entered.AGAIN)
        elif entry.teller_tag == tag:
            raise SameTeller()
        elif (entry.grades, entry.verdict) != (letters, verdict):
            result = _differences(entry, letters, verdict)
            PaperEntry.objects.filter(pk=entry.pk).update(
                teller_tag="", grades="", verdict="", differed=True
            )
            return result
        else:
            try:
                cast_ballot(
                    code=code,
                    grades=grades,
                    verdict=verdict,
                    channel=BallotChannel.PAPER,
                    criteria=criteria,
                    survey_id=survey.pk,
                )
            except SlipInvalid as error:  # cannot happen under the survey's lock
                refusal = error
            entry.delete()
            if refusal is None:
                return EntryResult(Entered.COUNTED)
    raise refusal


def paper_counts(survey: Survey) -> PaperCounts:
    """Ballots on paper and by phone, paper entries waiting and differed (two queries)."""
    channels = dict(
        Ballot.objects.filter(survey=survey)
        .values("channel")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("channel", "n")
    )
    entries = PaperEntry.objects.filter(survey=survey).aggregate(
        waiting=Count("id", filter=Q(differed=False)), differed=Count("id", filter=Q(differed=True))
    )
    return PaperCounts(
        paper=channels.get(BallotChannel.PAPER, 0),
        phone=channels.get(BallotChannel.PHONE, 0),
        waiting=entries["waiting"],
        differed=entries["differed"],
    )
