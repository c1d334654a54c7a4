"""The rectification ledger workbook (`ledger-xlsx`, docs/reports.md §6): the year's
improvement plans and every ledger item, as stored (docs/process.md §2.2).

`ledger_sheet` is the one home of the ledger's rows: this workbook and the 整改台账 sheet
of the annual workbook both write it. Two queries whatever the number of branches.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from improvement.models import Category, ImprovementPlan, ItemStatus, PlanStatus
from improvement.services import ledger_items
from scoring.models import CampaignStatus

from .base import Column, Exporter, Sheet

DATE = "yyyy-mm-dd"
WHOLE = "0"


def _choices(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def ledger_sheet(year: int) -> Sheet:
    """Every ledger item of the plans of `year`, in branch-code and due order."""
    rows = list(ledger_items(year))
    plans, categories = _choices(PlanStatus.choices), _choices(Category.choices)
    statuses = _choices(ItemStatus.choices)
    yes, no = pgettext("ledger workbook", "Yes"), pgettext("ledger workbook", "No")

    def lines():
        for (
            name,
            code,
            parent,
            plan_status,
            category,
            target,
            problem,
            criterion,
            measures,
            responsible,
            due,
            status,
            overdue,
            closed_on,
            note,
            reopened,
        ) in rows:
            yield (
                name,
                code,
                parent,
                problem,
                measures,
                responsible,
                due,
                statuses.get(status, status),
                yes if overdue else no,
                closed_on,
                note,
                reopened,
                criterion or "",
                categories.get(category, category),
                target,
                plans.get(plan_status, plan_status),
            )

    columns = [
        Column(pgettext("annual workbook", "Organisation"), 28),
        Column(pgettext("annual workbook", "Code"), 14),
        Column(pgettext("annual workbook", "Parent organisation"), 24),
        Column(pgettext("annual workbook", "Problem"), 40),
        Column(pgettext("annual workbook", "Measures"), 40),
        Column(pgettext("annual workbook", "Person responsible"), 12),
        Column(pgettext("annual workbook", "Due"), 12, DATE),
        Column(pgettext("annual workbook", "Status"), 10),
        Column(pgettext("ledger workbook", "Overdue"), 8),
        Column(pgettext("ledger workbook", "Closed on"), 12, DATE),
        Column(pgettext("ledger workbook", "Closing note"), 40),
        Column(pgettext("ledger workbook", "Reason for reopening"), 30),
        Column(pgettext("ledger workbook", "Criterion"), 24),
        Column(pgettext("ledger workbook", "Category"), 12),
        Column(pgettext("ledger workbook", "Target star"), 8, WHOLE),
        Column(pgettext("ledger workbook", "Plan status"), 12),
    ]
    return Sheet(
        pgettext("annual workbook", "Rectification ledger"), columns, lines(), total=len(rows)
    )


def plans_sheet(year: int) -> Sheet:
    """Every branch's plan of `year` (晋位争星方案)."""
    plans = list(
        ImprovementPlan.objects.filter(year=year)
        .order_by("branch__code")
        .values_list(
            "branch__name",
            "branch__code",
            "branch__parent__name",
            "current_star",
            "category",
            "target_star",
            "status",
            "measures",
            "return_reason",
        )
    )
    statuses, categories = _choices(PlanStatus.choices), _choices(Category.choices)

    def lines():
        for name, code, parent, star, category, target, status, measures, reason in plans:
            yield (
                name,
                code,
                parent,
                star,
                categories.get(category, category),
                target,
                statuses.get(status, status),
                measures,
                reason,
            )

    columns = [
        Column(pgettext("annual workbook", "Organisation"), 28),
        Column(pgettext("annual workbook", "Code"), 14),
        Column(pgettext("annual workbook", "Parent organisation"), 24),
        Column(pgettext("ledger workbook", "Current star when filed"), 10, WHOLE),
        Column(pgettext("ledger workbook", "Category"), 12),
        Column(pgettext("ledger workbook", "Target star"), 8, WHOLE),
        Column(pgettext("ledger workbook", "Plan status"), 12),
        Column(pgettext("ledger workbook", "Measures"), 50),
        Column(pgettext("ledger workbook", "Reason for return"), 30),
    ]
    return Sheet(
        pgettext("ledger workbook", "Improvement plans"), columns, lines(), total=len(plans)
    )


class LedgerWorkbook(Exporter):
    identifier = "ledger-xlsx"
    verbose_name = gettext_lazy("Rectification ledger workbook")

    def refusal(self):
        if self.campaign.status == CampaignStatus.DRAFT:
            return _("The campaign is not open yet: there is nothing to export.")
        return None

    def sheets(self):
        yield ledger_sheet(self.campaign.year)
        yield plans_sheet(self.campaign.year)
