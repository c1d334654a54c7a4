"""Roster import pages (staff)."""

import io

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import importers
from .forms import RosterUploadForm
from .models import Role
from .permissions import role_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@role_required(Role.STAFF)
@require_http_methods(["GET", "POST"])
def roster_import(request):
    """Upload the roster; show every error of a bad file, or import it whole."""
    errors = []
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES)
    else:
        form = RosterUploadForm()
    if form.is_bound and form.is_valid():
        dry_run = form.cleaned_data["dry_run"]
        try:
            report = importers.import_roster(
                form.cleaned_data["file"], actor=request.user, dry_run=dry_run
            )
        except importers.RosterImportError as error:
            errors = error.errors
        else:
            if dry_run:
                messages.info(request, _("The file is valid; nothing was imported. %s") % report)
            else:
                messages.success(request, _("The roster was imported. %s") % report)
            return redirect("branches:roster_import")
    return render(request, "branches/roster_import.html", {"form": form, "errors": errors})


@role_required(Role.STAFF)
@require_http_methods(["GET"])
def roster_template(request):
    """The empty roster workbook with example rows and notes."""
    return FileResponse(
        io.BytesIO(importers.roster_template()),
        as_attachment=True,
        filename="花名册模板.xlsx",
        content_type=XLSX,
    )
