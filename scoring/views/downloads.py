"""The one way a page hands out a file: a report made in the request (docs/reports.md
§6: a single branch's or a small document's exporter renders here; a whole campaign's
reports are background jobs, `scoring/views/exports.py`), its refusal flashed on the page
the user came from; and a stored upload (evidence, attachments, minutes), which is never
at a media URL. Files go out as attachments that browsers must not sniff."""

import io

from django.contrib import messages
from django.http import FileResponse, Http404
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
    return attachment(out, filename=exporter.filename(), content_type=exporter.content_type)


def attachment(handle, *, filename=None, content_type=None) -> FileResponse:
    """`handle` (an open binary file) as an attachment, not to be sniffed."""
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def stored_file(field, *, filename=None, content_type=None) -> FileResponse:
    """A stored upload (a `FieldFile`) as an attachment; a 404 when there is none or its
    file is gone. The caller has checked who may have it."""
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return attachment(handle, filename=filename, content_type=content_type)
