"""The dashboard's ranking as a workbook (docs/reports.md §6, the dashboard): exactly the
rows the dashboard's filters select, every page of them, in the dashboard's order.

Made in the background like every campaign-wide report (`ranking-xlsx`, a job of
`scoring.services.exports`, docs/decisions.md D-6z): the dashboard's view validates the
filters and stores them as the job's options (the parent's id, the star, the status, the
search, and the filters in words for the sheet 条件); the job rebuilds the same query
over the requester's scope (`dashboard.scope`). Not a kind of `manage.py export`, which
has no user and so no scope. Two queries: the completeness of the campaign and the rows
(their parts loaded with them).
"""

from django.utils.translation import gettext_lazy, pgettext

from branches.permissions import may_see_dashboard
from scoring.services import dashboard, recompute

from .annual import POINTS, WHOLE, stars
from .base import Column, Exporter, Sheet


class RankingWorkbook(Exporter):
    identifier = "ranking-xlsx"
    verbose_name = gettext_lazy("Ranking workbook")
    needs_actor = True
    #: The dashboard's filters as validated by its form: the parent organisation's id,
    #: the star, the status, the search; `shown`: [label, value] of those in force.
    OPTIONS = {"parent": None, "star": None, "status": None, "q": "", "shown": []}

    def __init__(self, campaign, *, branch=None, actor=None, **options):
        super().__init__(campaign, branch=branch, **options)
        self.actor = actor
        self.filters = [tuple(pair) for pair in self.options["shown"]]

    @staticmethod
    def may_make(actor, branch=None) -> bool:
        return may_see_dashboard(actor)

    @property
    def rows(self):
        """The ranking's rows, filtered as the dashboard showed them, in its order."""
        options = self.options
        return dashboard.ranking(
            dashboard.scope(self.actor, self.campaign),
            parent=options["parent"],
            star=options["star"],
            status=options["status"],
            search=options["q"],
        )

    def sheets(self):
        yield self.ranking()
        yield self.conditions()

    def ranking(self) -> Sheet:
        rows = list(self.rows)
        labels = {
            dashboard.RATED: pgettext("ranking workbook", "Rated"),
            dashboard.TO_RECOMPUTE: pgettext("ranking workbook", "Complete, not yet rated"),
            dashboard.INCOMPLETE: pgettext("ranking workbook", "Incomplete"),
        }

        def lines():
            for position, assessment in enumerate(rows, start=1):
                rating = assessment.part("rating")
                branch = assessment.branch
                figures = (None,) * 4 + ("", None)
                if rating is not None:
                    figures = (
                        rating.self_component,
                        rating.survey_component,
                        rating.review_component,
                        rating.score,
                        stars(rating.star),
                        rating.star,
                    )
                yield (
                    position if rating is not None else None,
                    branch.name,
                    branch.code,
                    branch.parent.name if branch.parent else "",
                    *figures,
                    labels[dashboard.status_of(assessment)],
                    "；".join(dashboard.missing_of(assessment)),
                )

        columns = [
            Column(pgettext("ranking workbook", "Rank"), 6, WHOLE),
            Column(pgettext("annual workbook", "Organisation"), 28),
            Column(pgettext("annual workbook", "Code"), 14),
            Column(pgettext("annual workbook", "Parent organisation"), 24),
            Column(pgettext("annual workbook", "Self-evaluation"), 10, POINTS),
            Column(pgettext("annual workbook", "Survey"), 10, POINTS),
            # Not the annual workbook's msgid: its Chinese says 审核 (the audit) for the review.
            Column(pgettext("ranking workbook", "Review"), 10, POINTS),
            Column(pgettext("annual workbook", "Score"), 10, POINTS),
            Column(pgettext("annual workbook", "Star"), 12),
            Column(pgettext("annual workbook", "Stars (number)"), 10, WHOLE),
            Column(pgettext("ranking workbook", "Status"), 16),
            Column(pgettext("ranking workbook", "Still missing"), 40),
        ]
        return Sheet(pgettext("ranking workbook", "Ranking"), columns, lines(), total=len(rows))

    def conditions(self) -> Sheet:
        done = recompute.completeness(self.campaign)
        rows = [
            (pgettext("annual workbook", "Campaign"), self.campaign.title),
            (
                pgettext("annual workbook", "Results"),
                pgettext("annual workbook", "Provisional")
                if done.provisional
                else pgettext("annual workbook", "Final"),
            ),
            *self.filters,
        ]
        if not self.filters:
            rows.append(
                (pgettext("ranking workbook", "Filters"), pgettext("ranking workbook", "None"))
            )
        columns = [
            Column(pgettext("annual workbook", "Item"), 28),
            Column(pgettext("annual workbook", "Value"), 40),
        ]
        return Sheet(
            pgettext("ranking workbook", "Conditions"),
            columns,
            rows,
            total=len(rows),
            autofilter=False,
        )
