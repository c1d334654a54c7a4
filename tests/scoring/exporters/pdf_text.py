"""Reading a PDF back with poppler-utils (pdftotext, pdffonts), for the PDF reports' tests."""

import shutil
import subprocess

import pytest


def _tool(name):
    if not shutil.which(name):
        pytest.fail("poppler-utils is missing: make setup installs it")
    return name


def text_of(pdf: bytes, tmp_path, *, layout=False) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    args = [_tool("pdftotext"), *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def fonts_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        [_tool("pdffonts"), str(path)], capture_output=True, text=True, check=True
    ).stdout


def pages_of(pdf: bytes) -> int:
    return pdf.count(b"/Type /Page\n") or pdf.count(b"/Type/Page") or pdf.count(b"/Type /Page")


def embeds_cjk(fonts: str) -> bool:
    """A Noto Sans CJK face embedded ("emb yes")."""
    return any(
        "NotoSansCJK" in line.replace("-", "") and " yes " in line for line in fonts.splitlines()
    )
