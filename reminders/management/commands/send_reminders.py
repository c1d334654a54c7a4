"""manage.py send_reminders [--dry-run] [--date YYYY-MM-DD]: the daily reminder digests
(docs/process.md §2.5, Reminders), for cron, once a day. Running it again the same day
sends only what is new; a dry run prints the digests and sends and records nothing."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from reminders.services import send_reminders


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            _("--date needs a date as YYYY-MM-DD, for example 2026-12-01, not %(value)r.")
            % {"value": text[:40]}
        ) from None


class Command(BaseCommand):
    help = "Send each user one e-mail with the to-dos whose deadline is near or past."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Print the digests; send and record nothing."
        )
        parser.add_argument(
            "--date", help="Run as on this day (YYYY-MM-DD) instead of today.", default=None
        )

    def handle(self, *args, dry_run=False, date=None, **options):
        with translation.override(settings.LANGUAGE_CODE):
            day = _date(date) if date is not None else None
            run = send_reminders(date=day, dry_run=dry_run)
            if dry_run:
                for message in run.messages:
                    self.stdout.write(f"To: {', '.join(message.to)}")
                    self.stdout.write(f"Subject: {message.subject}")
                    self.stdout.write("")
                    self.stdout.write(message.body)
                    self.stdout.write("-" * 60)
            for line in run.summary():
                self.stdout.write(line)
