"""`manage.py rate [FILE|-]`: the rating calculator of docs/rules.md §4.1.

A thin wrapper: read the document, run the very engine the web app runs, print one JSON
document (`scoring.rules.calculator`). Bad input prints one message (in the site's
language) on standard error, nothing on standard output, and exits with status 2.

A plain run from the shell (`manage.py rate [FILE|-]`, no option) does not come here:
manage.py runs the same calculator without the app registry (starrating/calculator.py,
D-7r2); this command serves `call_command`, `--help` and every run with an option.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from scoring.rules import InvalidInput
from scoring.rules.calculator import Remembered, calculate
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
            translate = Remembered(translation.gettext).__getitem__
            try:
                # Nothing is written before the whole campaign is rated: bad input leaves
                # standard output empty.
                calculate(options["file"], self._writer(), translate, options.get("stdin"))
            except InvalidInput as exc:
                self.stderr.write(exc.render(translate))
                raise SystemExit(2) from None

    def _writer(self):
        """Write UTF-8 bytes when standard output has them (whatever the locale says)."""
        buffer = getattr(self.stdout, "buffer", None)
        if buffer is None:  # e.g. a StringIO under call_command
            return lambda text: self.stdout.write(text, ending="")

        def write(text: str) -> None:
            buffer.write(text.encode("utf-8"))

        return write
