"""Admin of reviews and ratings (read-mostly: changes go through the services)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from scoring.models import Rating, Review, ReviewScore


class ReviewScoreInline(admin.TabularInline):
    model = ReviewScore
    extra = 0
    readonly_fields = ["criterion", "score", "remark"]
    can_delete = False


@admin.register(Review)
class ReviewAdmin(SimpleHistoryAdmin):
    list_display = ["assessment", "reviewer", "status", "total", "proposed_star", "audit_status"]
    list_filter = ["status", "audit_status", "assessment__campaign"]
    search_fields = ["assessment__branch__name", "assessment__branch__code"]
    list_select_related = ["assessment__campaign", "assessment__branch", "reviewer"]
    readonly_fields = [
        "assessment",
        "reviewer",
        "status",
        "total",
        "proposed_star",
        "submitted_at",
        "audit_status",
        "audit_reason",
        "audited_by",
        "audited_at",
        "return_reason",
    ]
    inlines = [ReviewScoreInline]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["assessment", "score", "band", "star", "computed_at"]
    list_filter = ["star", "assessment__campaign"]
    search_fields = ["assessment__branch__name", "assessment__branch__code"]
    list_select_related = ["assessment__campaign", "assessment__branch"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
