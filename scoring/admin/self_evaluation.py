"""Admin of self-evaluation sheets, their scores and evidence."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from scoring.models import Evidence, SelfEvaluation, SelfScore


class SelfScoreInline(admin.TabularInline):
    model = SelfScore
    extra = 0
    fields = ["criterion", "score", "remark"]
    readonly_fields = ["criterion"]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_on"]
    readonly_fields = fields


@admin.register(SelfEvaluation)
class SelfEvaluationAdmin(SimpleHistoryAdmin):
    list_display = ["assessment", "status", "total", "self_star", "submitted_at"]
    list_filter = ["status", "assessment__campaign"]
    search_fields = ["assessment__branch__name", "assessment__branch__code"]
    list_select_related = ["assessment__branch", "assessment__campaign"]
    readonly_fields = ["assessment", "total", "submitted_at", "submitted_by"]
    inlines = [SelfScoreInline, EvidenceInline]
