"""The annual workbook (`annual-xlsx`, docs/reports.md §6): the campaign's stored results
for the file, in five sheets.

Read in a fixed number of queries whatever the campaign's size (values_list and
aggregates, never a query per branch; pinned by tests/scoring/exporters/test_annual.py):
the completeness aggregate, the quota check, the star counts, the ratings, the events,
the survey figures (three) and the enrolled branches.
"""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext
from django.utils.translation import gettext as _

from scoring.models import (
    BONUS_TYPES_VALUES,
    Assessment,
    CampaignStatus,
    EventIssuer,
    EventLevel,
    EventSeverity,
    EventType,
    Rating,
    ScoreEvent,
    SurveyStatus,
)
from scoring.models.rating import LIMIT_LABELS
from scoring.services import recompute, results
from scoring.services.survey.figures import survey_figures
from starrating.wording import star_name

from .base import Column, Exporter, Sheet
from .ledger import ledger_sheet

POINTS = "0.00"
DATE = "yyyy-mm-dd"
WHOLE = "0"


def stars(star: int) -> str:
    """The final star as people read it on paper: ★★★★ (不定星级 for none)."""
    return "★" * star if star else star_name(0)


def _choices(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


class AnnualWorkbook(Exporter):
    identifier = "annual-xlsx"
    verbose_name = gettext_lazy("Annual workbook")

    def refusal(self):
        if self.campaign.status == CampaignStatus.DRAFT:
            return _("The campaign is not open yet: there is nothing to export.")
        if self.campaign.recomputed_at is None:
            return _("The campaign has no results yet: recompute the ratings first.")
        return None

    def sheets(self):
        campaign = self.campaign
        self.quota = results.QuotaCheck.of(campaign)
        yield self.summary()
        yield self.ratings()
        yield self.events()
        yield self.surveys()
        yield self.ledger()

    # --- 汇总 ---------------------------------------------------------------------------

    def summary(self) -> Sheet:
        campaign, quota = self.campaign, self.quota
        done = recompute.completeness(campaign)
        counts = {row["star"]: row["n"] for row in results.star_counts(campaign)}
        rows = [
            (pgettext("annual workbook", "Campaign"), campaign.title),
            (pgettext("annual workbook", "Year"), campaign.year),
            (pgettext("annual workbook", "Status"), str(CampaignStatus(campaign.status).label)),
            (
                pgettext("annual workbook", "Results"),
                pgettext("annual workbook", "Provisional")
                if done.provisional
                else pgettext("annual workbook", "Final"),
            ),
            (pgettext("annual workbook", "Branches enrolled"), done.enrolled),
            (pgettext("annual workbook", "Branches still missing something"), done.missing),
            (pgettext("annual workbook", "Branches rated at the last recompute"), done.counted),
            (
                pgettext("annual workbook", "Recomputed at"),
                timezone.localtime(campaign.recomputed_at).strftime("%Y-%m-%d %H:%M"),
            ),
        ]
        rows += [(star_name(star), counts.get(star, 0)) for star in range(5, -1, -1)]
        if quota is not None:
            rows += [
                (pgettext("annual workbook", "Quota mode"), quota.mode_label),
                (pgettext("annual workbook", "Five stars at most"), quota.five_star_max),
                (pgettext("annual workbook", "One star or none at least"), quota.low_min),
                (pgettext("annual workbook", "Branches moved by the quotas"), len(quota.adjusted)),
                (pgettext("annual workbook", "Quota violations"), len(quota.violations)),
            ]
        rows.append(
            (
                pgettext("annual workbook", "Survey figures"),
                pgettext(
                    "annual workbook",
                    "Counts and rates of a survey are shown from three ballots on.",
                ),
            )
        )
        columns = [
            Column(pgettext("annual workbook", "Item"), 28),
            Column(pgettext("annual workbook", "Value"), 40),
        ]
        return Sheet(
            pgettext("annual workbook", "Summary"), columns, rows, total=len(rows), autofilter=False
        )

    # --- 星级名单 -------------------------------------------------------------------------

    def ratings(self) -> Sheet:
        moves: dict[str, list[str]] = {}
        if self.quota is not None:
            for move in (*self.quota.adjusted, *self.quota.violations):
                moves.setdefault(move.code, []).append(move.reason.render(gettext))
        ratings = (
            Rating.objects.filter(assessment__campaign=self.campaign)
            .order_by("-score", "assessment__branch__code")
            .values_list(
                "assessment__branch__name",
                "assessment__branch__code",
                "assessment__branch__parent__name",
                "self_component",
                "survey_component",
                "review_component",
                "base",
                "bonus",
                "penalty",
                "score",
                "band",
                "star",
                "limits",
            )
        )
        total = len(ratings)  # evaluates the query once; the rows are then iterated
        limit_labels = {code: str(label) for code, label in LIMIT_LABELS.items()}

        def rows():
            for *figures, band, star, limits in ratings:
                code = figures[1]
                yield (
                    *figures,
                    band,
                    stars(star),
                    star,
                    "；".join(limit_labels.get(limit, limit) for limit in limits),
                    "；".join(moves.get(code, ())),
                )

        columns = [
            Column(pgettext("annual workbook", "Organisation"), 28),
            Column(pgettext("annual workbook", "Code"), 14),
            Column(pgettext("annual workbook", "Parent organisation"), 24),
            Column(pgettext("annual workbook", "Self-evaluation"), 10, POINTS),
            Column(pgettext("annual workbook", "Survey"), 10, POINTS),
            Column(pgettext("annual workbook", "Review"), 10, POINTS),
            Column(pgettext("annual workbook", "Base"), 10, POINTS),
            Column(pgettext("annual workbook", "Bonus"), 8, POINTS),
            Column(pgettext("annual workbook", "Penalty"), 8, POINTS),
            Column(pgettext("annual workbook", "Score"), 10, POINTS),
            Column(pgettext("annual workbook", "Band"), 8, WHOLE),
            Column(pgettext("annual workbook", "Star"), 12),
            Column(pgettext("annual workbook", "Stars (number)"), 10, WHOLE),
            Column(pgettext("annual workbook", "Limits"), 36),
            Column(pgettext("annual workbook", "Quota adjustment"), 40),
        ]
        return Sheet(pgettext("annual workbook", "Star ratings"), columns, rows(), total=total)

    # --- 加减分明细 -----------------------------------------------------------------------

    def events(self) -> Sheet:
        """The year's events of the campaign's branches: the rule of
        `scoring.services.events.events_for_campaign`, read as plain rows."""
        campaign = self.campaign
        events = (
            ScoreEvent.objects.filter(
                date__year=campaign.year, branch_id__in=campaign.assessments.values("branch_id")
            )
            .order_by("branch__code", "date", "pk")
            .values_list(
                "branch__name",
                "branch__code",
                "branch__parent__name",
                "type",
                "level",
                "issuer",
                "severity",
                "count",
                "date",
                "document_ref",
                "description",
            )
        )
        total = len(events)
        types, levels = _choices(EventType.choices), _choices(EventLevel.choices)
        issuers, severities = _choices(EventIssuer.choices), _choices(EventSeverity.choices)
        bonus, penalty = (
            pgettext("annual workbook", "Bonus"),
            pgettext("annual workbook", "Penalty"),
        )

        def rows():
            for name, code, parent, kind, level, issuer, severity, count, *rest in events:
                yield (
                    name,
                    code,
                    parent,
                    bonus if kind in BONUS_TYPES_VALUES else penalty,
                    types.get(kind, kind),
                    levels.get(level, ""),
                    issuers.get(issuer, ""),
                    severities.get(severity, ""),
                    count,
                    *rest,
                )

        columns = [
            Column(pgettext("annual workbook", "Organisation"), 28),
            Column(pgettext("annual workbook", "Code"), 14),
            Column(pgettext("annual workbook", "Parent organisation"), 24),
            Column(pgettext("annual workbook", "Bonus or penalty"), 10),
            Column(pgettext("annual workbook", "Type"), 28),
            Column(pgettext("annual workbook", "Level"), 8),
            Column(pgettext("annual workbook", "Issued by"), 14),
            Column(pgettext("annual workbook", "Severity"), 16),
            Column(pgettext("annual workbook", "Count"), 8, WHOLE),
            Column(pgettext("annual workbook", "Date"), 12, DATE),
            Column(pgettext("annual workbook", "Document reference"), 20),
            Column(pgettext("annual workbook", "Description"), 40),
        ]
        return Sheet(
            pgettext("annual workbook", "Bonus and penalty details"), columns, rows(), total=total
        )

    # --- 测评统计 -------------------------------------------------------------------------

    def surveys(self) -> Sheet:
        """Every enrolled branch with its survey's figures (`SurveyFigures`); counts and
        rates only from three ballots on, as on every page (docs/survey.md, A14)."""
        campaign = self.campaign
        figures = survey_figures(campaign)
        branches = list(
            Assessment.objects.enrolled()
            .filter(campaign=campaign)
            .order_by("branch__code")
            .values_list("pk", "branch__name", "branch__code", "branch__parent__name")
        )
        statuses = _choices(SurveyStatus.choices)

        def rows():
            for pk, name, code, parent in branches:
                f = figures.get(pk)
                if f is None:
                    yield (name, code, parent, statuses[SurveyStatus.NOT_OPEN])
                    continue
                shown = f.shown
                yield (
                    name,
                    code,
                    parent,
                    statuses.get(f.status, f.status),
                    f.electorate,
                    f.members_voted,
                    f.public_voted,
                    f.valid_ballots,
                    f.participation_percent,
                    f.satisfied if shown else None,
                    f.basically_satisfied if shown else None,
                    f.dissatisfied if shown else None,
                    Decimal(f.satisfaction_percent) if shown and f.satisfaction_percent else None,
                    f.component if shown else None,
                )

        columns = [
            Column(pgettext("annual workbook", "Organisation"), 28),
            Column(pgettext("annual workbook", "Code"), 14),
            Column(pgettext("annual workbook", "Parent organisation"), 24),
            Column(pgettext("annual workbook", "Survey status"), 10),
            Column(pgettext("annual workbook", "Members"), 8, WHOLE),
            Column(pgettext("annual workbook", "Members voted"), 10, WHOLE),
            Column(pgettext("annual workbook", "Public ballots cast"), 10, WHOLE),
            Column(pgettext("annual workbook", "Valid ballots"), 10, WHOLE),
            Column(pgettext("annual workbook", "Participation (%)"), 10, WHOLE),
            Column(pgettext("annual workbook", "Satisfied"), 8, WHOLE),
            Column(pgettext("annual workbook", "Basically satisfied"), 10, WHOLE),
            Column(pgettext("annual workbook", "Dissatisfied"), 8, WHOLE),
            Column(pgettext("annual workbook", "Satisfaction (%)"), 10, POINTS),
            Column(pgettext("annual workbook", "Survey score"), 10, POINTS),
        ]
        return Sheet(
            pgettext("annual workbook", "Survey statistics"),
            columns,
            _padded(rows(), len(columns)),
            len(branches),
        )

    # --- 整改台账 -------------------------------------------------------------------------

    def ledger(self) -> Sheet:
        """The campaign's year's rectification ledger: the rows of the ledger workbook
        (`ledger.ledger_sheet`, their one home)."""
        return ledger_sheet(self.campaign.year)


def _padded(rows, width):
    for row in rows:
        yield (*row, *([None] * (width - len(row))))
