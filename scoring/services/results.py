"""What the results pages read: the stored quota check, the ranking and what branches lack.

Nothing here computes a score or a star: the engine did, at the last recompute
(`scoring.services.recompute`), and these read what it stored (docs/architecture.md,
conventions: one source of truth). The results page uses them now; the reports will.
"""

import json
from dataclasses import dataclass
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Q

from branches.models import Organisation
from scoring.models import (
    Assessment,
    AuditStatus,
    Campaign,
    QuotaMode,
    Rating,
    ReviewStatus,
    SelfEvaluationStatus,
    Survey,
    SurveyStatus,
)
from scoring.rules import Note
from starrating.paging import KeysPaginator

from . import recompute
from .dashboard import missing_codes_of

#: The rows a results page lists at once: the ranking, the quota moves, the missing
#: branches and the low-participation surveys (docs/nonfunctional.md §7: a page's size
#: does not grow with the campaign).
PER_PAGE = 50
#: The largest array index a JSON path takes on PostgreSQL (a 32-bit integer).
MAX_INDEX = 2**31 - 1


@dataclass(frozen=True)
class QuotaMove:
    """One branch a quota moved (enforce mode) or would move (warn mode), docs/rules.md §4.8."""

    code: str  # the branch's organisation code: the engine's id
    name: str
    from_star: int
    to_star: int
    rule: str | None  # "five_star_cap" or "low_floor"
    reason: Note  # the trace line; shown with the `note` filter


@dataclass(frozen=True)
class QuotaCheck:
    """The quota check the last recompute stored (`Campaign.quota_report`, written by
    `scoring.rules.output.quota_dict(…, stored=True)`), read with named attributes."""

    mode: str
    total: int  # N: the branches rated
    five_star_max: int
    low_min: int
    adjusted: tuple[QuotaMove, ...] = ()
    violations: tuple[QuotaMove, ...] = ()
    #: How many branches the check moved (or would move) in all; `adjusted` and
    #: `violations` hold only the page asked for when `of` was given a page.
    adjusted_count: int = 0
    violations_count: int = 0
    moves_page: Page | None = None  # the page of the moves shown, for the pager

    @property
    def mode_label(self) -> str:
        return str(QuotaMode(self.mode).label)

    @classmethod
    def of(cls, campaign: Campaign, *, page=None) -> "QuotaCheck | None":
        """The campaign's stored check, None before the first recompute; the moved
        branches' names in one query (none when nothing moved).

        With `page` (a page number, as the request gives it) only that page of
        `PER_PAGE` moves is read (adjustments first, then violations; a check has one
        kind or the other, by its mode); without, every move (the reports)."""
        moves_page = None
        if page is None:
            report = campaign.quota_report
            if not report:
                return None
            adjusted_count = len(report.get("adjusted", ()))
            violations_count = len(report.get("violations", ()))
            shown = _tagged_moves(report)
        else:
            report, adjusted_count, violations_count, moves_page = _moves_page(campaign, page)
            if not report:
                return None
            shown = list(moves_page.object_list)
        moves = [move for _key, move in shown]
        names = {}
        if moves:
            codes = {move["id"] for move in moves}
            names = dict(Organisation.objects.filter(code__in=codes).values_list("code", "name"))

        def rows(key):
            return tuple(
                QuotaMove(
                    code=move["id"],
                    name=names.get(move["id"], move["id"]),
                    from_star=move["from"],
                    to_star=move["to"],
                    rule=move.get("rule"),
                    reason=Note.from_json(move["reason"]),
                )
                for kind, move in shown
                if kind == key
            )

        return cls(
            mode=report["mode"],
            total=report["total"],
            five_star_max=report["five_star_max"],
            low_min=report["low_min"],
            adjusted=rows("adjusted"),
            violations=rows("violations"),
            adjusted_count=adjusted_count,
            violations_count=violations_count,
            moves_page=moves_page,
        )


def _tagged_moves(report: dict) -> list[tuple[str, dict]]:
    """The stored check's moves in its order, the adjustments then the violations, each as
    ("adjusted" or "violations", move)."""
    return [(key, move) for key in ("adjusted", "violations") for move in report.get(key, ())]


def _moves_page(campaign: Campaign, page):
    """The stored check without its moves, how many adjustments and violations it has,
    and the `Page` of `page` over the adjustments then the violations (as `Paginator.
    get_page` gives it: the first page for a bad number, the last for one past the end).
    One query for the page asked for, a second only when that number is not a page."""
    try:
        number = int(page)
    except (TypeError, ValueError):
        number = 1
    # A guess only (`get_page` decides), kept to where a JSON path index reaches.
    number = min(max(number, 1), MAX_INDEX // PER_PAGE)
    head, adjusted, violations, shown = read_moves(
        campaign.pk, (number - 1) * PER_PAGE, number * PER_PAGE
    )
    paginator = Paginator(range(adjusted + violations), PER_PAGE)
    moves_page = paginator.get_page(page)
    if paginator.count and moves_page.number != number:
        start = moves_page.start_index() - 1 if moves_page.object_list else 0
        head, adjusted, violations, shown = read_moves(campaign.pk, start, start + PER_PAGE)
    return head, adjusted, violations, Page(shown, moves_page.number, paginator)


def read_moves(campaign_pk, start: int, stop: int):
    """The campaign's stored check without its moves (None before the first recompute),
    how many adjustments and violations it holds, and its moves `start` to `stop` (not
    included) of the adjustments then the violations, as ("adjusted" or "violations",
    move) in the stored order.

    On PostgreSQL in one statement that decompresses the report (700 KB of JSON at 20,000
    branches, stored compressed) once: the subquery's `|| '{}'` makes the detoasted value
    once, and `OFFSET 0` keeps the planner from folding the subquery into the outer
    select, where each use of the column would decompress it again (docs/nonfunctional.md
    §7). Elsewhere (SQLite) the report is decoded whole and sliced."""
    if connection.vendor == "postgresql":
        sql = f"""
            SELECT r - 'adjusted' - 'violations', n_adjusted, n_violations,
                   jsonb_path_query_array(r, '$.adjusted[$from to $to]',
                       jsonb_build_object('from', %(start)s, 'to', %(stop)s - 1)),
                   jsonb_path_query_array(r, '$.violations[$from to $to]',
                       jsonb_build_object('from', %(start)s - n_adjusted,
                                          'to', %(stop)s - 1 - n_adjusted))
            FROM (
                SELECT r,
                       coalesce(jsonb_array_length(r -> 'adjusted'), 0) AS n_adjusted,
                       coalesce(jsonb_array_length(r -> 'violations'), 0) AS n_violations
                FROM (
                    SELECT quota_report || '{{}}'::jsonb AS r
                    FROM {Campaign._meta.db_table} WHERE id = %(pk)s OFFSET 0
                ) AS detoasted
                OFFSET 0
            ) AS counted
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, {"pk": campaign_pk, "start": start, "stop": stop})
            row = cursor.fetchone()
        if row is None:
            return None, 0, 0, []
        head, adjusted, violations, adjusted_moves, violation_moves = row
        head = json.loads(head) if head is not None else None
        moves = {"adjusted": json.loads(adjusted_moves or "[]")}
        moves["violations"] = json.loads(violation_moves or "[]")
        return head or None, adjusted, violations, _tagged_moves(moves)
    report = (
        Campaign.objects.filter(pk=campaign_pk).values_list("quota_report", flat=True).first()
    ) or {}
    every = _tagged_moves(report)
    head = {key: value for key, value in report.items() if key not in ("adjusted", "violations")}
    adjusted = len(report.get("adjusted", ()))
    return head or None, adjusted, len(every) - adjusted, every[start:stop]


def ranking(campaign: Campaign):
    """The campaign's ratings, best first (score, then branch code), for a paged list."""
    return (
        Rating.objects.filter(assessment__campaign=campaign)
        .select_related("assessment__branch__parent")
        # The trace is the bulk of a rating row and the list does not show it.
        .defer("explain")
        .order_by("-score", "assessment__branch__code")
    )


def star_counts(campaign: Campaign) -> list[dict]:
    """[{"star": 5, "n": 4}, …], most stars first: how many branches got each star."""
    return list(
        Rating.objects.filter(assessment__campaign=campaign)
        .values("star")
        .annotate(n=Count("pk"))
        .order_by("-star")
    )


class MissingRow(NamedTuple):
    """A branch that lacks something, with what it lacks (the rule of `recompute.COMPLETE`)."""

    assessment: Assessment
    missing: list[str]  # recompute.MISSING_LABELS keys

    @property
    def missing_labels(self) -> list[str]:
        return [str(recompute.MISSING_LABELS[code]) for code in self.missing]


def low_participation(campaign: Campaign):
    """The surveys of the campaign's enrolled branches closed under 80 % participation, by
    branch code; one query, counted or sliced by the caller.

    Decision D-7x: read as the surveys closed by a recorded override (`Survey.
    close_override_reason`): `survey.close_survey` refuses to close under
    `MIN_PARTICIPATION` without staff's reason and stores a reason only then, and a
    closed survey's participation no longer changes, so the set is that of
    `recompute.Figures.participation_low` without counting every survey's slips on each
    page load (a test keeps the two in step)."""
    return (
        Survey.objects.filter(
            assessment__campaign=campaign,
            assessment__withdrawn_at__isnull=True,
            status=SurveyStatus.CLOSED,
        )
        .exclude(close_override_reason="")
        .select_related("assessment__branch")
        .order_by("assessment__branch__code")
    )


@dataclass(frozen=True)
class Progress:
    """What the campaign's branches still lack before they are rated (the rule of
    `recompute.gather`, counted in the database), a page of those branches, and the
    surveys closed under 80 % participation (their count and the first `PER_PAGE`)."""

    enrolled: int
    missing_count: int
    missing: Page  # of MissingRow, by branch code
    counts: list[tuple[str, int]]  # (what is missing, how many branches lack it)
    low_participation_count: int
    low_participation: list  # Assessments, the first PER_PAGE

    @classmethod
    def of(cls, campaign: Campaign, *, page=None) -> "Progress":
        """Two aggregate queries and two pages, whatever the campaign's size."""
        submitted = Q(review__status=ReviewStatus.SUBMITTED)
        enrolled = Assessment.objects.enrolled().filter(campaign=campaign).order_by()
        lacking = {  # recompute.MISSING_LABELS key → filter ("self" cannot be a keyword)
            recompute.MISSING_SELF: ~Q(self_evaluation__status=SelfEvaluationStatus.SUBMITTED),
            recompute.MISSING_SURVEY: ~Q(survey__status=SurveyStatus.CLOSED),
            recompute.MISSING_REVIEW: ~submitted,
            recompute.MISSING_AUDIT: submitted
            & ~Q(review__audit_status__in=[AuditStatus.NOT_NEEDED, AuditStatus.AGREED]),
        }
        counts = enrolled.aggregate(
            enrolled=Count("pk"),
            complete=Count("pk", filter=recompute.COMPLETE),
            **{f"lacking_{code}": Count("pk", filter=q) for code, q in lacking.items()},
        )
        missing = (
            enrolled.exclude(recompute.COMPLETE)
            .select_related("branch__parent", "self_evaluation", "survey", "review")
            .order_by("branch__code")
        )
        # Counted above: no COUNT; the page keys first (D-7pb).
        paginator = KeysPaginator(missing, PER_PAGE, count=counts["enrolled"] - counts["complete"])
        shown = paginator.get_page(page)
        shown.object_list = [MissingRow(a, missing_codes_of(a)) for a in shown.object_list]
        low = low_participation(campaign)
        low_rows = [survey.assessment for survey in low[:PER_PAGE]]
        return cls(
            enrolled=counts["enrolled"],
            missing_count=counts["enrolled"] - counts["complete"],
            missing=shown,
            counts=[
                (label, counts[f"lacking_{code}"])
                for code, label in recompute.MISSING_LABELS.items()
            ],
            low_participation_count=low.count(),
            low_participation=low_rows,
        )
