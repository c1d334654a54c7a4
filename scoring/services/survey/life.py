"""The survey's life: open, participation, close (docs/survey.md §2.1.2).

`not_open → open → closed`. Opening freezes the electorate and issues the slips;
participation is "issued − left" per kind (A4); closing needs `MIN_PARTICIPATION` of
the electorate unless committee staff override it with a recorded reason, deletes the
sheets and rewrites the ballots in random order (A10).
"""

import math
import secrets
from collections.abc import Iterable
from fractions import Fraction
from typing import NamedTuple

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.models import Member
from branches.permissions import is_staff
from scoring.models import (
    Assessment,
    Ballot,
    CampaignStatus,
    PaperEntry,
    Slip,
    SlipKind,
    Survey,
    SurveyStatus,
)
from starrating import audit, clock

from ..errors import WorkflowError, WrongState
from .slips import (
    IssuedSlips,
    _check_count,
    _create_slips,
    _drop_sheets,
    _lock_survey,
    _new_codes,
    _render,
    _require_runner,
    _store_sheet,
    slips_left,
)

#: docs/survey.md §2.1.2 (参与率不低于80%): member participation needed to close the survey.
MIN_PARTICIPATION = Fraction(4, 5)
MIN_PARTICIPATION_PERCENT = int(MIN_PARTICIPATION * 100)


class ParticipationTooLow(WorkflowError):
    default_message = gettext_lazy("Member participation is below 80 %.")


def rate(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole else None


def whole_percent(rate: Fraction | None) -> int | None:
    """Whole percent, rounded down (79.9 % must not read as 80 %, D-2.1.2j)."""
    return None if rate is None else int(rate * 100)


class Participation(NamedTuple):
    """Who has voted so far. A NamedTuple, immutable: a campaign's figures build one per
    survey, several times cheaper than a frozen dataclass (docs/nonfunctional.md §7)."""

    electorate: int
    member_slips_issued: int
    public_slips_issued: int
    members_voted: int
    public_voted: int

    @property
    def rate(self) -> Fraction | None:
        """Members voted / electorate, exact."""
        return rate(self.members_voted, self.electorate)

    @property
    def percent(self) -> int | None:
        return whole_percent(self.rate)

    @property
    def enough(self) -> bool:
        return self.rate is not None and self.rate >= MIN_PARTICIPATION

    @property
    def members_missing(self) -> int:
        """Members still to vote before participation reaches `MIN_PARTICIPATION` (0 once
        it does): a count, never who (the secretary's reminder, docs/survey.md §2.1.2)."""
        return max(0, math.ceil(MIN_PARTICIPATION * self.electorate) - self.members_voted)


def _participation(survey, left: dict[str, int]) -> Participation:
    """`survey` is a `Survey` or any row with its counting fields."""
    return Participation(
        electorate=survey.electorate,
        member_slips_issued=survey.member_slips_issued,
        public_slips_issued=survey.public_slips_issued,
        members_voted=survey.member_slips_issued - left.get(SlipKind.MEMBER, 0),
        public_voted=survey.public_slips_issued - left.get(SlipKind.PUBLIC, 0),
    )


def participation(survey: Survey) -> Participation:
    """Who has voted so far: issued − unspent, per kind (one query)."""
    return _participation(survey, slips_left(Slip.objects.filter(survey=survey)).get(survey.pk, {}))


def participation_of(surveys: Iterable[Survey]) -> dict[int, Participation]:
    """{survey id: Participation} for many surveys, in one query."""
    surveys = list(surveys)
    if not surveys:
        return {}
    left = slips_left(Slip.objects.filter(survey__in=surveys))
    return {survey.pk: _participation(survey, left.get(survey.pk, {})) for survey in surveys}


def participation_rate(survey: Survey) -> Fraction | None:
    return participation(survey).rate


def openable(assessment: Assessment, actor, *, lock=False) -> tuple[Assessment, Survey, int]:
    """The assessment (locked with `lock`), its survey (unsaved before the first opening)
    and its electorate, or the refusal: not the runner, the campaign not open, the survey
    opened already, no active member."""
    assessments = Assessment.objects.select_related("branch", "campaign")
    if lock:
        assessments = assessments.select_for_update()
    assessment = assessments.get(pk=assessment.pk)
    _require_runner(actor, assessment.branch)
    if assessment.campaign.status != CampaignStatus.OPEN:
        raise WrongState(_("The campaign is not open for declaration."))
    # The assessment's lock keeps a second opening out until this one commits.
    survey = Survey.objects.filter(assessment=assessment).first() or Survey(assessment=assessment)
    if survey.status != SurveyStatus.NOT_OPEN:
        raise WrongState(_("The survey has already been opened."))
    electorate = Member.objects.filter(branch=assessment.branch, active=True).count()
    if electorate == 0:
        raise WrongState(_("The branch has no active members; import the roster first."))
    return assessment, survey, electorate


def open_survey(
    *,
    assessment: Assessment,
    actor,
    public_slips: int,
    link_base: str = "",
    render_sheet: bool = True,
    progress=None,
    finish=None,
) -> IssuedSlips:
    """Open the branch's survey (docs/survey.md §2.1.2): freeze the electorate, issue the slips.

    One member slip per active member and `public_slips` public slips. Returns
    `IssuedSlips` with the plain codes — the only time they exist outside the stored
    sheet. `link_base` is the absolute ballot URL (…/v/) the QR codes point at.
    `render_sheet=False` stores no printable sheet (the demo data builder hands the
    codes out itself; rendering a PDF per branch would make it slow).

    The sheet is rendered before the transaction, which checks everything again (a
    roster changed meanwhile refuses the opening) and opens the survey, all or nothing;
    `progress` and `finish` as for `issue_more_public_slips` (D-7sb).
    """
    _check_count(public_slips, least=0)
    assessment, survey, electorate = openable(assessment, actor)
    codes = _new_codes(electorate, public_slips)
    pdf = _render(survey, codes, link_base, progress) if render_sheet else None
    with transaction.atomic():
        assessment, survey, now = openable(assessment, actor, lock=True)
        if now != electorate:
            raise WrongState(
                _("The branch's members changed while the sheet was made; open the survey again.")
            )
        survey.status = SurveyStatus.OPEN
        survey.opened_on = clock.today()
        survey.opened_by = actor
        survey.electorate = electorate
        survey.member_slips_issued = electorate
        survey.public_slips_issued = public_slips
        audit.save(survey, actor=actor, action="survey.opened")
        _create_slips(survey, codes)
        sheet = _store_sheet(survey, codes, pdf) if pdf is not None else None
        if finish is not None:
            finish(sheet)
    return IssuedSlips(codes=codes, sheet=sheet)


def close_survey(*, survey: Survey, actor, override_reason: str = "") -> Survey:
    """Close the survey (docs/survey.md §2.1.2): needs `MIN_PARTICIPATION` of the members.

    Below it only committee staff may close it, and only with a reason, which is
    recorded on the survey and in its history (D-2.1.2i). Closing deletes the slip
    sheets, so the unused codes are gone with them (their hashes stay, so that a late
    code is told "this survey is closed", A5), and rewrites the ballots in random order
    (`_rewrite_ballots`).
    """
    override_reason = (override_reason or "").strip()
    with transaction.atomic():
        survey = _lock_survey(survey)
        _require_runner(actor, survey.assessment.branch)
        if survey.status != SurveyStatus.OPEN:
            raise WrongState(_("Only an open survey can be closed."))
        counts = participation(survey)
        action = "survey.closed"
        if not counts.enough:
            numbers = {
                "voted": counts.members_voted,
                "electorate": counts.electorate,
                "percent": counts.percent or 0,
            }
            message = (
                _(
                    "Only %(voted)d of %(electorate)d members took part (%(percent)d%%); "
                    "80%% is needed."
                )
                % numbers
            )
            if not is_staff(actor):
                raise ParticipationTooLow(message)
            if not override_reason:
                raise ParticipationTooLow(
                    _("%(refusal)s Committee staff may close it only with a reason.")
                    % {"refusal": message}
                )
            # The reason itself is kept in close_override_reason (and so in the history).
            survey.close_override_reason = override_reason
            action = "survey.closed_below_minimum"
        survey.status = SurveyStatus.CLOSED
        survey.closed_on = clock.today()
        survey.closed_by = actor
        audit.save(survey, actor=actor, action=action)
        _rewrite_ballots(survey)
        _drop_sheets(survey, delete=True)
        # Paper entries still waiting for their second entry can no longer count (A15).
        PaperEntry.objects.filter(survey=survey).delete()
    return survey


def _rewrite_ballots(survey: Survey) -> None:
    """Write the survey's ballots anew, in random order and with new keys (A10).

    While a survey is open its ballots' ``xmin`` and their physical order follow the
    order of casting. Deleting them and inserting them again, shuffled, in the closing
    transaction leaves every ballot with the same ``xmin`` and on disk in an order
    that tells nothing (a single UPDATE would keep the scan order). The keys are new
    too: nothing refers to a ballot by its key, and anyone who noted keys with their
    ``xmin`` or position while the survey was open cannot carry that order over.
    """
    fields = ["survey_id", "kind", "channel", "cast_on", "grades", "verdict", "points"]
    rows = list(Ballot.objects.filter(survey=survey).values(*fields))
    secrets.SystemRandom().shuffle(rows)
    Ballot.objects.filter(survey=survey).delete()
    Ballot.objects.bulk_create(Ballot(**row) for row in rows)
