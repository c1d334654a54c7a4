"""Campaign pages (staff) and the branch page that brings one branch's year together.

The campaign results page belongs to views/reviews.py (`scoring:campaign_results`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from branches.models import ElectionStatus
from branches.permissions import branches_for, is_committee_level, is_staff, require
from scoring.forms.campaigns import (
    AssessmentFilterForm,
    CampaignForm,
    OpenCampaignForm,
    RubricFormSet,
)
from scoring.models import Assessment, Campaign, CampaignStatus, SelfEvaluationStatus
from scoring.services import campaigns as service
from scoring.services import recompute as recompute_service
from scoring.services import survey as survey_service
from scoring.services.audit_trail import audit_trail
from scoring.services.errors import WorkflowError
from scoring.services.events import events_for_campaign

PAGE_SIZE = 50


@login_required
def campaign_list(request):
    require(is_committee_level(request.user))
    campaigns = (
        Campaign.objects.select_related("committee")
        .annotate(n_assessments=Count("assessments"))
        .order_by("-year", "-kind")
    )
    return render(
        request,
        "scoring/campaigns/list.html",
        {"campaigns": campaigns, "may_manage": is_staff(request.user)},
    )


@login_required
def campaign_create(request):
    require(is_staff(request.user))
    from branches.models import Organisation, OrgKind

    committee = Organisation.objects.filter(kind=OrgKind.COMMITTEE).order_by("pk").first()
    if committee is None:
        raise Http404
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = service.create_campaign(
                committee=committee,
                year=form.cleaned_data["year"],
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"] or None,
                actor=request.user,
                **form.policy(),
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The campaign was created as a draft."))
            return redirect("scoring:campaign_edit", campaign.pk)
    return render(request, "scoring/campaigns/form.html", {"form": form, "campaign": None})


@login_required
def campaign_edit(request, pk):
    require(is_staff(request.user))
    campaign = get_object_or_404(Campaign, pk=pk)
    editable_rubric = campaign.is_editable_rubric
    criteria = campaign.criteria.order_by("position")
    post = request.POST if request.method == "POST" else None
    form = CampaignForm(post, instance=campaign)
    formset = RubricFormSet(post, queryset=criteria, prefix="rubric") if editable_rubric else None
    if post is not None:
        if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.OPEN):
            messages.error(
                request, _("The policy is fixed once the campaign has left declaration.")
            )
            return redirect("scoring:campaign_detail", campaign.pk)
        valid = form.is_valid() and (formset is None or formset.is_valid())
        if valid:
            try:
                service.update_campaign(
                    campaign=campaign,
                    actor=request.user,
                    title=form.cleaned_data["title"],
                    **form.policy(),
                )
                if formset is not None:
                    service.update_rubric(
                        campaign=campaign, actor=request.user, criteria=formset.rows()
                    )
            except WorkflowError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The campaign was saved."))
                return redirect("scoring:campaign_edit", campaign.pk)
    total = service.rubric_total(campaign)
    return render(
        request,
        "scoring/campaigns/form.html",
        {
            "form": form,
            "formset": formset,
            "campaign": campaign,
            "criteria_rows": [(c, None) for c in criteria],
            "rubric_total": total,
        },
    )


@login_required
def campaign_open(request, pk):
    require(is_staff(request.user))
    campaign = get_object_or_404(Campaign, pk=pk)
    form = OpenCampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service.open_campaign(campaign=campaign, actor=request.user)
        except WorkflowError as error:
            messages.error(request, str(error))
            return redirect("scoring:campaign_edit", campaign.pk)
        messages.success(request, _("The campaign is open; every active branch is enrolled."))
        return redirect("scoring:campaign_detail", campaign.pk)
    branches = service.committee_branches(campaign.committee).filter(active=True).count()
    return render(
        request,
        "scoring/campaigns/open.html",
        {
            "campaign": campaign,
            "form": form,
            "rubric_total": service.rubric_total(campaign),
            "branch_count": branches,
        },
    )


@login_required
def campaign_detail(request, pk):
    """The campaign overview: its assessments, filterable by parent and sheet status."""
    require(is_committee_level(request.user))
    campaign = get_object_or_404(Campaign, pk=pk)
    assessments = (
        Assessment.objects.filter(campaign=campaign)
        .select_related("branch__parent", "self_evaluation")
        .order_by("branch__code")
    )
    filters = AssessmentFilterForm(request.GET or None, campaign=campaign)
    if filters.is_valid():
        parent = filters.cleaned_data["parent"]
        status = filters.cleaned_data["status"]
        if parent:
            assessments = assessments.filter(branch__parent=parent)
        if status == "unsubmitted":
            assessments = assessments.exclude(
                self_evaluation__status=SelfEvaluationStatus.SUBMITTED
            )
        elif status:
            assessments = assessments.filter(self_evaluation__status=status)
    counts = dict(
        Assessment.objects.filter(campaign=campaign)
        .order_by()
        .values("self_evaluation__status")
        .annotate(n=Count("pk"))
        .values_list("self_evaluation__status", "n")
    )
    page = Paginator(assessments, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "scoring/campaigns/detail.html",
        {
            "campaign": campaign,
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "counts": counts,
            "submitted": counts.get(SelfEvaluationStatus.SUBMITTED, 0),
            "total": sum(counts.values()),
            "rubric": campaign.criteria.order_by("position"),
            "rubric_total": campaign.criteria.aggregate(t=Sum("max_points"))["t"],
            "may_manage": is_staff(request.user),
        },
    )


@login_required
def assessment(request, pk):
    """The branch page: one branch in one campaign (others' branches: 404)."""
    found = get_object_or_404(
        Assessment.objects.select_related(
            "campaign", "branch__parent", "self_evaluation__submitted_by"
        ).filter(branch__in=branches_for(request.user)),
        pk=pk,
    )
    campaign = found.campaign
    sheet = found.part("self_evaluation")
    events = events_for_campaign(campaign, [found.branch_id]).get(found.branch_id, [])
    staff = is_staff(request.user)
    derived = found.branch.election_status(campaign.reference_date)
    rating = found.part("rating")
    context = {
        "assessment": found,
        "campaign": campaign,
        "branch": found.branch,
        "sheet": sheet,
        "events": events,
        "derived_election": derived,
        "derived_election_label": ElectionStatus(derived).label,
        **survey_service.summary_context(found),
        "review": found.part("review"),
        "rating": rating,
        "completeness": recompute_service.completeness(campaign) if rating else None,
        "is_staff": staff,
        "history": audit_trail(found) if staff else None,
        "show_results": is_committee_level(request.user),
    }
    return render(request, "scoring/branch.html", context)


urls = [
    path("campaigns/", campaign_list, name="campaign_list"),
    path("campaigns/new/", campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/open/", campaign_open, name="campaign_open"),
    path("assessments/<int:pk>/", assessment, name="assessment"),
]
