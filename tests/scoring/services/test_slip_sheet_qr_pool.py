"""A big slip sheet's QR codes made by a pool of processes (docs/decisions.md D-7sd)."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
import segno
from django.conf import settings
from django.utils import translation
from PIL import Image

from scoring.services import slip_qr
from scoring.services import survey as service

LINK = "https://dj.example.org/v/"


@pytest.fixture
def fast_pdf():
    """Overrides the conftest stub: these tests render the real sheet."""


@pytest.fixture
def pools(monkeypatch):
    """The pools started (their `max_workers`), the real ones still made."""
    started = []
    real = slip_qr.ProcessPoolExecutor

    def pool(*args, **kwargs):
        started.append(kwargs["max_workers"])
        return real(*args, **kwargs)

    monkeypatch.setattr(slip_qr, "ProcessPoolExecutor", pool)
    return started


def _codes(count):
    return [("member" if n % 3 else "public", service.new_code()) for n in range(count)]


def _render(survey, codes):
    with translation.override("zh-hans"):
        return service.render_slip_sheet(survey, codes, LINK)


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_a_qr_image_is_the_links_code_one_pixel_a_module_in_a_border_of_two():
    link = f"{LINK}ABCDEFGHJK/"
    code = segno.make(link, error="m")
    image = Image.open(io.BytesIO(slip_qr.qr_png(link)))
    assert image.mode == "L"  # 8-bit grey: WeasyPrint embeds it as it is
    side = len(code.matrix) + 4
    assert image.size == (side, side)
    dark = [[image.getpixel((x, y)) == 0 for x in range(2, side - 2)] for y in range(2, side - 2)]
    assert dark == [[bool(module) for module in row] for row in code.matrix]
    assert not any(image.getpixel((x, 0)) == 0 for x in range(side))  # the quiet border


def test_the_pool_gives_each_link_its_own_image_in_order():
    links = [f"{LINK}{service.new_code()}/" for _ in range(slip_qr.CHUNK + 3)]
    with slip_qr.QrImages(links, pooled=True) as images:
        made = [images[index] for index in range(len(links))]
    assert made == [slip_qr.qr_png(link) for link in links]


def test_the_pools_processes_import_no_django():
    # A pool's process imports the module of its task by name, and the packages above it.
    done = subprocess.run(
        [sys.executable, "-c", "import sys, scoring.services.slip_qr; print(sorted(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(settings.BASE_DIR),
    )
    modules = done.stdout
    assert "'segno'" in modules and "django" not in modules


def test_a_sheet_made_with_the_pool_is_the_sheet_made_in_process(
    survey, criteria, monkeypatch, pools, tmp_path
):
    codes = _codes(7)
    in_process = _render(survey, codes)
    assert pools == []
    monkeypatch.setattr(service.slips, "QR_IN_PROCESS", 4)
    pooled = _render(survey, codes)
    assert pools == [slip_qr.PROCESSES]
    assert pooled == in_process  # the same pages, images and codes, byte for byte
    text = _text(pooled, tmp_path)
    assert text == _text(in_process, tmp_path)
    assert [text.count(service.format_code(code)) for _kind, code in codes] == [1] * 7


def test_sheets_of_the_request_make_their_qr_codes_in_process(survey, criteria, pools):
    from scoring.services.survey import sheet_jobs

    assert sheet_jobs.IN_REQUEST <= service.slips.QR_IN_PROCESS
    _render(survey, _codes(5))
    assert pools == []


def test_a_qr_code_that_cannot_be_made_fails_the_sheet(survey, criteria, monkeypatch):
    def broken(_images, _index):
        raise RuntimeError("the pool broke")

    monkeypatch.setattr(slip_qr.QrImages, "__getitem__", broken)
    with pytest.raises(RuntimeError, match="the pool broke"):
        _render(survey, _codes(3))


def test_the_pool_writes_no_code_to_a_file(survey, criteria, monkeypatch, tmp_path):
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))  # the pool's processes' and this one's
    monkeypatch.setattr("tempfile.tempdir", None)
    monkeypatch.setattr(service.slips, "QR_IN_PROCESS", 2)
    codes = _codes(5)
    _render(survey, codes)
    plain = [code for _kind, code in codes] + [service.format_code(c) for _k, c in codes]
    written = b"".join(path.read_bytes() for path in folder.rglob("*") if path.is_file())
    assert not [code for code in plain if code.encode() in written]
