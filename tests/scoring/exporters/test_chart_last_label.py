"""The star-history line chart keeps its last x label inside the image (scoring/charts.py,
docs/reports.md §6): pygal centres an upright label under its point, and the last point
is on the plot's right edge. The label's width is measured with the font itself."""

import base64
import re
import subprocess

import pytest
from PIL import ImageFont

from scoring import charts

DATES = ["2023-07-01", "2024-07-01", "2025-07-06", "2026-07-06"]


def svg_of(uri: str) -> str:
    return base64.b64decode(uri.split(",", 1)[1]).decode("utf-8")


def font(size):
    path = subprocess.run(
        ["fc-match", "-f", "%{file}", "Noto Sans CJK SC"], capture_output=True, text=True
    ).stdout
    return ImageFont.truetype(path, size, index=2)  # the .ttc's SC face


def right_end_of_last_label(svg: str) -> tuple[float, float]:
    """(where the last x label ends, the image's width), in SVG pixels."""
    width = float(re.search(r"viewBox=\"0 0 ([\d.]+) ", svg).group(1))
    plot_x = float(re.search(r'translate\(([\d.]+), [\d.]+\)" class="plot"', svg).group(1))
    axis = svg[svg.index('class="axis x') :]
    x, label = re.findall(r'<text x="([\d.]+)"[^>]*>([^<]+)</text>', axis)[-1]
    size = charts.style().label_font_size
    return plot_x + float(x) + font(size).getlength(label) / 2, width


@pytest.mark.parametrize("count", [2, 3, 4])
def test_the_last_upright_date_label_fits_in_the_image(count):
    uri = charts.lines(
        DATES[:count],
        {"星级": [3, 4, 4, 5][:count]},
        range=(0, 5),
        y_labels=list(range(6)),
        truncate_label=-1,
        height=220,
        width=480,
    )
    end, width = right_end_of_last_label(svg_of(uri))
    assert end <= width - 2, (end, width)


def test_the_history_chart_of_the_branch_page_fits_its_last_label():
    import datetime
    from types import SimpleNamespace

    from scoring.services.stars import history_chart

    changes = [
        SimpleNamespace(effective=datetime.date(2024 + i, 7, 1), to_star=3 + i % 2)
        for i in range(3)
    ]
    end, width = right_end_of_last_label(svg_of(history_chart(changes)))
    assert end <= width - 2
