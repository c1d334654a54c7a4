"""Publicity, objections, approval, re-review, demonstration sites and a branch's star
history (docs/process.md §2.1.4, §2.1.5, §2.4, §2.6)."""

__all__ = [
    "Approval",
    "Correction",
    "DemonstrationSite",
    "Objection",
    "ObjectionState",
    "ReReview",
    "StarCause",
    "StarChange",
]

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from branches.models import Organisation
from starrating.uploads import MINUTES, OBJECTIONS, UploadTo

from .campaign import Assessment, Campaign

#: The longest objection text (docs/process.md §2.1.4).
OBJECTION_MAX_CHARS = 2000
#: Receipt numbers: no 0/O, 1/I/L, so that a filer can read one out over the phone.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECEIPT_LENGTH = 10


def new_receipt() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _i in range(RECEIPT_LENGTH))


class ObjectionState(models.TextChoices):
    OPEN = "open", pgettext_lazy("objection state", "Open")
    DISMISSED = "dismissed", _("Dismissed")
    UPHELD = "upheld", _("Upheld")


class Correction(models.TextChoices):
    """How an upheld objection reopens its branch (D-2.1.4c)."""

    REVIEW = "review", _("Review returned to the reviewer")
    EVENTS = "events", _("Events corrected by staff")


class Objection(models.Model):
    """An objection (异议) to one branch's proposed star, filed during the window.

    The filer's name and phone are seen by committee staff only; the filer is shown the
    receipt number alone. An upheld objection reopens its branch (docs/process.md §2.1.4).
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="objections")
    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("branch concerned"),
        on_delete=models.CASCADE,
        related_name="objections",
    )
    receipt = models.CharField(
        _("receipt number"), max_length=RECEIPT_LENGTH, unique=True, default=new_receipt
    )
    text = models.TextField(_("objection"), max_length=OBJECTION_MAX_CHARS)
    name = models.CharField(_("filer's name"), max_length=50, blank=True)
    phone = models.CharField(_("filer's phone"), max_length=30, blank=True)
    attachment = models.FileField(
        _("attachment"), upload_to=UploadTo(OBJECTIONS.folder), max_length=200, blank=True
    )
    attachment_type = models.CharField(max_length=100, blank=True)
    filed_at = models.DateTimeField(_("filed at"))
    state = models.CharField(
        _("state"), max_length=10, choices=ObjectionState.choices, default=ObjectionState.OPEN
    )
    verification = models.TextField(_("verification notes"), blank=True)
    outcome_reason = models.TextField(_("reason for the outcome"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    correction = models.CharField(
        _("correction"), max_length=10, choices=Correction.choices, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["filed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="objection_outcome_has_a_reason",
                condition=Q(state="open") | ~Q(outcome_reason=""),
            ),
            models.CheckConstraint(
                name="objection_correction_iff_upheld",
                condition=Q(state="upheld", correction__in=["review", "events"])
                | ~Q(state="upheld") & Q(correction=""),
            ),
        ]

    def __str__(self):
        return self.receipt

    @property
    def is_open(self):
        return self.state == ObjectionState.OPEN

    @property
    def is_named(self):
        return bool(self.name.strip() or self.phone.strip())


class Approval(models.Model):
    """The work committee's decision (审批): the meeting, its reference number (文号), the
    minutes, and the approved list frozen as canonical JSON with its SHA-256 digest."""

    campaign = models.OneToOneField(Campaign, on_delete=models.PROTECT, related_name="approval")
    meeting_date = models.DateField(_("meeting date"))
    reference = models.CharField(_("reference number"), max_length=100)
    minutes = models.FileField(
        _("minutes"), upload_to=UploadTo(MINUTES.folder), max_length=200, blank=True
    )
    minutes_type = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    snapshot = models.TextField(_("approved list"))
    digest = models.CharField(_("SHA-256 digest"), max_length=64)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")

    def __str__(self):
        return f"{self.campaign} · {self.reference}"


class ReReview(models.Model):
    """The municipal re-review (复审) of one approved five-star result."""

    assessment = models.OneToOneField(Assessment, on_delete=models.PROTECT, related_name="rereview")
    confirmed = models.BooleanField(_("confirmed"))
    star = models.PositiveSmallIntegerField(
        _("star set"), null=True, blank=True, validators=[MaxValueValidator(4)]
    )
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("re-reviewed at"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("re-review")
        verbose_name_plural = _("re-reviews")
        constraints = [
            models.CheckConstraint(
                name="rereview_declined_sets_a_lower_star",
                condition=Q(confirmed=True, star__isnull=True)
                | Q(confirmed=False, star__lte=4) & ~Q(reason=""),
            ),
        ]

    def __str__(self):
        return f"{self.assessment}: {self.confirmed}"


class StarCause(models.TextChoices):
    APPROVAL = "approval", _("Approved by the work committee")
    REREVIEW = "rereview", _("Municipal re-review")
    DOWNGRADE = "downgrade", _("Downgraded")
    RESTORE = "restore", _("Restored")


class StarChange(models.Model):
    """One change of a branch's current star (docs/process.md §2.6). Append-only: the rows
    are the history; the current star is the latest row's `to_star`."""

    branch = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="star_changes")
    effective = models.DateField(_("effective date"))
    from_star = models.PositiveSmallIntegerField(
        pgettext_lazy("star change", "from"), null=True, blank=True
    )
    to_star = models.PositiveSmallIntegerField(pgettext_lazy("star change", "to"))
    cause = models.CharField(_("cause"), max_length=10, choices=StarCause.choices)
    reason = models.TextField(_("reason"), blank=True)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="star_changes"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    # The rows are never changed; the history records the action code of each insert.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("change of star")
        verbose_name_plural = _("changes of star")
        ordering = ["branch", "effective", "pk"]
        constraints = [
            models.CheckConstraint(name="star_change_in_range", condition=Q(to_star__lte=5)),
        ]

    def __str__(self):
        return f"{self.branch}: {self.from_star} → {self.to_star}"


class DemonstrationSite(models.Model):
    """A branch marked as a demonstration site (示范点) in one campaign's year, among its
    officially five-star branches (docs/process.md §2.4). Unmarking keeps the row with who,
    when and why; a branch may be marked again later (a new row). At most one row of an
    assessment is current (not unmarked)."""

    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="demonstration_sites",
    )
    reason = models.TextField(_("reason"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    marked_at = models.DateTimeField(_("marked at"))
    unmarked_reason = models.TextField(_("reason for unmarking"), blank=True)
    unmarked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    unmarked_at = models.DateTimeField(_("unmarked at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("demonstration site")
        verbose_name_plural = _("demonstration sites")
        ordering = ["-marked_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment"],
                condition=Q(unmarked_at__isnull=True),
                name="demonstration_site_one_current_per_assessment",
            ),
            models.CheckConstraint(
                name="demonstration_site_has_reasons",
                condition=~Q(reason="")
                & (
                    Q(unmarked_at__isnull=True, unmarked_reason="")
                    | Q(unmarked_at__isnull=False) & ~Q(unmarked_reason="")
                ),
            ),
        ]

    def __str__(self):
        return str(self.assessment)

    @property
    def is_current(self):
        return self.unmarked_at is None
