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
        parser.add_argument(
            "--no-appendix",
            action="store_true",
            help="annual-pdf without the appendix of every branch's trace.",
        )

    def handle(self, *args, kind, campaign, output, branch, no_appendix, **options):
        with translation.override(settings.LANGUAGE_CODE):
            exporter = self.exporter(kind, campaign, branch, no_appendix)
            self.write(exporter, output)
            self.stdout.write(
                _("Exported %(name)s to %(file)s.")
                % {"name": exporters.KINDS[kind], "file": output}
            )

    def exporter(self, kind, campaign_id, code, no_appendix=False):
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
        built = exporters.get(kind)
        # Before any exporter is built, the contract's one branch kind is known by name.
        needs_branch = built.needs_branch if built else kind == "rating-sheet"
        takes_branch = needs_branch or bool(built and built.takes_branch)
        branch_kinds = ", ".join(
            sorted(k for k, e in exporters.EXPORTERS.items() if e.needs_branch or e.takes_branch)
        )
        if needs_branch and not code:
            raise refuse(_("%(kind)s needs --branch CODE.") % {"kind": kind})
        if code and not takes_branch:
            raise refuse(_("--branch is only for %(kinds)s.") % {"kinds": branch_kinds})
        branch = None
        if code:
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
        if built is None:
            raise refuse(
                _("%(name)s (%(kind)s) is not available yet.")
                % {"name": exporters.KINDS[kind], "kind": kind}
            )
        options = {}
        if no_appendix:
            if "appendix" not in built.OPTIONS:
                raise refuse(
                    _("--no-appendix is only for %(kinds)s.")
                    % {
                        "kinds": ", ".join(
                            k for k, e in exporters.EXPORTERS.items() if "appendix" in e.OPTIONS
                        )
                    }
                )
            options["appendix"] = False
        exporter = built(campaign, branch=branch, **options)
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
