"""Admin of bonus/penalty events."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from scoring.models import ScoreEvent


@admin.register(ScoreEvent)
class ScoreEventAdmin(SimpleHistoryAdmin):
    list_display = ["date", "branch", "type", "level", "issuer", "severity", "count"]
    list_filter = ["type", "level"]
    date_hierarchy = "date"
    search_fields = ["branch__name", "branch__code", "document_ref"]
    list_select_related = ["branch"]
    raw_id_fields = ["branch"]
    readonly_fields = ["recorded_by", "recorded_on"]
