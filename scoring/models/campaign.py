"""A campaign (评定活动): one year's rating, its rubric, its policy, its branches."""

__all__ = [
    "Assessment",
    "Campaign",
    "CampaignKind",
    "CampaignStatus",
    "Criterion",
    "IllegalTransition",
    "QuotaMode",
    "TRANSITIONS",
    "WithdrawalCause",
]

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from branches.models import ElectionStatus, Organisation
from scoring.rules import Policy
from starrating import clock


class CampaignKind(models.TextChoices):
    """Values match the rules engine's `kind` (docs/rules.md §4.1)."""

    INITIAL = "initial", _("Declaration")
    YEAR_END = "year_end", _("Year-end re-rating")


class CampaignStatus(models.TextChoices):
    """The campaign's life (docs/process.md §2.5): one status, moved along `TRANSITIONS`."""

    DRAFT = "draft", pgettext_lazy("campaign status", "Draft")
    DECLARING = "declaring", pgettext_lazy("campaign status", "Declaring")
    PUBLICITY = "publicity", pgettext_lazy("campaign status", "Publicity")
    AWAITING_APPROVAL = "awaiting_approval", pgettext_lazy("campaign status", "Awaiting approval")
    APPROVED = "approved", pgettext_lazy("campaign status", "Approved")
    CLOSED = "closed", pgettext_lazy("campaign status", "Completed")


#: The declaring status under its former name (the value was "open" before migration
#: 0003); code written against `CampaignStatus.OPEN` keeps working.
CampaignStatus.OPEN = CampaignStatus.DECLARING

#: The one table of the campaign's life (docs/process.md §2.5): (from, to) → the audit
#: action recorded with the move. Each move has one service, through
#: `scoring.services.campaigns._move`: `open_campaign` there; `publish_campaign`,
#: `end_publicity_if_due`, `approve_campaign` and `rereview` (the last one closes) in
#: `scoring.services.publicity`; `submit_for_approval` in `scoring.services.year_end`.
#: `Campaign.save` refuses any other change of status.
TRANSITIONS = {
    (CampaignStatus.DRAFT, CampaignStatus.DECLARING): "campaign.opened",
    (CampaignStatus.DECLARING, CampaignStatus.PUBLICITY): "campaign.published",
    # A year-end re-rating without publicity (docs/process.md §2.5):
    # `scoring.services.year_end.submit_for_approval`.
    (CampaignStatus.DECLARING, CampaignStatus.AWAITING_APPROVAL): "campaign.submitted",
    (CampaignStatus.PUBLICITY, CampaignStatus.AWAITING_APPROVAL): "campaign.publicity_ended",
    (CampaignStatus.AWAITING_APPROVAL, CampaignStatus.APPROVED): "campaign.approved",
    (CampaignStatus.APPROVED, CampaignStatus.CLOSED): "campaign.closed",
}


class IllegalTransition(ValueError):
    """A campaign's status was changed other than along `TRANSITIONS` (a programming
    error: the services check the table first and refuse with a message)."""


class QuotaMode(models.TextChoices):
    ENFORCE = "enforce", _("Enforce")
    WARN = "warn", _("Warn only")
    OFF = "off", _("Off")


def default_self_deadline(year=None):
    """5 June (docs/process.md §2.1) of `year`, or of the clock's year."""
    return datetime.date(year or clock.today().year, 6, 5)


#: Decided (docs/decisions.md): the years a campaign may be created for, and the
#: length of the publicity window in days (docs/process.md §2: one week by default).
YEARS = (2000, 2100)
PUBLICITY_DAYS = (1, 30)

SHARE = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]
POINTS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class Campaign(models.Model):
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(
        _("kind"), max_length=10, choices=CampaignKind.choices, default=CampaignKind.INITIAL
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    committee = models.ForeignKey(
        Organisation,
        verbose_name=_("work committee"),
        on_delete=models.PROTECT,
        related_name="campaigns",
        limit_choices_to={"kind": "committee"},
    )
    # Policy (docs/rules.md §4): weights, bands, quotas.
    weight_self = models.DecimalField(
        _("weight of self-evaluation"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.2"),
        validators=SHARE,
    )
    weight_survey = models.DecimalField(
        _("weight of survey"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.3"),
        validators=SHARE,
    )
    weight_review = models.DecimalField(
        _("weight of review"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.5"),
        validators=SHARE,
    )
    band_5 = models.DecimalField(
        _("lowest score for five stars"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("90"),
        validators=POINTS,
    )
    band_4 = models.DecimalField(
        _("lowest score for four stars"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("80"),
        validators=POINTS,
    )
    band_3 = models.DecimalField(
        _("lowest score for three stars"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("70"),
        validators=POINTS,
    )
    band_2 = models.DecimalField(
        _("lowest score for two stars"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("60"),
        validators=POINTS,
    )
    band_1 = models.DecimalField(
        _("lowest score for one star"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        validators=POINTS,
    )
    five_star_share = models.DecimalField(
        _("five-star share"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.1"),
        validators=SHARE,
    )
    low_share = models.DecimalField(
        _("share of one star or none"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.1"),
        validators=SHARE,
    )
    quota_mode = models.CharField(
        _("quota mode"), max_length=8, choices=QuotaMode.choices, default=QuotaMode.ENFORCE
    )
    quota_mode_reason = models.TextField(_("reason for the quota mode"), blank=True)
    # Deadlines (docs/process.md §2.1: 5 June by default).
    self_deadline = models.DateField(
        _("deadline for self-evaluation and survey"), default=default_self_deadline
    )
    review_deadline = models.DateField(_("deadline for review"), null=True, blank=True)
    publicity_days = models.PositiveSmallIntegerField(_("publicity days"), default=7)
    # Only a year-end re-rating may go without publicity (docs/process.md §2.5).
    with_publicity = models.BooleanField(_("with publicity"), default=True)
    # The publicity window (docs/process.md §2.1.4), stored when staff publish.
    publicity_start = models.DateTimeField(_("publicity starts"), null=True, blank=True)
    publicity_end = models.DateTimeField(_("publicity ends"), null=True, blank=True)
    contact_line = models.CharField(_("contact for objections"), max_length=200, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The last recompute's quota check (docs/rules.md §4.8), as the engine reported it.
    quota_report = models.JSONField(_("quota check"), default=dict, blank=True)
    recomputed_at = models.DateTimeField(_("recomputed at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "year", "kind"], name="campaign_one_per_year_and_kind"
            ),
            models.CheckConstraint(
                name="campaign_weights_sum_to_one",
                # SQLite computes in binary floats (1 - 0.3 - 0.5 != 0.2 there); with three
                # decimal places any sum other than 1 is at least 0.001 away, so this
                # window is exact on PostgreSQL and float-safe on SQLite.
                condition=Q(weight_self__gte=0, weight_survey__gte=0, weight_review__gte=0)
                & Q(weight_self__gt=Decimal("0.9995") - F("weight_survey") - F("weight_review"))
                & Q(weight_self__lt=Decimal("1.0005") - F("weight_survey") - F("weight_review")),
                violation_error_message=_("The three weights must sum to exactly 1."),
            ),
            models.CheckConstraint(
                name="campaign_publicity_unless_year_end",
                condition=Q(with_publicity=True) | Q(kind=CampaignKind.YEAR_END),
                violation_error_message=_("Only a year-end re-rating may go without publicity."),
            ),
            models.CheckConstraint(
                name="campaign_bands_descending",
                condition=Q(
                    band_5__gt=F("band_4"),
                    band_4__gt=F("band_3"),
                    band_3__gt=F("band_2"),
                    band_2__gt=F("band_1"),
                    band_1__gte=0,
                    band_5__lte=100,
                ),
                violation_error_message=_(
                    "Band thresholds must fall strictly from five stars to one star."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        """Refuse a status that `CampaignStatus` does not name, and a change of status that
        `TRANSITIONS` does not list (a new campaign may start in any status: fixtures)."""
        if self.status not in CampaignStatus.values:
            raise IllegalTransition(f"unknown campaign status {self.status!r}")
        stored = getattr(self, "_stored_status", None)
        if stored not in (None, self.status) and (stored, self.status) not in TRANSITIONS:
            raise IllegalTransition(f"campaign status {stored!r} → {self.status!r}")
        super().save(*args, **kwargs)
        self._stored_status = self.status

    @classmethod
    def from_db(cls, db, field_names, values):
        campaign = super().from_db(db, field_names, values)
        campaign._stored_status = campaign.__dict__.get("status")
        return campaign

    def refresh_from_db(self, *args, fields=None, **kwargs):
        super().refresh_from_db(*args, fields=fields, **kwargs)
        if fields is None or "status" in fields:
            self._stored_status = self.__dict__.get("status")

    def may_move_to(self, status) -> bool:
        return (self.status, status) in TRANSITIONS

    @property
    def is_draft(self):
        return self.status == CampaignStatus.DRAFT

    @property
    def is_declaring(self):
        return self.status == CampaignStatus.DECLARING

    @property
    def is_in_publicity(self):
        return self.status == CampaignStatus.PUBLICITY

    @property
    def publicity_over(self) -> bool:
        """The window was opened and its end has passed (by `starrating.clock`)."""
        return self.publicity_end is not None and clock.now() >= self.publicity_end

    @property
    def policy_is_editable(self):
        """Weights, bands, quotas and deadlines change until declaration ends (D-2.5a)."""
        return self.status in (CampaignStatus.DRAFT, CampaignStatus.DECLARING)

    def policy(self) -> Policy:
        """The campaign's policy as the rules engine reads it (docs/rules.md §4), checked
        by the engine: `scoring.rules.InvalidInput` names the field and the rule broken.
        The one mapping of this model's policy fields is `Policy.from_campaign`."""
        return Policy.from_campaign(self)

    @property
    def is_editable_rubric(self):
        """The rubric is fixed once the campaign opens (docs/process.md §3)."""
        return self.status == CampaignStatus.DRAFT

    @property
    def bands(self):
        return (self.band_5, self.band_4, self.band_3, self.band_2, self.band_1)

    @property
    def band_rows(self):
        """[(star, lowest score)] from five stars down, for pages."""
        return list(zip((5, 4, 3, 2, 1), self.bands, strict=True))

    @property
    def quotas_checked(self):
        return self.quota_mode != QuotaMode.OFF

    @property
    def reference_date(self):
        """The date election status is judged at: the self-evaluation deadline."""
        return self.self_deadline


class Criterion(models.Model):
    """One line of the rubric; max points of a campaign's criteria sum to 100."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    max_points = models.DecimalField(
        _("maximum points"), max_digits=5, decimal_places=2, validators=POINTS
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["campaign", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "position"], name="criterion_unique_position"
            ),
            models.CheckConstraint(
                name="criterion_points_in_range", condition=Q(max_points__gt=0, max_points__lte=100)
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"


class WithdrawalCause(models.TextChoices):
    """Why staff withdrew an enrolled branch from a campaign (docs/process.md §2.5)."""

    DISSOLVED = "dissolved", _("Dissolved")
    MERGED = "merged", _("Merged into another branch")
    NEWLY_FOUNDED = "newly_founded", _("Newly founded")
    OTHER = "other", _("Other")


class AssessmentQuerySet(models.QuerySet):
    def enrolled(self):
        """The branches that take part: every count, N (docs/rules.md §4.8) and the
        recompute read assessments through this."""
        return self.filter(withdrawn_at__isnull=True)

    def withdrawn(self):
        return self.filter(withdrawn_at__isnull=False)


class Assessment(models.Model):
    """One branch in one campaign: the hub its sheets, survey, review and rating hang on.

    Staff may withdraw it while the campaign is declaring (the branch was dissolved,
    merged or newly founded) and reinstate it, each with a reason
    (`scoring.services.campaigns.withdraw_branch`, `reinstate_branch`). A withdrawn
    branch keeps its row and its history but leaves every count and N: read assessments
    through `Assessment.objects.enrolled()`.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assessments")
    branch = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="assessments",
        limit_choices_to={"kind": "branch"},
    )
    # Election status at the campaign's reference date, fixed when the campaign opens
    # and refreshed by recompute (docs/rules.md §4.7).
    election = models.CharField(
        _("election status"),
        max_length=16,
        choices=ElectionStatus.choices,
        default=ElectionStatus.ON_TIME,
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_cause = models.CharField(
        _("cause of withdrawal"), max_length=16, choices=WithdrawalCause.choices, blank=True
    )
    withdrawal_reason = models.TextField(_("reason for the withdrawal"), blank=True)
    # Kept after a reinstatement (the history holds every earlier one).
    reinstatement_reason = models.TextField(_("reason for the reinstatement"), blank=True)

    objects = AssessmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["campaign", "branch__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "branch"], name="assessment_one_per_branch"
            ),
            models.CheckConstraint(
                name="assessment_withdrawal_has_a_cause",
                condition=Q(withdrawn_at__isnull=True, withdrawal_cause="")
                | Q(withdrawn_at__isnull=False) & ~Q(withdrawal_cause=""),
            ),
        ]

    def __str__(self):
        return f"{self.campaign} · {self.branch}"

    @property
    def is_withdrawn(self):
        return self.withdrawn_at is not None

    def part(self, name):
        """The one-to-one part `name` (self_evaluation, survey, review, rating), or None
        when it has not been started; uses what select_related already loaded."""
        try:
            return getattr(self, name)
        except models.ObjectDoesNotExist:
            return None
