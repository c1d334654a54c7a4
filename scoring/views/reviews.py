"""Review, five-star audit and campaign results pages (docs/process.md §2.1.3, docs/rules.md §4).

Who may use what:
- review queue: reviewers and staff; the review page: whoever `may_review` the branch
  (403 for other roles and for a reviewer who must recuse, 404 for a branch the user
  cannot see at all);
- audit queue and page, recompute, returning a review: staff;
- campaign results: staff, approvers and re-reviewers (read).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.models import Organisation, Role
from branches.permissions import (
    branches_for,
    has_role,
    is_committee_level,
    is_staff,
    may_review,
    require,
)
from scoring.forms.reviews import AuditForm, ReturnForm, ReviewForm
from scoring.forms.versions import show_stale, stale_data
from scoring.models import (
    Assessment,
    AuditStatus,
    Campaign,
    QuotaMode,
    Rating,
    Review,
    ReviewStatus,
    SelfEvaluation,
)
from scoring.rules import Note
from scoring.services import recompute as recompute_service
from scoring.services import reviews as services
from scoring.services import survey as survey_services
from scoring.services.errors import WorkflowError
from scoring.services.events import events_for_campaign
from scoring.services.versions import StaleVersion

RESULTS_PER_PAGE = 100


def _may_use_reviews(user) -> bool:
    return has_role(user, Role.REVIEWER) or is_staff(user)


def _assessment_for(user, pk) -> Assessment:
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
    require(_may_use_reviews(request.user))
    queue = services.review_queue(request.user)
    rows = [(a, a.part("review")) for a in queue]
    return render(request, "scoring/reviews/queue.html", {"rows": rows})


@login_required
def review_page(request, pk):
    require(_may_use_reviews(request.user))
    assessment = _assessment_for(request.user, pk)
    require(may_review(request.user, assessment.branch))
    review = services.review_of(assessment)
    criteria = list(assessment.campaign.criteria.all())
    editable = review.status != ReviewStatus.SUBMITTED
    sheet, self_scores, evidence = _self_evaluation_of(assessment)
    form = ReviewForm(
        request.POST or None, criteria=criteria, review=review, self_scores=self_scores
    )
    if request.method == "POST":
        require(editable)
        if form.is_valid():
            action = request.POST.get("action", "save")
            try:
                if action == "submit":
                    services.submit_review(
                        actor=request.user,
                        assessment=assessment,
                        scores=form.scores(),
                        remarks=form.remarks(),
                        version=form.cleaned_data["version"],
                    )
                    messages.success(request, _("The review was submitted."))
                else:
                    services.save_review_draft(
                        assessment=assessment,
                        actor=request.user,
                        scores=form.scores(),
                        remarks=form.remarks(),
                        version=form.cleaned_data["version"],
                    )
                    messages.success(request, _("The draft was saved."))
                return redirect("scoring:review", pk=assessment.pk)
            except StaleVersion as stale:
                review = Review.objects.get(assessment=assessment)  # as saved in between
                form = ReviewForm(
                    stale_data(request.POST, stale),
                    criteria=criteria,
                    review=review,
                    self_scores=self_scores,
                )
                show_stale(form, stale)
            except services.InvalidScores as error:
                form.add_service_errors(error.errors)
            except WorkflowError as error:
                form.add_error(None, error.message)
    return _render_review(request, assessment, review, form, sheet, evidence)


def _render_review(request, assessment, review, form, sheet, evidence, return_form=None):
    """The review page: the form (read-only once submitted), the branch's inputs and the
    engine's proposal; for staff, the form that returns a submitted review."""
    criteria = form.criteria
    editable = review.status != ReviewStatus.SUBMITTED
    if return_form is None and is_staff(request.user):
        return_form = ReturnForm(initial={"version": review.version})
    proposal = services.preview(assessment, review_total=review.total if review.pk else None)
    context = {
        "assessment": assessment,
        "review": review,
        "criteria": criteria,
        "form": form,
        "editable": editable,
        "proposal": proposal,
        "trace": [note.render(_) for note in proposal.explain],
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
    require(is_staff(request.user))
    assessment = _assessment_for(request.user, pk)
    review = get_object_or_404(Review, assessment=assessment)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.return_review(
                review=review,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
            messages.success(request, _("The review was returned to the reviewer."))
        except StaleVersion as stale:
            # The page again, as the review stands now, with the reason kept.
            review = Review.objects.get(pk=review.pk)
            sheet, self_scores, evidence = _self_evaluation_of(assessment)
            criteria = list(assessment.campaign.criteria.all())
            review_form = ReviewForm(criteria=criteria, review=review, self_scores=self_scores)
            form = show_stale(ReturnForm(stale_data(request.POST, stale)), stale)
            return _render_review(request, assessment, review, review_form, sheet, evidence, form)
        except WorkflowError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("Give the reason for returning the review."))
    return redirect("scoring:campaign_results", pk=assessment.campaign_id)


@login_required
def audit_queue(request):
    require(is_staff(request.user))
    return render(request, "scoring/reviews/audit_queue.html", {"reviews": services.audit_queue()})


@login_required
def audit_page(request, pk):
    require(is_staff(request.user))
    review = get_object_or_404(
        Review.objects.select_related("assessment__campaign", "assessment__branch__parent"),
        pk=pk,
    )
    assessment = review.assessment
    form = AuditForm(request.POST or None, initial={"version": review.version})
    if request.method == "POST" and form.is_valid():
        agree = request.POST.get("action") == "agree"
        try:
            services.audit_five_star(
                review=review,
                actor=request.user,
                agree=agree,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
            if agree:
                messages.success(request, _("The five-star proposal was agreed."))
            else:
                messages.success(request, _("The review was sent back to the reviewer."))
            return redirect("scoring:audit_queue")
        except StaleVersion as stale:
            review = Review.objects.get(pk=review.pk)  # the page as the review stands now
            form = show_stale(AuditForm(stale_data(request.POST, stale)), stale)
        except WorkflowError as error:
            form.add_error("reason" if not agree else None, error.message)
    proposal = services.preview(assessment)
    context = {
        "review": review,
        "assessment": assessment,
        "scores": review.scores.select_related("criterion"),
        "form": form,
        "proposal": proposal,
        "trace": [note.render(_) for note in proposal.explain],
        "pending": review.audit_status == AuditStatus.PENDING
        and review.status == ReviewStatus.SUBMITTED,
    }
    return render(request, "scoring/reviews/audit.html", context)


def _quota_context(campaign) -> dict | None:
    report = campaign.quota_report
    if not report:
        return None
    codes = {a["id"] for a in report.get("adjusted", []) + report.get("violations", [])}
    names = dict(Organisation.objects.filter(code__in=codes).values_list("code", "name"))

    def rows(items):
        return [
            {
                "code": a["id"],
                "name": names.get(a["id"], a["id"]),
                "from": a["from"],
                "to": a["to"],
                "reason": Note.from_json(a["reason"]).render(_),
            }
            for a in items
        ]

    return {
        **report,
        "mode_label": QuotaMode(report["mode"]).label,
        "adjusted_rows": rows(report.get("adjusted", [])),
        "violation_rows": rows(report.get("violations", [])),
    }


@login_required
def campaign_results(request, pk):
    require(is_committee_level(request.user))
    campaign = get_object_or_404(Campaign, pk=pk)
    ratings = (
        Rating.objects.filter(assessment__campaign=campaign)
        .select_related("assessment__branch__parent")
        .order_by("-score", "assessment__branch__code")
    )
    page = Paginator(ratings, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    offset = page.start_index()
    ranked = [(offset + i, rating) for i, rating in enumerate(page.object_list)]
    figures = recompute_service.gather(campaign, with_ballots=False)
    missing = [f for f in figures if f.missing]
    low_participation = [f for f in figures if f.survey_closed and f.participation_low]
    missing_counts = {
        code: sum(1 for f in missing if code in f.missing)
        for code in recompute_service.MISSING_LABELS
    }
    star_counts = ratings.order_by().values("star").annotate(n=Count("pk")).order_by("-star")
    context = {
        "campaign": campaign,
        "page": page,
        "ranked": ranked,
        "quota": _quota_context(campaign),
        "missing": missing[:200],
        "missing_total": len(missing),
        "missing_counts": [
            (recompute_service.MISSING_LABELS[code], n) for code, n in missing_counts.items()
        ],
        "missing_labels": recompute_service.MISSING_LABELS,
        "low_participation": low_participation,
        "assessment_total": len(figures),
        "star_counts": list(star_counts),
        "completeness": recompute_service.completeness(campaign),
        "may_recompute": is_staff(request.user),
        "changed": campaign.recomputed_at is not None
        and recompute_service.inputs_changed_since_recompute(campaign),
    }
    return render(request, "scoring/reviews/results.html", context)


@require_POST
@login_required
def recompute(request, pk):
    require(is_staff(request.user))
    campaign = get_object_or_404(Campaign, pk=pk)
    try:
        outcome = recompute_service.recompute_campaign(campaign=campaign, actor=request.user)
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Recomputed: %(rated)d branches rated.") % {"rated": len(outcome.results)},
        )
    return redirect("scoring:campaign_results", pk=campaign.pk)


@login_required
def branch_rating(request, pk):
    """One branch's stored rating with its trace (for staff, its reviewer, its secretary);
    before the branch is rated, the page says what rating needs."""
    assessment = _assessment_for(request.user, pk)
    rating = Rating.objects.filter(assessment=assessment).first()
    context = {
        "assessment": assessment,
        "rating": rating,
        "completeness": recompute_service.completeness(assessment.campaign) if rating else None,
    }
    return render(request, "scoring/reviews/rating.html", context)


urls = [
    path("reviews/", review_queue, name="review_queue"),
    path("assessments/<int:pk>/review/", review_page, name="review"),
    path("assessments/<int:pk>/review/return/", return_review, name="review_return"),
    path("assessments/<int:pk>/rating/", branch_rating, name="rating"),
    path("audits/", audit_queue, name="audit_queue"),
    path("audits/<int:pk>/", audit_page, name="audit"),
    path("campaigns/<int:pk>/results/", campaign_results, name="campaign_results"),
    path("campaigns/<int:pk>/recompute/", recompute, name="recompute"),
]

__all__ = ["urls"]
