"""Campaign pages (staff) and the branch page that brings one branch's year together.

The campaign results page belongs to views/reviews.py (`scoring:campaign_results`).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from branches.models import ElectionStatus
from branches.permissions import (
    branches_for,
    is_committee_level,
    is_staff,
    may_download_approved_documents,
    require,
)
from scoring.forms.campaigns import (
    SCOPE_ENROLLED,
    SCOPE_WITHDRAWN,
    AssessmentFilterForm,
    CampaignForm,
    OpenCampaignForm,
    ReinstateForm,
    RubricFormSet,
    WithdrawForm,
)
from scoring.models import (
    Assessment,
    AuditStatus,
    Campaign,
    CampaignStatus,
    ReviewStatus,
    SelfEvaluationStatus,
    SurveyStatus,
)
from scoring.services import campaigns as service
from scoring.services import publicity as publicity_service
from scoring.services import recompute as recompute_service
from scoring.services import survey as survey_service
from scoring.services.audit_trail import audit_trail
from scoring.services.events import events_for_campaign
from scoring.services.stars import history_context as star_history_context
from starrating.actions import perform

PAGE_SIZE = 50


@login_required
def campaign_list(request):
    require(is_committee_level(request.user))
    campaigns = list(
        Campaign.objects.select_related("committee")
        .annotate(n_assessments=Count("assessments", filter=Q(assessments__withdrawn_at=None)))
        .order_by("-year", "-kind")
    )
    complete = service.completeness_by_campaign(campaigns)
    for campaign in campaigns:
        campaign.results_complete = service.results_complete(complete[campaign.pk])
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
        response = perform(
            request,
            lambda: service.create_campaign(
                committee=committee,
                year=form.cleaned_data["year"],
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"] or None,
                actor=request.user,
                **form.policy(),
            ),
            success=_("The campaign was created as a draft."),
            then=lambda campaign: reverse("scoring:campaign_edit", args=[campaign.pk]),
            form=form,
        )
        if response is not None:
            return response
    return render(request, "scoring/campaigns/form.html", {"form": form, "campaign": None})


@login_required
def campaign_edit(request, pk):
    require(is_staff(request.user))
    campaign = get_object_or_404(Campaign, pk=pk)
    if not campaign.policy_is_editable:  # D-2.5a; the service refuses too
        messages.error(request, _("The policy is fixed once the campaign has left declaration."))
        return redirect("scoring:campaign_detail", campaign.pk)
    criteria = campaign.criteria.order_by("position")
    post = request.POST if request.method == "POST" else None
    form = CampaignForm(post, instance=campaign)
    formset = None
    if campaign.is_editable_rubric:
        formset = RubricFormSet(post, queryset=criteria, prefix="rubric")
    if post is not None and form.is_valid() and (formset is None or formset.is_valid()):

        def save():
            with transaction.atomic():  # a refused rubric keeps the policy unchanged too
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

        response = perform(
            request,
            save,
            success=_("The campaign was saved."),
            then=reverse("scoring:campaign_edit", args=[campaign.pk]),
            form=form,
        )
        if response is not None:
            return response
    return render(
        request,
        "scoring/campaigns/form.html",
        {
            "form": form,
            "formset": formset,
            "campaign": campaign,
            "criteria_rows": [(c, None) for c in criteria],
            "rubric_total": service.rubric_total(campaign),
        },
    )


@login_required
def campaign_open(request, pk):
    require(is_staff(request.user))
    campaign = get_object_or_404(Campaign, pk=pk)
    form = OpenCampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = perform(
            request,
            lambda: service.open_campaign(campaign=campaign, actor=request.user),
            success=_("The campaign is open; every active branch is enrolled."),
            then=reverse("scoring:campaign_detail", args=[campaign.pk]),
            form=form,
        )
        if response is not None:
            return response
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


# --- The campaign page: every branch's progress -------------------------------------------


@dataclass(frozen=True)
class Chip:
    """One status of a column with its count, as a filter link."""

    label: str
    count: int
    query: str
    active: bool


def _column_chips(filters, progress, query):
    """[(column title, [Chip])] for the four columns: counts of the enrolled branches
    (of the chosen parent), each linking to the filter of that status."""
    review_labels = [
        (service.NOT_STARTED, pgettext("review status", "Not started")),
        *ReviewStatus.choices,
    ]
    columns = [
        (_("Self-evaluation"), "status", "self", SelfEvaluationStatus.choices),
        (_("Survey"), "survey", "survey", SurveyStatus.choices),
        (_("Review"), "review", "review", review_labels),
        (
            _("Five-star audit"),
            "audit",
            "audit",
            [c for c in AuditStatus.choices if c[0] != AuditStatus.NOT_NEEDED],
        ),
    ]
    chosen = filters.cleaned_data if filters.is_valid() else {}
    out = []
    for title, name, column, choices in columns:
        chips = []
        for value, label in choices:
            link = query.copy()
            for other in AssessmentFilterForm.COLUMNS:
                link.pop(other, None)
            link.pop("scope", None)
            active = chosen.get(name) == value
            if not active:
                link[name] = value
            chips.append(Chip(label, progress.of(column, value), link.urlencode(), active))
        out.append((title, chips))
    return out


@dataclass(frozen=True)
class BranchRow:
    """One line of the campaign page: an assessment and its parts (None: not started)."""

    assessment: Assessment
    sheet: object
    survey: object
    review: object

    @classmethod
    def of(cls, assessment):
        parts = (assessment.part(name) for name in ("self_evaluation", "survey", "review"))
        return cls(assessment, *parts)

    @property
    def audited(self):
        """The review went to the five-star audit (its audit status is worth showing)."""
        return self.review is not None and self.review.audit_status != AuditStatus.NOT_NEEDED

    @property
    def election_on_time(self):
        return self.assessment.election == ElectionStatus.ON_TIME


@login_required
def campaign_detail(request, pk):
    """The campaign page: every branch with the status of its self-evaluation, survey,
    review and audit, counts per column, filters, 50 a page; a fixed number of queries
    whatever the number of branches (docs/architecture.md, conventions 6)."""
    require(is_committee_level(request.user))
    campaign = get_object_or_404(Campaign, pk=pk)
    filters = AssessmentFilterForm(request.GET or None, campaign=campaign)
    base = Assessment.objects.filter(campaign=campaign)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    if chosen.get("parent"):
        base = base.filter(branch__parent=chosen["parent"])
    progress = service.progress(base)
    rows = base
    for column, status in filters.column_filters():
        rows = service.filter_by_status(rows, column, status)
    if chosen.get("scope") == SCOPE_ENROLLED:
        rows = rows.enrolled()
    elif chosen.get("scope") == SCOPE_WITHDRAWN:
        rows = rows.withdrawn()
    rows = rows.select_related("branch__parent", "self_evaluation", "survey", "review").order_by(
        "branch__code"
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    if not campaign.is_draft:
        complete = recompute_service.completeness(campaign)
        campaign.results_complete = service.results_complete(complete)
    return render(
        request,
        "scoring/campaigns/detail.html",
        {
            "campaign": campaign,
            "page": page,
            "rows": [BranchRow.of(a) for a in page.object_list],
            "not_open": SurveyStatus.NOT_OPEN.label,
            "not_started": pgettext("review status", "Not started"),
            "filters": filters,
            "filtered": bool(filters.column_filters() or chosen.get("scope")),
            "query": query.urlencode(),
            "progress": progress,
            "columns": _column_chips(filters, progress, query),
            "submitted": progress.of("self", SelfEvaluationStatus.SUBMITTED),
            "total": progress.enrolled,
            "may_manage": is_staff(request.user),
            "may_withdraw": is_staff(request.user) and campaign.is_declaring,
        },
    )


# --- Withdrawing a branch ---------------------------------------------------------------


def _enrolment_page(request, pk, *, withdrawing):
    """Withdraw a branch from its campaign (dissolved, merged…) or reinstate it, each with a
    reason, by staff: the page itself is the confirmation step."""
    require(is_staff(request.user))
    found = get_object_or_404(
        Assessment.objects.select_related("campaign", "branch__parent"), pk=pk
    )
    if withdrawing:
        form_class, change = WithdrawForm, service.withdraw_branch
        success = _("%(branch)s was withdrawn from the campaign.")
    else:
        form_class, change = ReinstateForm, service.reinstate_branch
        success = _("%(branch)s takes part in the campaign again.")
    form = form_class(request.POST or None)
    back = reverse("scoring:campaign_detail", args=[found.campaign_id])
    if request.method == "POST" and form.is_valid():
        response = perform(
            request,
            lambda: change(assessment=found, actor=request.user, **form.cleaned_data),
            success=success % {"branch": found.branch.name},
            then=back,
            form=form,
        )
        if response is not None:
            return response
    context = {
        "assessment": found,
        "campaign": found.campaign,
        "form": form,
        "back": back,
        "withdrawing": withdrawing,
    }
    return render(request, "scoring/campaigns/enrolment.html", context)


@login_required
def assessment_withdraw(request, pk):
    return _enrolment_page(request, pk, withdrawing=True)


@login_required
def assessment_reinstate(request, pk):
    return _enrolment_page(request, pk, withdrawing=False)


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
        "second_review": found.part("second_review"),
        "rating": rating,
        "completeness": recompute_service.completeness(campaign) if rating else None,
        "is_staff": staff,
        "history": audit_trail(found) if staff else None,
        "show_results": is_committee_level(request.user),
        "certificate": may_download_approved_documents(request.user)
        and campaign.status in (CampaignStatus.APPROVED, CampaignStatus.CLOSED)
        and publicity_service.five_star_refusal(campaign, found.branch) is None,
        **star_history_context(found.branch),
        "manage_url": reverse("scoring:branch_stars", args=[found.branch_id]),
    }
    return render(request, "scoring/branch.html", context)


urls = [
    path("campaigns/", campaign_list, name="campaign_list"),
    path("campaigns/new/", campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/open/", campaign_open, name="campaign_open"),
    path("assessments/<int:pk>/", assessment, name="assessment"),
    path("assessments/<int:pk>/withdraw/", assessment_withdraw, name="assessment_withdraw"),
    path("assessments/<int:pk>/reinstate/", assessment_reinstate, name="assessment_reinstate"),
]
