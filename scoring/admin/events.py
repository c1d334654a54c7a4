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
    # The file widget would link to its MEDIA_URL address, which serves nothing: the evidence
    # is downloaded from the event's page, through its permission check.
    exclude = ["evidence"]
    readonly_fields = ["evidence_name", "recorded_by", "recorded_on"]
