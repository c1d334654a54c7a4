"""A branch's stored rating: what the rules engine computed at the last recompute."""

__all__ = ["LIMIT_LABELS", "Rating"]

from fractions import Fraction

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .campaign import Assessment

#: Labels of the engine's limit codes (scoring.rules.model.LIMIT_CODES).
LIMIT_LABELS = {
    "satisfaction_below_50": _("satisfaction below 50 %: no star"),
    "election_overdue": _("election overdue: at most four stars"),
    "election_overdue_over_1y": _("election overdue over a year: at most three stars"),
    "absences": _("three or more absences: at most four stars"),
    "absences_year_end": _("year-end re-rating with absences: one star lower"),
}


def _points(verbose_name, **kwargs):
    return models.DecimalField(verbose_name, max_digits=7, decimal_places=2, **kwargs)


class Rating(models.Model):
    """One branch's result (docs/rules.md §4), written in bulk by `services.recompute`.

    Templates and reports only show these stored values; the engine alone computes them
    (docs/architecture.md, conventions: one source of truth). The trace is stored as the
    engine's notes (`Note.as_json()`) and rendered in the reader's language (`trace()`).
    A recompute rewrites only the ratings that changed (D-7u), so `computed_at` is when
    this result last changed; the campaign's history records every recompute.
    """

    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, related_name="rating", verbose_name=_("assessment")
    )
    self_component = _points(_("self-evaluation"), null=True, blank=True)
    survey_component = _points(_("survey"), null=True, blank=True)
    review_component = _points(_("review"), null=True, blank=True)
    # The satisfaction rate kept exact (docs/rules.md §4.1) as a fraction; null: no appraisal.
    satisfaction_num = models.PositiveIntegerField(null=True, blank=True)
    satisfaction_den = models.PositiveIntegerField(null=True, blank=True)
    base = _points(_("base"))
    bonus = _points(_("bonus"))
    penalty = _points(_("penalty"))
    score = _points(_("score"))
    band = models.PositiveSmallIntegerField(_("band"))
    star = models.PositiveSmallIntegerField(_("star"))
    limits = models.JSONField(_("limits"), default=list, blank=True)
    explain = models.JSONField(_("explanation"), default=list, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-score"]
        indexes = [
            # The results page's ranking, best first (D-7pb): page 1 walks the index and
            # stops after 50, instead of sorting every rating of the campaign.
            models.Index(models.F("score").desc(), name="rating_score_desc"),
        ]
        constraints = [
            models.CheckConstraint(name="rating_band_in_range", condition=Q(band__lte=5)),
            models.CheckConstraint(name="rating_star_in_range", condition=Q(star__lte=5)),
            models.CheckConstraint(
                name="rating_score_in_range", condition=Q(score__gte=0, score__lte=100)
            ),
            models.CheckConstraint(
                name="rating_satisfaction_exact",
                condition=Q(satisfaction_num__isnull=True, satisfaction_den__isnull=True)
                | Q(satisfaction_den__gt=0, satisfaction_num__lte=models.F("satisfaction_den")),
            ),
        ]

    def __str__(self):
        return f"{self.assessment}: {self.star}"

    @property
    def satisfaction(self) -> Fraction | None:
        if self.satisfaction_den is None:
            return None
        return Fraction(self.satisfaction_num, self.satisfaction_den)

    @property
    def satisfaction_percent(self):
        """For display: the percentage cut (not rounded) to 0.01, as the trace shows it."""
        from scoring.rules.steps import percent

        rate = self.satisfaction
        return None if rate is None else percent(rate)

    @property
    def star_lowered(self) -> bool:
        return self.star != self.band

    @property
    def limit_labels(self):
        return [str(LIMIT_LABELS.get(code, code)) for code in self.limits]

    def trace(self):
        """The explanation as engine notes, one per step; pages show each with the
        `note` filter (`{% load ratings %}`), in the reader's language."""
        from scoring.rules.i18n import Note

        return [Note.from_json(item) for item in self.explain]
