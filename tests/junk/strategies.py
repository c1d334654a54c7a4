"""The junk a bad-input campaign types into fields and uploads as files
(docs/nonfunctional.md §7, *Bad input*): hypothesis strategies, each a mix of fixed
nasty values, which every target meets early, and generated ones.

- `junk_text`: what a field receives: empty and huge strings, every Unicode plane, NUL
  and control characters, right-to-left overrides, lone surrogates, full-width and other
  scripts' digits, negative numbers, NaN, infinities, 1e309, numbers past any database
  column's range, HTML and script, SQL fragments, spreadsheet formulas, dates that do not
  exist; `WRONG_TYPES` are what a form field should never get: a list of values where one
  is expected, or no value at all (`MISSING`).
- `junk_file`: what an upload receives: (name, bytes) of the wrong type, a truncated PDF, a
  polyglot, a zip bomb as .docx and .xlsx, too many zip members, an empty file, a file past
  the upload limit, a right-to-left override or NUL or folders in the name.
"""

import io
import zipfile

from django.conf import settings
from hypothesis import strategies as st

from tests import factories
from tests.archives import MiB, build_zip, rebuild_with_bomb

#: The field is left out of the POST altogether.
MISSING = object()


class Many(tuple):
    """Several values for one field name (``a=1&a=2``): a list where one value is meant."""


class Blob(bytes):
    """A file's bytes that print short (a failing example names the file, not 10 MB)."""

    def __repr__(self):
        return f"Blob({len(self)} bytes: {bytes(self[:24])!r}…)"


NUMBERS = [
    "-1",
    "-0",
    "-0.0001",
    "-99999999999",
    "0",
    "00000000000000000000000000001",
    "3.",
    ".5",
    "1,5",
    "1_000",
    "0x10",
    "1e3",
    "1e309",
    "-1e309",
    "1e-400",
    "NaN",
    "nan",
    "sNaN",
    "Infinity",
    "-inf",
    "2147483648",
    "-2147483649",
    "9223372036854775808",
    "-9223372036854775809",
    "9" * 40,
    "1" + "0" * 400,
    "０",
    "１２３",
    "٣",
    "३",
    "²",
    "Ⅻ",
    "十",
    "+5",
    " 5 ",
    "5\x00",
    "\u20075",
]
TEXTS = [
    "",
    " ",
    "\t\r\n",
    "\x00",
    "a\x00b",
    "\x01\x02\x1b[31m\x7f\x9f",
    "\u202eevil\u202c",
    "\u2066\u2067\u2068\u2069",
    "\u200b\u200c\u200d\ufeff",
    "\ud800",
    "\udfff\ud800",
    "\uffff\ufffe",
    "\U0001f600\U0001f44d\u200d\U0001f3fb",
    "\U0002a6d6\U00030000",
    "\U000e0001\U000e007f",
    "\U000f0000\U0010ffff",
    "Z\u0351\u0360\u036b\u0343\u036a\u0302" * 50,
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}{% debug %}",
    "'; DROP TABLE scoring_campaign; --",
    "' OR '1'='1",
    "1; SELECT pg_sleep(10)",
    "%00%27",
    '=HYPERLINK("http://evil.example","x")',
    "=1+1",
    "+cmd|' /C calc'!A0",
    "@SUM(1)",
    "-2+3",
    "../../etc/passwd",
    "null",
    "None",
    "true",
    "[]",
    "{}",
    "2026-02-30",
    "9999-12-31",
    "10000-01-01",
    "0000-00-00",
    "0001-01-01",
    "-2026-01-01",
    "2026-13-01",
    "x" * 2001,
    "中" * 5000,
    "x" * 200_000,
]
WRONG_TYPES = [MISSING, Many(("1", "2")), Many(("", "<b>x</b>", "中"))]

#: One character of each Unicode plane (0–16), of each category hypothesis knows.
any_character = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, categories=None)
plane_characters = st.integers(0, 16).flatmap(
    lambda plane: st.integers(plane * 0x10000, plane * 0x10000 + 0xFFFF).map(chr)
)

junk_text = st.one_of(
    st.sampled_from(NUMBERS),
    st.sampled_from(TEXTS),
    st.sampled_from(WRONG_TYPES),
    st.text(st.one_of(any_character, plane_characters), max_size=60),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)


# --- Files ----------------------------------------------------------------------------------

_PDF = factories.PDF
_BOMB_SIZE = 200 * MiB  # past starrating.archives.MAX_UNPACKED_BYTES (100 MiB)


def _docx_bomb():
    return build_zip([("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<x/>")],
                     bomb=("word/media/zero.bin", _BOMB_SIZE))  # fmt: skip


def _many_parts():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<x/>")
        for number in range(1200):
            archive.writestr(f"p/{number}", "")
    return buffer.getvalue()


FILES = [
    ("empty.pdf", b""),
    ("truncated.pdf", _PDF[: len(_PDF) // 2]),
    ("header-only.pdf", b"%PDF-1.4\n"),
    ("lying.pdf", _PDF.replace(b"startxref\n", b"startxref\n99999999")),
    ("picture.pdf", factories.PNG),
    ("document.png", _PDF),
    ("document.jpg", factories.PNG),
    ("page.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ("polyglot.pdf", _PDF[:-6] + b"<script>alert(1)</script>\n%%EOF\n"),
    ("polyglot.png", factories.PNG + b"PK\x03\x04" + factories.docx_bytes()),
    ("program.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 200 + _PDF),
    ("program.exe", b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00\x4c\x01"),
    ("script.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ("text.txt", "中文说明".encode()),
    ("bomb.docx", _docx_bomb()),
    ("bomb.xlsx", rebuild_with_bomb(factories.xlsx_bytes(), "xl/media/zero.bin", _BOMB_SIZE)),
    ("parts.docx", _many_parts()),
    ("fake.docx", b"PK\x03\x04 not really a zip"),
    ("sheet.docx", factories.xlsx_bytes()),
    ("noise.bin", bytes(range(256)) * 40),
]
#: Good content under names that must never reach the disk as they are: the file is
#: accepted, stored under a random name, the name kept only for display.
NAMES = [
    "../../x.pdf",
    "..\\..\\x.pdf",
    "/etc/x.pdf",
    "a\x00.pdf",
    "\u202efdp.exe.pdf",
    "CON.pdf",
    " .pdf",
    "中" * 300 + ".pdf",
    "<script>.pdf",
    "x.PDF",
]


def _too_large(limit: int):
    return ("big.pdf", _PDF[:-6] + b"\x00" * (limit + 1 - len(_PDF)) + b"\n%%EOF\n")


@st.composite
def junk_file(draw, *, good=("ok.pdf", _PDF)):
    """(name, bytes) of a file the upload must refuse or store under a random name."""
    limit = max(settings.UPLOAD_MAX_BYTES.values())
    name, content = draw(
        st.one_of(
            st.sampled_from(FILES),
            st.sampled_from(NAMES).map(lambda name: (name, good[1])),
            st.just(_too_large(limit)),
            st.tuples(st.just("random.pdf"), st.binary(max_size=2048)),
            st.tuples(st.just("noise.pdf"), st.binary(max_size=64).map(lambda b: b"%PDF-" + b)),
        )
    )
    return name, Blob(content)
