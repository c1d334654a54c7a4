"""Campaign results, recompute and a branch's rating (docs/rules.md §4, docs/process.md §2.5).

Who may use what (`branches.permissions`):
- campaign results: the committee's roles (`may_see_results`), read only;
- recompute: committee staff (`may_recompute`);
- a campaign's reports (the annual workbook): committee staff (`may_export_reports`);
- a branch's rating: whoever may see the branch (404 otherwise).
"""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from branches.permissions import may_export_reports, may_recompute, may_see_results, require
from scoring import exporters
from scoring.models import Campaign, Rating
from scoring.services import recompute as recompute_service
from scoring.services import results
from starrating.actions import perform

from .reviews import assessment_for

RESULTS_PER_PAGE = 100


@login_required
def campaign_results(request, pk):
    require(may_see_results(request.user))
    campaign = get_object_or_404(Campaign, pk=pk)
    page = Paginator(results.ranking(campaign), RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    offset = page.start_index()
    context = {
        "campaign": campaign,
        "page": page,
        "ranked": [(offset + i, rating) for i, rating in enumerate(page.object_list)],
        "quota": results.QuotaCheck.of(campaign),
        "progress": results.Progress.of(campaign),
        "star_counts": results.star_counts(campaign),
        "completeness": recompute_service.completeness(campaign),
        "may_recompute": may_recompute(request.user),
        "recompute_refusal": recompute_service.refusal(campaign),
        "may_export": may_export_reports(request.user),
        "changed": campaign.recomputed_at is not None
        and recompute_service.inputs_changed_since_recompute(campaign),
    }
    return render(request, "scoring/results/campaign.html", context)


@require_POST
@login_required
def recompute(request, pk):
    require(may_recompute(request.user))
    campaign = get_object_or_404(Campaign, pk=pk)
    return perform(
        request,
        lambda: recompute_service.recompute_campaign(campaign=campaign, actor=request.user),
        success=lambda outcome: (
            _("Recomputed: %(rated)d branches rated.") % {"rated": len(outcome.results)}
        ),
        then=reverse("scoring:campaign_results", args=[campaign.pk]),
    )


#: The campaign reports downloadable from the results page, built in the request for now
#: (the background job with its progress bar comes with the big reports).
DOWNLOADS = ("annual-xlsx",)


@require_GET
@never_cache
@login_required
def export(request, pk, kind):
    """A campaign report as a download (the exporter of `manage.py export`); a refusal
    (no results yet) is flashed on the results page."""
    require(may_export_reports(request.user))
    if kind not in DOWNLOADS:
        raise Http404
    campaign = get_object_or_404(Campaign, pk=pk)
    exporter = exporters.get(kind)(campaign)
    out = io.BytesIO()
    try:
        exporter.render(out)
    except exporters.ExportRefused as error:
        messages.error(request, str(error))
        return redirect("scoring:campaign_results", campaign.pk)
    out.seek(0)
    return FileResponse(
        out, as_attachment=True, filename=exporter.filename(), content_type=exporter.content_type
    )


@login_required
def branch_rating(request, pk):
    """One branch's stored rating with its trace (for staff, its reviewer, its secretary);
    before the branch is rated, the page says what rating needs."""
    assessment = assessment_for(request.user, pk)
    rating = Rating.objects.filter(assessment=assessment).first()
    context = {
        "assessment": assessment,
        "rating": rating,
        "completeness": recompute_service.completeness(assessment.campaign) if rating else None,
    }
    return render(request, "scoring/results/rating.html", context)


urls = [
    path("assessments/<int:pk>/rating/", branch_rating, name="rating"),
    path("campaigns/<int:pk>/results/", campaign_results, name="campaign_results"),
    path("campaigns/<int:pk>/recompute/", recompute, name="recompute"),
    path("campaigns/<int:pk>/export/<slug:kind>/", export, name="campaign_export"),
]

__all__ = ["urls"]
