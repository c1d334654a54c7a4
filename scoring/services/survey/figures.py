"""The survey's figures: results and the per-criterion distribution (docs/survey.md §2.1.2).

`SurveyFigures` is the one read model of a survey's counts and results: the survey
pages, the branch and review pages and the recompute (`scoring.services.recompute`)
all read it. Results are aggregates only, shown from three ballots on (A14); the
component and the satisfaction rate are formed by `scoring.rules.components`
(docs/rules.md §4.1).
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from django.db.models import Count, Q, Sum

from scoring.models import Ballot, Criterion, Grade, Slip, SlipKind, Survey, SurveyStatus, Verdict
from scoring.rules.components import satisfaction_rate, survey_component_from_sum
from scoring.rules.steps import percent

from .life import _participation, rate, whole_percent
from .slips import slips_left

#: docs/survey.md §2.1.2 (A14, D-2.1.2b): a group of ballots is shown only with this many.
MIN_GROUP = 3


class SurveyFigures(NamedTuple):
    """One survey's counts and aggregate results (docs/rules.md §4.1).

    `component` is the mean of the ballots' points to 0.01 half up (None without a
    ballot); `satisfaction_rate` is (satisfied + basically satisfied) / valid, exact.
    A NamedTuple, immutable: the recompute builds one per survey of the campaign,
    several times cheaper than a frozen dataclass (docs/nonfunctional.md §7).
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
    satisfaction_rate: Fraction | None = None

    @property
    def is_open(self) -> bool:
        return self.status == SurveyStatus.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == SurveyStatus.CLOSED

    @property
    def valid_ballots(self) -> int:
        return self.member_ballots + self.public_ballots

    @property
    def participation_rate(self) -> Fraction | None:
        return rate(self.members_voted, self.electorate)

    @property
    def participation_percent(self) -> int | None:
        return whole_percent(self.participation_rate)

    @property
    def satisfaction_percent(self) -> str | None:
        """As the rating's trace shows it: cut (not rounded) to 0.01 (66.66 for 2/3)."""
        rate = self.satisfaction_rate
        return None if rate is None else percent(rate)

    @property
    def shown(self) -> bool:
        """Aggregates are shown only from three ballots on (A14)."""
        return self.valid_ballots >= MIN_GROUP


class _SurveyRow(NamedTuple):
    """The columns of a survey that `_figures` reads (the names of `Survey`'s fields)."""

    pk: int
    assessment_id: int
    status: str
    electorate: int
    member_slips_issued: int
    public_slips_issued: int


class _BallotRow(NamedTuple):
    """A survey's ballots, grouped in the database to one row (`_ballot_rows`)."""

    survey_id: int
    member: int
    public: int
    total: Decimal | None
    satisfied: int
    basically_satisfied: int
    dissatisfied: int


def _ballot_rows(ballots) -> list[_BallotRow]:
    """One row per survey (never one per survey and kind), as plain tuples."""
    counts = {
        "member": Count("id", filter=Q(kind=SlipKind.MEMBER)),
        "public": Count("id", filter=Q(kind=SlipKind.PUBLIC)),
        "total": Sum("points"),
        "satisfied": Count("id", filter=Q(verdict=Verdict.SATISFIED)),
        "basically_satisfied": Count("id", filter=Q(verdict=Verdict.BASICALLY_SATISFIED)),
        "dissatisfied": Count("id", filter=Q(verdict=Verdict.DISSATISFIED)),
    }
    rows = ballots.values("survey_id").annotate(**counts).order_by()
    return [_BallotRow(*row) for row in rows.values_list("survey_id", *counts)]


def _figures(surveys, ballots, left) -> dict[int, SurveyFigures]:
    by_survey = {row.survey_id: row for row in ballots}
    nothing_left: dict[str, int] = {}
    result = {}
    for survey in surveys:
        counts = _participation(survey, left.get(survey.pk, nothing_left))
        head = (
            survey.pk,
            survey.assessment_id,
            survey.status,
            counts.electorate,
            counts.member_slips_issued,
            counts.public_slips_issued,
            counts.members_voted,
            counts.public_voted,
        )
        row = by_survey.get(survey.pk)
        if row is None:  # no ballot: the ballot figures keep their defaults
            result[survey.assessment_id] = SurveyFigures(*head)
            continue
        valid = row.member + row.public
        result[survey.assessment_id] = SurveyFigures(
            *head,
            member_ballots=row.member,
            public_ballots=row.public,
            satisfied=row.satisfied,
            basically_satisfied=row.basically_satisfied,
            dissatisfied=row.dissatisfied,
            component=survey_component_from_sum(row.total or Decimal(0), valid),
            satisfaction_rate=satisfaction_rate(row.satisfied, row.basically_satisfied, valid),
        )
    return result


def survey_figures(campaign, *, assessment_ids=None, with_ballots=True) -> dict[int, SurveyFigures]:
    """{assessment id: SurveyFigures} for every survey of the campaign (or of the given
    assessments of it), in three queries.

    Surveys, ballots grouped by survey and kind, unspent slips grouped likewise — never
    a query per branch. Assessments without a survey are absent. `with_ballots=False`
    skips the ballot aggregate (the costly part) for pages that need only status and
    participation; the ballot figures are then empty.
    """
    scope = {"assessment__campaign": campaign}
    if assessment_ids is not None:
        scope["assessment_id__in"] = list(assessment_ids)
    of_survey = {f"survey__{lookup}": value for lookup, value in scope.items()}
    # Plain rows, not model instances: building 5,000 `Survey` objects costs more than
    # the query (docs/nonfunctional.md §7); `_figures` reads only these attributes.
    surveys = [
        _SurveyRow(*row) for row in Survey.objects.filter(**scope).values_list(*_SurveyRow._fields)
    ]
    ballots = _ballot_rows(Ballot.objects.filter(**of_survey)) if with_ballots else []
    left = slips_left(Slip.objects.filter(**of_survey))
    return _figures(surveys, ballots, left)


def figures_for(survey: Survey) -> SurveyFigures:
    """The figures of one survey (for its own page)."""
    ballots = _ballot_rows(Ballot.objects.filter(survey=survey))
    return _figures([survey], ballots, slips_left(Slip.objects.filter(survey=survey)))[
        survey.assessment_id
    ]


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
    """How each criterion was graded, in aggregate only (A14).

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
