"""Charts, drawn on the server as SVG with pygal so that one chart serves a web page and
a PDF alike (docs/reports.md §6, docs/decisions.md D-6a).

pygal always writes a script, a style block and style attributes into its SVG, which the
content security policy would block inline: a chart is therefore always embedded as an
image, `<img src="{{ chart }}">` — with the data URI these functions return (PDFs, the
star history), or, given `svg=True`, from a URL of its own serving the SVG they return
(the dashboard, D-7pa: the page stays small). Every font of the style is the CJK face,
or WeasyPrint falls back to a Japanese one.
"""

import base64
import math

import pygal
from pygal.style import Style

FONT = "'Noto Sans CJK SC', sans-serif"
#: The palette: the stars' gold first, then the badge colours of the pages.
COLOURS = ("#c8102e", "#d4a017", "#0d6efd", "#198754", "#6c757d", "#6f42c1", "#fd7e14")


def style(colours=COLOURS) -> Style:
    fonts = {
        name: FONT
        for name in (
            "font_family",
            "label_font_family",
            "major_label_font_family",
            "value_font_family",
            "value_label_font_family",
            "title_font_family",
            "legend_font_family",
            "tooltip_font_family",
            "no_data_font_family",
        )
    }
    return Style(
        background="white",
        plot_background="white",
        foreground="#212529",
        foreground_strong="#212529",
        foreground_subtle="#dee2e6",
        colors=colours,
        label_font_size=13,
        major_label_font_size=13,
        value_font_size=12,
        legend_font_size=13,
        title_font_size=15,
        **fonts,
    )


#: The width of a digit or Latin letter of the labels, in em (Noto Sans CJK SC: 0.55–0.6).
LABEL_EM = 0.62


def _options(**options) -> dict:
    base = {
        "style": style(),
        "js": [],
        "disable_xml_declaration": True,
        "width": 640,
        "height": 320,
        "show_legend": False,
        "print_values": True,
        "margin": 12,
        "no_data_text": "—",
    }
    base.update(options)
    return base


def svg_of(chart) -> bytes:
    """The chart's SVG document, UTF-8."""
    svg = chart.render()
    return svg.encode("utf-8") if isinstance(svg, str) else svg


def data_uri(chart) -> str:
    """The chart as an `<img>` source (see the module's note)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg_of(chart)).decode("ascii")


def _out(chart, svg: bool):
    return svg_of(chart) if svg else data_uri(chart)


def bars(labels, values, *, title="", svg=False, **options):
    """A bar chart of one series: `labels[i]` under `values[i]`."""
    chart = pygal.Bar(**_options(title=title, **options))
    chart.x_labels = [str(label) for label in labels]
    chart.add("", list(values))
    return _out(chart, svg)


def lines(labels, series: dict, *, title="", svg=False, **options):
    """A line chart: x `labels`, one line per `series` name → values (None: no point).

    pygal centres each x label under its point and the last point sits on the plot's
    right edge, so an upright last label ran half out of the image (a date cut to
    "2025-07-"): the right margin is widened by half its width (rotated labels start at
    their point and pygal makes room for them itself)."""
    labels = [str(label) for label in labels]
    if labels and len(labels) > 1 and not options.get("x_label_rotation"):
        half = math.ceil(len(labels[-1]) * style().label_font_size * LABEL_EM / 2)
        options.setdefault("margin_right", _options()["margin"] + half)
    chart = pygal.Line(**_options(title=title, show_legend=len(series) > 1, **options))
    chart.x_labels = [str(label) for label in labels]
    for name, values in series.items():
        chart.add(str(name), list(values))
    return _out(chart, svg)


def grouped_bars(labels, series: dict, *, title="", svg=False, **options):
    """Bars grouped by `labels`, one colour per `series` name."""
    chart = pygal.Bar(**_options(title=title, show_legend=len(series) > 1, **options))
    chart.x_labels = [str(label) for label in labels]
    for name, values in series.items():
        chart.add(str(name), list(values))
    return _out(chart, svg)


def horizontal_bars(labels, series: dict, *, title="", bar_height=16, svg=False, **options):
    """Bars grouped by `labels` lying along the y axis, one colour per `series` name: long
    names (organisations) read in full on the left, on a phone too. The height follows
    the number of bars (`bar_height` pixels each, with room for the legend)."""
    groups = max(1, len(labels))
    settings = {
        "height": 110 + groups * max(1, len(series)) * bar_height + groups * 10,
        "show_legend": len(series) > 1,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": min(3, max(1, len(series))),
        "truncate_label": -1,
        "truncate_legend": -1,
    }
    # pygal sizes the label column as if every character were half a square wide; a
    # Chinese character is a whole one, so the column gets the other half as margin.
    longest = max((len(str(label)) for label in labels), default=0)
    settings["margin_left"] = 12 + round(longest * style().label_font_size * 0.5)
    settings.update(options)
    chart = pygal.HorizontalBar(**_options(title=title, **settings))
    chart.x_labels = [str(label) for label in labels]
    for name, values in series.items():
        chart.add(str(name), list(values))
    return _out(chart, svg)
