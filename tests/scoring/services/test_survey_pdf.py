"""The printable sheet of slips (docs/survey.md §2.1.2, docs/reports.md §6)."""

import re
import shutil
import subprocess

import pytest

from scoring.services import survey as service


@pytest.fixture
def fast_pdf():
    """Overrides the conftest stub: these tests render the real sheet."""


@pytest.fixture
def sheet(tree, assessment):
    issued = service.open_survey(
        assessment=assessment,
        actor=tree.secretary,
        public_slips=3,
        link_base="https://dj.example.org/v/",
    )
    return issued, issued.sheet.file.read()


def test_the_sheet_is_a_pdf(sheet):
    _issued, pdf = sheet
    assert pdf.startswith(b"%PDF")


def test_the_sheet_holds_one_qr_image_per_code(sheet, tmp_path):
    issued, pdf = sheet
    if not shutil.which("pdfimages"):
        pytest.fail("poppler-utils is missing: make setup installs it")
    path = tmp_path / "slips.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout
    images = [line for line in listing.splitlines()[2:] if re.search(r"\bimage\b", line)]
    assert len(images) == len(issued.codes) == 13


def test_the_sheet_prints_each_code_grouped_and_the_branch(sheet, tree, tmp_path):
    issued, pdf = sheet
    if not shutil.which("pdftotext"):
        pytest.fail("poppler-utils is missing: make setup installs it")
    path = tmp_path / "slips.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for _kind, code in issued.codes:
        assert service.format_code(code) in text
    assert tree.branch_a.name in text


def test_the_qr_codes_hold_the_ballot_url_with_the_code_in_the_path():
    assert service.ballot_link("https://dj.example.org/v/", "abcd-efgh-jk") == (
        "https://dj.example.org/v/ABCDEFGHJK/"
    )


def test_the_sheet_embeds_a_chinese_font(sheet, tmp_path):
    _issued, pdf = sheet
    if not shutil.which("pdffonts"):
        pytest.fail("poppler-utils is missing: make setup installs it")
    path = tmp_path / "slips.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "NotoSansCJK" in fonts.replace("-", "")
