"""Workbooks, written once for every exporter: openpyxl in write-only mode (rows are
streamed, never held), Chinese headers in bold on a frozen first row, an autofilter over
the list, column widths and number formats; every text cell made safe (`cell_value`).
"""

import re
from collections.abc import Iterable
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from .base import Progress, Sheet

#: What Excel refuses in a cell (XML 1.0 forbids them; Excel reports the file as corrupt):
#: C0 controls but tab, LF and CR; lone surrogates; U+FFFE and U+FFFF.
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: A text starting with one of these is what Excel (or a CSV reader) takes as a formula
#: or a command: =, +, -, @, a tab, CR or LF (OWASP, "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
#: Excel's limit of characters in one cell.
MAX_CELL = 32767

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="FFE8E8E8")


def clean_text(text: str) -> tuple[str, bool]:
    """`text` as a cell may hold it, and whether it must be kept as text.

    Characters Excel rejects are removed and the text cut to Excel's limit; a text that
    then starts like a formula is flagged: the writer stores it as a string with Excel's
    quote prefix, so Excel shows it as typed and never runs it — even once the cell is
    edited — while the text itself is kept unchanged (read back, it equals the stored one).
    """
    text = ILLEGAL.sub("", text)[:MAX_CELL]
    return text, text.startswith(FORMULA_START)


def cell_value(ws, value, number_format=None):
    """What to append for `value` in write-only sheet `ws`: the plain value, or a styled
    cell (a guarded text, a number with its format); openpyxl writes Decimals as numbers."""
    if isinstance(value, str):
        text, guarded = clean_text(value)
        if not guarded:
            return text
        cell = WriteOnlyCell(ws, value="")
        cell.value = text
        cell.data_type = "s"  # never "f": openpyxl would take "=…" for a formula
        cell.quotePrefix = True
        return cell
    if number_format and isinstance(value, int | float | Decimal):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = number_format
        return cell
    return value


def _write_sheet(book: Workbook, sheet: Sheet, tick) -> None:
    ws = book.create_sheet(title=sheet.title[:31])
    for index, column in enumerate(sheet.columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    header_row = len(sheet.notes) + 1
    ws.freeze_panes = f"A{header_row + 1}"
    for note in sheet.notes:
        ws.append([cell_value(ws, note)])
    header = []
    for column in sheet.columns:
        cell = WriteOnlyCell(ws, value=clean_text(column.header)[0])
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        header.append(cell)
    ws.append(header)
    formats = [column.number_format for column in sheet.columns]
    count = 0
    for row in sheet.rows:
        ws.append([cell_value(ws, value, fmt) for value, fmt in zip(row, formats, strict=True)])
        count += 1
        tick(count)
    if not sheet.autofilter:
        return
    last = get_column_letter(len(sheet.columns))
    ws.auto_filter.ref = f"A{header_row}:{last}{header_row + count}"


def write_workbook(sheets: Iterable[Sheet], fp, *, progress: Progress | None = None) -> None:
    """Write `sheets` as one workbook to `fp`; `progress(percent)` after each sheet and
    every 5 % of a sheet whose row count is known (sheets weigh the same)."""
    sheets = list(sheets)  # the sheets, not their rows: those stay generators
    book = Workbook(write_only=True)
    reported = [-1]

    def report(percent):
        if progress and percent > reported[0]:
            reported[0] = percent
            progress(percent)

    for position, sheet in enumerate(sheets):
        start = 100 * position / len(sheets)
        span = 100 / len(sheets)
        step = max(1, (sheet.total or 0) // 20)

        def tick(done, sheet=sheet, start=start, span=span, step=step):
            if sheet.total and done % step == 0:
                report(int(start + span * min(done, sheet.total) / sheet.total))

        _write_sheet(book, sheet, tick)
        report(min(99, int(start + span)))
    book.save(fp)
    report(100)
