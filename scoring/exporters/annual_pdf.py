"""The annual PDF report (`annual-pdf`, docs/reports.md §6): A4, Chinese, for the file.

A cover; a summary with the star distribution as a chart (`scoring.charts`) and the
quota check; the comparison with the committee's previous rated campaign when there is
one; the ratings in one table per parent organisation (rows never split, the header
repeated on each page); and, unless `appendix=False`, every branch's stored trace
rendered through the `note` filter as the pages do.

Read in a fixed number of queries whatever the size (pinned by
tests/scoring/exporters/test_annual_pdf.py): the completeness aggregate, the star
counts, the ratings (with their traces when the appendix is wanted), the previous
campaign and its star counts.
"""

from itertools import groupby

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from scoring import charts
from scoring.models import Campaign, CampaignStatus, Rating
from scoring.models.rating import LIMIT_LABELS
from scoring.rules import Note
from scoring.services import recompute, results
from starrating import clock
from starrating.wording import star_name

from .annual import stars
from .pdf import PdfExporter

#: How many table rows, and how many trace lines, fill an A4 page (spreads the progress;
#: measured: the demo and the 5,000-branch bench, bench/README.md).
ROWS_PER_PAGE = 30
TRACE_LINES_PER_PAGE = 56
STARS = range(5, -1, -1)


class AnnualPdf(PdfExporter):
    identifier = "annual-pdf"
    verbose_name = gettext_lazy("Annual PDF report")
    template_name = "pdf/annual.html"
    OPTIONS = {"appendix": True}
    cover = True
    #: About how many pages each part of the file holds (D-6y; the tests make it small).
    PART_PAGES = 40

    def refusal(self):
        if self.campaign.status == CampaignStatus.DRAFT:
            return _("The campaign is not open yet: there is nothing to export.")
        if self.campaign.recomputed_at is None:
            return _("The campaign has no results yet: recompute the ratings first.")
        return None

    def filename(self) -> str:
        suffix = "" if self.options["appendix"] else "-summary"
        return f"{self.identifier}-{self.campaign.year}-{self.campaign.pk}{suffix}.pdf"

    def context(self, progress=None) -> dict:
        campaign = self.campaign
        appendix = self.options["appendix"]
        counts = _counts(campaign)
        previous = self.previous_campaign()
        before = _counts(previous) if previous else None
        fields = [
            "assessment__branch__name",
            "assessment__branch__code",
            "assessment__branch__parent__name",
            "assessment__branch__parent__code",
            "self_component",
            "survey_component",
            "review_component",
            "base",
            "bonus",
            "penalty",
            "score",
            "star",
            "limits",
        ]
        if appendix:
            fields.append("explain")
        ratings = list(
            Rating.objects.filter(assessment__campaign=campaign)
            .order_by("assessment__branch__parent__code", "-score", "assessment__branch__code")
            .values_list(*fields)
        )
        limit_labels = {code: str(label) for code, label in LIMIT_LABELS.items()}
        rows = []
        for i, values in enumerate(ratings):
            row = dict(zip(("name", "code", "parent", "parent_code"), values[:4], strict=True))
            row.update(
                zip(
                    ("self", "survey", "review", "base", "bonus", "penalty", "score", "star"),
                    values[4:12],
                    strict=True,
                )
            )
            row["stars"] = stars(row["star"])
            row["limits"] = "；".join(limit_labels.get(code, code) for code in values[12])
            if appendix:
                row["trace"] = [Note.from_json(item) for item in values[13]]
            rows.append(row)
            if progress:
                progress(10 * i // len(ratings))
        groups = []
        for (_code, parent), members in groupby(
            rows, key=lambda r: (r["parent_code"], r["parent"])
        ):
            members = list(members)
            groups.append({"parent": parent, "count": len(members), "rows": members})
        appendix_rows = sorted(rows, key=lambda r: r["code"]) if appendix else []
        labels = [star_name(star) for star in STARS]
        this_year = [counts.get(star, 0) for star in STARS]
        context = {
            "made_on": clock.today(),
            "committee": campaign.committee,
            "completeness": recompute.completeness(campaign),
            "status_label": CampaignStatus(campaign.status).label,
            "recomputed_at": timezone.localtime(campaign.recomputed_at),
            "quota": results.QuotaCheck.of(campaign),
            "star_rows": list(zip(labels, this_year, strict=True)),
            "rated": len(rows),
            "chart": charts.bars(
                labels, this_year, title=pgettext("annual report", "Branches by star")
            ),
            "front": True,
            "ratings_heading": True,
            "groups": groups,
            "appendix_heading": appendix,
            "appendix": appendix_rows,
            "previous": previous,
        }
        if previous is not None:
            earlier = [before.get(star, 0) for star in STARS]
            context["comparison"] = [
                (label, now, then, now - then)
                for label, now, then in zip(labels, this_year, earlier, strict=True)
            ]
            context["comparison_chart"] = charts.grouped_bars(
                labels,
                {str(campaign.year): this_year, str(previous.year): earlier},
                title=pgettext("annual report", "This year and the previous campaign"),
            )
        return context

    def previous_campaign(self) -> Campaign | None:
        """The committee's latest campaign of an earlier year that has results."""
        return (
            Campaign.objects.filter(
                committee_id=self.campaign.committee_id,
                year__lt=self.campaign.year,
                recomputed_at__isnull=False,
            )
            .order_by("-year", "-pk")
            .first()
        )

    def expected_pages(self, context) -> int:
        rows = context["rated"] + 3 * len(context["groups"])
        trace = sum(_trace_lines(r) for r in context["appendix"])
        return 3 + rows // ROWS_PER_PAGE + trace // TRACE_LINES_PER_PAGE

    def parts(self, context) -> list[tuple[dict, int]]:
        """The front pages, then the ratings and the appendix in parts of about
        `PART_PAGES` pages each (D-6y): the ratings cut between parent organisations (a
        parent's table longer than a part goes on under its heading marked 续), the
        appendix between branches; each part starts on a new page."""
        nothing = {
            "front": False,
            "ratings_heading": False,
            "groups": [],
            "appendix_heading": False,
            "appendix": [],
        }
        parts = [({**nothing, "front": True}, 3)]
        per_part = self.PART_PAGES * ROWS_PER_PAGE
        chunk, size = [], 0
        for group in context["groups"]:
            rows, continued = group["rows"], False
            while rows:
                room = max(per_part - size, 1)
                piece = {**group, "rows": rows[:room], "continued": continued}
                chunk.append(piece)
                size += len(piece["rows"]) + 3
                rows, continued = rows[room:], True
                if size >= per_part:
                    parts.append(self._ratings_part(nothing, chunk, first=len(parts) == 1))
                    chunk, size = [], 0
        if chunk or len(parts) == 1:
            parts.append(self._ratings_part(nothing, chunk, first=len(parts) == 1))
        per_part = self.PART_PAGES * TRACE_LINES_PER_PAGE
        chunk, size, first = [], 0, True
        for row in context["appendix"]:
            chunk.append(row)
            size += _trace_lines(row)
            if size >= per_part:
                parts.append(
                    (
                        {**nothing, "appendix_heading": first, "appendix": chunk},
                        max(size // TRACE_LINES_PER_PAGE, 1),
                    )
                )
                chunk, size, first = [], 0, False
        if chunk:
            parts.append(
                (
                    {**nothing, "appendix_heading": first, "appendix": chunk},
                    max(size // TRACE_LINES_PER_PAGE, 1),
                )
            )
        return parts

    @staticmethod
    def _ratings_part(nothing, chunk, *, first):
        rows = sum(len(piece["rows"]) + 3 for piece in chunk)
        return (
            {**nothing, "ratings_heading": first, "groups": chunk},
            max(rows // ROWS_PER_PAGE, 1),
        )


def _trace_lines(row) -> int:
    """The lines a branch's trace takes in the appendix (its heading and spacing too)."""
    return len(row["trace"]) + 3


def _counts(campaign) -> dict[int, int]:
    return {row["star"]: row["n"] for row in results.star_counts(campaign)}
