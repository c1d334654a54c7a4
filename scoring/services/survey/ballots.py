"""Casting a ballot (docs/survey.md §2.1.2, A2, A3, A5, A6, A8).

The slip row is deleted with ``DELETE … RETURNING`` in the transaction that inserts the
ballot, and nothing else is written then: no survey row, no history, no time finer than
the day.
"""

from decimal import Decimal
from typing import NamedTuple

from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.models import Organisation
from scoring.models import (
    Assessment,
    Ballot,
    BallotChannel,
    Campaign,
    Criterion,
    Grade,
    Slip,
    Survey,
    SurveyStatus,
    Verdict,
)
from scoring.rules.components import ballot_points
from starrating import clock

from ..errors import WorkflowError
from .codes import hash_code, looks_like_code

GRADE_BY_CODE = {grade.code: grade.value for grade in Grade}


class SlipInvalid(WorkflowError):
    """A spent or unknown code: one message for both, so neither can be told apart."""

    default_message = gettext_lazy("This code is not valid or has already been used.")


class SurveyClosed(WorkflowError):
    default_message = gettext_lazy("This survey is closed; no more ballots are accepted.")


class BallotInvalid(WorkflowError):
    default_message = gettext_lazy("Please grade every criterion and give an overall verdict.")


class BallotCriterion(NamedTuple):
    """One line of the rubric as a ballot reads it: its form field and its points."""

    pk: int
    title: str
    description: str
    max_points: Decimal


class CodeSurvey(NamedTuple):
    """What the ballot pages need of an unspent code's survey and its rubric (in order):
    no model object, none of the campaign's other columns (its stored quota check is
    large)."""

    survey_id: int
    status: str
    campaign_id: int
    branch_name: str
    campaign_title: str
    criteria: tuple[BallotCriterion, ...]

    @property
    def is_open(self) -> bool:
        return self.status == SurveyStatus.OPEN


def survey_for_code(code: str) -> CodeSurvey | None:
    """The survey an unspent code belongs to, with its rubric (to show and take its
    ballot), or None: one query, one row per criterion.

    The ballot page and the cast run it, so it is written out (as the cast's DELETE is):
    the ORM took 1 ms of CPU to build this join, more than the rest of the QR request. The
    branch's name and the campaign's title are scalar subqueries rather than joins: the
    database plans four joined tables in half the time of six, and planning, not running,
    was most of the query's cost.
    """
    if not looks_like_code(code):
        return None
    quote = connection.ops.quote_name
    slips, surveys, assessments, branches, campaigns, criteria = (
        quote(model._meta.db_table)
        for model in (Slip, Survey, Assessment, Organisation, Campaign, Criterion)
    )
    sql = (
        "SELECT s.id, s.status, a.campaign_id, "
        f"(SELECT b.name FROM {branches} b WHERE b.id = a.branch_id), "
        f"(SELECT c.title FROM {campaigns} c WHERE c.id = a.campaign_id), "
        "k.id, k.title, k.description, k.max_points "
        f"FROM {slips} p JOIN {surveys} s ON s.id = p.survey_id "
        f"JOIN {assessments} a ON a.id = s.assessment_id "
        f"LEFT JOIN {criteria} k ON k.campaign_id = a.campaign_id "
        "WHERE p.code_hash = %s ORDER BY k.position"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [hash_code(code)])
        rows = cursor.fetchall()
    if not rows:
        return None
    lines = tuple(
        BallotCriterion(pk, title, description, _decimal(points))
        for *_survey, pk, title, description, points in rows
        if pk is not None
    )
    return CodeSurvey(*rows[0][:5], lines)


def survey_status_for_code(code: str) -> str | None:
    """The status of the survey an unspent code belongs to, or None: what the QR link and
    the typed code need to know, without the rubric (two tables, not six: the join's
    planning is most of that query's database time)."""
    if not looks_like_code(code):
        return None
    quote = connection.ops.quote_name
    slips, surveys = quote(Slip._meta.db_table), quote(Survey._meta.db_table)
    sql = (
        f"SELECT s.status FROM {slips} p JOIN {surveys} s ON s.id = p.survey_id "
        "WHERE p.code_hash = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [hash_code(code)])
        row = cursor.fetchone()
    return None if row is None else row[0]


def _decimal(value) -> Decimal:
    # PostgreSQL gives a Decimal; SQLite a number, whose shortest repr is the stored value.
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _letters(criteria, grades: dict) -> tuple[str, Decimal]:
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


def cast_ballot(
    *,
    code: str,
    grades: dict,
    verdict: str,
    channel: str = BallotChannel.PHONE,
    criteria=None,
    survey_id: int | None = None,
) -> Ballot:
    """Cast one ballot from a slip (docs/survey.md §2.1.2): spend the slip and store the ballot.

    The slip row is deleted with ``DELETE … RETURNING`` in the transaction that inserts
    the ballot: one row back means the code was valid and unspent; concurrent posts of
    one code store one ballot. `grades` maps criterion id → grade (a `Grade` letter or
    the engine's code); every criterion of the rubric needs one. Nothing is stored when
    anything is refused. No user, address or time finer than the day is recorded.
    `channel` is how the ballot came: the phone's pages, or two tellers' matching paper
    entries (`scoring.services.survey.paper`), which call this same function.

    `criteria` (`BallotCriterion` rows or `Criterion` objects, in rubric order) is the
    rubric of survey `survey_id` when the caller has read it already, to validate its
    form: it is used if the slip turns out to be of that survey (the rubric is fixed once
    the campaign opens), and the rubric is read here otherwise.
    """
    if verdict not in Verdict.values:
        raise BallotInvalid(_("Please give an overall verdict."))
    if not looks_like_code(code):
        raise SlipInvalid()
    digest = hash_code(code)
    quote = connection.ops.quote_name
    slips, surveys = quote(Slip._meta.db_table), quote(Survey._meta.db_table)
    # The slip's survey row is locked, shared, before the slip row is deleted (PostgreSQL:
    # the subquery's FOR SHARE, evaluated for the one slip row found; the ballot's foreign
    # key check locks it at commit anyway; a lock sets the row's xmax, never its xmin). A
    # close in progress holds it FOR UPDATE: the DELETE waits, then finds the survey
    # closed and deletes nothing, so no ballot slips in beside the close's rewrite. Survey,
    # then slip, is also the order in which the slip services lock them. One statement,
    # not a SELECT … FOR SHARE before it: each costs the database a plan and a round trip.
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    delete = (
        f"DELETE FROM {slips} WHERE code_hash = %s AND survey_id IN "
        f"(SELECT id FROM {surveys} WHERE id = {slips}.survey_id AND status = %s{lock}) "
        "RETURNING survey_id, kind"
    )
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(delete, [digest, SurveyStatus.OPEN.value])
            row = cursor.fetchone()
        if row is None:
            if Slip.objects.filter(code_hash=digest).exists():
                raise SurveyClosed()
            raise SlipInvalid()
        slip_survey_id, kind = row
        if criteria is None or slip_survey_id != survey_id:
            criteria = Criterion.objects.filter(
                campaign__assessments__survey__pk=slip_survey_id
            ).order_by("position")
        letters, points = _letters(criteria, grades)  # a refusal rolls the DELETE back
        return Ballot.objects.create(
            survey_id=slip_survey_id,
            kind=kind,
            channel=channel,
            cast_on=clock.today(),
            grades=letters,
            verdict=verdict,
            points=points,
        )
