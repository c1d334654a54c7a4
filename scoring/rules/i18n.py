"""Translatable messages without Django (docs/rules.md §4.9).

The engine may not import Django, yet its trace is read in the reader's language. So every
trace line and every `InvalidInput` message is a `Note`: an English msgid marked with `N_`
(the project's ``makemessages`` collects it into the app catalogue, ``locale/``) and the
parameters to put into it. The web app stores notes as JSON (`Note.as_json`) and renders
them in the reader's language when shown (`Note.render`).
"""

from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import NamedTuple, Union

CENT = Decimal("0.01")

#: A parameter of a note: shown as is (str, int), with two decimals (Decimal), or rendered
#: itself first (Note: labels such as an event name or a level).
Param = Union[str, int, Decimal, "Note"]

Translate = Callable[[str], str]

_NO_PARAMS: Mapping[str, Param] = MappingProxyType({})


def N_(message: str) -> str:
    """Mark *message* for extraction; it is translated only when a Note is rendered."""
    return message


def untranslated(message: str) -> str:
    """The identity translation: renders notes in their English source text."""
    return message


class Note(NamedTuple):
    """One translatable message: ``translate(msgid) % params``.

    A note is immutable and cheap (a 2-tuple); the engine builds its params once and never
    changes them, and callers must not either. Literal percent signs in msgids are
    written ``%%``: every note is formatted, with or without params.
    """

    msgid: str
    params: Mapping[str, Param] = _NO_PARAMS

    def render(self, translate: Translate = untranslated) -> str:
        """The message in the language of *translate* (e.g. Django's ``gettext``)."""
        params = self.params
        if not params:
            return translate(self.msgid) % _NO_PARAMS
        # Inlined type dispatch: a big campaign renders millions of params.
        shown = {}
        for key, value in params.items():
            kind = type(value)
            if kind is Decimal:
                value = str(value.quantize(CENT, ROUND_HALF_UP))
            elif kind is Note:  # a label: most have no params of their own
                if value.params:
                    value = value.render(translate)
                else:
                    value = translate(value.msgid) % _NO_PARAMS
            shown[key] = value
        return translate(self.msgid) % shown

    def __str__(self) -> str:
        return self.render()

    def as_json(self) -> list:
        """``[msgid, params]`` with JSON-safe params (Decimals become their 2-decimal text)."""
        return [self.msgid, {k: _jsonable(v) for k, v in self.params.items()}]

    @classmethod
    def from_json(cls, data: list) -> "Note":
        """The note that `as_json` wrote; it renders to the same text."""
        msgid, params = data
        return cls(
            msgid,
            {k: cls.from_json(v) if isinstance(v, list) else v for k, v in params.items()},
        )


def render_all(notes: Iterable[Note], translate: Translate = untranslated) -> list[str]:
    """Every note of a trace, rendered."""
    return [note.render(translate) for note in notes]


def format_decimal(value: Decimal) -> str:
    """Two decimals, half up: how every score is shown (docs/rules.md §4.5)."""
    return str(value.quantize(CENT, ROUND_HALF_UP))


def _jsonable(value: Param) -> str | int | list:
    kind = type(value)
    if kind is Decimal:
        return format_decimal(value)
    if kind is Note:
        return value.as_json()
    return value
