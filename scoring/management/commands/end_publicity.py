"""End every publicity window that has passed (for cron; pages do it as they read)."""

from django.core.management.base import BaseCommand

from scoring.services.publicity import end_due_publicity


class Command(BaseCommand):
    help = "Move campaigns whose publicity window has passed to awaiting approval."

    def handle(self, *args, **options):
        for campaign in end_due_publicity():
            if options["verbosity"]:
                self.stdout.write(f"{campaign.pk} {campaign.title}: {campaign.status}")
