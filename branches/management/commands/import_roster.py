"""manage.py import_roster FILE.xlsx [--dry-run]: the roster import of the web page."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from branches.importers import RosterImportError, import_roster


class Command(BaseCommand):
    help = "Import organisations and members from a roster workbook (.xlsx)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the .xlsx file (sheets 组织 and 党员).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and print the counts, importing nothing.",
        )

    def handle(self, *args, file, dry_run, **options):
        try:
            report = import_roster(file, dry_run=dry_run)
        except FileNotFoundError as error:
            raise CommandError(f"{file}: {error.strerror}", returncode=2) from error
        except RosterImportError as error:
            for problem in error.errors:
                self.stderr.write(str(problem))
            count = len(error.errors)
            message = ngettext(
                "%(count)s error; nothing was imported.",
                "%(count)s errors; nothing was imported.",
                count,
            ) % {"count": count}
            raise CommandError(message, returncode=2) from error
        if dry_run:
            self.stdout.write(_("Dry run: the file is valid; nothing was imported."))
        self.stdout.write(self.style.SUCCESS(str(report)))
