"""`manage.py rate [FILE|-]`: the rating calculator of docs/rules.md §4.1.

A thin wrapper: read the document, run the very engine the web app runs, print one JSON
document. Bad input prints one message (in the site's language) on standard error, nothing
on standard output, and exits with status 2.
"""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from scoring.rules import InvalidInput, Note, rate
from scoring.rules.document import parse
from scoring.rules.i18n import N_
from scoring.rules.output import write_outcome
from starrating import collector


class Command(BaseCommand):
    help = (
        "Rate branches as docs/rules.md §4 says: read a JSON document from FILE (or standard input "
        "when FILE is - or absent) and print the ratings as JSON."
    )
    # A calculator with no database: the system checks would only slow every run.
    requires_system_checks = []
    stealth_options = ("stdin",)  # call_command(..., stdin=StringIO(...)) in tests

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            nargs="?",
            default="-",
            metavar="FILE",
            help="the input document (docs/rules.md §4.1); - or absent: standard input",
        )

    def handle(self, *args, **options):
        # A run builds millions of small acyclic objects: the cyclic collector would only
        # rescan them, a third of the run time at 100,000 branches.
        with collector.paused():
            self._rate(options)

    def _rate(self, options):
        with translation.override(settings.LANGUAGE_CODE):
            translate = _Catalogue().__getitem__
            try:
                document = parse(self._read(options["file"], options.get("stdin")))
                outcome = rate(document.branches, document.policy, document.kind)
            except InvalidInput as exc:
                self.stderr.write(exc.render(translate))
                raise SystemExit(2) from None
            # Nothing is written before the whole campaign is rated: bad input leaves
            # standard output empty.
            write_outcome(outcome, self._writer(), translate)

    def _read(self, name: str, stdin=None) -> str:
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

    def _writer(self):
        """Write UTF-8 bytes when standard output has them (whatever the locale says)."""
        buffer = getattr(self.stdout, "buffer", None)
        if buffer is None:  # e.g. a StringIO under call_command
            return lambda text: self.stdout.write(text, ending="")

        def write(text: str) -> None:
            buffer.write(text.encode("utf-8"))

        return write


class _Catalogue(dict):
    """gettext, remembered: a trace of 100,000 branches repeats a few dozen msgids."""

    def __missing__(self, msgid: str) -> str:
        text = self[msgid] = translation.gettext(msgid)
        return text
