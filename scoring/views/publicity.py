"""Pages of publicity, objections, approval and re-review (docs/process.md §2.1.4–§2.1.5).

Thin views: they read through `scoring.services.publicity`, check the predicates of
`branches.permissions`, and run each transition through `perform`. Every page that reads
a campaign first ends its window if due (`end_publicity_if_due`).
"""

import os

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from branches.permissions import (
    is_committee_level,
    may_approve,
    may_download_minutes,
    may_download_objection_attachments,
    may_handle_objections,
    may_publish,
    may_rereview,
    require,
)
from scoring.forms.publicity import ApproveForm, DecideObjectionForm, PublishForm, ReReviewForm
from scoring.models import (
    Approval,
    Assessment,
    Campaign,
    CampaignKind,
    CampaignStatus,
    Objection,
    ObjectionState,
)
from scoring.services import publicity as service
from scoring.services import year_end
from starrating import clock
from starrating.actions import perform


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


def _download(field, content_type, filename) -> FileResponse:
    """A stored file as an attachment (never at a media URL, never shown inline)."""
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    extension = os.path.splitext(field.name)[1].lower()
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{filename}{extension}",
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@never_cache
@login_required
def objection_attachment(request, pk):
    require(may_download_objection_attachments(request.user))
    found = get_object_or_404(Objection, pk=pk)
    return _download(found.attachment, found.attachment_type, f"objection-{found.receipt}")


@require_GET
@never_cache
@login_required
def approval_minutes(request, pk):
    require(may_download_minutes(request.user))
    approval = get_object_or_404(Approval.objects.select_related("campaign"), campaign_id=pk)
    name = f"minutes-{approval.campaign.year}-{approval.campaign_id}"
    return _download(approval.minutes, approval.minutes_type, name)


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
]
