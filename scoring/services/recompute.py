"""Recompute a campaign's ratings with the rules engine.

The rules are docs/rules.md §4; the cost bounds docs/nonfunctional.md §7.

The cost of a recompute is a few aggregate queries (assessments, self totals, review
totals, survey figures, events), one engine call in memory, and one bulk write of the
ratings, in one transaction. `engine_input_for` is the ONE place that turns stored
numbers into the engine's `BranchInput`s: the review page's preview and the recompute
both use it, so a page can never show a figure the stored result disagrees with.

Decision (docs/rules.md §4.8 "N = all branches rated in the campaign"): a branch is *rated*
(complete) when its self-evaluation is submitted, its survey is closed, its review is
submitted and — when the review proposed five stars — the staff audit agreed. Only rated
branches go to the engine (so only they count in N) and get a `Rating`; every other
branch has no rating (a former one is removed) and is listed under "missing" with what
it lacks.

Provisional results (docs/process.md §2.5): `completeness` tells, at read time, whether a
campaign's stored results are provisional. It is derived, not stored on the ratings, so
it cannot go stale when a branch completes or is reopened after the recompute.

Once published, nothing about the ratings changes except through an upheld objection
(D-2.5c): `refusal` says why a campaign may not be recomputed — in publicity or awaiting
approval with no objection upheld, or approved or closed (the approved list is frozen).
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Count, Exists, Max, Q
from django.db.models.fields.json import KeyTransform
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from branches.models import election_status
from branches.permissions import may_recompute
from scoring.models import (
    Assessment,
    AuditStatus,
    Campaign,
    CampaignStatus,
    Decision,
    Objection,
    ObjectionState,
    Rating,
    Review,
    ReviewStatus,
    ScoreEvent,
    SecondReview,
    SecondReviewStatus,
    SelfEvaluation,
    SelfEvaluationStatus,
    Survey,
    SurveyStatus,
)
from scoring.rules import BranchInput, Event, InvalidInput, Note, Outcome, Policy, rate
from scoring.rules.i18n import CENT, format_decimal
from scoring.rules.output import quota_dict
from starrating import audit, clock, collector

from . import events as events_services
from . import survey as survey_services
from .errors import NotAllowed, WorkflowError, WrongState


class RecomputeError(WorkflowError):
    default_message = _("The ratings could not be computed.")


#: What a branch may lack, in the order the results page lists it.
MISSING_SELF = "self"
MISSING_SURVEY = "survey"
MISSING_REVIEW = "review"
MISSING_AUDIT = "audit"
MISSING_LABELS = {
    MISSING_SELF: _("self-evaluation not submitted"),
    MISSING_SURVEY: _("survey not closed"),
    MISSING_REVIEW: _("review not submitted"),
    MISSING_AUDIT: _("five-star audit pending"),
}


#: A complete assessment, as one filter: the same rule as `gather`'s missing list (a test
#: keeps the two in step), for pages that need the counts and not every branch's figures.
COMPLETE = Q(
    self_evaluation__status=SelfEvaluationStatus.SUBMITTED,
    survey__status=SurveyStatus.CLOSED,
    review__status=ReviewStatus.SUBMITTED,
    review__audit_status__in=[AuditStatus.NOT_NEEDED, AuditStatus.AGREED],
)


@dataclass(frozen=True)
class Completeness:
    """How far a campaign is from final results (docs/process.md §2.5).

    `enrolled`: branches in the campaign; `complete`: those lacking nothing now;
    `counted`: the branches the last recompute rated (its N), None before any.
    """

    enrolled: int
    complete: int
    counted: int | None

    @property
    def missing(self) -> int:
        return self.enrolled - self.complete

    @property
    def provisional(self) -> bool:
        """Results are final only when every enrolled branch is complete and the last
        recompute counted them all; before any recompute there is nothing to mark."""
        if self.counted is None:
            return False
        return self.missing > 0 or self.counted_fewer

    @property
    def counted_fewer(self) -> bool:
        """The stored results (their quota figures too) count fewer branches than enrolled."""
        return self.counted is not None and self.counted != self.enrolled

    @property
    def recompute_needed(self) -> bool:
        """Every branch is complete, but the stored results counted fewer."""
        return self.counted_fewer and self.missing == 0


def without_quota_report(campaigns):
    """`campaigns` without their stored quota check, by far their largest column (700 KB
    of JSON at 20,000 branches, decoded for every row read), but with the one figure of it
    `completeness` reads, its total (`quota_total`), read in the database."""
    return campaigns.defer("quota_report").annotate(
        quota_total=KeyTransform("total", "quota_report")
    )


def completeness(campaign: Campaign, *, enrolled=None, complete=None) -> Completeness:
    """The campaign's completeness, in one aggregate query (whatever its size); none when
    the caller has counted its enrolled and complete branches already (the results page's
    `results.Progress`). A campaign read `without_quota_report` gives its total as read."""
    if enrolled is None or complete is None:
        counts = (
            Assessment.objects.enrolled()
            .filter(campaign=campaign)
            .aggregate(enrolled=Count("pk"), complete=Count("pk", filter=COMPLETE))
        )
        enrolled, complete = counts["enrolled"], counts["complete"]
    if "quota_report" in campaign.get_deferred_fields() and hasattr(campaign, "quota_total"):
        return Completeness(enrolled, complete, campaign.quota_total)
    report = campaign.quota_report or {}
    return Completeness(enrolled, complete, report.get("total"))


@dataclass
class Figures:
    """What the engine needs of one assessment, read from the database.

    `assessment` is the model object, or None when gathered as plain rows (`as_rows`: the
    recompute, which needs only the ids, the branch code and the election columns).
    """

    assessment: Assessment | None
    assessment_id: int = 0
    code: str = ""  # the branch's organisation code: the engine's id (`branch_id`)
    stored_election: str = ""  # the assessment's election snapshot, as stored
    self_submitted: bool = False
    self_total: Decimal | None = None
    survey_closed: bool = False
    survey_component: Decimal | None = None
    satisfaction: Fraction | None = None
    participation: Fraction | None = None
    review_status: str | None = None
    review_total: Decimal | None = None
    audit_status: str | None = None
    events: tuple[Event, ...] = ()
    election: str = "on_time"
    missing: list[str] = field(default_factory=list)

    @property
    def rated(self) -> bool:
        return not self.missing

    @property
    def missing_labels(self) -> list[str]:
        return [str(MISSING_LABELS[code]) for code in self.missing]

    @property
    def inputs_ready(self) -> bool:
        """Self-evaluation submitted and survey closed: the review may be submitted."""
        return self.self_submitted and self.survey_closed

    @property
    def participation_low(self) -> bool:
        """A closed survey under 80 % participation (closed by a recorded override)."""
        return (
            self.participation is not None
            and self.participation < survey_services.MIN_PARTICIPATION
        )


# --- What the other areas store, read in bulk (one query or a few each) ---------------


def _self_figures(campaign, ids) -> dict[int, tuple[bool, Decimal | None]]:
    """{assessment id: (submitted, total)} of the self-evaluations, one query."""
    sheets = SelfEvaluation.objects.all()
    if ids is None:
        sheets = sheets.filter(assessment__campaign=campaign)
    else:
        sheets = sheets.filter(assessment_id__in=ids)
    return {
        assessment_id: (status == SelfEvaluationStatus.SUBMITTED, total)
        for assessment_id, status, total in sheets.values_list("assessment_id", "status", "total")
    }


def _review_figures(campaign, ids) -> dict[int, tuple[str, Decimal | None, str]]:
    """{assessment id: (status, total, audit status)} of the reviews, one query."""
    if ids is None:
        rows = Review.objects.filter(assessment__campaign=campaign)
    else:
        rows = Review.objects.filter(assessment_id__in=ids)
    return {
        assessment_id: (status, total, audit_status)
        for assessment_id, status, total, audit_status in rows.values_list(
            "assessment_id", "status", "total", "audit_status"
        )
    }


def _survey_figures(
    campaign, ids, *, with_ballots=True
) -> dict[int, survey_services.SurveyFigures]:
    """{assessment id: SurveyFigures}: the survey area's read model, in three queries."""
    return survey_services.survey_figures(campaign, assessment_ids=ids, with_ballots=with_ballots)


def _events(campaign, branch_of: dict[int, int], *, whole) -> dict[int, tuple[Event, ...]]:
    """{assessment id: (Event, …)} of the year's bonus and penalty events, one query;
    `branch_of` is {assessment id: branch id}. Assessments without an event are absent."""
    by_branch = events_services.events_for_campaign(
        campaign, None if whole else list(branch_of.values())
    )
    return {
        assessment_id: tuple(event.as_engine_event() for event in by_branch[branch])
        for assessment_id, branch in branch_of.items()
        if branch in by_branch
    }


def _second_totals(campaign, ids) -> dict[int, Decimal]:
    """{assessment id: the second review's total} where staff decided, with a recorded
    reason, to rate on the second review (docs/process.md §2.1.3, D-2.1.3k): what `gather`
    reads instead of the first review's total. One query."""
    rows = SecondReview.objects.filter(
        decision=Decision.USE_SECOND, status=SecondReviewStatus.SUBMITTED
    )
    if ids is None:
        rows = rows.filter(assessment__campaign=campaign)
    else:
        rows = rows.filter(assessment_id__in=ids)
    return dict(rows.values_list("assessment_id", "total"))


#: The histories of what a rating reads, with the way from each to its campaign (the
#: events, by their year, apart).
_HISTORIES = (
    (Review, "assessment__campaign"),
    (SecondReview, "assessment__campaign"),
    (SelfEvaluation, "assessment__campaign"),
    (Survey, "assessment__campaign"),
)


def _latest_change(campaign):
    """When a review (first or second), sheet, survey or event of the campaign last
    changed, or None."""
    latest = [
        model.history.filter(**{lookup: campaign}).aggregate(t=Max("history_date"))["t"]
        for model, lookup in _HISTORIES
    ]
    latest.append(
        ScoreEvent.history.filter(date__year=campaign.year).aggregate(t=Max("history_date"))["t"]
    )
    found = [t for t in latest if t is not None]
    return max(found) if found else None


def branch_id(assessment: Assessment) -> str:
    """The engine's id of a branch: its organisation code (unique, readable in the trace)."""
    return assessment.branch.code


class _Row(NamedTuple):
    """One enrolled assessment as `gather(as_rows=True)` reads it, with its sheet's and
    its review's figures joined in (one row per branch): no model objects."""

    pk: int
    branch_id: int
    code: str
    election: str  # the stored snapshot
    term_end: date | None
    last_election: date | None
    postponement_approved: bool
    self_status: str | None  # None: no sheet
    self_total: Decimal | None
    review_status: str | None  # None: no review
    review_total: Decimal | None
    audit_status: str | None


def _assessment_rows(campaign: Campaign) -> list[_Row]:
    rows = (
        Assessment.objects.enrolled()
        .filter(campaign=campaign)
        .order_by("branch__code")
        .values_list(
            "pk",
            "branch_id",
            "branch__code",
            "election",
            "branch__term_end",
            "branch__last_election",
            "branch__postponement_approved",
            "self_evaluation__status",
            "self_evaluation__total",
            "review__status",
            "review__total",
            "review__audit_status",
        )
    )
    return [_Row(*row) for row in rows]


def election_of(assessment: Assessment, campaign: Campaign) -> str:
    """Election status at the campaign's reference date (docs/rules.md §4.7).

    Read from the branch now.
    """
    return assessment.branch.election_status(campaign.reference_date)


def gather(
    campaign: Campaign,
    assessments: list[Assessment] | None = None,
    *,
    with_ballots=True,
    as_rows=False,
) -> list[Figures]:
    """Load every figure of the campaign's assessments (or of the given ones).

    A fixed number of aggregate queries whatever the number of branches. Pages that show
    only progress (what is missing, participation) pass `with_ballots=False` and get no
    survey component or satisfaction. `as_rows=True` (whole campaign only, the recompute)
    reads the assessments as plain rows, their sheet's and review's figures joined into
    the same row (one row per branch, two queries fewer): `Figures.assessment` is then
    None. Both ways give equal figures (a test holds them so).
    """
    whole = assessments is None
    on_date = campaign.reference_date
    submitted = SelfEvaluationStatus.SUBMITTED
    if as_rows:
        if not whole:
            raise ValueError("as_rows reads the whole campaign")
        heads = [
            (
                None,
                r.pk,
                r.branch_id,
                r.code,
                r.election,
                election_status(r.term_end, r.last_election, r.postponement_approved, on_date),
                (r.self_status == submitted, r.self_total),
                None
                if r.review_status is None
                else (r.review_status, r.review_total, r.audit_status),
            )
            for r in _assessment_rows(campaign)
        ]
    else:
        if whole:
            assessments = list(
                Assessment.objects.enrolled()
                .filter(campaign=campaign)
                .select_related("branch", "branch__parent")
                .order_by("branch__code")
            )
        ids = None if whole else [a.pk for a in assessments]
        selfs = _self_figures(campaign, ids)
        reviews = _review_figures(campaign, ids)
        heads = [
            (
                a,
                a.pk,
                a.branch_id,
                a.branch.code,
                a.election,
                election_of(a, campaign),
                selfs.get(a.pk, (False, None)),
                reviews.get(a.pk),
            )
            for a in assessments
        ]
    ids = None if whole else [head[1] for head in heads]
    surveys = _survey_figures(campaign, ids, with_ballots=with_ballots)
    events = _events(campaign, {head[1]: head[2] for head in heads}, whole=whole)
    # Staff decided, with a recorded reason, to rate on the second review (D-2.1.3k).
    seconds = _second_totals(campaign, ids)
    figures = []
    for assessment, pk, _branch, code, stored_election, election, sheet, review in heads:
        f = Figures(
            assessment=assessment,
            assessment_id=pk,
            code=code,
            stored_election=stored_election,
            election=election,
        )
        f.self_submitted, f.self_total = sheet
        survey = surveys.get(pk)
        if survey is not None:
            f.survey_closed = survey.is_closed
            f.survey_component = survey.component
            f.satisfaction = survey.satisfaction_rate
            f.participation = survey.participation_rate
        if review is not None:
            f.review_status, f.review_total, f.audit_status = review
            f.review_total = seconds.get(pk, f.review_total)
        f.events = events.get(pk, ())
        if not f.self_submitted:
            f.missing.append(MISSING_SELF)
        if not f.survey_closed:
            f.missing.append(MISSING_SURVEY)
        if f.review_status != ReviewStatus.SUBMITTED:
            f.missing.append(MISSING_REVIEW)
        elif f.audit_status not in (AuditStatus.NOT_NEEDED, AuditStatus.AGREED):
            f.missing.append(MISSING_AUDIT)
        figures.append(f)
    return figures


def to_branch_input(f: Figures, *, review_total: Decimal | None = None) -> BranchInput:
    """The engine's input for one branch; a missing component counts as 0 (preview only:
    recompute sends rated branches alone, which lack nothing)."""
    review = f.review_total if review_total is None else review_total
    return BranchInput(
        id=f.code,
        self_score=f.self_total if f.self_total is not None else Decimal(0),
        survey_score=f.survey_component if f.survey_component is not None else Decimal(0),
        review_score=review if review is not None else Decimal(0),
        satisfaction=f.satisfaction,
        election=f.election,
        events=f.events,
    )


def engine_input_for(assessments: Iterable[Assessment]) -> list[BranchInput]:
    """The engine's input for these assessments (one campaign), as recompute builds it."""
    assessments = list(assessments)
    if not assessments:
        return []
    return [to_branch_input(f) for f in gather(assessments[0].campaign, assessments)]


def policy_of(campaign: Campaign, *, quota_mode: str | None = None) -> Policy:
    """The campaign's policy for the engine; `quota_mode` overrides (the single-branch
    proposal runs with "off"). Weights are normalised (0.200 → 0.2) so the trace reads as
    the calculator's does; they are equal either way."""
    return Policy(
        weight_self=campaign.weight_self.normalize(),
        weight_survey=campaign.weight_survey.normalize(),
        weight_review=campaign.weight_review.normalize(),
        bands=tuple(campaign.bands),
        five_star_share=campaign.five_star_share,
        low_share=campaign.low_share,
        quota_mode=quota_mode or campaign.quota_mode,
    )


def _ratio(value) -> tuple[int | None, int | None]:
    if value is None:
        return None, None
    exact = value if type(value) is Fraction else Fraction(value)  # already one, usually
    return exact.numerator, exact.denominator


def _component(value: Decimal | None) -> Decimal | None:
    """A stored component: to 0.01 half up (docs/rules.md §4.1; `components.sheet_total`
    of one value, without building its list)."""
    return None if value is None else value.quantize(CENT, ROUND_HALF_UP)


#: The columns of a stored rating, in the order `_rating_rows` gives them.
RATING_COLUMNS = (
    "assessment_id",
    "self_component",
    "survey_component",
    "review_component",
    "satisfaction_num",
    "satisfaction_den",
    "base",
    "bonus",
    "penalty",
    "score",
    "band",
    "star",
    "limits",
    "explain",
    "computed_at",
)

_quote = json.encoder.encode_basestring_ascii  # a JSON string as json.dumps writes it


def note_json(note: Note, known: dict[int, str] | None = None) -> str:
    """``json.dumps(note.as_json())`` (what the `explain` JSONField stores of a note),
    written directly: no intermediate list and dict per note (a test holds them equal).

    *known* is {id(note): its JSON} of notes already written, this one and the notes in
    its params added: sound while the caller holds every note it keys.
    """
    if known is None:
        known = {}
    text = known.get(id(note))
    if text is not None:
        return text
    params = note.params
    if params:
        shown = ", ".join(
            [f"{_quote(key)}: {_param_json(value, known)}" for key, value in params.items()]
        )
        text = f"[{_quote(note.msgid)}, {{{shown}}}]"
    else:
        text = f"[{_quote(note.msgid)}, {{}}]"
    known[id(note)] = text
    return text


def _param_json(value, known: dict[int, str]) -> str:
    kind = type(value)
    if kind is str:
        return _quote(value)
    if kind is Note:  # a label, shared by many notes
        return note_json(value, known)
    if kind is int:
        return str(value)
    if kind is Decimal:
        return _quote(format_decimal(value))  # as `Note.as_json` gives it
    return json.dumps(value)


def _rating_rows(rated: list[Figures], results: list, now) -> list[tuple]:
    """The stored ratings as plain rows of RATING_COLUMNS, ready for the database (no
    model objects, no per-row field preparation): the JSON columns as the JSONField
    writes them, the time as the field prepares it, the rest as they are.

    Most trace lines are notes the engine shares among branches (`steps.Run`): each is
    turned into JSON once per recompute, keyed by id() — sound while `results` hold
    every note.
    """
    at = Rating._meta.get_field("computed_at").get_db_prep_save(now, connection)
    known: dict[int, str] = {}
    limits: dict[tuple, str] = {}

    def note_text(note: Note) -> str:
        return known.get(id(note)) or note_json(note, known)

    rows = []
    for f, result in zip(rated, results, strict=True):
        num, den = _ratio(f.satisfaction)
        lowered = limits.get(result.limits)
        if lowered is None:
            lowered = limits[result.limits] = json.dumps(list(result.limits))
        rows.append(
            (
                f.assessment_id,
                _component(f.self_total),
                _component(f.survey_component),
                _component(f.review_total),
                num,
                den,
                result.base,
                result.bonus,
                result.penalty,
                result.score,
                result.band,
                result.star,
                lowered,
                "[" + ", ".join(map(note_text, result.explain)) + "]",
                at,
            )
        )
    return rows


def _store_ratings(campaign: Campaign, rows: list[tuple]) -> int:
    """Make the campaign's stored ratings these rows, writing only what changed.

    The new rows go to a temporary table (one COPY on PostgreSQL), then three statements
    compare them with the stored ones in the database: ratings of branches no longer rated
    are deleted, changed ones updated, new ones inserted. A rating equal in every column
    but `computed_at` is not touched, so a recompute that changes nothing writes no row
    (no dead rows with autovacuum off) and `computed_at` is when the rating last changed
    (D-7u). Returns the number of rows written.
    """
    quote = connection.ops.quote_name
    table = quote(Rating._meta.db_table)
    columns = ", ".join(quote(c) for c in RATING_COLUMNS)
    compared = [c for c in RATING_COLUMNS if c not in ("assessment_id", "computed_at")]
    assessments = quote(Assessment._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The comparison joins every rating with its trace (about 1 KB each): with the
            # default 4 MB the join's hash table spills to disk at 20,000 branches.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("DROP TABLE IF EXISTS rating_new")
        cursor.execute(f"CREATE TEMP TABLE rating_new AS SELECT {columns} FROM {table} WHERE 1 = 0")
        _fill(cursor, rows)
        cursor.execute(
            f"DELETE FROM {table} WHERE assessment_id IN "
            f"(SELECT id FROM {assessments} WHERE campaign_id = %s) "
            "AND assessment_id NOT IN (SELECT assessment_id FROM rating_new)",
            [campaign.pk],
        )
        written = cursor.rowcount
        cursor.execute(
            f"UPDATE {table} AS r SET "
            + ", ".join(f"{quote(c)} = n.{quote(c)}" for c in RATING_COLUMNS[1:])
            + " FROM rating_new AS n WHERE r.assessment_id = n.assessment_id AND ("
            + " OR ".join(f"r.{quote(c)} IS DISTINCT FROM n.{quote(c)}" for c in compared)
            + ")"
        )
        written += cursor.rowcount
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM rating_new AS n "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS r WHERE r.assessment_id = n.assessment_id)"
        )
        written += cursor.rowcount
        cursor.execute("DROP TABLE rating_new")
    return written


def _fill(cursor, rows: list[tuple]) -> None:
    """Put the rows (`_rating_rows`) into `rating_new`.

    On PostgreSQL with one COPY: `bulk_create` would send each column as an array (UNNEST)
    and psycopg would escape every trace's JSON for the array literal in Python, several
    times the COPY's cost (bench/bench_recompute.py); elsewhere one `executemany`.
    """
    columns = ", ".join(RATING_COLUMNS)
    if connection.vendor == "postgresql":
        with cursor.copy(f"COPY rating_new ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join(["%s"] * len(RATING_COLUMNS))
    cursor.executemany(f"INSERT INTO rating_new ({columns}) VALUES ({placeholders})", rows)


#: Published, not yet approved: recomputed only after an upheld objection.
PUBLICITY_STATUSES = (CampaignStatus.PUBLICITY, CampaignStatus.AWAITING_APPROVAL)
#: Approved: the list is frozen with its digest.
FROZEN = (CampaignStatus.APPROVED, CampaignStatus.CLOSED)


def refusal(campaign: Campaign) -> str | None:
    """Why the campaign may not be recomputed now (the results page shows it), or None."""
    if campaign.status in FROZEN:
        return gettext(
            "The results are approved and frozen: they are not recomputed. A star changes "
            "now only through re-review or dynamic management."
        )
    if campaign.status in PUBLICITY_STATUSES and not (
        Objection.objects.filter(campaign=campaign, state=ObjectionState.UPHELD).exists()
    ):
        return gettext(
            "The results are published: they may change only through an upheld objection, "
            "so they are recomputed only once an objection is upheld."
        )
    return None


def recompute_campaign(*, campaign: Campaign, actor) -> Outcome:
    """Rate every rated branch of the campaign and store the results.

    The rules are docs/rules.md §4; the cost bounds docs/nonfunctional.md §7.

    Staff only. One transaction: the campaign row is locked (two recomputes never
    interleave), the figures are read with a few aggregate queries, the engine runs
    once over all rated branches, the ratings are replaced in one bulk write, and the
    campaign keeps the quota report with a history record ("campaign.recomputed").
    """
    if not may_recompute(actor):
        raise NotAllowed(gettext("Only committee staff may recompute the ratings."))
    with collector.paused(), transaction.atomic():
        # The stored quota report is replaced, never read here: not loaded (at 20,000
        # branches it is some 700 KB of JSON to fetch and decode).
        campaign = Campaign.objects.defer("quota_report").select_for_update().get(pk=campaign.pk)
        refused = refusal(campaign)
        if refused:
            raise WrongState(refused)
        figures = gather(campaign, as_rows=True)
        _refresh_elections(figures)
        rated = [f for f in figures if f.rated]
        try:
            outcome = rate([to_branch_input(f) for f in rated], policy_of(campaign), campaign.kind)
        except InvalidInput as error:  # a policy the forms let through; nothing is written
            raise RecomputeError(error.render(gettext)) from error
        now = clock.now()
        _store_ratings(campaign, _rating_rows(rated, outcome.results, now))
        campaign.quota_report = quota_dict(outcome.quota, stored=True)
        campaign.recomputed_at = now
        audit.save(
            campaign,
            actor=actor,
            action="campaign.recomputed",
            update_fields=["quota_report", "recomputed_at"],
        )
    return outcome


def _refresh_elections(figures: list[Figures]) -> None:
    """Refresh the assessments' election snapshot where the branch's data changed
    (usually none): one UPDATE per new status."""
    stale: dict[str, list[int]] = {}
    for f in figures:
        if f.stored_election != f.election:
            stale.setdefault(f.election, []).append(f.assessment_id)
    for election, ids in stale.items():
        Assessment.objects.filter(pk__in=ids).update(election=election)


def inputs_changed_since_recompute(campaign: Campaign) -> bool:
    """Something the rating reads changed after the last recompute (for staff's to-dos):
    a review, a second review's decision, a sheet, a survey or an event (a history row
    after it; one query: each history's `history_date` index finds the few rows after
    the recompute, where the latest time of each would read the campaign's whole
    history). Before the first recompute: as soon as one review is submitted."""
    if campaign.recomputed_at is None:
        return Review.objects.filter(
            assessment__campaign=campaign, status=ReviewStatus.SUBMITTED
        ).exists()
    since = campaign.recomputed_at
    changed = [
        Exists(model.history.filter(**{lookup: campaign}, history_date__gt=since))
        for model, lookup in _HISTORIES
    ]
    changed.append(
        Exists(ScoreEvent.history.filter(date__year=campaign.year, history_date__gt=since))
    )
    either = changed[0]
    for one in changed[1:]:
        either = either | one
    return Campaign.objects.filter(either, pk=campaign.pk).exists()
