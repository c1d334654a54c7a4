"""Campaign results, recompute and a branch's rating (docs/rules.md §4, docs/process.md §2.5).

Who may use what (`branches.permissions`):
- campaign results: the committee's roles (`may_see_results`), read only;
- recompute: committee staff (`may_recompute`);
- a campaign's reports (the annual workbook and PDF): committee staff (`may_export_reports`),
  started from the results page as background jobs (`scoring/views/exports.py`);
- a branch's rating: whoever may see the branch (404 otherwise).
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.permissions import (
    may_export_reports,
    may_recompute,
    may_see_results,
    may_simulate,
    require,
)
from scoring.models import Campaign, Rating
from scoring.services import recompute as recompute_service
from scoring.services import results
from starrating.actions import perform
from starrating.paging import KeysPaginator

from .reviews import assessment_for

#: The page's lists, each paged by its own query parameter.
PAGERS = ("page", "moves", "missing")


def _queries(request) -> dict[str, str]:
    """For each pager, the query string of the page without its own parameter."""
    queries = {}
    for name in PAGERS:
        query = request.GET.copy()
        query.pop(name, None)
        queries[name] = query.urlencode()
    return queries


@login_required
def campaign_results(request, pk):
    require(may_see_results(request.user))
    # The stored quota check is read a page of moves at a time (`results.QuotaCheck.of`).
    campaign = get_object_or_404(recompute_service.without_quota_report(Campaign.objects), pk=pk)
    star_counts = results.star_counts(campaign)
    page = KeysPaginator(
        results.ranking(campaign), results.PER_PAGE, count=sum(row["n"] for row in star_counts)
    ).get_page(request.GET.get("page"))
    offset = page.start_index()
    progress = results.Progress.of(campaign, page=request.GET.get("missing"))
    context = {
        "campaign": campaign,
        "page": page,
        "queries": _queries(request),
        "ranked": [(offset + i, rating) for i, rating in enumerate(page.object_list)],
        "quota": results.QuotaCheck.of(campaign, page=request.GET.get("moves", 1)),
        "progress": progress,
        "star_counts": star_counts,
        "completeness": recompute_service.completeness(
            campaign,
            enrolled=progress.enrolled,
            complete=progress.enrolled - progress.missing_count,
        ),
        "may_recompute": may_recompute(request.user),
        "recompute_refusal": recompute_service.refusal(campaign),
        "may_export": may_export_reports(request.user),
        "may_simulate": may_simulate(request.user),
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
]

__all__ = ["urls"]
