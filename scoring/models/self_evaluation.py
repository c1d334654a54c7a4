"""The self-evaluation sheet (自评表, docs/process.md §2.1.1).

Scores, the self-placed star, evidence.
"""

__all__ = ["Evidence", "SelfEvaluation", "SelfEvaluationStatus", "SelfScore"]

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from starrating import clock
from starrating.uploads import EVIDENCE, UploadTo

from .campaign import Assessment, CampaignStatus, Criterion


class SelfEvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for rework")


class SelfEvaluation(models.Model):
    """One branch's sheet in one campaign; read-only once submitted until returned."""

    assessment = models.OneToOneField(
        Assessment,
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        related_name="self_evaluation",
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SelfEvaluationStatus.choices,
        default=SelfEvaluationStatus.DRAFT,
    )
    self_star = models.PositiveSmallIntegerField(
        _("self-placed star"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(5)],
        help_text=_("定位定星: the star the branch places itself at (0 = no star)."),
    )
    # The sum of the criterion scores, quantised to 0.01 (ROUND_HALF_UP); kept by the services.
    total = models.DecimalField(_("total"), max_digits=5, decimal_places=2, default=0)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    return_reason = models.TextField(_("reason for return"), blank=True)
    deadline_extended_to = models.DateField(_("deadline extended to"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    # Raised by every service that changes the sheet; a form carries the version it was
    # loaded at, so a save from a stale tab is refused instead of overwriting (a lost update).
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("self-evaluation")
        verbose_name_plural = _("self-evaluations")
        constraints = [
            models.CheckConstraint(
                name="self_evaluation_star_0_to_5",
                condition=Q(self_star__isnull=True) | Q(self_star__gte=0, self_star__lte=5),
            ),
            models.CheckConstraint(
                name="self_evaluation_total_0_to_100",
                condition=Q(total__gte=0, total__lte=100),
            ),
        ]

    def __str__(self):
        return str(self.assessment)

    @property
    def is_editable(self):
        return self.status in (SelfEvaluationStatus.DRAFT, SelfEvaluationStatus.RETURNED)

    @property
    def is_submitted(self):
        return self.status == SelfEvaluationStatus.SUBMITTED

    @property
    def is_returned(self):
        return self.status == SelfEvaluationStatus.RETURNED

    @property
    def accepts_edits(self):
        """A draft or returned sheet of a campaign open for declaration."""
        return self.is_editable and self.assessment.campaign.status == CampaignStatus.OPEN

    @property
    def deadline(self):
        """The last day to edit and submit: the campaign's, or the staff extension."""
        deadline = self.assessment.campaign.self_deadline
        if self.deadline_extended_to and self.deadline_extended_to > deadline:
            return self.deadline_extended_to
        return deadline


class SelfScore(models.Model):
    """The secretary's score on one criterion (0..criterion max, checked by form and service)."""

    self_evaluation = models.ForeignKey(
        SelfEvaluation, on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    remark = models.TextField(_("remark"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("self-evaluation score")
        verbose_name_plural = _("self-evaluation scores")
        ordering = ["self_evaluation", "criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["self_evaluation", "criterion"], name="self_score_one_per_criterion"
            ),
            models.CheckConstraint(
                name="self_score_not_negative", condition=Q(score__gte=0, score__lte=100)
            ),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.score}"


class Evidence(models.Model):
    """A file attached to a sheet; served only through a permission-checked view."""

    self_evaluation = models.ForeignKey(
        SelfEvaluation, on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=UploadTo(EVIDENCE.folder), max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    uploaded_on = models.DateTimeField(_("uploaded on"), default=clock.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_on", "pk"]

    def __str__(self):
        return self.original_name
