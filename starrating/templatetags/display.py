"""Template tags that show a value the same way on every page.

- `{% status_badge obj %}` (or `{% status_badge obj "audit_status" %}`): a status as a
  badge, its label from the model's choices and its colour from `BADGE_COLOURS`, so one
  status has one label and one colour everywhere.
- `{% colon %}` and `|bracket`: the label separator and brackets of the reader's language
  (full-width in Chinese, half-width in English).
- `|star_name`: a star in words (五星级, 不定星级), the same words as the engine's trace.
- `|star_marks`: a star's five marks, ★ filled and ☆ empty (`partials/stars.html`).
- `|percent`: a share as a percentage (0.2 → 20%, 0.125 → 12.5%), exact, never "-0%".
- `{% include "partials/empty.html" with text=… %}` is the empty-state card (a template).
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from starrating import wording

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
    # an improvement plan (improvement.models.PlanStatus)
    "filed": "info",
    "acknowledged": "success",
    # a branch's election at the campaign's reference date
    "on_time": "success",
    "overdue": "warning",
    "overdue_over_1y": "warning",
    # export jobs (docs/reports.md §6)
    "queued": "secondary",
    "running": "primary",
    "done": "success",
    "failed": "danger",
}


@register.simple_tag
def status_badge(obj, field="status", extra=""):
    value = getattr(obj, field)
    label = getattr(obj, f"get_{field}_display")()
    colour = BADGE_COLOURS.get(value, "secondary")
    classes = f"badge text-bg-{colour}" + (f" {extra}" if extra else "")
    return format_html('<span class="{}">{}</span>', classes, label)


register.simple_tag(wording.colon)
register.filter(wording.bracket)
register.filter(wording.star_name)
register.filter(wording.percent)

#: One empty mark of `star_marks`: dimmed, so that the filled ones read as the star.
_EMPTY_MARK = '<span class="text-body-tertiary">☆</span>'


@register.filter(is_safe=True)
def star_marks(star: int) -> str:
    """The five marks of a star of 1 to 5, written at once: the lists draw a star a row,
    and a template loop over the marks took most of the partial's time."""
    filled = min(max(int(star), 0), 5)
    return mark_safe("★" * filled + _EMPTY_MARK * (5 - filled))
