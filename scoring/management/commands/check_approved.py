"""Recompute an approved list's SHA-256 digest and say whether the list still matches."""

from django.core.management.base import BaseCommand, CommandError

from scoring.models import Campaign
from scoring.services.errors import WorkflowError
from scoring.services.publicity import check_approved


class Command(BaseCommand):
    help = "Check an approved campaign's list against its SHA-256 digest (exit 1 if not)."

    def add_arguments(self, parser):
        parser.add_argument("campaign_id", type=int)

    def handle(self, *args, campaign_id, **options):
        try:
            check = check_approved(Campaign.objects.get(pk=campaign_id))
        except Campaign.DoesNotExist:
            raise CommandError(f"no campaign {campaign_id}") from None
        except WorkflowError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"digest {check.approval.digest}")
        self.stdout.write(f"stored list matches its digest: {'yes' if check.intact else 'NO'}")
        self.stdout.write(f"current results match the list: {'yes' if check.current else 'NO'}")
        if not check.ok:
            raise SystemExit(1)
