"""Template filters for what the rules engine stored (`{% load ratings %}`).

- `{{ note|note }}`: a trace line or a quota reason (a `scoring.rules.Note`, or the JSON
  form `Note.as_json` stored in `Rating.explain` and `Campaign.quota_report`) in the
  reader's language. Every page that shows a trace renders it through this filter.
- `{{ rating.bonus|addition }}`, `{{ rating.penalty|deduction }}`: points with their sign,
  "+3.00" and "−5.00"; no sign on zero ("0.00", never "−0.00").
"""

from decimal import Decimal

from django import template
from django.utils.translation import gettext

from scoring.rules import Note

register = template.Library()


@register.filter
def note(value) -> str:
    """The note rendered with the active language's catalogue (autoescaped as text)."""
    if value is None or value == "":
        return ""
    if not isinstance(value, Note):
        value = Note.from_json(value)
    return value.render(gettext)


def _signed(value, sign: str) -> str:
    if value is None or value == "":
        return "—"
    amount = Decimal(value)
    shown = str(abs(amount).quantize(Decimal("0.01")))
    return shown if not amount else f"{sign}{shown}"


@register.filter
def addition(value) -> str:
    """Points added: "+3.00"; "0.00" for none."""
    return _signed(value, "+")


@register.filter
def deduction(value) -> str:
    """Points taken off (stored as a positive number): "−5.00"; "0.00" for none."""
    return _signed(value, "−")
