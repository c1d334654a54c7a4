"""manage.py purge_exports: delete the background reports past their time, with their
files, and recover the running ones whose worker stopped (docs/reports.md §6; for cron —
a new request does both too)."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from scoring.services.exports import purge_expired, recover_stalled


class Command(BaseCommand):
    help = "Delete the exported reports kept longer than STARRATING_EXPORT_KEEP_HOURS."

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            count = purge_expired()
            self.stdout.write(_("Deleted %(count)d expired exports.") % {"count": count})
            count = recover_stalled()
            if count:
                self.stdout.write(
                    _("%(count)d exports had lost their worker: queued again or failed.")
                    % {"count": count}
                )
