"""PDFs, written once for every report (docs/reports.md §6): an exporter names its
template under `templates/pdf/` and gives its context; this module renders the HTML
with WeasyPrint, whose page styles and CJK font come from `templates/pdf/base.html`.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from .base import Exporter, ExportRefused, Progress


def html_to_pdf(html: str, fp=None) -> bytes | None:
    """The PDF of `html`: written to the binary file object `fp`, or returned as bytes."""
    from weasyprint import HTML

    return HTML(string=html).write_pdf(fp)


def render_pdf(template_name: str, context: dict, fp=None) -> bytes | None:
    """Render `template_name` (a `templates/pdf/` page extending `pdf/base.html`)."""
    return html_to_pdf(render_to_string(template_name, context), fp)


class PdfExporter(Exporter):
    """Base of the PDF reports: subclasses set `template_name` and `context()`; an exporter
    whose context is costly reports progress from `context(progress)` itself."""

    extension = "pdf"
    content_type = "application/pdf"
    template_name = ""
    #: True for official documents (notices, certificates): written in the site's language
    #: (Chinese) whatever the reader's; otherwise in the reader's.
    site_language = False

    def context(self, progress: Progress | None = None) -> dict:
        raise NotImplementedError

    def html(self, progress: Progress | None = None) -> str:
        """The page WeasyPrint is given (the escaping tests read it)."""
        language = settings.LANGUAGE_CODE if self.site_language else translation.get_language()
        with translation.override(language):
            context = {"campaign": self.campaign, "branch": self.branch, "report": self}
            context.update(self.context(progress))
            return render_to_string(self.template_name, context)

    def render(self, fp, *, progress: Progress | None = None) -> None:
        reason = self.refusal()
        if reason:
            raise ExportRefused(reason)
        html = self.html(progress)
        if progress:
            progress(90)
        html_to_pdf(html, fp)
        if progress:
            progress(100)
