"""PDFs, written once for every report (docs/reports.md §6): an exporter names its
template under `templates/pdf/` and gives its context; this module renders the HTML
with WeasyPrint, whose page styles and CJK font come from `templates/pdf/base.html`.
"""

import contextlib
import logging
from collections.abc import Callable

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
    finisher=None,
    url_fetcher=None,
) -> bytes | None:
    """The PDF of `html`: written to the binary file object `fp`, or returned as bytes.

    With `progress`, WeasyPrint's steps are reported within `span` (in %), the layout
    spread over the `pages` the caller expects. `finisher(document, pdf)` may change the
    pydyf PDF before it is written (WeasyPrint's hook; the slip sheet uses it), and
    `url_fetcher` answers the document's URLs (WeasyPrint's; the slip sheet's images)."""
    from weasyprint import HTML

    if progress is None:
        return HTML(string=html, url_fetcher=url_fetcher).write_pdf(fp, finisher=finisher)
    low, high = span
    last = -1

    def report(percent):
        nonlocal last
        value = int(low + (high - low) * percent / 100)
        if value > last:
            last = value
            progress(value)

    with _listening(report, pages):
        return HTML(string=html, url_fetcher=url_fetcher).write_pdf(fp, finisher=finisher)


def write_joined(
    parts: list[tuple[Callable[[], str], int]],
    fp,
    *,
    progress: Progress | None = None,
    span: tuple[int, int] = (0, 100),
    cover: bool = False,
) -> None:
    """One PDF of several HTML documents laid out one after the other (docs/reports.md
    §6, D-6y): `parts` are (a function giving the HTML, the pages expected), each
    page extending `pdf/base.html` with `numbered_apart` (its page numbers left out).

    A big report in one WeasyPrint document reports nothing while its whole HTML is
    parsed and styled (a minute at 5,000 branches); in parts, each part's steps and
    pages move the bar, spread over `span` by the pages expected: the parts' layout takes
    85 % of it, the page numbers 3 %, the drawing 9 % page by page, the writing of the
    file the rest (reported at its last logged step). The pages are then numbered `n / N`
    over the whole file (a `cover`, the first page, bears none) by
    the margin boxes of one blank document of as many pages, and written as one file
    (`Document.copy`), the fonts shared."""
    from weasyprint import HTML
    from weasyprint.formatting_structure.boxes import MarginBox
    from weasyprint.text.fonts import FontConfiguration

    low, high = span
    laid_out, numbered, drawn = (low + (high - low) * share for share in (0.85, 0.88, 0.97))
    last = -1

    def report(value):
        nonlocal last
        if progress is not None and int(value) > last:
            last = int(value)
            progress(last)

    fonts = FontConfiguration()
    total = sum(max(pages, 1) for _html, pages in parts) or 1
    documents, done = [], 0
    for html, pages in parts:
        start = low + (laid_out - low) * done / total
        end = low + (laid_out - low) * (done + max(pages, 1)) / total
        report(start)
        with _listening(lambda percent, a=start, b=end: report(a + (b - a) * percent / 100), pages):
            documents.append(HTML(string=html()).render(font_config=fonts))
        done += max(pages, 1)
    pages = [page for document in documents for page in document.pages]
    report(laid_out)
    blank = render_to_string("pdf/page_numbers.html", {"pages": range(len(pages)), "cover": cover})
    with _listening(
        lambda percent: report(laid_out + (numbered - laid_out) * percent / 100), len(pages)
    ):
        numbers = HTML(string=blank).render(font_config=fonts)
    if len(numbers.pages) != len(pages):  # pragma: no cover — a WeasyPrint change
        raise RuntimeError("the page numbers do not match the pages")
    for index, (page, blank_page) in enumerate(zip(pages, numbers.pages, strict=True)):
        footer = [
            box
            for box in blank_page._page_box.children
            if isinstance(box, MarginBox) and box.at_keyword == "@bottom-center"
        ]
        page._page_box.children = (*page._page_box.children, *footer)
        if progress is not None:
            done = numbered + (drawn - numbered) * index / len(pages)
            page.paint = _reporting(page.paint, lambda value=done: report(value))
    report(numbered)
    # WeasyPrint logs "Step 6" before drawing and "Step 7" (95 in `_STEPS`) after it.
    with _listening(lambda percent: report(drawn) if percent >= 95 else None, 1):
        documents[0].copy(pages).write_pdf(fp)


def _reporting(paint, before):
    """`Page.paint` reporting the drawing's progress first (WeasyPrint logs no page)."""

    def paint_page(*args, **kwargs):
        before()
        return paint(*args, **kwargs)

    return paint_page


def render_pdf(template_name: str, context: dict, fp=None) -> bytes | None:
    """Render `template_name` (a `templates/pdf/` page extending `pdf/base.html`)."""
    return html_to_pdf(render_to_string(template_name, context), fp)


class PdfExporter(Exporter):
    """Base of the PDF reports: subclasses set `template_name` and `context()`; an exporter
    whose context is costly reports progress from `context(progress)` itself. A big report
    says in `parts(context)` how to write it in several documents (`write_joined`)."""

    extension = "pdf"
    content_type = "application/pdf"
    template_name = ""
    #: True for official documents (notices, certificates): written in the site's language
    #: (Chinese) whatever the reader's; otherwise in the reader's.
    site_language = False
    #: The first page is a cover, without a page number (for a report written in parts).
    cover = False

    def context(self, progress: Progress | None = None) -> dict:
        raise NotImplementedError

    def parts(self, context: dict) -> list[tuple[dict, int]] | None:
        """None to write the report as one document; else its parts, each the context
        added for it and the pages it is expected to have."""
        return None

    def html(self, progress: Progress | None = None) -> str:
        """The page WeasyPrint is given, whole (the escaping tests read it)."""
        with self._language():
            return render_to_string(self.template_name, self._context(progress))

    def _language(self):
        """The site's language for official documents (D-6f), else the reader's."""
        language = settings.LANGUAGE_CODE if self.site_language else translation.get_language()
        return translation.override(language)

    def _context(self, progress):
        context = {"campaign": self.campaign, "branch": self.branch, "report": self}
        context.update(self.context(progress))
        if progress:
            progress(10)
        return context

    def expected_pages(self, context: dict) -> int:
        """About how many pages the report will have (spreads the layout's progress)."""
        return 1

    def render(self, fp, *, progress: Progress | None = None) -> None:
        """Context (its own progress, up to 10 %), HTML, then WeasyPrint's steps (15 to
        100 %), so that a big report moves the bar at least every 5 %."""
        reason = self.refusal()
        if reason:
            raise ExportRefused(reason)
        with self._language():
            context = self._context(progress)
            parts = self.parts(context)
            if parts is None:
                html = render_to_string(self.template_name, context)
                if progress:
                    progress(15)
                html_to_pdf(
                    html, fp, progress=progress, pages=self.expected_pages(context), span=(15, 100)
                )
            else:
                write_joined(
                    [(self._part_html(context, extra), pages) for extra, pages in parts],
                    fp,
                    progress=progress,
                    span=(10, 100),
                    cover=self.cover,
                )
        if progress:
            progress(100)

    def _part_html(self, context, extra):
        return lambda: render_to_string(
            self.template_name, {**context, **extra, "numbered_apart": True}
        )
