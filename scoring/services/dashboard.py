"""What the dashboard reads (docs/reports.md §6, the dashboard) and the secretary's home.

Selectors only: every figure is an aggregate in the database over the branches the user
may count (`branches.permissions.dashboard_branches`), read from what the workflow
stored — sheets, surveys and their slips, reviews, and the `Rating`s of the last
recompute (docs/architecture.md, conventions: the engine alone computes stars). The
number of queries is fixed whatever the number of branches (pinned by
tests/scoring/views/test_dashboard.py).
"""

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db import connection
from django.db.models import Avg, Count, F, Q, Sum
from django.db.models.functions import Round

from branches.models import Organisation, OrgKind
from branches.permissions import dashboard_branch_filter
from scoring.models import (
    Assessment,
    AuditStatus,
    Campaign,
    CampaignStatus,
    Rating,
    ReviewStatus,
    SelfEvaluationStatus,
    Slip,
    SlipKind,
    SurveyStatus,
)

from .recompute import COMPLETE, MISSING_LABELS, completeness, without_quota_report
from .survey.figures import figures_for
from .survey.life import rate, whole_percent

#: The gap list's default margin: self-evaluation above the review by more than this
#: many points (D-6i).
DEFAULT_MARGIN = Decimal(10)

#: The ranking's status filter (D-6h): what a branch's row stands on.
RATED = "rated"  # a stored rating from the last recompute
TO_RECOMPUTE = "to_recompute"  # complete now, not yet rated
INCOMPLETE = "incomplete"  # still lacks a part

AUDIT_OK = [AuditStatus.NOT_NEEDED, AuditStatus.AGREED]
#: Every star a rating can hold: 0 (none) to 5.
STARS = (0, 1, 2, 3, 4, 5)


def campaigns():
    """The campaigns a dashboard can show: every one opened, latest first (year, then
    the one opened last: a year-end re-rating after the year's declaration), without the
    stored quota check: the dashboard reads only its total (`without_quota_report`)."""
    return without_quota_report(
        Campaign.objects.exclude(status=CampaignStatus.DRAFT)
        .select_related("committee")
        .order_by("-year", F("opened_at").desc(nulls_last=True), "-pk")
    )


def scope(user, campaign: Campaign):
    """The enrolled assessments of `campaign` the user may count (the branch tested in
    the join every list and count makes to it, not through a subquery)."""
    return (
        Assessment.objects.enrolled()
        .filter(dashboard_branch_filter(user, "branch"), campaign=campaign)
        .order_by()
    )


# --- Progress and comparison, one row per parent organisation ----------------------------


@dataclass
class ParentRow:
    """One parent organisation's branches in the campaign (committee staff see the
    directly managed ones under the committee itself)."""

    parent_id: int
    name: str
    code: str
    enrolled: int = 0
    self_submitted: int = 0
    survey_open: int = 0
    survey_closed: int = 0
    electorate: int = 0  # of the surveys opened so far
    members_voted: int = 0
    reviews_submitted: int = 0
    audits_pending: int = 0
    audits_agreed: int = 0
    complete: int = 0
    rated: int = 0
    high: int = 0  # four and five stars
    mean_score: Decimal | None = None
    missing: dict = field(default_factory=dict)  # recompute.MISSING_LABELS key → count
    stars: dict = field(default_factory=dict)  # star → rated branches (0 and 1–5)
    direct: bool = False  # the committee itself: its directly managed branches

    @property
    def participation(self) -> Fraction | None:
        """Members who voted over the electorate of the surveys opened, exact."""
        return rate(self.members_voted, self.electorate)

    @property
    def participation_percent(self) -> int | None:
        return whole_percent(self.participation)

    @property
    def high_share(self) -> Fraction | None:
        """The share of four and five stars among the rated branches."""
        return rate(self.high, self.rated)

    @property
    def high_percent(self) -> int | None:
        return whole_percent(self.high_share)

    @property
    def incomplete(self) -> int:
        return self.enrolled - self.complete

    @property
    def blocking(self) -> list[tuple[str, int]]:
        """(what is missing, how many branches lack it), only the parts some lack."""
        return [(str(MISSING_LABELS[code]), n) for code, n in self.missing.items() if n]


def parent_rows(
    assessments,
    *,
    progress: bool = True,
    participation: bool = True,
    stars: bool = True,
    few: bool = False,
) -> list[ParentRow]:
    """Figures per parent organisation, ordered by the parent's code: the assessments with
    the parts the figures need, grouped by the parent's id alone in one query; the
    parents' names in another; and, for participation, their surveys' unspent member
    slips, grouped the same (`unspent_member_slips`).

    Each tab of the dashboard asks for the figures it shows, and only the tables those
    need are joined (D-7qs): `progress`, the parts handed in (sheets, surveys, reviews,
    audits, what each branch lacks, the complete ones); `participation`, the members who
    voted over the electorate of the surveys opened; `stars`, the stored ratings (rated,
    four and five stars, the mean score, each star's count). What is not asked for stays
    0. `few`: the scope is a few parents' branches (a reviewer's), for
    `unspent_member_slips`.

    Grouped by the id, not the parent's name and code as well: the database then
    hashes 51 keys instead of sorting the 20,000 joined rows by text (D-7qa)."""
    opened = Q(survey__status__in=[SurveyStatus.OPEN, SurveyStatus.CLOSED])
    figures = {"enrolled": Count("pk")}
    if participation:
        figures.update(
            electorate=Sum("survey__electorate", filter=opened),
            member_slips=Sum("survey__member_slips_issued", filter=opened),
        )
    if stars:
        figures.update(
            rated=Count("rating"),
            high=Count("rating", filter=Q(rating__star__gte=4)),
            mean_score=Avg("rating__score"),
            **{f"star_{star}": Count("rating", filter=Q(rating__star=star)) for star in STARS},
        )
    if progress:
        submitted = Q(review__status=ReviewStatus.SUBMITTED)
        figures.update(
            self_submitted=Count(
                "pk", filter=Q(self_evaluation__status=SelfEvaluationStatus.SUBMITTED)
            ),
            survey_open=Count("pk", filter=Q(survey__status=SurveyStatus.OPEN)),
            survey_closed=Count("pk", filter=Q(survey__status=SurveyStatus.CLOSED)),
            reviews_submitted=Count("pk", filter=submitted),
            audits_pending=Count("pk", filter=Q(review__audit_status=AuditStatus.PENDING)),
            audits_agreed=Count("pk", filter=Q(review__audit_status=AuditStatus.AGREED)),
            audit_missing=Count("pk", filter=submitted & ~Q(review__audit_status__in=AUDIT_OK)),
            complete=Count("pk", filter=COMPLETE),
        )
    grouped = list(assessments.values("branch__parent_id").annotate(**figures).order_by())
    unspent = unspent_member_slips(assessments.filter(opened), few=few) if participation else {}
    parents = Organisation.objects.in_bulk(
        [row["branch__parent_id"] for row in grouped], field_name="pk"
    )
    grouped.sort(key=lambda row: parents[row["branch__parent_id"]].code)
    return [_parent_row(parents[row["branch__parent_id"]], row, unspent) for row in grouped]


#: The counts `parent_rows` copies as they come (the others are derived from them).
_COUNTS = (
    "rated",
    "high",
    "self_submitted",
    "survey_open",
    "survey_closed",
    "reviews_submitted",
    "audits_pending",
    "audits_agreed",
    "complete",
)


def _parent_row(parent, row: dict, unspent: dict[int, int]) -> ParentRow:
    """One parent's `ParentRow` from its grouped figures (those `parent_rows` asked for)."""
    shown = ParentRow(
        parent_id=parent.pk,
        name=parent.name,
        code=parent.code,
        direct=parent.kind == OrgKind.COMMITTEE,
        enrolled=row["enrolled"],
        **{name: row[name] for name in _COUNTS if name in row},
    )
    if "electorate" in row:
        shown.electorate = row["electorate"] or 0
        shown.members_voted = (row["member_slips"] or 0) - unspent.get(parent.pk, 0)
    if "mean_score" in row:
        mean = row["mean_score"]
        # Avg is a float on SQLite: the mean to 0.01, as scores are shown.
        shown.mean_score = None if mean is None else Decimal(str(mean)).quantize(Decimal("0.01"))
        shown.stars = {star: row[f"star_{star}"] for star in STARS if row[f"star_{star}"]}
    if "complete" in row:
        shown.missing = {
            "self": row["enrolled"] - row["self_submitted"],
            "survey": row["enrolled"] - row["survey_closed"],
            "review": row["enrolled"] - row["reviews_submitted"],
            "audit": row["audit_missing"],
        }
    return shown


def unspent_member_slips(assessments, *, few: bool = False) -> dict[int, int]:
    """Parent organisation id → the unspent member slips of the surveys of `assessments`.

    The slips counted per survey first (60,000 slips at 20,000 branches become one row
    per survey), then joined to the scope's surveys and grouped by parent: the scope's
    own rows and filters (its SQL as a derived table), so that the joins of the
    assessments, branches and surveys hash one row per survey instead of one per slip
    (34 → 22 ms at 20,000 branches, D-7qe). Counted at each request: the cast writes
    only the slip's DELETE and the ballot's INSERT (docs/survey.md, A8).

    `few`: the scope is a few parents' branches (a reviewer's): their slips are then
    joined flat through the scope's joins, which reads only their surveys' slips on the
    slips' survey index, instead of counting every slip of the database per survey first
    (55 → 13 ms for the bench's reviewer at 20,000 branches, D-7qi)."""
    if few:
        return dict(
            assessments.filter(survey__slips__kind=SlipKind.MEMBER)
            .values("branch__parent_id")
            .annotate(n=Count("survey__slips"))
            .order_by()
            .values_list("branch__parent_id", "n")
        )
    scope_sql, scope_params = (
        assessments.values(survey_pk=F("survey__pk"), parent_pk=F("branch__parent_id"))
        .order_by()
        .query.sql_with_params()
    )
    slip = Slip._meta.db_table
    sql = f"""
        SELECT scoped.parent_pk, SUM(per_survey.n)
        FROM ({scope_sql}) AS scoped
        INNER JOIN (
            SELECT survey_id, COUNT(*) AS n FROM {slip} WHERE kind = %s GROUP BY survey_id
        ) AS per_survey ON per_survey.survey_id = scoped.survey_pk
        GROUP BY scoped.parent_pk
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, (*scope_params, SlipKind.MEMBER.value))
        return {parent: int(n) for parent, n in cursor.fetchall()}


def totals(rows: list[ParentRow]) -> ParentRow:
    """The sum of the parents' rows (the mean score weighted by the rated branches)."""
    whole = ParentRow(parent_id=0, name="", code="")
    scored = Decimal(0)
    for row in rows:
        for name in (
            "enrolled",
            "self_submitted",
            "survey_open",
            "survey_closed",
            "electorate",
            "members_voted",
            "reviews_submitted",
            "audits_pending",
            "audits_agreed",
            "complete",
            "rated",
            "high",
        ):
            setattr(whole, name, getattr(whole, name) + getattr(row, name))
        for code, n in row.missing.items():
            whole.missing[code] = whole.missing.get(code, 0) + n
        for star, n in row.stars.items():
            whole.stars[star] = whole.stars.get(star, 0) + n
        if row.mean_score is not None:
            scored += row.mean_score * row.rated
    if whole.rated:
        whole.mean_score = (scored / whole.rated).quantize(Decimal("0.01"))
    return whole


# --- Stars: this campaign and the years ---------------------------------------------------


def star_counts(assessments) -> dict[int, int]:
    """{star: branches} of the stored ratings, one query (the page reads the same from
    `totals(parent_rows(…)).stars`, counted with the rows)."""
    return dict(
        Rating.objects.filter(assessment__in=assessments)
        .values("star")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("star", "n")
    )


def star_trend(user, campaign: Campaign, *, current=None) -> dict[int, dict[int, int]]:
    """{year: {star: branches}} over the committee's campaigns of the same kind (one a
    year, a database constraint), for the branches the user may count; one query.

    `current`, the campaign's own {star: branches} when the caller counted them already
    (`totals(parent_rows(scope(user, campaign))).stars`), stands for the campaign's
    year: the query then reads the other campaigns' ratings only (D-7pc)."""
    rows = (
        Rating.objects.filter(
            dashboard_branch_filter(user, "assessment__branch"),
            assessment__campaign__committee_id=campaign.committee_id,
            assessment__campaign__kind=campaign.kind,
            assessment__withdrawn_at__isnull=True,
        )
        .exclude(assessment__campaign__status=CampaignStatus.DRAFT)
        .values("assessment__campaign__year", "star")
        .annotate(n=Count("pk"))
        .order_by()
    )
    if current is not None:
        rows = rows.exclude(assessment__campaign=campaign)
    trend: dict[int, dict[int, int]] = {}
    for row in rows:
        trend.setdefault(row["assessment__campaign__year"], {})[row["star"]] = row["n"]
    if current:
        trend[campaign.year] = dict(current)
    return dict(sorted(trend.items()))


# --- The ranking ---------------------------------------------------------------------------


def ranking(assessments, *, parent=None, star=None, status=None, search=""):
    """The branches best first — rated by stored score (then code), the others after by
    code — filtered by parent, star, status (`RATED`, `TO_RECOMPUTE`, `INCOMPLETE`) and a
    search in name and code. A queryset: the page pages it, the export writes it whole."""
    rows = assessments
    if parent is not None:
        rows = rows.filter(branch__parent=parent)
    if star is not None:
        rows = rows.filter(rating__star=star)
    if status == RATED:
        rows = rows.filter(rating__isnull=False)
    elif status == TO_RECOMPUTE:
        rows = rows.filter(COMPLETE, rating__isnull=True)
    elif status == INCOMPLETE:
        rows = rows.exclude(COMPLETE)
    if search:
        rows = rows.filter(Q(branch__name__icontains=search) | Q(branch__code__icontains=search))
    return (
        rows.select_related("branch__parent", "rating", "self_evaluation", "survey", "review")
        # The trace is the bulk of a rating row and no list shows it.
        .defer("rating__explain")
        .order_by(F("rating__score").desc(nulls_last=True), "branch__code")
    )


def _rows_total(rows: list[ParentRow], parent=None) -> ParentRow:
    """The total of the parent rows, or of `parent`'s row alone (the ranking's filter)."""
    if parent is not None:
        rows = [row for row in rows if row.parent_id == parent.pk]
    return totals(rows)


def ranking_parts(ranked, assessments, *, parent=None, star=None, status=None, search=""):
    """`ranked` (`ranking` of `assessments` with these filters) as its parts in order
    with their lengths, for `starrating.paging.PartsPaginator`: the rated branches by
    score then code (the order the ratings' score index serves: no NULLS LAST, none is
    null), then the others by code, the lengths counted by `parent_rows` (with its
    `stars` alone). None, with nothing read, for the filters those rows do not count the
    parts of (a search; a status other than rated): the whole list is sorted then."""
    if search or status not in (None, RATED):
        return None
    rows = parent_rows(assessments, progress=False, participation=False)
    whole = _rows_total(rows, parent)
    by_score = ranked.filter(rating__isnull=False).order_by("-rating__score", "branch__code")
    if star is not None:
        return [(by_score, whole.stars.get(star, 0))]
    if status == RATED:
        return [(by_score, whole.rated)]
    unrated = ranked.filter(rating__isnull=True).order_by("branch__code")
    return [(by_score, whole.rated), (unrated, whole.enrolled - whole.rated)]


def missing_of(assessment: Assessment) -> list[str]:
    """What the branch still lacks (the rule of `recompute.COMPLETE`), from the parts
    `ranking` loaded with it, in words: no query."""
    return [str(MISSING_LABELS[code]) for code in missing_codes_of(assessment)]


def missing_codes_of(assessment: Assessment) -> list[str]:
    """`missing_of` as `recompute.MISSING_LABELS` keys."""
    sheet, survey, review = (assessment.part(n) for n in ("self_evaluation", "survey", "review"))
    missing = []
    if sheet is None or sheet.status != SelfEvaluationStatus.SUBMITTED:
        missing.append("self")
    if survey is None or survey.status != SurveyStatus.CLOSED:
        missing.append("survey")
    if review is None or review.status != ReviewStatus.SUBMITTED:
        missing.append("review")
    elif review.audit_status not in AUDIT_OK:
        missing.append("audit")
    return missing


def status_of(assessment: Assessment) -> str:
    """The row's status in the sense of the ranking's filter."""
    if assessment.part("rating") is not None:
        return RATED
    return INCOMPLETE if missing_of(assessment) else TO_RECOMPUTE


# --- The gap list ---------------------------------------------------------------------------


#: The gap in hundredths of a point, rounded in the database (`gaps`).
GAP_CENTS = Round((F("self_evaluation__total") - F("review__total")) * 100)


def gaps(assessments, *, margin: Decimal = DEFAULT_MARGIN):
    """Branches whose submitted self-evaluation total exceeds the submitted review's by
    more than `margin` points, largest gap first: a hint of inflated self-scores (D-6i).

    Compared in hundredths of a point, rounded in the database, so that SQLite's binary
    floats (90.1 − 80.1 = 10.000000000000014) never put a branch on the list that is
    exactly at the margin.
    """
    return (
        assessments.filter(
            self_evaluation__status=SelfEvaluationStatus.SUBMITTED,
            review__status=ReviewStatus.SUBMITTED,
        )
        .annotate(gap_cents=GAP_CENTS)
        .filter(gap_cents__gt=int(margin * 100))
        .select_related("branch__parent", "self_evaluation", "review")
        .order_by("-gap_cents", "branch__code")
    )


# --- The secretary's home -------------------------------------------------------------------


@dataclass
class BranchStanding:
    """Where one branch stands in its latest campaign, for its secretary's home."""

    assessment: Assessment
    sheet: object  # SelfEvaluation or None
    survey: object  # SurveyFigures or None (not opened)
    review: object  # Review or None
    rating: Rating | None
    completeness: object  # recompute.Completeness when rated
    rank: int | None = None  # among the rated siblings (same parent), 1 = best
    siblings: int = 0  # rated branches under the same parent, itself included

    @property
    def campaign(self) -> Campaign:
        return self.assessment.campaign

    @property
    def branch(self):
        return self.assessment.branch

    @property
    def missing(self) -> list[str]:
        return missing_of(self.assessment)


def sibling_rank(rating: Rating) -> tuple[int, int]:
    """(rank, rated siblings): the branch's place by stored score among the rated
    branches of the campaign under the same parent, itself included; equal scores share
    a place (1, 2, 2, 4). One aggregate query."""
    assessment = rating.assessment
    counts = Rating.objects.filter(
        assessment__campaign_id=assessment.campaign_id,
        assessment__branch__parent_id=assessment.branch.parent_id,
        assessment__withdrawn_at__isnull=True,
    ).aggregate(n=Count("pk"), above=Count("pk", filter=Q(score__gt=rating.score)))
    return counts["above"] + 1, counts["n"]


def branch_standings(branches) -> list[BranchStanding]:
    """Each of `branches` (a secretary's, usually one) in the latest opened campaign that
    enrols it: its parts, its survey's participation, its stored rating and its place
    among its siblings. A few queries a branch; a secretary holds one or two."""
    standings = []
    for branch in branches:
        assessment = (
            Assessment.objects.enrolled()
            .filter(branch=branch)
            .exclude(campaign__status=CampaignStatus.DRAFT)
            .select_related(
                "campaign", "branch__parent", "self_evaluation", "survey", "review", "rating"
            )
            .order_by(
                "-campaign__year",
                F("campaign__opened_at").desc(nulls_last=True),
                "-campaign__kind",  # "year_end" after "initial": the re-rating is later
            )
            .first()
        )
        if assessment is None:
            continue
        survey = assessment.part("survey")
        rating = assessment.part("rating")
        standing = BranchStanding(
            assessment=assessment,
            sheet=assessment.part("self_evaluation"),
            survey=None
            if survey is None or survey.status == SurveyStatus.NOT_OPEN
            else figures_for(survey),
            review=assessment.part("review"),
            rating=rating,
            completeness=completeness(assessment.campaign) if rating else None,
        )
        if rating is not None:
            standing.rank, standing.siblings = sibling_rank(rating)
        standings.append(standing)
    return standings
