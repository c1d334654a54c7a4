"""manage.py backup FILE: every table and every uploaded file in one archive
(docs/reports.md §6 *Backup and restore*)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from starrating.backup import backup


class Command(BaseCommand):
    help = "Write every table and every uploaded file to one archive."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The archive to write (a .zip file).")

    def handle(self, *args, file, **options):
        with translation.override(settings.LANGUAGE_CODE):
            try:
                manifest = backup(file)
            except OSError as error:
                raise CommandError(
                    _("Cannot write %(file)s: %(error)s") % {"file": file, "error": error.strerror},
                    returncode=2,
                ) from error
            self.stdout.write(
                _("Backed up %(rows)d rows and %(files)d files to %(file)s.")
                % {
                    "rows": sum(manifest["models"].values()),
                    "files": len(manifest["files"]),
                    "file": file,
                }
            )
