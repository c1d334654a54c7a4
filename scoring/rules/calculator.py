"""The calculator of docs/rules.md §4.1 as one run: read a document, rate it, write the output.

`manage.py rate` runs it, through its Django command (scoring/management/commands/rate.py)
or, for a plain run, straight from manage.py without the app registry
(starrating/calculator.py): both give the same bytes and exit status (tests compare them).
"""

import sys

from .document import parse
from .engine import rate
from .errors import InvalidInput
from .i18n import N_, Note, Translate
from .output import write_outcome


def calculate(name: str, write, translate: Translate, stdin=None) -> None:
    """Rate the document in file *name* (``-``: *stdin*, or standard input) and write the
    output document with *write*. Raises `InvalidInput` before anything is written."""
    document = parse(read(name, stdin))
    outcome = rate(document.branches, document.policy, document.kind)
    write_outcome(outcome, write, translate)


def read(name: str, stdin=None) -> str:
    """The document's text: UTF-8 (a byte-order mark is tolerated)."""
    try:
        if name == "-":
            stream = stdin or sys.stdin
            raw = stream.buffer.read() if hasattr(stream, "buffer") else stream.read()
        else:
            with open(name, "rb") as file:
                raw = file.read()
        return raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except OSError as exc:
        problem = Note(
            N_("cannot read %(file)s: %(error)s"),
            {"file": name, "error": exc.strerror or str(exc)},
        )
        raise InvalidInput(problem) from None
    except UnicodeDecodeError as exc:
        problem = Note(
            N_("%(file)s is not UTF-8 text (byte %(position)s)"),
            {"file": name, "position": exc.start},
        )
        raise InvalidInput(problem) from None


class Remembered(dict):
    """A translation, remembered: a trace of 100,000 branches repeats a few dozen msgids."""

    def __init__(self, translate: Translate):
        super().__init__()
        self._translate = translate

    def __missing__(self, msgid: str) -> str:
        text = self[msgid] = self._translate(msgid)
        return text
