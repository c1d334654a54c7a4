"""The annual workbook (`annual-xlsx`, docs/reports.md §6): the campaign's stored results
for the file, in five sheets.

Read in a fixed number of queries whatever the campaign's size (values_list and
aggregates, never a query per branch; pinned by tests/scoring/exporters/test_annual.py):
the completeness aggregate, the quota check, the star counts, the ratings, the events,
the survey figures (three) and the enrolled branches.
"""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
            (_("Campaign"), campaign.title),
            (_("Year"), campaign.year),
            (_("Status"), str(CampaignStatus(campaign.status).label)),
            (
                _("Results"),
                _("Provisional") if done.provisional else _("Final"),
            ),
            (_("Branches enrolled"), done.enrolled),
            (_("Branches still missing something"), done.missing),
            (_("Branches rated at the last recompute"), done.counted),
            (
                _("Recomputed at"),
                timezone.localtime(campaign.recomputed_at).strftime("%Y-%m-%d %H:%M"),
            ),
        ]
        rows += [(star_name(star), counts.get(star, 0)) for star in range(5, -1, -1)]
        if quota is not None:
            rows += [
                (_("Quota mode"), quota.mode_label),
                (_("Five stars at most"), quota.five_star_max),
                (_("One star or none at least"), quota.low_min),
                (_("Branches moved by the quotas"), len(quota.adjusted)),
                (_("Quota violations"), len(quota.violations)),
            ]
        rows.append(
            (
                _("Survey figures"),
                _("Counts and rates of a survey are shown from three ballots on."),
            )
        )
        columns = [Column(_("Item"), 28), Column(_("Value"), 40)]
        return Sheet(_("Summary"), columns, rows, total=len(rows), autofilter=False)

    # --- 星级名单 -------------------------------------------------------------------------

    def ratings(self) -> Sheet:
        moves: dict[str, list[str]] = {}
        if self.quota is not None:
            for move in (*self.quota.adjusted, *self.quota.violations):
                moves.setdefault(move.code, []).append(move.reason.render(_))
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
            Column(_("Organisation"), 28),
            Column(_("Code"), 14),
            Column(_("Parent organisation"), 24),
            Column(_("Self-evaluation"), 10, POINTS),
            Column(_("Survey"), 10, POINTS),
            Column(_("Review"), 10, POINTS),
            Column(_("Base"), 10, POINTS),
            Column(_("Bonus"), 8, POINTS),
            Column(_("Penalty"), 8, POINTS),
            Column(_("Score"), 10, POINTS),
            Column(_("Band"), 8, WHOLE),
            Column(_("Star"), 12),
            Column(_("Stars (number)"), 10, WHOLE),
            Column(_("Limits"), 36),
            Column(_("Quota adjustment"), 40),
        ]
        return Sheet(_("Star ratings"), columns, rows(), total=total)

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
        bonus, penalty = _("Bonus"), _("Penalty")

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
            Column(_("Organisation"), 28),
            Column(_("Code"), 14),
            Column(_("Parent organisation"), 24),
            Column(_("Bonus or penalty"), 10),
            Column(_("Type"), 28),
            Column(_("Level"), 8),
            Column(_("Issued by"), 14),
            Column(_("Severity"), 16),
            Column(_("Count"), 8, WHOLE),
            Column(_("Date"), 12, DATE),
            Column(_("Document reference"), 20),
            Column(_("Description"), 40),
        ]
        return Sheet(_("Bonus and penalty details"), columns, rows(), total=total)

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
            Column(_("Organisation"), 28),
            Column(_("Code"), 14),
            Column(_("Parent organisation"), 24),
            Column(_("Survey status"), 10),
            Column(_("Members"), 8, WHOLE),
            Column(_("Members voted"), 10, WHOLE),
            Column(_("Public ballots cast"), 10, WHOLE),
            Column(_("Valid ballots"), 10, WHOLE),
            Column(_("Participation (%)"), 10, WHOLE),
            Column(_("Satisfied"), 8, WHOLE),
            Column(_("Basically satisfied"), 10, WHOLE),
            Column(_("Dissatisfied"), 8, WHOLE),
            Column(_("Satisfaction (%)"), 10, POINTS),
            Column(_("Survey score"), 10, POINTS),
        ]
        return Sheet(_("Survey statistics"), columns, _padded(rows(), len(columns)), len(branches))

    # --- 整改台账 -------------------------------------------------------------------------

    def ledger(self) -> Sheet:
        """The hook of the rectification ledger: its headers and a note until the ledger
        exists (the improvement issue fills the rows)."""
        columns = [
            Column(_("Organisation"), 28),
            Column(_("Code"), 14),
            Column(_("Problem"), 40),
            Column(_("Measures"), 40),
            Column(_("Person responsible"), 12),
            Column(_("Due"), 12, DATE),
            Column(_("Status"), 10),
        ]
        note = _("The rectification ledger is not kept in the system yet.")
        return Sheet(_("Rectification ledger"), columns, (), total=0, notes=[note])


def _padded(rows, width):
    for row in rows:
        yield (*row, *([None] * (width - len(row))))
