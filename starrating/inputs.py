"""What counts as a number and as free text in anything a person types (docs/nonfunctional.md §7).

The one home of both rules; form fields (`starrating.forms`), the workflow services and
the roster import all call these functions, so a value means the same wherever it comes
in. Plain Python: no Django import.

Numbers. Python's `int()` and `Decimal()` read far more than a person means by a number:
full-width digits (１２), other scripts' digits (٣), underscores (1_000), exponents (1e3),
"NaN" and "Infinity". Here a number is ASCII digits with at most one decimal point and an
optional leading sign, nothing else (surrounding white space is ignored). Ranges are the
caller's business; the sign is part of the grammar so that "-1" is reported as out of
range rather than as not a number.

Free text. Control characters (C0 and C1, DEL) and the bidirectional embedding,
override and isolate controls (U+202A–U+202E, U+2066–U+2069) are removed, silently:
they are invisible, so a person could neither see nor fix what a refusal complained
about; they arrive by pasting from other programs; and what they can do is only harm
(a NUL that PostgreSQL refuses, a right-to-left override that makes a remark read
differently from what is stored). Multi-line text keeps tab, line feed and carriage
return; single-line text turns every line break and tab into a space.
"""

import re
from decimal import Decimal

#: ASCII digits, one optional decimal point, an optional sign; nothing else.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")

#: Removed from all free text: C0 except tab, LF, CR; DEL; C1; bidi embeddings,
#: overrides and isolates.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: Line breaks and tabs: kept in multi-line text (U+2028/U+2029 become a line feed),
#: a space in single-line text.
_BREAKS = re.compile(r"[\t\n\r\u2028\u2029]+")
_UNICODE_BREAKS = re.compile(r"[\u2028\u2029]")

#: Defaults for free-text fields (forms may set less, never more).
LINE_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 2000


class NotANumber(ValueError):
    """The text is not a number by the rule above."""


class NotAWholeNumber(ValueError):
    """The value is a number but not a whole one."""


def parse_decimal(value) -> Decimal:
    """`value` (text, int, float or Decimal) as a finite Decimal, or NotANumber.

    Text must match the number rule. Values that are numbers already (from code, not
    typed) are taken as they are when finite: an int, a Decimal, a float as its
    shortest repr (49.5 → 49.5). A bool is not a number.
    """
    if isinstance(value, bool):
        raise NotANumber(value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise NotANumber(value)
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not _NUMBER.fullmatch(text):
            raise NotANumber(value)
        number = Decimal(text)
    else:
        raise NotANumber(value)
    return abs(number) if number.is_zero() else number  # "-0" is 0


def parse_int(value) -> int:
    """`value` as an int: a number by the rule above that is whole ("3", "3.0")."""
    number = parse_decimal(value)
    if number != number.to_integral_value():
        raise NotAWholeNumber(value)
    return int(number)


def clean_text(value: str, *, multiline: bool) -> str:
    """`value` without invisible control characters (see the module docstring)."""
    text = _INVISIBLE.sub("", value)
    if multiline:
        return _UNICODE_BREAKS.sub("\n", text)
    return _BREAKS.sub(" ", text)
