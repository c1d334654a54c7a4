"""The one way a page hands out a report (docs/reports.md §6): the exporter renders in
the request (the background job with its progress bar comes with the big reports); a
refusal is flashed on the page the user came from."""

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
    return FileResponse(
        out, as_attachment=True, filename=exporter.filename(), content_type=exporter.content_type
    )
