"""The one way a page hands out a report made in the request (docs/reports.md §6): a
single branch's or a small document's exporter renders here (a whole campaign's reports
are background jobs, `scoring/views/exports.py`); a refusal is flashed on the page the
user came from. Files go out as attachments that browsers must not sniff."""

import io

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect

from scoring import exporters


def download(request, exporter, *, refused_to):
    """The exporter's file as an attachment, or its refusal flashed and a redirect to
    `refused_to` (a URL)."""
    out = io.BytesIO()
    try:
        exporter.render(out)
    except exporters.ExportRefused as error:
        messages.error(request, str(error))
        return redirect(refused_to)
    out.seek(0)
    response = FileResponse(
        out, as_attachment=True, filename=exporter.filename(), content_type=exporter.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
