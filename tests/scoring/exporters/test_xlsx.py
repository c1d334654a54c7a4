"""The workbook writer shared by every exporter: safe text, header, filter, formats."""

import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from scoring.exporters import Column, Sheet
from scoring.exporters.xlsx import clean_text, write_workbook

DANGEROUS = ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(A1)", "\tTab", "\rCR", "\nLF"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("第一党支部", ("第一党支部", False)),
        ("=1+1", ("=1+1", True)),
        ("+1", ("+1", True)),
        ("-1", ("-1", True)),
        ("@SUM(A1)", ("@SUM(A1)", True)),
        ("\tx", ("\tx", True)),
        ("\rx", ("\rx", True)),
        ("\nx", ("\nx", True)),
        ("a\x00b\x07c\x1fd\ufffe", ("abcd", False)),
        ("\x01=1", ("=1", True)),  # removed first, then checked
        ("x" * 40000, ("x" * 32767, False)),
        ("line\nbreak\tok", ("line\nbreak\tok", False)),
    ],
)
def test_clean_text_removes_what_excel_rejects_and_flags_formulas(raw, expected):
    assert clean_text(raw) == expected


def _book(sheets, progress=None):
    out = io.BytesIO()
    write_workbook(sheets, out, progress=progress)
    return out.getvalue()


def test_formula_like_text_is_read_back_as_text_never_as_formula():
    sheet = Sheet("名单", [Column("组织", 20)], [(name,) for name in DANGEROUS])
    data = _book([sheet])
    ws = load_workbook(io.BytesIO(data))["名单"]
    cells = [row[0] for row in ws.iter_rows(min_row=2)]
    # XML parsers read a bare CR as LF (XML 1.0 §2.11): the text is otherwise unchanged.
    assert [c.value for c in cells] == [name.replace("\r", "\n") for name in DANGEROUS]
    assert {c.data_type for c in cells} == {"s"}
    assert all(c.quotePrefix for c in cells)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


def test_header_frozen_filtered_with_widths_and_number_formats():
    columns = [Column("组织", 30), Column("总分", 10, "0.00")]
    rows = [("甲", Decimal("91.5")), ("乙", Decimal("80"))]
    data = _book([Sheet("星级名单", columns, rows)])
    ws = load_workbook(io.BytesIO(data))["星级名单"]
    assert [c.value for c in ws[1]] == ["组织", "总分"]
    assert ws[1][0].font.bold
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:B3"
    assert ws.column_dimensions["A"].width == 30
    assert ws["B2"].value == 91.5 and ws["B2"].number_format == "0.00"


def test_progress_is_reported_rising_to_100():
    seen = []
    sheets = [
        Sheet("一", [Column("a")], [(i,) for i in range(100)], total=100),
        Sheet("二", [Column("a")], [(i,) for i in range(100)], total=100),
    ]
    _book(sheets, progress=seen.append)
    assert seen == sorted(set(seen)) and seen[-1] == 100
    assert len(seen) >= 20  # at least every 5 %


def test_a_name_with_characters_excel_rejects_is_written_without_them():
    # openpyxl would refuse the cell (IllegalCharacterError), Excel would call the file corrupt
    data = _book([Sheet("名单", [Column("组织")], [("第一\x07党支部\x00",)])])
    assert load_workbook(io.BytesIO(data))["名单"]["A2"].value == "第一党支部"
