"""The PDFs of publicity and approval (docs/reports.md §6): the public notice (公示),
the approved list (审批名单) with its digest, and the five-star certificates (授牌).

Each reads what the services store and nothing else: the notice the rows of the public
page (`publicity.notice_rows`), the approved list its frozen snapshot
(`approved_list_rows`), the certificates the officially five-star branches
(`officially_five_star`). They are official documents: always in Chinese (the site's
language), whoever downloads them.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scoring.models import Approval
from scoring.services import publicity

from .pdf import PdfExporter


class NoticePdf(PdfExporter):
    """The public notice as printed: the page's title, issuer, window, list, how to object
    and contact line (the same partials as `/notice/<id>/`)."""

    identifier = "notice-pdf"
    verbose_name = gettext_lazy("Publicity notice")
    template_name = "pdf/notice.html"
    site_language = True

    def __init__(self, campaign, *, branch=None, form_url=""):
        super().__init__(campaign, branch=branch)
        # The web passes the form's absolute address; the command has no host to name.
        self.form_url = form_url or reverse("scoring:notice_objection", args=[campaign.pk])

    def refusal(self):
        if self.campaign.publicity_start is None:
            return _("The campaign has not been published: there is no public notice.")
        return None

    def context(self, progress=None):
        campaign = publicity.end_publicity_if_due(self.campaign)
        return {
            "campaign": campaign,
            "rows": publicity.notice_rows(campaign),
            "open": campaign.is_in_publicity,
            "form_url": self.form_url,
            "print": True,
        }


class ApprovedListPdf(PdfExporter):
    """The approved list as frozen at approval, with the meeting, the reference number and
    the SHA-256 digest of the stored list (so a printed copy can be checked)."""

    identifier = "approved-pdf"
    verbose_name = gettext_lazy("Approved list")
    template_name = "pdf/approved.html"
    site_language = True

    def approval(self):
        return Approval.objects.filter(campaign=self.campaign).select_related("recorded_by").first()

    def refusal(self):
        if self.approval() is None:
            return _("The campaign has not been approved yet: there is no approved list.")
        return None

    def context(self, progress=None):
        approval = self.approval()
        return {
            "approval": approval,
            "rows": publicity.approved_list_rows(approval),
            "check": publicity.check_approved(self.campaign),
        }


def certificate_number(campaign, branch) -> str:
    """The certificate's number: the committee's code, the year, the campaign and the
    branch's code; the same every time it is printed (docs/decisions.md D-6e)."""
    return f"{campaign.committee.code}-{campaign.year}-{campaign.pk}-{branch.code}"


class Certificates(PdfExporter):
    """The five-star certificates: one A4 landscape page per officially five-star branch,
    for one branch (`branch`) or all of the campaign's in one file."""

    identifier = "certificates"
    verbose_name = gettext_lazy("Five-star certificates")
    template_name = "pdf/certificates.html"
    takes_branch = True
    site_language = True

    def filename(self):
        if self.branch is not None:
            return f"{self.identifier}-{self.campaign.year}-{self.branch.code}.pdf"
        return super().filename()

    def refusal(self):
        return publicity.five_star_refusal(self.campaign, self.branch)

    def context(self, progress=None):
        found = publicity.officially_five_star(self.campaign).select_related("campaign__committee")
        if self.branch is not None:
            found = found.filter(branch=self.branch)
        return {
            "certificates": [
                {
                    "branch": a.branch,
                    "number": certificate_number(self.campaign, a.branch),
                    "date": a.rereview.at,
                }
                for a in found
            ]
        }
