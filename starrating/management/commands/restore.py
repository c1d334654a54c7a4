"""manage.py restore FILE: an archive of `backup` into an empty database
(docs/reports.md §6 *Backup and restore*)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from starrating.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore an archive written by `backup` into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The archive written by `backup`.")

    def handle(self, *args, file, **options):
        with translation.override(settings.LANGUAGE_CODE):
            try:
                manifest = restore(file)
            except BackupError as error:
                raise CommandError(str(error), returncode=2) from error
            self.stdout.write(
                _("Restored %(rows)d rows and %(files)d files from %(file)s.")
                % {
                    "rows": sum(manifest["models"].values()),
                    "files": len(manifest["files"]),
                    "file": file,
                }
            )
