"""What the results pages read: the stored quota check, the ranking and what branches lack.

Nothing here computes a score or a star: the engine did, at the last recompute
(`scoring.services.recompute`), and these read what it stored (docs/architecture.md,
conventions: one source of truth). The results page uses them now; the reports will.
"""

from dataclasses import dataclass

from django.db.models import Count

from branches.models import Organisation
from scoring.models import Campaign, QuotaMode, Rating
from scoring.rules import Note

from . import recompute


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

    @property
    def mode_label(self) -> str:
        return str(QuotaMode(self.mode).label)

    @classmethod
    def of(cls, campaign: Campaign) -> "QuotaCheck | None":
        """The campaign's stored check, None before the first recompute; the moved
        branches' names in one query (none when nothing moved)."""
        report = campaign.quota_report
        if not report:
            return None
        moves = [*report.get("adjusted", ()), *report.get("violations", ())]
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
                for move in report.get(key, ())
            )

        return cls(
            mode=report["mode"],
            total=report["total"],
            five_star_max=report["five_star_max"],
            low_min=report["low_min"],
            adjusted=rows("adjusted"),
            violations=rows("violations"),
        )


def ranking(campaign: Campaign):
    """The campaign's ratings, best first (score, then branch code), for a paged list."""
    return (
        Rating.objects.filter(assessment__campaign=campaign)
        .select_related("assessment__branch__parent")
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


@dataclass(frozen=True)
class Progress:
    """What the campaign's branches still lack before they are rated (the rule of
    `recompute.gather`), and the surveys closed under 80 % participation."""

    enrolled: int
    missing: list  # recompute.Figures of the branches that lack something
    counts: list[tuple[str, int]]  # (what is missing, how many branches lack it)
    low_participation: list

    @classmethod
    def of(cls, campaign: Campaign) -> "Progress":
        figures = recompute.gather(campaign, with_ballots=False)
        missing = [f for f in figures if f.missing]
        counts = [
            (label, sum(1 for f in missing if code in f.missing))
            for code, label in recompute.MISSING_LABELS.items()
        ]
        return cls(
            enrolled=len(figures),
            missing=missing,
            counts=counts,
            low_participation=[f for f in figures if f.survey_closed and f.participation_low],
        )
