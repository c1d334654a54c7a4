"""PDFs, written once for every report (docs/reports.md §6): an exporter names its
template under `templates/pdf/` and gives its context; this module renders the HTML
with WeasyPrint, whose page styles and CJK font come from `templates/pdf/base.html`.
"""

import contextlib
import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from .base import Exporter, ExportRefused, Progress

#: Where each of WeasyPrint's steps starts, in % of the writer's share (layout: 15–90;
#: step 2, the fetching of linked stylesheets, is not logged for an inline style).
_STEPS = {"Step 1": 0, "Step 2": 3, "Step 3": 5, "Step 4": 10, "Step 6": 90, "Step 7": 95}
_LAYOUT = (15, 90)


class _Steps(logging.Handler):
    """WeasyPrint's progress log (a line per step, and per page laid out) as a
    percentage: the layout's share is spread over the `pages` expected."""

    def __init__(self, report, pages):
        super().__init__(logging.INFO)
        self.report, self.pages = report, max(pages, 1)

    def emit(self, record):
        message = str(record.msg)
        if message.startswith("Step 5 - Creating layout - Page") and record.args:
            low, high = _LAYOUT
            done = record.args[0] - 1  # logged as a page starts
            self.report(low + (high - low) * min(done / self.pages, 1))
        elif message[:6] in _STEPS:
            self.report(_STEPS[message[:6]])


@contextlib.contextmanager
def _listening(report, pages):
    # WeasyPrint has no progress callback, only this log; the handler is attached for one
    # rendering at a time (the worker renders one job at a time).
    logger = logging.getLogger("weasyprint.progress")
    handler = _Steps(report, pages)
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def html_to_pdf(
    html: str,
    fp=None,
    *,
    progress: Progress | None = None,
    pages: int = 1,
    span: tuple[int, int] = (0, 100),
) -> bytes | None:
    """The PDF of `html`: written to the binary file object `fp`, or returned as bytes.

    With `progress`, WeasyPrint's steps are reported within `span` (in %), the layout
    spread over the `pages` the caller expects."""
    from weasyprint import HTML

    if progress is None:
        return HTML(string=html).write_pdf(fp)
    low, high = span
    last = -1

    def report(percent):
        nonlocal last
        value = int(low + (high - low) * percent / 100)
        if value > last:
            last = value
            progress(value)

    with _listening(report, pages):
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
        return self._page(progress)[0]

    def _page(self, progress):
        """(HTML, context): in the site's language for official documents (D-6f)."""
        language = settings.LANGUAGE_CODE if self.site_language else translation.get_language()
        with translation.override(language):
            context = {"campaign": self.campaign, "branch": self.branch, "report": self}
            context.update(self.context(progress))
            if progress:
                progress(10)
            return render_to_string(self.template_name, context), context

    def expected_pages(self, context: dict) -> int:
        """About how many pages the report will have (spreads the layout's progress)."""
        return 1

    def render(self, fp, *, progress: Progress | None = None) -> None:
        """Context (its own progress, up to 10 %), HTML, then WeasyPrint's steps (15 to
        100 %), so that a big report moves the bar at least every 5 %."""
        reason = self.refusal()
        if reason:
            raise ExportRefused(reason)
        html, context = self._page(progress)
        if progress:
            progress(15)
        html_to_pdf(html, fp, progress=progress, pages=self.expected_pages(context), span=(15, 100))
        if progress:
            progress(100)
