"""Admin of campaigns, criteria and assessments (read-mostly: the pages go through services)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from scoring.models import Assessment, Campaign, Criterion


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["position", "title", "max_points"]


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ["title", "year", "kind", "status", "self_deadline", "committee"]
    list_filter = ["status", "kind", "year"]
    search_fields = ["title"]
    readonly_fields = ["status", "opened_at", "created_by", "quota_report", "recomputed_at"]
    inlines = [CriterionInline]


@admin.register(Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["branch", "campaign", "election"]
    list_filter = ["campaign", "election"]
    search_fields = ["branch__name", "branch__code"]
    list_select_related = ["branch", "campaign"]
    raw_id_fields = ["branch"]
