"""Admin for the organisation tree, members and role assignments.

Every model keeps its history (django-simple-history), shown through SimpleHistoryAdmin.
Bulk changes come from the roster import (branches:roster_import), linked from the
organisation list.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Member, Organisation, OrgKind, RoleAssignment


class MemberInline(admin.TabularInline):
    model = Member
    fields = ("code", "name", "duty", "status", "joined", "phone", "user", "active")
    autocomplete_fields = ("user",)
    extra = 0
    show_change_link = True


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fields = ("user", "role")
    autocomplete_fields = ("user",)
    extra = 0


class ParentFilter(admin.SimpleListFilter):
    """Filter by parent among the organisations that have children (not every branch)."""

    title = _("parent organisation")
    parameter_name = "parent"

    def lookups(self, request, model_admin):
        parents = Organisation.objects.exclude(kind=OrgKind.BRANCH).order_by("code")
        return [(str(org.pk), f"{org.code} · {org.name}") for org in parents]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(parent_id=self.value())
        return queryset


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    change_list_template = "branches/admin/organisation_change_list.html"
    list_display = (
        "code",
        "name",
        "kind",
        "parent",
        "term_start",
        "term_end",
        "last_election",
        "postponement_approved",
        "active",
    )
    list_display_links = ("code", "name")
    list_filter = ("kind", ParentFilter, "active", "postponement_approved")
    list_select_related = ("parent",)
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)
    fieldsets = (
        (None, {"fields": ("code", "name", "kind", "parent", "active")}),
        (
            _("Term and election"),
            {"fields": ("term_start", "term_end", "last_election", "postponement_approved")},
        ),
    )
    inlines = (RoleAssignmentInline, MemberInline)

    def get_inlines(self, request, obj):
        # Members belong to branches only; the other kinds list their role holders.
        if obj is not None and obj.is_branch:
            return (RoleAssignmentInline, MemberInline)
        return (RoleAssignmentInline,)


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "branch", "duty", "status", "joined", "phone", "user", "active")
    list_display_links = ("code", "name")
    list_filter = ("duty", "status", "active", "branch__parent")
    list_select_related = ("branch", "user")
    search_fields = ("name", "code", "branch__name", "branch__code")
    autocomplete_fields = ("branch", "user")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ("user", "role", "organisation")
    list_filter = ("role", "organisation__kind")
    list_select_related = ("user", "organisation")
    search_fields = ("user__username", "user__first_name", "user__last_name", "organisation__name")
    search_help_text = _("User name or organisation name.")
    autocomplete_fields = ("user", "organisation")
