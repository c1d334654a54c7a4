"""A branch's star (its history, downgrade, restore), the star-management ledger, and the
year-end re-rating's pages (docs/process.md §2.3, §2.5, §2.6).

Thin views: the reads are `scoring.services.stars` and `scoring.services.year_end`,
each change runs through `perform`, and the permission is one predicate of
`branches.permissions` per view.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from branches.models import OrgKind
from branches.permissions import (
    branches_for,
    is_staff,
    may_manage_stars,
    may_see_star_ledger,
    require,
)
from scoring.forms.stars import LedgerFilterForm, StarChangeForm, SubmitForm, YearEndForm
from scoring.models import Campaign
from scoring.services import stars as service
from scoring.services import year_end
from scoring.services.publicity import blockers
from starrating import clock
from starrating.actions import perform

PAGE_SIZE = 50
DOWNGRADE, RESTORE = "downgrade", "restore"


@login_required
def branch_stars(request, pk):
    """One branch's current star and history; the parent or staff downgrade or restore it."""
    branch = get_object_or_404(branches_for(request.user).select_related("parent"), pk=pk)
    may_manage = may_manage_stars(request.user, branch)
    allowed = service.choices(branch)
    forms = {
        DOWNGRADE: StarChangeForm(prefix=DOWNGRADE, stars=allowed[DOWNGRADE]),
        RESTORE: StarChangeForm(prefix=RESTORE, stars=allowed[RESTORE]),
    }
    action = request.POST.get("action")
    if request.method == "POST":
        require(may_manage and action in forms)
        form = forms[action] = StarChangeForm(request.POST, prefix=action, stars=allowed[action])
        if form.is_valid():
            change = service.downgrade_star if action == DOWNGRADE else service.restore_star
            response = perform(
                request,
                lambda: change(branch=branch, actor=request.user, **form.cleaned_data),
                success=_("The change of star is recorded."),
                then=reverse("scoring:branch_stars", args=[branch.pk]),
                form=form,
            )
            if response is not None:
                return response
    context = {
        "branch": branch,
        "current": allowed["current"],
        "official": allowed["official"],
        "may_manage": may_manage,
        "downgrade_form": forms[DOWNGRADE] if allowed[DOWNGRADE] else None,
        "restore_form": forms[RESTORE] if allowed[RESTORE] else None,
        "deciding": service.deciding_campaign(branch) if may_manage else None,
        "may_see_ledger": may_see_star_ledger(request.user),
        **service.history_context(branch),
    }
    return render(request, "scoring/stars/branch.html", context)


@login_required
def star_ledger(request):
    """星级管理台账: every branch the user may see, its current star and this year's
    changes; filters by parent and star; 50 a page, a fixed number of queries."""
    require(may_see_star_ledger(request.user))
    year = clock.today().year
    visible = branches_for(request.user).filter(kind=OrgKind.BRANCH)
    filters = LedgerFilterForm(request.GET or None, branches=visible)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    rows = service.ledger(
        request.user, year=year, parent=chosen.get("parent"), star=chosen.get("star")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "filtered": bool(chosen.get("parent") or chosen.get("star")),
        "query": query.urlencode(),
        "year": year,
    }
    return render(request, "scoring/stars/ledger.html", context)


# --- The year-end re-rating (docs/process.md §2.3, §2.5) ------------------------------------


@login_required
def year_end_create(request, pk):
    """Staff create and open the year-end re-rating from this declaration campaign; the
    page says why not when it may not be."""
    require(is_staff(request.user))
    source = get_object_or_404(Campaign, pk=pk)
    form = YearEndForm(
        request.POST or None, initial={"self_deadline": year_end.default_deadline(source.year)}
    )
    if request.method == "POST" and form.is_valid():
        response = perform(
            request,
            lambda: year_end.create_year_end_campaign(
                source=source, actor=request.user, **form.cleaned_data
            ),
            success=_("The year-end re-rating is open: every branch declares again."),
            then=lambda campaign: reverse("scoring:campaign_detail", args=[campaign.pk]),
            form=form,
        )
        if response is not None:
            return response
    context = {
        "campaign": source,
        "form": form,
        "refusal": year_end.refusal(source),
        "existing": year_end.year_end_of(source),
        "back": reverse("scoring:campaign_detail", args=[source.pk]),
    }
    return render(request, "scoring/campaigns/year_end.html", context)


@login_required
def campaign_submit(request, pk):
    """Staff submit a re-rating without publicity for approval (its confirmation page)."""
    require(is_staff(request.user))
    campaign = get_object_or_404(Campaign, pk=pk)
    form = SubmitForm(request.POST or None)
    back = reverse("scoring:campaign_detail", args=[campaign.pk])
    if request.method == "POST" and form.is_valid():
        response = perform(
            request,
            lambda: year_end.submit_for_approval(campaign=campaign, actor=request.user),
            success=_("The results are submitted to the committee for approval."),
            then=back,
            form=form,
        )
        if response is not None:
            return response
    context = {
        "campaign": campaign,
        "form": form,
        "submittable": campaign.is_declaring and not campaign.with_publicity,
        "blockers": blockers(campaign) if campaign.is_declaring else [],
        "back": back,
    }
    return render(request, "scoring/campaigns/submit.html", context)


urls = [
    path("stars/", star_ledger, name="star_ledger"),
    path("stars/<int:pk>/", branch_stars, name="branch_stars"),
    path("campaigns/<int:pk>/year-end/", year_end_create, name="year_end_create"),
    path("campaigns/<int:pk>/submit/", campaign_submit, name="campaign_submit"),
]
