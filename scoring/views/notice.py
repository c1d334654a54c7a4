"""The public notice (公示) and the objection form, with no login (docs/process.md §2.1.4).

`/notice/` lists the campaigns now in publicity; `/notice/<id>/` shows one, still readable
after its window; a campaign never published is a 404. The list shows branch, parent and
proposed star only: no scores, no traces.

The objection form adds to `file_objection` (which checks the window, the text and the
file) a honeypot and a throttle: every objection filed, and every filled honeypot, counts
against the client's address (`starrating.proxy.client_address`) in a fixed window over
Django's cache, as the ballot throttle does. The filer is shown the receipt number alone.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from scoring import exporters
from scoring.forms.publicity import ObjectionForm
from scoring.models import Campaign, CampaignStatus, Objection
from scoring.services import publicity as service
from scoring.services.errors import WorkflowError
from starrating import clock, throttle

from .downloads import download

#: Objections (and filled honeypots) per client address per window.
THROTTLE_LIMIT = 10
THROTTLE_WINDOW = 3600  # seconds
RECEIPT_SESSION_KEY = "objection_receipt"


def _published(pk) -> Campaign:
    campaign = get_object_or_404(Campaign, pk=pk)
    if campaign.publicity_start is None:
        raise Http404
    return service.end_publicity_if_due(campaign)


def _days_left(campaign) -> int | None:
    if not campaign.is_in_publicity:
        return None
    seconds = (campaign.publicity_end - clock.now()).total_seconds()
    return max(0, -int(-seconds // 86400))  # a day begun counts


def notice_list(request):
    service.end_due_publicity()
    campaigns = Campaign.objects.filter(status=CampaignStatus.PUBLICITY).select_related("committee")
    return render(
        request,
        "scoring/notice/list.html",
        {"campaigns": [(c, _days_left(c)) for c in campaigns.order_by("-publicity_start")]},
    )


def notice(request, pk):
    campaign = _published(pk)
    days_left = _days_left(campaign)
    return render(
        request,
        "scoring/notice/notice.html",
        {
            "campaign": campaign,
            "rows": service.notice_rows(campaign),
            "days_left": days_left,
            "open": days_left is not None,
            "form_url": _form_url(request, campaign),
        },
    )


def _form_url(request, campaign) -> str:
    return request.build_absolute_uri(reverse("scoring:notice_objection", args=[campaign.pk]))


def notice_pdf(request, pk):
    """The notice as a PDF (the `notice-pdf` exporter), public like the page."""
    campaign = _published(pk)
    return download(
        request,
        exporters.get("notice-pdf")(campaign, form_url=_form_url(request, campaign)),
        refused_to=reverse("scoring:notice", args=[campaign.pk]),
    )


def _throttled(request) -> bool:
    return throttle.exceeded(request, "objection", limit=THROTTLE_LIMIT, window=THROTTLE_WINDOW)


def _count(request) -> None:
    throttle.count(request, "objection", window=THROTTLE_WINDOW)


def objection(request, pk):
    campaign = _published(pk)
    context = {"campaign": campaign, "days_left": _days_left(campaign)}
    if not campaign.is_in_publicity:
        context["closed"] = _("The publicity period is over: objections are no longer accepted.")
        return render(request, "scoring/notice/objection.html", context)
    if _throttled(request):
        context["throttled"] = True
        response = render(request, "scoring/notice/objection.html", context, status=429)
        return response
    form = ObjectionForm(request.POST or None, request.FILES or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["website"]:
            _count(request)  # a bot: nothing saved, the same page as a refusal
            context["refused"] = True
            return render(request, "scoring/notice/objection.html", context)
        try:
            filed = service.file_objection(
                assessment=campaign.assessments.get(branch=data["branch"]),
                text=data["text"],
                name=data["name"],
                phone=data["phone"],
                attachment=data["attachment"],
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            _count(request)
            request.session[RECEIPT_SESSION_KEY] = filed.pk
            return redirect("scoring:notice_receipt", pk=campaign.pk)
    context["form"] = form
    response = render(request, "scoring/notice/objection.html", context)
    add_never_cache_headers(response)
    return response


def receipt(request, pk):
    campaign = _published(pk)
    filed = Objection.objects.filter(
        pk=request.session.get(RECEIPT_SESSION_KEY), campaign=campaign
    ).first()
    if filed is None:
        return redirect("scoring:notice", pk=campaign.pk)
    response = render(
        request,
        "scoring/notice/receipt.html",
        {
            "campaign": campaign,
            "receipt": filed.receipt,
            "back": reverse("scoring:notice", args=[pk]),
        },
    )
    add_never_cache_headers(response)
    return response


urls = [
    path("notice/", notice_list, name="notice_list"),
    path("notice/<int:pk>/", notice, name="notice"),
    path("notice/<int:pk>/pdf/", notice_pdf, name="notice_pdf"),
    path("notice/<int:pk>/objection/", objection, name="notice_objection"),
    path("notice/<int:pk>/objection/receipt/", receipt, name="notice_receipt"),
]
