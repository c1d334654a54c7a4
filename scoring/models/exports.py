"""A report made in the background (docs/reports.md §6, the export jobs).

The Tasks API has no progress of its own (docs/decisions.md D-6n): the page reads this
row, which the task updates with `.update()` as the exporter reports its percentage.
The file is stored under a random name (`starrating.uploads.UploadTo`) and kept until
`expires`, then purged (`scoring.services.exports.purge_expired`). While a worker makes
it, `heartbeat_at` moves every few seconds; a running job whose heartbeat has stopped
lost its worker and is queued again or failed (`scoring.services.exports.recover_stalled`,
docs/decisions.md D-7r); `attempts` counts the runs started.
"""

__all__ = ["ExportJob", "ExportStatus"]

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation
from starrating.uploads import UploadTo

from .campaign import Campaign


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


export_upload_to = UploadTo("exports")

#: The kind of a job that makes a big slip sheet (docs/decisions.md D-7sb): it stores a
#: `SlipSheet`, not a file of its own (`scoring.services.survey.sheet_jobs`).
SLIP_SHEET = "slip-sheet"


class ExportJob(models.Model):
    """One requested report: who asked, for what, how far it is, and its file."""

    kind = models.CharField(_("kind"), max_length=30)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="export_jobs", verbose_name=_("campaign")
    )
    branch = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("branch"),
    )
    options = models.JSONField(_("options"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to=export_upload_to, blank=True, max_length=200)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("runs started"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["expires_at"], name="export_job_expiry")]
        constraints = [
            models.CheckConstraint(name="export_progress_in_range", condition=Q(progress__lte=100)),
            models.CheckConstraint(
                name="export_done_has_file",
                condition=~Q(status=ExportStatus.DONE) | ~Q(file="") | Q(kind=SLIP_SHEET),
            ),
            # One slip sheet in the making per survey (campaign and branch) at a time.
            models.UniqueConstraint(
                fields=["campaign", "branch"],
                condition=Q(
                    kind=SLIP_SHEET, status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING]
                ),
                name="one_slip_sheet_job_per_survey",
            ),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)

    @property
    def restarted(self) -> bool:
        """Queued or running again after a run whose worker stopped (D-7r)."""
        if self.status == ExportStatus.QUEUED:
            return self.attempts >= 1
        return self.status == ExportStatus.RUNNING and self.attempts >= 2

    @property
    def verbose_kind(self) -> str:
        from scoring.exporters import KINDS, WEB_KINDS

        if self.kind == SLIP_SHEET:
            return str(_("Slip sheet"))
        return str(KINDS.get(self.kind) or WEB_KINDS.get(self.kind, self.kind))
