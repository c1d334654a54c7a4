"""manage.py export KIND --campaign ID -o FILE [--branch CODE] (docs/reports.md §6).

The same exporters as the web (`scoring.exporters`). Exit 0 with the file written; exit 2
with one message on standard error for an unknown kind, campaign or branch, a kind not
built yet, or a kind the campaign does not allow yet. The file is written aside and moved
into place, so a failed export never leaves a partial file behind.
"""

import os
import tempfile

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from scoring import exporters
from scoring.models import Assessment, Campaign

#: The kind that needs --branch (one branch's report), and the kind that takes it as an
#: option (one branch's certificate instead of all of them).
BRANCH_KINDS = {"rating-sheet"}
OPTIONAL_BRANCH_KINDS = {"certificates"}


def refuse(message):
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "Export a report of a campaign (annual-xlsx, …) to a file."

    def add_arguments(self, parser):
        parser.add_argument("kind", help="One of: " + ", ".join(exporters.KINDS) + ".")
        parser.add_argument("--campaign", required=True, help="The campaign's id.")
        parser.add_argument("-o", "--output", required=True, help="The file to write.")
        parser.add_argument(
            "--branch", help="A branch's code (rating-sheet; certificates: that branch only)."
        )

    def handle(self, *args, kind, campaign, output, branch, **options):
        with translation.override(settings.LANGUAGE_CODE):
            exporter = self.exporter(kind, campaign, branch)
            self.write(exporter, output)
            self.stdout.write(
                _("Exported %(name)s to %(file)s.")
                % {"name": exporters.KINDS[kind], "file": output}
            )

    def exporter(self, kind, campaign_id, code):
        if kind not in exporters.KINDS:
            raise refuse(
                _("Unknown kind %(kind)s; the kinds are: %(kinds)s.")
                % {"kind": kind, "kinds": ", ".join(exporters.KINDS)}
            )
        campaign = None
        if str(campaign_id).isdigit():
            campaign = Campaign.objects.filter(pk=int(campaign_id)).first()
        if campaign is None:
            raise refuse(_("No campaign with the id %(id)s.") % {"id": campaign_id})
        branch = None
        if kind in BRANCH_KINDS and not code:
            raise refuse(_("%(kind)s needs --branch CODE.") % {"kind": kind})
        if code and kind in BRANCH_KINDS | OPTIONAL_BRANCH_KINDS:
            assessment = (
                Assessment.objects.filter(campaign=campaign, branch__code=code)
                .select_related("branch")
                .first()
            )
            if assessment is None:
                raise refuse(
                    _("No branch with the code %(code)s in this campaign.") % {"code": code}
                )
            branch = assessment.branch
        elif code:
            raise refuse(
                _("--branch is only for %(kinds)s.")
                % {"kinds": ", ".join(sorted(BRANCH_KINDS | OPTIONAL_BRANCH_KINDS))}
            )
        built = exporters.get(kind)
        if built is None:
            raise refuse(
                _("%(name)s (%(kind)s) is not available yet.")
                % {"name": exporters.KINDS[kind], "kind": kind}
            )
        exporter = built(campaign, branch=branch)
        reason = exporter.refusal()
        if reason:
            raise refuse(reason)
        return exporter

    def write(self, exporter, output):
        folder = os.path.dirname(os.path.abspath(output))
        try:
            handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
        except OSError as error:
            raise refuse(
                _("Cannot write %(file)s: %(error)s") % {"file": output, "error": error.strerror}
            ) from error
        try:
            with os.fdopen(handle, "wb") as fp:
                exporter.render(fp)
            os.replace(temporary, output)
        except exporters.ExportRefused as error:
            raise refuse(str(error)) from error
        except OSError as error:
            raise refuse(
                _("Cannot write %(file)s: %(error)s") % {"file": output, "error": error.strerror}
            ) from error
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
