"""Template tags that show a value the same way on every page.

- `{% status_badge obj %}` (or `{% status_badge obj "audit_status" %}`): a status as a
  badge, its label from the model's choices and its colour from `BADGE_COLOURS`, so one
  status has one label and one colour everywhere.
- `{% colon %}` and `|bracket`: the label separator and brackets of the reader's language
  (full-width in Chinese, half-width in English).
- `|star_name`: a star in words (五星级, 不定星级), the same words as the engine's trace.
- `|percent`: a share as a percentage (0.2 → 20%, 0.125 → 12.5%), exact, never "-0%".
- `{% include "partials/empty.html" with text=… %}` is the empty-state card (a template).
"""

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext

from scoring.rules.labels import STAR_LABELS

register = template.Library()

# Colour of each status value (Bootstrap's text-bg-* names). A value shared by several
# models means the same thing in each (a draft is grey, a submitted sheet green).
BADGE_COLOURS = {
    "draft": "secondary",
    "not_open": "light border",
    "open": "primary",
    "submitted": "success",
    "closed": "success",
    "returned": "warning",
    "not_needed": "light border",
    "pending": "warning",
    "agreed": "success",
    # a campaign's life (scoring.models.CampaignStatus)
    "declaring": "primary",
    "publicity": "info",
    "awaiting_approval": "warning",
    "approved": "success",
    # a branch's election at the campaign's reference date
    "on_time": "success",
    "overdue": "warning",
    "overdue_over_1y": "warning",
}


@register.simple_tag
def status_badge(obj, field="status", extra=""):
    value = getattr(obj, field)
    label = getattr(obj, f"get_{field}_display")()
    colour = BADGE_COLOURS.get(value, "secondary")
    classes = f"badge text-bg-{colour}" + (f" {extra}" if extra else "")
    return format_html('<span class="{}">{}</span>', classes, label)


@register.simple_tag
def colon():
    """The separator after a label: "：" in Chinese, ": " in English."""
    return pgettext("label separator", ": ")


@register.filter
def bracket(value):
    """`value` in brackets: "（…）" in Chinese, " (…)" in English; escaped."""
    return format_html(pgettext("brackets around a value", " ({})"), value)


@register.filter
def star_name(star):
    """A star as words: 五星级 … 一星级, 不定星级 for 0; "—" for no value."""
    if star is None or star == "":
        return "—"
    return STAR_LABELS[int(star)].render(gettext)


@register.filter
def percent(share):
    """A share (0–1, e.g. a weight) as people read it: 0.2 → "20%", 0.125 → "12.5%";
    exact (no rounding), no trailing zeros, never "-0%"; "—" for no value."""
    if share is None or share == "":
        return "—"
    value = (Decimal(share) * 100).normalize()
    if value == value.to_integral():
        value = value.quantize(Decimal(1))
    return f"{value + 0}%"
