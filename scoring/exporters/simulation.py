"""The policy simulator's workbook (docs/rules.md, "The policy simulator"): the
simulation as the page shows it — every moved branch in the page's order, the stars
counted and the quota figures under both policies, and the two policies.

Not a kind of `manage.py export` and not a background job (D-4.9g): it is given the
simulation the view has just run (nothing is saved, so there is nothing for a job to
read back) and is written in the request, like the dashboard's ranking.
"""

from django.utils.translation import gettext, gettext_lazy, pgettext

from scoring.models import EventType, QuotaMode
from starrating.wording import percent

from .annual import POINTS, WHOLE, stars
from .base import Column, Exporter, Sheet


class SimulationWorkbook(Exporter):
    identifier = "simulation-xlsx"
    verbose_name = gettext_lazy("Policy simulation")

    def __init__(self, campaign, *, simulation, sort):
        super().__init__(campaign)
        self.simulation = simulation
        self.sort = sort

    def sheets(self):
        yield self.moves()
        yield self.figures()
        yield self.policies()

    def moves(self) -> Sheet:
        moves = self.simulation.sorted_moves(self.sort)

        def lines():
            for move in moves:
                yield (
                    move.name,
                    move.code,
                    move.parent,
                    stars(move.from_star),
                    stars(move.to_star),
                    move.from_score,
                    move.to_score,
                    move.delta,
                    move.line.render(gettext) if move.line else "",
                    move.was.render(gettext) if move.was else "",
                )

        columns = [
            Column(pgettext("annual workbook", "Organisation"), 28),
            Column(pgettext("annual workbook", "Code"), 14),
            Column(pgettext("annual workbook", "Parent organisation"), 24),
            Column(pgettext("simulation", "Star now"), 12),
            Column(pgettext("simulation", "Star tried"), 12),
            Column(pgettext("simulation", "Score now"), 10, POINTS),
            Column(pgettext("simulation", "Score tried"), 10, POINTS),
            Column(pgettext("simulation", "Score change"), 10, POINTS),
            Column(pgettext("simulation", "What set the star tried"), 60),
            Column(pgettext("simulation", "What set the star now"), 60),
        ]
        return Sheet(pgettext("simulation", "Moved"), columns, lines(), total=len(moves))

    def figures(self) -> Sheet:
        s = self.simulation
        rows = [(stars(star), now, tried, change) for star, now, tried, change in s.star_rows]
        for label, now, tried in (
            (gettext("Branches rated (N)"), s.real.quota.total, s.tried.quota.total),
            (
                gettext("Five stars at most"),
                s.real.quota.five_star_max,
                s.tried.quota.five_star_max,
            ),
            (
                gettext("One star or none at least"),
                s.real.quota.low_min,
                s.tried.quota.low_min,
            ),
            (
                pgettext("simulation", "Stars moved by the quotas"),
                s.real.quota_moves,
                s.tried.quota_moves,
            ),
        ):
            rows.append((label, now, tried, tried - now))
        columns = [
            Column(pgettext("annual workbook", "Item"), 28),
            Column(pgettext("simulation", "Campaign's policy"), 14, WHOLE),
            Column(pgettext("simulation", "Policy tried"), 14, WHOLE),
            Column(pgettext("simulation", "Change"), 10, WHOLE),
        ]
        return Sheet(
            pgettext("simulation", "Figures"), columns, rows, total=len(rows), autofilter=False
        )

    def policies(self) -> Sheet:
        real, tried = self.simulation.real.policy, self.simulation.tried.policy
        labels = dict(EventType.choices)
        names = [
            gettext("Self-evaluation weight"),
            gettext("Survey weight"),
            gettext("Review weight"),
        ]
        rows = [
            (name, percent(a), percent(b))
            for name, a, b in zip(names, real.weights, tried.weights, strict=True)
        ]
        for star, a, b in zip((5, 4, 3, 2, 1), real.bands, tried.bands, strict=True):
            rows.append((gettext("Lowest score for %(star)s") % {"star": stars(star)}, a, b))
        rows += [
            (
                pgettext("simulation", "Five-star share"),
                percent(real.five_star_share),
                percent(tried.five_star_share),
            ),
            (
                pgettext("simulation", "Low-star share"),
                percent(real.low_share),
                percent(tried.low_share),
            ),
            (
                pgettext("annual workbook", "Quota mode"),
                str(QuotaMode(real.quota_mode).label),
                str(QuotaMode(tried.quota_mode).label),
            ),
            (
                pgettext("simulation", "Switched off"),
                "",
                "；".join(str(labels[t]) for t in sorted(self.simulation.trial.off))
                or pgettext("ranking workbook", "None"),
            ),
        ]
        columns = [
            Column(pgettext("annual workbook", "Item"), 28),
            Column(pgettext("simulation", "Campaign's policy"), 18),
            Column(pgettext("simulation", "Policy tried"), 40),
        ]
        return Sheet(
            pgettext("simulation", "Policies"), columns, rows, total=len(rows), autofilter=False
        )
