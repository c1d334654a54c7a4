"""Admin of improvement plans and ledger items: read-mostly (changes go through
`improvement.services`), with their history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ImprovementPlan, LedgerItem


class LedgerItemInline(admin.TabularInline):
    model = LedgerItem
    fields = ["problem", "responsible", "due", "status", "closed_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(ImprovementPlan)
class ImprovementPlanAdmin(SimpleHistoryAdmin):
    list_display = ["year", "branch", "category", "target_star", "status", "filed_at"]
    list_filter = ["year", "status", "category"]
    search_fields = ["branch__name", "branch__code"]
    list_select_related = ["branch"]
    raw_id_fields = ["branch", "campaign"]
    readonly_fields = ["filed_at", "filed_by", "decided_at", "decided_by", "created_at"]
    inlines = [LedgerItemInline]


@admin.register(LedgerItem)
class LedgerItemAdmin(SimpleHistoryAdmin):
    list_display = ["plan", "problem", "responsible", "due", "status", "closed_on"]
    list_filter = ["status", "plan__year"]
    search_fields = ["plan__branch__name", "plan__branch__code", "problem"]
    list_select_related = ["plan__branch", "responsible"]
    raw_id_fields = ["plan", "criterion", "event", "responsible"]
    # The file widget would link to MEDIA_URL, which serves nothing: the evidence is
    # downloaded from the plan's page, through its permission check.
    exclude = ["evidence"]
    readonly_fields = [
        "evidence_name",
        "evidence_type",
        "closed_by",
        "created_at",
        "created_by",
    ]
