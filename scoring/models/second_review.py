"""Second reviews (复核考评) and the staff decision on a disagreement, docs/process.md §2.1.3.

Staff draw a sample of a campaign's branches; each gets a second reviewer (another
parent's reviewer or staff, never someone who belongs to the branch), who scores it
blind. The rating uses the first review (`Review`) unless staff decide, with a reason,
to use the second one (`Decision.USE_SECOND`); `scoring.services.recompute.gather` is
the one place that reads that decision.

A sibling of `Review`, not a second row of it (docs/decisions.md D-2.1.3h): the first
review is the assessment's one `review` everywhere (queue, audit, completeness,
objections), and a second review never makes a branch complete or incomplete.
"""

__all__ = ["Decision", "SecondReview", "SecondReviewScore", "SecondReviewStatus"]

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .campaign import Assessment, Criterion


class SecondReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Decision(models.TextChoices):
    """Which review the rating uses (docs/process.md §2.1.3)."""

    UNDECIDED = "undecided", _("Not decided: the first review counts")
    KEEP_FIRST = "keep_first", _("Keep the first review")
    USE_SECOND = "use_second", _("Use the second review")


class SecondReview(models.Model):
    """A blind second review of one branch in one campaign, drawn into the sample."""

    assessment = models.OneToOneField(
        Assessment,
        on_delete=models.CASCADE,
        related_name="second_review",
        verbose_name=_("assessment"),
    )
    # None until staff assign one: the branch is in the sample, waiting for a reviewer.
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("second reviewer"),
        on_delete=models.PROTECT,
        related_name="second_reviews",
        null=True,
        blank=True,
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=SecondReviewStatus.choices,
        default=SecondReviewStatus.DRAFT,
    )
    # True when drawn at random, False when staff picked the branch by hand.
    drawn = models.BooleanField(_("drawn at random"), default=True)
    total = models.DecimalField(_("total"), max_digits=5, decimal_places=2, default=Decimal(0))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decision = models.CharField(
        _("decision"), max_length=12, choices=Decision.choices, default=Decision.UNDECIDED
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # Raised by every service that changes it (scoring.services.versions).
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("second review")
        verbose_name_plural = _("second reviews")
        constraints = [
            models.CheckConstraint(
                name="second_review_total_in_range", condition=Q(total__gte=0, total__lte=100)
            ),
            models.CheckConstraint(
                name="second_review_submitted_has_reviewer",
                condition=~Q(status="submitted") | Q(reviewer__isnull=False),
            ),
            # Never a star changed without a recorded decision: a decision needs its
            # reason, its author and a submitted second review.
            models.CheckConstraint(
                name="second_review_decision_recorded",
                condition=Q(decision="undecided")
                | (
                    ~Q(decision_reason="")
                    & Q(decided_by__isnull=False, decided_at__isnull=False, status="submitted")
                ),
            ),
        ]

    def __str__(self):
        return str(self.assessment)

    @property
    def is_submitted(self):
        return self.status == SecondReviewStatus.SUBMITTED

    @property
    def is_decided(self):
        return self.decision != Decision.UNDECIDED

    @property
    def counts(self):
        """The rating uses this review's total instead of the first review's."""
        return self.is_submitted and self.decision == Decision.USE_SECOND


class SecondReviewScore(models.Model):
    second_review = models.ForeignKey(SecondReview, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    remark = models.TextField(_("remark"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("second review score")
        verbose_name_plural = _("second review scores")
        ordering = ["second_review", "criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["second_review", "criterion"], name="second_review_score_unique"
            ),
            models.CheckConstraint(
                name="second_review_score_not_negative", condition=Q(score__gte=0)
            ),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.score}"
