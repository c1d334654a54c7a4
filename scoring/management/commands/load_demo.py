"""`manage.py load_demo [--if-empty]`: fill an empty database with the demo committee.

Only an empty database is filled (no organisation yet): mixing the demo into real
data would be worse than refusing. `--if-empty` turns the refusal into a no-op so
that `make run` can call it every time. Every account's password is `PASSWORD`; the
branch secretaries not listed (`sec-PP-NN`) have it too. To start over, empty the database first
(`manage.py flush`).
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from branches.models import Member, Organisation, Role
from scoring.demo import PASSWORD, build_demo, demo_accounts
from scoring.models import Rating


class Command(BaseCommand):
    help = _(
        "Fill an empty database with a demo work committee, its branches and members, "
        "one account per role, last year's rated campaign and this year's open one."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("Do nothing (and succeed) when the database already holds organisations."),
        )

    def handle(self, *args, if_empty=False, **options):
        if Organisation.objects.exists():
            if not if_empty:
                raise CommandError(
                    _(
                        "The database already holds organisations; the demo data only goes "
                        "into an empty database. Use --if-empty to skip this step, or empty "
                        "the database first with `python manage.py flush`."
                    )
                )
            self.stdout.write(_("The database already holds organisations: demo data not loaded."))
            self.print_accounts()
            return
        started = time.monotonic()
        demo = build_demo()
        orgs = demo.organisations
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo data loaded in %(seconds).1f s: %(parents)d party organisations, "
                    "%(branches)d branches, %(members)d members; “%(previous)s” rated "
                    "(%(rated)d branches), “%(campaign)s” open."
                )
                % {
                    "seconds": time.monotonic() - started,
                    "parents": len(orgs.parents),
                    "branches": len(orgs.branches),
                    "members": Member.objects.filter(branch__in=orgs.branches).count(),
                    "previous": demo.previous.title,
                    "rated": Rating.objects.filter(assessment__campaign=demo.previous).count(),
                    "campaign": demo.campaign.title,
                }
            )
        )
        self.print_accounts()

    def print_accounts(self):
        """The demo accounts as a small table: role, username, password, what they do."""
        labels = dict(Role.choices)
        rows = [
            (str(labels.get(a.role, _("Administrator"))), a.username, PASSWORD, a.description)
            for a in demo_accounts()
        ]
        header = (_("Role"), _("Username"), _("Password"), _("What they do"))
        widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(3)]
        self.stdout.write("")
        self.stdout.write(_("Demo accounts:"))
        for row in [header, *rows]:
            cells = [_pad(row[i], widths[i]) for i in range(3)]
            self.stdout.write("  " + "  ".join([*cells, row[3]]))


def _width(text):
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(text))


def _pad(text, width):
    return str(text) + " " * (width - _width(text))
