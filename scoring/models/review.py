"""The superior review (上级党组织考评, docs/process.md §2.1.3) and the five-star audit (审核)."""

__all__ = ["AuditStatus", "Review", "ReviewScore", "ReviewStatus"]

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .campaign import Assessment, Criterion


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for rework")


class AuditStatus(models.TextChoices):
    """Five-star proposals go to committee staff for audit (docs/process.md §2.1.3)."""

    NOT_NEEDED = "not_needed", _("No audit needed")
    PENDING = "pending", _("Audit pending")
    AGREED = "agreed", _("Audit agreed")
    RETURNED = "returned", _("Sent back by the audit")


class Review(models.Model):
    """The parent organisation's scores for one branch in one campaign."""

    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, related_name="review", verbose_name=_("assessment")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="reviews",
        null=True,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    # Sum of the criterion scores, kept in step by the services (the review component).
    total = models.DecimalField(_("total"), max_digits=5, decimal_places=2, default=Decimal(0))
    # The engine's star for the numbers at submission, before quotas (one branch alone).
    proposed_star = models.PositiveSmallIntegerField(_("proposed star"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    audit_status = models.CharField(
        _("audit"), max_length=12, choices=AuditStatus.choices, default=AuditStatus.NOT_NEEDED
    )
    audit_reason = models.TextField(_("audit remark"), blank=True)
    audited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("audited by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    audited_at = models.DateTimeField(_("audited at"), null=True, blank=True)
    # Raised by every service that changes the review; see SelfEvaluation.version.
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.CheckConstraint(
                name="review_total_in_range", condition=Q(total__gte=0, total__lte=100)
            ),
            models.CheckConstraint(
                name="review_proposed_star_in_range",
                condition=Q(proposed_star__isnull=True) | Q(proposed_star__lte=5),
            ),
        ]

    def __str__(self):
        return str(self.assessment)

    @property
    def is_submitted(self):
        return self.status == ReviewStatus.SUBMITTED

    @property
    def awaiting_audit(self):
        """A submitted five-star proposal the staff audit has not decided yet."""
        return self.status == ReviewStatus.SUBMITTED and self.audit_status == AuditStatus.PENDING

    @property
    def five_star_audited(self):
        """The review went to the five-star audit (pending, agreed or sent back)."""
        return self.audit_status != AuditStatus.NOT_NEEDED

    @property
    def is_final(self):
        """Counts for the rating: submitted, and audited when five stars were proposed."""
        return self.status == ReviewStatus.SUBMITTED and self.audit_status in (
            AuditStatus.NOT_NEEDED,
            AuditStatus.AGREED,
        )


class ReviewScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    remark = models.TextField(_("remark"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review score")
        verbose_name_plural = _("review scores")
        ordering = ["review", "criterion__position"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="review_score_unique"),
            models.CheckConstraint(name="review_score_not_negative", condition=Q(score__gte=0)),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.score}"
