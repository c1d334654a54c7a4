"""manage.py purge_exports: delete the background reports past their time, with their
files (docs/reports.md §6; for cron — a new request purges too)."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from scoring.services.exports import purge_expired


class Command(BaseCommand):
    help = "Delete the exported reports kept longer than STARRATING_EXPORT_KEEP_HOURS."

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            count = purge_expired()
            self.stdout.write(_("Deleted %(count)d expired exports.") % {"count": count})
