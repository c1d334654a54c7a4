"""Review and five-star audit pages (docs/process.md §2.1.3).

Who may use what (`branches.permissions`):
- review queue: reviewers and staff (`may_use_reviews`); the review page: whoever
  `may_review` the branch (403 for other roles and for a reviewer who must recuse, 404
  for a branch the user cannot see at all);
- audit queue and page, returning a review: staff (`may_audit`).

Campaign results, recompute and a branch's rating are in `scoring.views.results`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.permissions import (
    branches_for,
    may_audit,
    may_review,
    may_use_reviews,
    require,
)
from scoring.forms.reviews import AuditForm, ReturnForm, ReviewForm
from scoring.forms.versions import show_stale, stale_data
from scoring.models import Assessment, Review, SelfEvaluation
from scoring.services import reviews as services
from scoring.services import survey as survey_services
from scoring.services.events import events_for_campaign
from scoring.services.versions import StaleVersion
from starrating.actions import perform_keeping_refusal

#: The audit queue's page size (docs/nonfunctional.md §7).
AUDIT_PAGE_SIZE = 50


def assessment_for(user, pk) -> Assessment:
    """An assessment of a branch the user may see; 404 for any other."""
    queryset = Assessment.objects.select_related("campaign", "branch", "branch__parent").filter(
        branch__in=branches_for(user)
    )
    return get_object_or_404(queryset, pk=pk)


def _self_evaluation_of(assessment):
    """The submitted sheet, its scores by criterion id and its evidence (read-only)."""
    sheet = (
        SelfEvaluation.objects.filter(assessment=assessment)
        .prefetch_related("scores", "evidence")
        .first()
    )
    if sheet is None:
        return None, {}, []
    return sheet, {s.criterion_id: s for s in sheet.scores.all()}, list(sheet.evidence.all())


def _events_of(assessment):
    """The branch's events of the campaign year (as recompute reads them)."""
    events = events_for_campaign(assessment.campaign, [assessment.branch_id])
    return events.get(assessment.branch_id, [])


@login_required
def review_queue(request):
    require(may_use_reviews(request.user))
    page, counts = services.queue_page(request.user, request.GET.get("page"))
    context = {"page": page, "rows": page.object_list if page else [], "counts": counts}
    return render(request, "scoring/reviews/queue.html", context)


@login_required
def review_page(request, pk):
    require(may_use_reviews(request.user))
    assessment = assessment_for(request.user, pk)
    require(may_review(request.user, assessment.branch))
    review = services.review_of(assessment)
    criteria = list(assessment.campaign.criteria.all())
    sheet, self_scores, evidence = _self_evaluation_of(assessment)
    form = ReviewForm(
        request.POST or None, criteria=criteria, review=review, self_scores=self_scores
    )
    if request.method == "POST":
        require(not review.is_submitted)
        if form.is_valid():
            submitting = form.submitting
            service = services.submit_review if submitting else services.save_review_draft
            response, error = perform_keeping_refusal(
                request,
                lambda: service(
                    actor=request.user,
                    assessment=assessment,
                    scores=form.scores(),
                    remarks=form.remarks(),
                    version=form.cleaned_data["version"],
                ),
                success=_("The review was submitted.") if submitting else _("The draft was saved."),
                then=reverse("scoring:review", args=[assessment.pk]),
                form=form,
            )
            if response is not None:
                return response
            if isinstance(error, StaleVersion):
                # As saved in between; none yet when the posted version was never one.
                saved = Review.objects.filter(assessment=assessment).first()
                review = saved or Review(assessment=assessment)
                form = ReviewForm(
                    stale_data(request.POST, error),
                    criteria=criteria,
                    review=review,
                    self_scores=self_scores,
                )
                show_stale(form, error)
            elif isinstance(error, services.InvalidScores):
                form.add_service_errors(error.errors)
    return _render_review(request, assessment, review, form, sheet, evidence)


def _render_review(request, assessment, review, form, sheet, evidence, return_form=None):
    """The review page: the form (read-only once submitted), the branch's inputs and the
    engine's proposal; for staff, the form that returns a submitted review."""
    if return_form is None and may_audit(request.user):
        return_form = ReturnForm(initial={"version": review.version})
    proposal = services.preview(assessment, review_total=review.total if review.pk else None)
    context = {
        "assessment": assessment,
        "review": review,
        "criteria": form.criteria,
        "form": form,
        "editable": not review.is_submitted,
        "proposal": proposal,
        "trace": proposal.explain,
        "sheet": sheet,
        "evidence": evidence,
        "events": _events_of(assessment),
        "return_form": return_form,
        **survey_services.summary_context(assessment),
    }
    return render(request, "scoring/reviews/review.html", context)


@require_POST
@login_required
def return_review(request, pk):
    require(may_audit(request.user))
    assessment = assessment_for(request.user, pk)
    review = get_object_or_404(Review, assessment=assessment)
    form = ReturnForm(request.POST)
    results = reverse("scoring:campaign_results", args=[assessment.campaign_id])
    if not form.is_valid():
        messages.error(request, _("Give the reason for returning the review."))
        return redirect(results)
    response, error = perform_keeping_refusal(
        request,
        lambda: services.return_review(
            review=review,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
        ),
        success=_("The review was returned to the reviewer."),
        then=results,
    )
    if not isinstance(error, StaleVersion):
        return response
    # The page again, as the review stands now, with the reason kept.
    review = Review.objects.get(pk=review.pk)
    sheet, self_scores, evidence = _self_evaluation_of(assessment)
    criteria = list(assessment.campaign.criteria.all())
    review_form = ReviewForm(criteria=criteria, review=review, self_scores=self_scores)
    form = show_stale(ReturnForm(stale_data(request.POST, error)), error)
    return _render_review(request, assessment, review, review_form, sheet, evidence, form)


@login_required
def audit_queue(request):
    require(may_audit(request.user))
    page = Paginator(services.audit_queue_rows(), AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "reviews": page.object_list}
    return render(request, "scoring/reviews/audit_queue.html", context)


@login_required
def audit_page(request, pk):
    require(may_audit(request.user))
    review = get_object_or_404(
        Review.objects.select_related("assessment__campaign", "assessment__branch__parent"),
        pk=pk,
    )
    assessment = review.assessment
    form = AuditForm(request.POST or None, initial={"version": review.version})
    if request.method == "POST" and form.is_valid():
        agree = form.agreeing
        response, error = perform_keeping_refusal(
            request,
            lambda: services.audit_five_star(
                review=review,
                actor=request.user,
                agree=agree,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            ),
            success=_("The five-star proposal was agreed.")
            if agree
            else _("The review was sent back to the reviewer."),
            then=reverse("scoring:audit_queue"),
            form=form,
            field=None if agree else "reason",
        )
        if response is not None:
            return response
        if isinstance(error, StaleVersion):
            review = Review.objects.get(pk=review.pk)  # the page as the review stands now
            form = show_stale(AuditForm(stale_data(request.POST, error)), error)
    proposal = services.preview(assessment)
    context = {
        "review": review,
        "assessment": assessment,
        "scores": review.scores.select_related("criterion"),
        "form": form,
        "proposal": proposal,
        "trace": proposal.explain,
        "pending": review.awaiting_audit,
    }
    return render(request, "scoring/reviews/audit.html", context)


urls = [
    path("reviews/", review_queue, name="review_queue"),
    path("assessments/<int:pk>/review/", review_page, name="review"),
    path("assessments/<int:pk>/review/return/", return_review, name="review_return"),
    path("audits/", audit_queue, name="audit_queue"),
    path("audits/<int:pk>/", audit_page, name="audit"),
]

__all__ = ["assessment_for", "urls"]
