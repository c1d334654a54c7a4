"""Admin of surveys: read-only, with their audit history.

Slips, sheets and ballots are deliberately not registered: the admin would show single
ballots and the sheets' plain codes, and its change log would record who looked at or
touched them (docs/survey.md §2.1.2). Every change goes through `scoring.services.survey`.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from scoring.models import Survey


@admin.register(Survey)
class SurveyAdmin(SimpleHistoryAdmin):
    list_display = [
        "assessment",
        "status",
        "electorate",
        "member_slips_issued",
        "public_slips_issued",
        "opened_on",
        "closed_on",
    ]
    list_filter = ["status", "assessment__campaign"]
    search_fields = ["assessment__branch__name", "assessment__branch__code"]
    list_select_related = ["assessment__branch", "assessment__campaign"]
    readonly_fields = [field.name for field in Survey._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
