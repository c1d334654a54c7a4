"""The member/public survey (党员群众测评): open, cast, close, count.

The survey is docs/survey.md §2.1.2; its component docs/rules.md §4.1.

Anonymity is kept by the schema (see `scoring.models.survey`): a slip is a row only while
unspent, casting deletes it with ``DELETE … RETURNING`` in the transaction that inserts
the ballot, and nothing else is written then. This module adds the rest of the rules:

- codes are 10 characters of an unambiguous alphabet from `secrets`; only their HMAC is
  stored. The printable sheet is made when slips are issued and kept in the default
  storage under a random name; the branch's secretary and committee staff may download
  it while the survey is open; closing the survey deletes the sheets and rewrites the
  ballots in random order, so that their ``xmin`` and places no longer tell the order
  of casting.
- one message for a spent and an unknown code (`SlipInvalid`), another for a closed
  survey (`SurveyClosed`).
- participation is "issued − left" per kind; closing needs 80 % of the frozen electorate,
  unless committee staff override it with a recorded reason.
- results are only shown in aggregate: `criterion_distribution` hides everything below
  three ballots and splits members/public only when both groups have three or more.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from branches.models import Member, Role
from branches.permissions import is_secretary_of, is_staff, roles_of
from scoring.models import (
    Assessment,
    Ballot,
    CampaignStatus,
    Criterion,
    Grade,
    Slip,
    SlipKind,
    SlipSheet,
    Survey,
    SurveyStatus,
    Verdict,
)
from scoring.rules.components import ballot_points, satisfaction_rate

from .errors import NotAllowed, WorkflowError, WrongState

#: docs/survey.md §2.1.2: member participation needed before the survey can be closed.
MIN_PARTICIPATION = Fraction(4, 5)
#: docs/survey.md §2.1.2: a group of ballots is shown apart only with at least this many.
MIN_GROUP = 3
#: No 0/O/1/I/L: a code read aloud or typed from paper cannot be mistaken.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
MAX_PUBLIC_SLIPS = 500

GRADE_BY_CODE = {grade.code: grade.value for grade in Grade}


class SlipInvalid(WorkflowError):
    """A spent or unknown code: one message for both, so neither can be told apart."""

    default_message = gettext_lazy("This code is not valid or has already been used.")


class SurveyClosed(WorkflowError):
    default_message = gettext_lazy("This survey is closed; no more ballots are accepted.")


class BallotInvalid(WorkflowError):
    default_message = gettext_lazy("Please grade every criterion and give an overall verdict.")


class ParticipationTooLow(WorkflowError):
    default_message = gettext_lazy("Member participation is below 80 %.")


class InvalidSlipCount(WorkflowError):
    default_message = gettext_lazy("The number of slips is not valid.")


# --- codes -------------------------------------------------------------------------------


def normalise_code(code: str) -> str:
    """Upper case, without spaces or dashes (as printed: ABCD-EFGH-JK)."""
    return "".join(ch for ch in str(code).upper() if ch.isalnum())


def hash_code(code: str) -> str:
    """The keyed hash stored for a slip (HMAC-SHA256 with settings.SLIP_HASH_KEY)."""
    key = settings.SLIP_HASH_KEY.encode()
    return hmac.new(key, normalise_code(code).encode(), hashlib.sha256).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """ABCDEFGHJK → ABCD-EFGH-JK, for print."""
    code = normalise_code(code)
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def looks_like_code(code: str) -> bool:
    code = normalise_code(code)
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


# --- permissions -------------------------------------------------------------------------


def may_manage(user, branch) -> bool:
    """Open, close, issue and download slips: the branch's secretary or committee staff."""
    return is_secretary_of(user, branch) or is_staff(user)


def _require_manager(actor, branch):
    if not may_manage(actor, branch):
        raise NotAllowed(_("Only the branch's secretary or committee staff may run its survey."))


# --- issuing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedSlips:
    """What an issue returns, once: the plain codes (kind, code) and the stored sheet
    (None when the caller asked for no sheet)."""

    codes: list[tuple[str, str]]
    sheet: SlipSheet | None


def _lock_survey(survey: Survey) -> Survey:
    return (
        Survey.objects.select_for_update(of=("self",))
        .select_related("assessment__branch", "assessment__campaign")
        .get(pk=survey.pk)
    )


def _create_slips(survey: Survey, members: int, public: int) -> list[tuple[str, str]]:
    codes: dict[str, str] = {}
    for kind, count in ((SlipKind.MEMBER, members), (SlipKind.PUBLIC, public)):
        made = 0
        while made < count:
            code = new_code()
            if code not in codes:
                codes[code] = kind.value
                made += 1
    Slip.objects.bulk_create(
        Slip(survey=survey, kind=kind, code_hash=hash_code(code)) for code, kind in codes.items()
    )
    return [(kind, code) for code, kind in codes.items()]


def ballot_link(link_base: str, code: str) -> str:
    """The QR target: the ballot URL with the code in the path (never the query string)."""
    base = link_base or reverse("scoring:ballot")
    if not base.endswith("/"):
        base += "/"
    return f"{base}{normalise_code(code)}/"


def render_slip_sheet(survey: Survey, codes: list[tuple[str, str]], link_base: str) -> bytes:
    """The A4 sheet of slips (templates/pdf/slips.html), as PDF bytes."""
    import segno
    from weasyprint import HTML

    labels = dict(SlipKind.choices)
    slips = []
    for kind, code in codes:
        link = ballot_link(link_base, code)
        slips.append(
            {
                "kind": kind,
                "kind_label": labels[kind],
                "code": format_code(code),
                "qr": segno.make(link, error="m").png_data_uri(scale=8, border=2),
            }
        )
    assessment = survey.assessment
    html = render_to_string(
        "pdf/slips.html",
        {
            "branch": assessment.branch,
            "campaign": assessment.campaign,
            "pages": [
                [slips[row : row + 2] for row in range(page, min(page + 10, len(slips)), 2)]
                for page in range(0, len(slips), 10)
            ],
            "link_base": link_base or reverse("scoring:ballot"),
        },
    )
    return HTML(string=html).write_pdf()


def _store_sheet(survey: Survey, codes: list[tuple[str, str]], link_base: str) -> SlipSheet:
    pdf = render_slip_sheet(survey, codes, link_base)
    sheet = SlipSheet(
        survey=survey,
        member_slips=sum(1 for kind, _code in codes if kind == SlipKind.MEMBER),
        public_slips=sum(1 for kind, _code in codes if kind == SlipKind.PUBLIC),
        created_on=timezone.localdate(),
    )
    sheet.file.save("slips.pdf", ContentFile(pdf), save=True)
    return sheet


def _check_count(count, *, least: int) -> int:
    if (
        not isinstance(count, int)
        or isinstance(count, bool)
        or not (least <= count <= MAX_PUBLIC_SLIPS)
    ):
        raise InvalidSlipCount(
            _("The number of public slips must be a whole number from %(least)d to %(most)d.")
            % {"least": least, "most": MAX_PUBLIC_SLIPS}
        )
    return count


def open_survey(
    *,
    assessment: Assessment,
    actor,
    public_slips: int,
    link_base: str = "",
    render_sheet: bool = True,
):
    """Open the branch's survey (docs/survey.md §2.1.2): freeze the electorate, issue the slips.

    One member slip per active member and `public_slips` public slips. Returns
    `IssuedSlips` with the plain codes — the only time they exist outside the stored
    sheet. `link_base` is the absolute ballot URL (…/v/) the QR codes point at.
    `render_sheet=False` stores no printable sheet (the demo data builder hands the
    codes out itself; rendering a PDF per branch would make it slow).
    """
    _check_count(public_slips, least=0)
    with transaction.atomic():
        assessment = (
            Assessment.objects.select_for_update()
            .select_related("branch", "campaign")
            .get(pk=assessment.pk)
        )
        _require_manager(actor, assessment.branch)
        if assessment.campaign.status != CampaignStatus.OPEN:
            raise WrongState(_("The campaign is not open for declaration."))
        survey, _created = Survey.objects.get_or_create(assessment=assessment)
        survey = _lock_survey(survey)
        if survey.status != SurveyStatus.NOT_OPEN:
            raise WrongState(_("The survey has already been opened."))
        electorate = Member.objects.filter(branch=assessment.branch, active=True).count()
        if electorate == 0:
            raise WrongState(_("The branch has no active members; import the roster first."))
        codes = _create_slips(survey, electorate, public_slips)
        survey.status = SurveyStatus.OPEN
        survey.opened_on = timezone.localdate()
        survey.opened_by = actor
        survey.electorate = electorate
        survey.member_slips_issued = electorate
        survey.public_slips_issued = public_slips
        survey._history_user = actor
        survey._change_reason = gettext_noop("survey opened")
        survey.save()
        sheet = _store_sheet(survey, codes, link_base) if render_sheet else None
    return IssuedSlips(codes=codes, sheet=sheet)


def issue_more_public_slips(*, survey: Survey, actor, count: int, link_base: str = ""):
    """Issue `count` more public slips to an open survey, on a new sheet."""
    _check_count(count, least=1)
    with transaction.atomic():
        survey = _lock_survey(survey)
        _require_manager(actor, survey.assessment.branch)
        if survey.status != SurveyStatus.OPEN:
            raise WrongState(_("Slips can only be issued while the survey is open."))
        codes = _create_slips(survey, 0, count)
        survey.public_slips_issued += count
        survey._history_user = actor
        survey._change_reason = gettext_noop("public slips issued")
        survey.save()
        sheet = _store_sheet(survey, codes, link_base)
    return IssuedSlips(codes=codes, sheet=sheet)


def reissue_slips(*, survey: Survey, actor, link_base: str = ""):
    """Replace every unspent slip by a new one (a sheet was lost): old codes stop working.

    Counts issued stay as they were, so participation is unchanged; earlier sheets are
    marked void and their files deleted.
    """
    with transaction.atomic():
        survey = _lock_survey(survey)
        _require_manager(actor, survey.assessment.branch)
        if survey.status != SurveyStatus.OPEN:
            raise WrongState(_("Slips can only be issued while the survey is open."))
        left = _slips_left(Slip.objects.filter(survey=survey)).get(survey.pk, {})
        Slip.objects.filter(survey=survey).delete()
        codes = _create_slips(survey, left.get(SlipKind.MEMBER, 0), left.get(SlipKind.PUBLIC, 0))
        _drop_sheets(survey)
        survey._history_user = actor
        survey._change_reason = gettext_noop("unspent slips reissued")
        survey.save()
        sheet = _store_sheet(survey, codes, link_base)
    return IssuedSlips(codes=codes, sheet=sheet)


def _drop_sheets(survey: Survey, *, delete=False):
    """Void the survey's stored sheets and delete their files once the change commits."""
    sheets = list(SlipSheet.objects.filter(survey=survey, void=False))
    names = [sheet.file.name for sheet in sheets if sheet.file]
    if delete:
        SlipSheet.objects.filter(survey=survey).delete()
    else:
        SlipSheet.objects.filter(pk__in=[s.pk for s in sheets]).update(void=True)

    def remove():
        storage = SlipSheet._meta.get_field("file").storage
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove)


# --- casting -----------------------------------------------------------------------------


def survey_for_code(code: str) -> Survey | None:
    """The survey an unspent code belongs to (to show its ballot form), or None."""
    if not looks_like_code(code):
        return None
    slip = (
        Slip.objects.filter(code_hash=hash_code(code))
        .select_related("survey__assessment__branch", "survey__assessment__campaign")
        .first()
    )
    return slip.survey if slip else None


def _letters(criteria: list[Criterion], grades: dict) -> tuple[str, Decimal]:
    given = {}
    for key, value in grades.items():
        try:
            given[int(key)] = value
        except (TypeError, ValueError):
            raise BallotInvalid() from None
    if set(given) != {criterion.pk for criterion in criteria}:
        raise BallotInvalid()
    letters, pairs = [], []
    for criterion in criteria:
        value = given[criterion.pk]
        letter = GRADE_BY_CODE.get(value, value)
        if letter not in Grade.values:
            raise BallotInvalid(_("A grade is not valid."))
        letters.append(letter)
        pairs.append((criterion.max_points, Grade(letter).code))
    return "".join(letters), ballot_points(pairs)


def cast_ballot(*, code: str, grades: dict, verdict: str) -> Ballot:
    """Cast one ballot from a slip (docs/survey.md §2.1.2): spend the slip and store the ballot.

    The slip row is deleted with ``DELETE … RETURNING`` in the transaction that inserts
    the ballot: one row back means the code was valid and unspent; concurrent posts of
    one code store one ballot. `grades` maps criterion id → grade (a `Grade` letter or
    the engine's code); every criterion of the rubric needs one. Nothing is stored when
    anything is refused. No user, address or time finer than the day is recorded.
    """
    if verdict not in Verdict.values:
        raise BallotInvalid(_("Please give an overall verdict."))
    if not looks_like_code(code):
        raise SlipInvalid()
    digest = hash_code(code)
    quote = connection.ops.quote_name
    slips, surveys = quote(Slip._meta.db_table), quote(Survey._meta.db_table)
    delete = (
        f"DELETE FROM {slips} WHERE code_hash = %s AND survey_id IN "
        f"(SELECT id FROM {surveys} WHERE status = %s) RETURNING survey_id, kind"
    )
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Lock the survey row first, shared (the ballot's foreign key check locks
                # it at commit anyway; a lock sets the row's xmax, never its xmin). A close
                # in progress holds it FOR UPDATE: the cast waits, then finds the survey
                # closed, so no ballot slips in beside the close's rewrite. Survey, then
                # slip, is also the order in which the slip services lock them.
                cursor.execute(
                    f"SELECT s.status FROM {surveys} s JOIN {slips} p ON p.survey_id = s.id "
                    "WHERE p.code_hash = %s FOR SHARE OF s",
                    [digest],
                )
                found = cursor.fetchone()
                if found is None:
                    raise SlipInvalid()
                if found[0] != SurveyStatus.OPEN:
                    raise SurveyClosed()
            cursor.execute(delete, [digest, SurveyStatus.OPEN.value])
            row = cursor.fetchone()
        if row is None:
            if Slip.objects.filter(code_hash=digest).exists():
                raise SurveyClosed()
            raise SlipInvalid()
        survey_id, kind = row
        criteria = list(
            Criterion.objects.filter(campaign__assessments__survey__pk=survey_id).order_by(
                "position"
            )
        )
        letters, points = _letters(criteria, grades)  # a refusal rolls the DELETE back
        return Ballot.objects.create(
            survey_id=survey_id,
            kind=kind,
            cast_on=timezone.localdate(),
            grades=letters,
            verdict=verdict,
            points=points,
        )


# --- participation and closing -----------------------------------------------------------


def _slips_left(slips) -> dict[int, dict[str, int]]:
    """{survey id: {kind: unspent slips}} for a queryset of slips, in one query."""
    left: dict[int, dict[str, int]] = {}
    rows = slips.values("survey_id", "kind").annotate(n=Count("id")).order_by()
    for row in rows:
        left.setdefault(row["survey_id"], {})[row["kind"]] = row["n"]
    return left


def _rate(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole else None


def _percent(rate: Fraction | None) -> int | None:
    """Whole percent, rounded down (79.9 % must not read as 80 %)."""
    return None if rate is None else int(rate * 100)


@dataclass(frozen=True)
class Participation:
    electorate: int
    member_slips_issued: int
    public_slips_issued: int
    members_voted: int
    public_voted: int

    @property
    def rate(self) -> Fraction | None:
        """Members voted / electorate, exact."""
        return _rate(self.members_voted, self.electorate)

    @property
    def percent(self) -> int | None:
        return _percent(self.rate)

    @property
    def enough(self) -> bool:
        return self.rate is not None and self.rate >= MIN_PARTICIPATION


def _participation(survey: Survey, left: dict[str, int]) -> Participation:
    return Participation(
        electorate=survey.electorate,
        member_slips_issued=survey.member_slips_issued,
        public_slips_issued=survey.public_slips_issued,
        members_voted=survey.member_slips_issued - left.get(SlipKind.MEMBER, 0),
        public_voted=survey.public_slips_issued - left.get(SlipKind.PUBLIC, 0),
    )


def participation(survey: Survey) -> Participation:
    """Who has voted so far: issued − unspent, per kind (one query)."""
    return _participation(
        survey, _slips_left(Slip.objects.filter(survey=survey)).get(survey.pk, {})
    )


def participation_rate(survey: Survey) -> Fraction | None:
    return participation(survey).rate


def close_survey(*, survey: Survey, actor, override_reason: str = "") -> Survey:
    """Close the survey (docs/survey.md §2.1.2): needs 80 % member participation.

    Below 80 % only committee staff may close it, and only with a reason, which is
    recorded on the survey and in its history. Closing deletes the stored slip sheets
    and rewrites the ballots in random order (`_rewrite_ballots`).
    """
    override_reason = (override_reason or "").strip()
    with transaction.atomic():
        survey = _lock_survey(survey)
        _require_manager(actor, survey.assessment.branch)
        if survey.status != SurveyStatus.OPEN:
            raise WrongState(_("Only an open survey can be closed."))
        counts = participation(survey)
        reason = gettext_noop("survey closed")
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
                    message + " " + _("Committee staff may close it only with a reason.")
                )
            survey.close_override_reason = override_reason
            # The reason itself is kept in close_override_reason (and so in the history).
            reason = gettext_noop("survey closed below 80 % participation")
        survey.status = SurveyStatus.CLOSED
        survey.closed_on = timezone.localdate()
        survey.closed_by = actor
        survey._history_user = actor
        survey._change_reason = reason
        survey.save()
        _rewrite_ballots(survey)
        _drop_sheets(survey, delete=True)
    return survey


def _rewrite_ballots(survey: Survey) -> None:
    """Write the survey's ballots anew, in random order and with new keys (docs/survey.md §2.1.2).

    While a survey is open its ballots' ``xmin`` and their physical order follow the
    order of casting. Deleting them and inserting them again, shuffled, in the closing
    transaction leaves every ballot with the same ``xmin`` and on disk in an order
    that tells nothing (a single UPDATE would keep the scan order). The keys are new
    too: nothing refers to a ballot by its key, and anyone who noted keys with their
    ``xmin`` or position while the survey was open cannot carry that order over.
    """
    fields = ["survey_id", "kind", "cast_on", "grades", "verdict", "points"]
    rows = list(Ballot.objects.filter(survey=survey).values(*fields))
    secrets.SystemRandom().shuffle(rows)
    Ballot.objects.filter(survey=survey).delete()
    Ballot.objects.bulk_create(Ballot(**row) for row in rows)


# --- results -----------------------------------------------------------------------------


def _half_up(value: Fraction) -> Decimal:
    """To 0.01, half up, from an exact value (docs/rules.md §4.1)."""
    hundredths = value * 100
    whole, rest = divmod(hundredths.numerator, hundredths.denominator)
    if 2 * rest >= hundredths.denominator:
        whole += 1
    return Decimal(whole).scaleb(-2).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class SurveyFigures:
    """One survey's aggregate figures, what the rating and the pages read (docs/rules.md §4.1).

    `component` is the mean of the ballots' points to 0.01 half up (None without a
    ballot); `satisfaction_rate` is (satisfied + basically satisfied) / valid, exact.
    """

    survey_id: int
    assessment_id: int
    status: str
    electorate: int
    member_slips_issued: int
    public_slips_issued: int
    members_voted: int
    public_voted: int
    member_ballots: int = 0
    public_ballots: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0
    component: Decimal | None = None
    satisfaction_rate: Fraction | None = field(default=None)

    @property
    def valid_ballots(self) -> int:
        return self.member_ballots + self.public_ballots

    @property
    def participation_rate(self) -> Fraction | None:
        return _rate(self.members_voted, self.electorate)

    @property
    def participation_percent(self) -> int | None:
        return _percent(self.participation_rate)

    @property
    def satisfaction_percent(self) -> Decimal | None:
        rate = self.satisfaction_rate
        return None if rate is None else _half_up(rate * 100)

    @property
    def shown(self) -> bool:
        """Aggregates are shown only from three ballots on (docs/survey.md §2.1.2)."""
        return self.valid_ballots >= MIN_GROUP


def _figures(surveys, ballots, left) -> dict[int, SurveyFigures]:
    by_survey: dict[int, dict] = {}
    verdict_values = Verdict.values  # a property that rebuilds its list on every read
    for row in ballots:
        entry = by_survey.setdefault(
            row["survey_id"], {"member": 0, "public": 0, "total": Decimal(0), "verdicts": {}}
        )
        entry[row["kind"]] += row["n"]
        entry["total"] += row["total"] or Decimal(0)
        for verdict in verdict_values:
            entry["verdicts"][verdict] = entry["verdicts"].get(verdict, 0) + row[verdict]
    result = {}
    for survey in surveys:
        counts = _participation(survey, left.get(survey.pk, {}))
        entry = by_survey.get(survey.pk)
        extra = {}
        if entry:
            valid = entry["member"] + entry["public"]
            verdicts = entry["verdicts"]
            extra = {
                "member_ballots": entry["member"],
                "public_ballots": entry["public"],
                "satisfied": verdicts[Verdict.SATISFIED],
                "basically_satisfied": verdicts[Verdict.BASICALLY_SATISFIED],
                "dissatisfied": verdicts[Verdict.DISSATISFIED],
                "component": _half_up(Fraction(entry["total"]) / valid),
                "satisfaction_rate": satisfaction_rate(
                    verdicts[Verdict.SATISFIED], verdicts[Verdict.BASICALLY_SATISFIED], valid
                ),
            }
        result[survey.assessment_id] = SurveyFigures(
            survey_id=survey.pk,
            assessment_id=survey.assessment_id,
            status=survey.status,
            electorate=counts.electorate,
            member_slips_issued=counts.member_slips_issued,
            public_slips_issued=counts.public_slips_issued,
            members_voted=counts.members_voted,
            public_voted=counts.public_voted,
            **extra,
        )
    return result


def _ballot_rows(ballots):
    return (
        ballots.values("survey_id", "kind")
        .annotate(
            n=Count("id"),
            total=Sum("points"),
            **{verdict: Count("id", filter=Q(verdict=verdict)) for verdict in Verdict.values},
        )
        .order_by()
    )


class _SurveyRow(NamedTuple):
    """The columns of a survey that `_figures` reads (the names of `Survey`'s fields)."""

    pk: int
    assessment_id: int
    status: str
    electorate: int
    member_slips_issued: int
    public_slips_issued: int


def survey_figures(campaign, *, with_ballots=True) -> dict[int, SurveyFigures]:
    """{assessment id: SurveyFigures} for every survey of the campaign, in three queries.

    Surveys, ballots grouped by survey and kind, unspent slips grouped likewise — never
    a query per branch. Assessments without a survey are absent. `with_ballots=False`
    skips the ballot aggregate (the costly part) for pages that need only status and
    participation; the ballot figures are then empty.
    """
    # Plain rows, not model instances: building 5,000 `Survey` objects costs more than
    # the query (docs/nonfunctional.md §7); `_figures` reads only these attributes.
    surveys = [
        _SurveyRow(*row)
        for row in Survey.objects.filter(assessment__campaign=campaign).values_list(
            *_SurveyRow._fields
        )
    ]
    ballots = (
        _ballot_rows(Ballot.objects.filter(survey__assessment__campaign=campaign))
        if with_ballots
        else []
    )
    left = _slips_left(Slip.objects.filter(survey__assessment__campaign=campaign))
    return _figures(surveys, ballots, left)


def summary_context(assessment) -> dict:
    """What `partials/survey_summary.html` reads: survey, figures, distribution
    (all None before the branch opens its survey)."""
    survey = Survey.objects.filter(assessment=assessment).first()
    if survey is None:
        return {"survey": None, "figures": None, "distribution": None}
    return {
        "survey": survey,
        "figures": figures_for(survey),
        "distribution": criterion_distribution(survey),
    }


def figures_for(survey: Survey) -> SurveyFigures:
    """The figures of one survey (for its own page)."""
    ballots = _ballot_rows(Ballot.objects.filter(survey=survey))
    return _figures([survey], ballots, _slips_left(Slip.objects.filter(survey=survey)))[
        survey.assessment_id
    ]


@dataclass(frozen=True)
class CriterionRow:
    criterion: Criterion
    all: dict[str, int]
    members: dict[str, int] | None
    public: dict[str, int] | None


@dataclass(frozen=True)
class Distribution:
    """Per criterion counts of each grade; `rows` is empty when hidden (< 3 ballots)."""

    total: int
    member_ballots: int
    public_ballots: int
    split: bool
    rows: list[CriterionRow]

    @property
    def hidden(self) -> bool:
        return self.total < MIN_GROUP

    @property
    def grades(self):
        return Grade.choices


def criterion_distribution(survey: Survey) -> Distribution:
    """How each criterion was graded, in aggregate only (docs/survey.md §2.1.2).

    With fewer than three ballots in all nothing per criterion is shown (one or two
    ballots would be shown whole). The members/public split is given only when *both*
    groups have three or more ballots: otherwise the smaller group could be read off by
    subtracting the larger from the total.
    """
    criteria = list(Criterion.objects.filter(campaign_id=survey.assessment.campaign_id))
    criteria.sort(key=lambda c: c.position)
    ballots = list(Ballot.objects.filter(survey=survey).values_list("kind", "grades"))
    members = sum(1 for kind, _g in ballots if kind == SlipKind.MEMBER)
    public = len(ballots) - members
    split = members >= MIN_GROUP and public >= MIN_GROUP
    if len(ballots) < MIN_GROUP:
        return Distribution(len(ballots), members, public, False, [])

    def empty():
        return {grade: 0 for grade in Grade.values}

    rows = []
    for index, criterion in enumerate(criteria):
        everyone, member_counts, public_counts = empty(), empty(), empty()
        for kind, grades in ballots:
            if index >= len(grades):
                continue
            letter = grades[index]
            everyone[letter] += 1
            (member_counts if kind == SlipKind.MEMBER else public_counts)[letter] += 1
        rows.append(
            CriterionRow(
                criterion,
                everyone,
                member_counts if split else None,
                public_counts if split else None,
            )
        )
    return Distribution(len(ballots), members, public, split, rows)


# --- to-dos ------------------------------------------------------------------------------


def surveys_to_run(user) -> list[tuple[Assessment, Survey | None, Participation | None]]:
    """The secretary's branches in open campaigns whose survey is not closed, in code order:
    (assessment, its survey or None, the participation of an open survey), in three queries
    (for the home page's to-dos)."""
    branch_ids = roles_of(user).get(Role.SECRETARY, ())
    if not branch_ids:
        return []
    assessments = list(
        Assessment.objects.filter(branch_id__in=branch_ids, campaign__status=CampaignStatus.OPEN)
        .select_related("branch", "campaign", "survey")
        .order_by("branch__code")
    )
    open_surveys = [a.survey for a in assessments if hasattr(a, "survey") and a.survey.is_open]
    left = _slips_left(Slip.objects.filter(survey__in=open_surveys)) if open_surveys else {}
    found = []
    for assessment in assessments:
        survey = getattr(assessment, "survey", None)
        if survey is None or survey.status == SurveyStatus.NOT_OPEN:
            found.append((assessment, survey, None))
        elif survey.is_open:
            found.append((assessment, survey, _participation(survey, left.get(survey.pk, {}))))
    return found
