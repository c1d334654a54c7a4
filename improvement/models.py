"""晋位争星 — a branch's yearly improvement plan and its rectification ledger (整改台账)
(docs/process.md §2.2).

A plan follows one year's rating: its target star, the branch's category (from its
current star, docs/process.md §2.6) and the measures; the secretary files it to the parent
organisation, who acknowledges it (备案) or returns it with a reason. The ledger is the
plan's items: a problem (optionally tied to a criterion of the campaign's rubric, or to a
penalty event of the year), measures, a member of the branch responsible, a due date;
closed (销账) with a date, a note and evidence, reopened by the parent with a reason.
Every change goes through `improvement.services` and is kept in the history.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from branches.models import Member, Organisation
from scoring.models import Campaign, Criterion, ScoreEvent
from starrating.uploads import LEDGER, UploadTo


class Category(models.TextChoices):
    """What a branch's current star asks of it (docs/process.md §2.2)."""

    CONSOLIDATE = "consolidate", _("Consolidate and improve")
    FILL_GAPS = "fill_gaps", _("Fill the gaps")
    FOCUSED = "focused", _("Focused rectification")


def category_of(star: int | None) -> Category:
    """Five stars consolidate, two to four fill gaps, one star or none (and no current
    star at all) are put under focused rectification."""
    if star == 5:
        return Category.CONSOLIDATE
    if star is not None and 2 <= star <= 4:
        return Category.FILL_GAPS
    return Category.FOCUSED


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FILED = "filed", _("Filed, awaiting acknowledgement")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RETURNED = "returned", _("Returned")


class ItemStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("ledger item", "Open")
    CLOSED = "closed", pgettext_lazy("ledger item", "Closed")


class ImprovementPlan(models.Model):
    branch = models.ForeignKey(
        Organisation,
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="improvement_plans",
        limit_choices_to={"kind": "branch"},
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="improvement_plans",
        help_text=_("The rating the plan follows: its rubric and its year."),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    current_star = models.PositiveSmallIntegerField(
        _("current star when filed"), null=True, blank=True
    )
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    target_star = models.PositiveSmallIntegerField(
        _("target star"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    measures = models.TextField(_("measures"))
    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("acknowledged or returned at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    return_reason = models.TextField(_("reason for return"), blank=True)
    created_at = models.DateTimeField(_("created at"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("improvement plan")
        verbose_name_plural = _("improvement plans")
        ordering = ["-year", "branch__code"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "year"], name="improvement_one_plan_a_year"),
            models.CheckConstraint(
                name="improvement_target_star_1_to_5",
                condition=Q(target_star__gte=1, target_star__lte=5),
            ),
            models.CheckConstraint(
                name="improvement_plan_status_known", condition=Q(status__in=PlanStatus.values)
            ),
            models.CheckConstraint(
                name="improvement_plan_filed_has_date",
                condition=Q(status=PlanStatus.DRAFT) | Q(filed_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.year} · {self.branch}"

    @property
    def editable(self) -> bool:
        """The secretary edits a draft, and a returned plan before filing it again."""
        return self.status in (PlanStatus.DRAFT, PlanStatus.RETURNED)


class LedgerItem(models.Model):
    plan = models.ForeignKey(
        ImprovementPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="items"
    )
    problem = models.TextField(_("problem"))
    criterion = models.ForeignKey(
        Criterion,
        verbose_name=_("criterion"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    event = models.ForeignKey(
        ScoreEvent,
        verbose_name=_("penalty event"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    measures = models.TextField(_("measures"))
    responsible = models.ForeignKey(
        Member, verbose_name=_("person responsible"), on_delete=models.PROTECT, related_name="+"
    )
    due = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=8, choices=ItemStatus.choices, default=ItemStatus.OPEN
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)
    evidence = models.FileField(
        _("evidence"), upload_to=UploadTo(LEDGER.folder), max_length=200, blank=True
    )
    evidence_name = models.CharField(_("evidence file name"), max_length=200, blank=True)
    evidence_type = models.CharField(_("evidence content type"), max_length=100, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    #: Raised by every change; the edit form carries it (no lost update between two tabs,
    #: scoring/services/versions.py).
    version = models.PositiveIntegerField(_("version"), default=0)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")
        ordering = ["plan", "due", "pk"]
        indexes = [models.Index(fields=["status", "due"])]
        constraints = [
            models.CheckConstraint(
                name="ledger_item_status_known", condition=Q(status__in=ItemStatus.values)
            ),
            # Closing without a date and evidence must never happen (销账 with evidence).
            models.CheckConstraint(
                name="ledger_item_closed_with_date_and_evidence",
                condition=Q(status=ItemStatus.OPEN)
                | (Q(closed_on__isnull=False) & ~Q(evidence="")),
            ),
        ]

    def __str__(self):
        return self.problem[:40]
