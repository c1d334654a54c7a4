"""How values read in the user's language: one wording for every page, export and message.

Plain functions, used by the services (in messages) and registered as template tags and
filters by `starrating.templatetags.display`.
"""

from decimal import Decimal

from django.utils.html import format_html
from django.utils.translation import gettext, pgettext

from scoring.rules.labels import STAR_LABELS


def colon():
    """The separator after a label: "：" in Chinese, ": " in English."""
    return pgettext("label separator", ": ")


def bracket(value):
    """`value` in brackets: "（…）" in Chinese, " (…)" in English; escaped."""
    return format_html(pgettext("brackets around a value", " ({})"), value)


def star_name(star):
    """A star as words: 五星级 … 一星级, 不定星级 for 0; "—" for no value."""
    if star is None or star == "":
        return "—"
    return STAR_LABELS[int(star)].render(gettext)


def percent(share):
    """A share (0–1, e.g. a weight) as people read it: 0.2 → "20%", 0.125 → "12.5%";
    exact (no rounding), no trailing zeros, never "-0%"; "—" for no value."""
    if share is None or share == "":
        return "—"
    value = (Decimal(share) * 100).normalize()
    if value == value.to_integral():
        value = value.quantize(Decimal(1))
    return f"{value + 0}%"
