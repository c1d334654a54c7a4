"""Roster import pages (staff)."""

from django.http import HttpResponse

from .permissions import role_required


@role_required("staff")
def roster_import(request):
    return HttpResponse(status=501)


@role_required("staff")
def roster_template(request):
    return HttpResponse(status=501)
