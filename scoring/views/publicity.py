"""Pages of publicity, objections, approval and re-review (docs/process.md §2.1.4–§2.1.5).

Thin views: they read through `scoring.services.publicity`, check the predicates of
`branches.permissions`, and run each transition through `perform`. Every page that reads
a campaign first ends its window if due (`end_publicity_if_due`).
"""

import os

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from branches.permissions import (
    is_committee_level,
    may_approve,
    may_download_approved_documents,
    may_download_minutes,
    may_download_objection_attachments,
    may_handle_objections,
    may_mark_demonstration_sites,
    may_publish,
    may_rereview,
    may_see_demonstration_sites,
    require,
)
from scoring import exporters
from scoring.forms.publicity import (
    ApproveForm,
    DecideObjectionForm,
    MarkDemonstrationSiteForm,
    PublishForm,
    ReReviewForm,
    UnmarkDemonstrationSiteForm,
)
from scoring.models import (
    Approval,
    Assessment,
    Campaign,
    CampaignKind,
    CampaignStatus,
    DemonstrationSite,
    Objection,
    ObjectionState,
)
from scoring.services import publicity as service
from scoring.services import year_end
from starrating import clock
from starrating.actions import perform

from .downloads import download, stored_file


def _campaign(pk) -> Campaign:
    return service.end_publicity_if_due(get_object_or_404(Campaign, pk=pk))


def _detail(campaign):
    return reverse("scoring:campaign_detail", args=[campaign.pk])


@login_required
def publish(request, pk):
    require(may_publish(request.user))
    campaign = _campaign(pk)
    form = PublishForm(request.POST or None, initial={"contact_line": campaign.contact_line})
    if request.method == "POST" and form.is_valid():
        response = perform(
            request,
            lambda: service.publish_campaign(
                campaign=campaign,
                actor=request.user,
                contact_line=form.cleaned_data["contact_line"],
            ),
            success=_("The results are published for public notice."),
            then=reverse("scoring:objections", args=[campaign.pk]),
            form=form,
        )
        if response is not None:
            return response
    context = {
        "campaign": campaign,
        "form": form,
        "blockers": service.blockers(campaign) if campaign.is_declaring else [],
        "back": _detail(campaign),
    }
    return render(request, "scoring/publicity/publish.html", context)


@login_required
def objections(request, pk):
    require(may_handle_objections(request.user))
    campaign = _campaign(pk)
    rows = list(service.objections_for_staff(campaign))
    now = clock.now()
    context = {
        "campaign": campaign,
        "rows": [(o, (now - o.filed_at).days) for o in rows],
        "back": _detail(campaign),
    }
    return render(request, "scoring/publicity/objections.html", context)


@login_required
def objection(request, pk):
    require(may_handle_objections(request.user))
    found = get_object_or_404(
        Objection.objects.select_related("campaign", "assessment__branch__parent", "handled_by"),
        pk=pk,
    )
    campaign = service.end_publicity_if_due(found.campaign)
    form = DecideObjectionForm(request.POST or None)
    back = reverse("scoring:objections", args=[campaign.pk])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["outcome"] == DecideObjectionForm.UPHOLD:

            def call():
                return service.uphold_objection(
                    objection=found,
                    actor=request.user,
                    reason=data["reason"],
                    notes=data["notes"],
                    return_review=data["return_review"],
                )

            success = _("The objection is upheld: the branch is reopened; recompute afterwards.")
        else:

            def call():
                return service.dismiss_objection(
                    objection=found, actor=request.user, reason=data["reason"], notes=data["notes"]
                )

            success = _("The objection is dismissed.")
        response = perform(request, call, success=success, then=back, form=form)
        if response is not None:
            return response
    context = {"objection": found, "campaign": campaign, "form": form, "back": back}
    return render(request, "scoring/publicity/objection.html", context)


@login_required
def approve(request, pk):
    require(may_approve(request.user))
    campaign = _campaign(pk)
    form = ApproveForm(request.POST or None, request.FILES or None)
    back = reverse("scoring:approved_list", args=[campaign.pk])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = perform(
            request,
            lambda: service.approve_campaign(
                campaign=campaign,
                actor=request.user,
                meeting_date=data["meeting_date"],
                reference=data["reference"],
                minutes=data["minutes"],
            ),
            success=_("The committee's decision is recorded: the stars are official."),
            then=back,
            form=form,
        )
        if response is not None:
            return response
    waiting = campaign.status == CampaignStatus.AWAITING_APPROVAL
    context = {
        "campaign": campaign,
        "form": form,
        "waiting": waiting,
        "open_objections": campaign.objections.filter(state=ObjectionState.OPEN).count(),
        "blockers": service.blockers(campaign) if waiting else [],
        "moves": year_end.star_moves(campaign) if campaign.kind == CampaignKind.YEAR_END else None,
        "back": _detail(campaign),
    }
    return render(request, "scoring/publicity/approve.html", context)


@login_required
def approved_list(request, pk):
    require(is_committee_level(request.user))
    campaign = _campaign(pk)
    approval = get_object_or_404(Approval, campaign=campaign)
    context = {
        "campaign": campaign,
        "approval": approval,
        "rows": service.approved_list_rows(approval),
        "check": service.check_approved(campaign),
        "official": {a.branch.code for a in service.officially_five_star(campaign)},
        "may_download_minutes": may_download_minutes(request.user),
        "back": _detail(campaign),
    }
    return render(request, "scoring/publicity/approved.html", context)


@login_required
def rereviews(request):
    require(may_rereview(request.user))
    context = {"rows": service.rereviews_waiting()}
    return render(request, "scoring/publicity/rereviews.html", context)


@login_required
def rereview(request, pk):
    require(may_rereview(request.user))
    assessment = get_object_or_404(
        Assessment.objects.select_related("campaign", "branch__parent", "rating"), pk=pk
    )
    form = ReReviewForm(request.POST or None)
    back = reverse("scoring:rereviews")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = perform(
            request,
            lambda: service.rereview(
                assessment=assessment,
                actor=request.user,
                confirmed=data["confirmed"],
                star=data["star"],
                reason=data["reason"],
            ),
            success=_("The re-review of %(branch)s is recorded.")
            % {"branch": assessment.branch.name},
            then=back,
            form=form,
        )
        if response is not None:
            return response
    context = {"assessment": assessment, "form": form, "back": back}
    return render(request, "scoring/publicity/rereview.html", context)


# --- The PDFs of approval: the approved list, the certificates (docs/reports.md §6) ----------


def _approved_or_detail(campaign):
    if Approval.objects.filter(campaign=campaign).exists():
        return reverse("scoring:approved_list", args=[campaign.pk])
    return _detail(campaign)


@require_GET
@never_cache
@login_required
def approved_pdf(request, pk):
    require(may_download_approved_documents(request.user))
    campaign = _campaign(pk)
    return download(
        request, exporters.get("approved-pdf")(campaign), refused_to=_approved_or_detail(campaign)
    )


@require_GET
@never_cache
@login_required
def objection_attachment(request, pk):
    require(may_download_objection_attachments(request.user))
    found = get_object_or_404(Objection, pk=pk)
    return stored_file(
        found.attachment,
        filename=_named(found.attachment, f"objection-{found.receipt}"),
        content_type=found.attachment_type or "application/octet-stream",
    )


@require_GET
@never_cache
@login_required
def certificates(request, pk, code=None):
    """All of the campaign's five-star certificates in one file, or one branch's."""
    require(may_download_approved_documents(request.user))
    campaign = _campaign(pk)
    branch = None
    if code is not None:
        branch = get_object_or_404(
            Assessment.objects.select_related("branch"), campaign=campaign, branch__code=code
        ).branch
    return download(
        request,
        exporters.get("certificates")(campaign, branch=branch),
        refused_to=_approved_or_detail(campaign),
    )


# --- Demonstration sites (示范点, docs/process.md §2.4) --------------------------------------


@login_required
def demonstration_sites(request):
    """The current demonstration sites by year, for every logged-in user; staff mark new
    ones here (among the officially five-star) and unmark them."""
    require(may_see_demonstration_sites(request.user))
    may_mark = may_mark_demonstration_sites(request.user)
    form = None
    if may_mark:
        form = MarkDemonstrationSiteForm(
            request.POST or None, candidates=service.demonstration_site_candidates()
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            response = perform(
                request,
                lambda: service.mark_demonstration_site(
                    assessment=data["assessment"], actor=request.user, reason=data["reason"]
                ),
                success=lambda site: (
                    _("%(branch)s is marked as a demonstration site.")
                    % {"branch": site.assessment.branch.name}
                ),
                then=reverse("scoring:demonstration_sites"),
                form=form,
            )
            if response is not None:
                return response
    elif request.method == "POST":
        require(False)
    years = {}
    for site in service.demonstration_sites():
        years.setdefault(site.assessment.campaign.year, []).append(site)
    context = {"years": list(years.items()), "form": form, "may_mark": may_mark}
    return render(request, "scoring/publicity/demonstration_sites.html", context)


@require_POST
@login_required
def unmark_demonstration_site(request, pk):
    require(may_mark_demonstration_sites(request.user))
    site = get_object_or_404(DemonstrationSite.objects.select_related("assessment__branch"), pk=pk)
    form = UnmarkDemonstrationSiteForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    back = reverse("scoring:demonstration_sites")
    return perform(
        request,
        lambda: service.unmark_demonstration_site(site=site, actor=request.user, reason=reason),
        success=_("%(branch)s is no longer a demonstration site.")
        % {"branch": site.assessment.branch.name},
        then=back,
    )


@require_GET
@never_cache
@login_required
def approval_minutes(request, pk):
    require(may_download_minutes(request.user))
    approval = get_object_or_404(Approval.objects.select_related("campaign"), campaign_id=pk)
    name = f"minutes-{approval.campaign.year}-{approval.campaign_id}"
    return stored_file(
        approval.minutes,
        filename=_named(approval.minutes, name),
        content_type=approval.minutes_type or "application/octet-stream",
    )


def _named(field, stem) -> str:
    """The download's name: `stem` with the stored file's extension."""
    return stem + os.path.splitext(field.name)[1].lower()


urls = [
    path("campaigns/<int:pk>/publish/", publish, name="campaign_publish"),
    path("campaigns/<int:pk>/objections/", objections, name="objections"),
    path("objections/<int:pk>/", objection, name="objection"),
    path("campaigns/<int:pk>/approve/", approve, name="campaign_approve"),
    path("campaigns/<int:pk>/approved/", approved_list, name="approved_list"),
    path("campaigns/<int:pk>/approved/minutes/", approval_minutes, name="approval_minutes"),
    path("objections/<int:pk>/attachment/", objection_attachment, name="objection_attachment"),
    path("rereviews/", rereviews, name="rereviews"),
    path("rereviews/<int:pk>/", rereview, name="rereview"),
    path("campaigns/<int:pk>/approved/pdf/", approved_pdf, name="approved_pdf"),
    path("campaigns/<int:pk>/certificates/", certificates, name="certificates"),
    path("campaigns/<int:pk>/certificates/<str:code>/", certificates, name="branch_certificate"),
    path("demonstration-sites/", demonstration_sites, name="demonstration_sites"),
    path(
        "demonstration-sites/<int:pk>/unmark/",
        unmark_demonstration_site,
        name="unmark_demonstration_site",
    ),
]
