"""The branch rating sheet (评定表, `rating-sheet`, docs/reports.md §6): one branch's
year on one or two A4 pages, for the file.

Its self-evaluation and review side by side per criterion, its survey's figures (counts
and rates from three ballots on, as on every page), its stored rating with the limits
and the trace (through the `note` filter), the year's events and a signature block for
the branch secretary and the organisation above. Only stored values are shown.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scoring.models import Assessment, CampaignStatus, Rating, ReviewScore, SelfScore
from scoring.services.events import events_for_campaign
from scoring.services.survey.figures import survey_figures

from .annual import stars
from .pdf import PdfExporter


class RatingSheet(PdfExporter):
    identifier = "rating-sheet"
    verbose_name = gettext_lazy("Branch rating sheet")
    template_name = "pdf/rating_sheet.html"
    needs_branch = True

    def assessment(self) -> Assessment | None:
        if not hasattr(self, "_assessment"):
            self._assessment = (
                Assessment.objects.select_related("branch__parent", "self_evaluation", "review")
                .filter(campaign=self.campaign, branch=self.branch)
                .first()
            )
        return self._assessment

    def refusal(self):
        if self.campaign.status == CampaignStatus.DRAFT:
            return _("The campaign is not open yet: there is nothing to export.")
        assessment = self.assessment()
        if assessment is None:
            return _("This branch takes no part in the campaign.")
        if not Rating.objects.filter(assessment=assessment).exists():
            return _("This branch has no rating yet: recompute the ratings first.")
        return None

    def filename(self) -> str:
        return f"{self.identifier}-{self.campaign.year}-{self.branch.code}.pdf"

    def context(self, progress=None) -> dict:
        assessment = self.assessment()
        sheet = assessment.part("self_evaluation")
        review = assessment.part("review")
        own = {}
        if sheet is not None:
            own = {s.criterion_id: s for s in SelfScore.objects.filter(self_evaluation=sheet)}
        reviewed = {}
        if review is not None:
            reviewed = {s.criterion_id: s for s in ReviewScore.objects.filter(review=review)}
        rows = [
            (criterion, own.get(criterion.pk), reviewed.get(criterion.pk))
            for criterion in self.campaign.criteria.order_by("position")
        ]
        rating = Rating.objects.get(assessment=assessment)
        return {
            "assessment": assessment,
            "branch": assessment.branch,
            "sheet": sheet,
            "review": review,
            "rows": rows,
            "figures": survey_figures(self.campaign, assessment_ids=[assessment.pk]).get(
                assessment.pk
            ),
            "rating": rating,
            "stars": stars(rating.star),
            "events": events_for_campaign(self.campaign, [self.branch.pk]).get(self.branch.pk, []),
        }
