"""Second reviews and disagreement (docs/process.md §2.1.3).

Who may use what (`branches.permissions`):
- the sample page (draw, pick, assign, remove), the disagreement page and the decision:
  committee staff (`may_run_second_reviews`), 403 for everyone else;
- "my second reviews": reviewers and staff (`may_use_reviews`);
- the second review's sheet: its assigned reviewer alone, while `may_second_review`
  still allows them (403 for staff, who see the pair on the disagreement page; 404 for
  everyone else, the first reviewer included: the review is blind both ways).
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from branches.permissions import (
    is_staff,
    may_run_second_reviews,
    may_second_review,
    may_use_reviews,
    require,
    second_reviewer_candidates,
)
from scoring.forms.reviews import ReviewForm
from scoring.forms.second_reviews import (
    AssignForm,
    DecisionForm,
    DrawForm,
    MarginForm,
    PickForm,
)
from scoring.forms.versions import show_stale, stale_data
from scoring.models import Campaign, CampaignStatus, SecondReview
from scoring.services import recompute
from scoring.services import reviews as review_services
from scoring.services import second_reviews as services
from scoring.services import survey as survey_services
from scoring.services.versions import StaleVersion
from starrating.actions import perform_keeping_refusal

from .reviews import _events_of, _self_evaluation_of


def _campaign(pk) -> Campaign:
    return get_object_or_404(Campaign.objects.defer("quota_report"), pk=pk)


def _second(pk) -> SecondReview:
    return get_object_or_404(
        SecondReview.objects.select_related(
            "assessment__campaign", "assessment__branch__parent", "reviewer", "decided_by"
        ),
        pk=pk,
    )


def _sample_page(request, campaign, *, draw_form=None, pick_form=None, status=200):
    pool = services.sample_pool(campaign)
    context = {
        "campaign": campaign,
        "sample": services.sample_of(campaign),
        "pool_size": pool.count(),
        "draw_form": draw_form or DrawForm(),
        "pick_form": pick_form or PickForm(pool=pool),
        "declaring": campaign.status == CampaignStatus.OPEN,
    }
    return render(request, "scoring/second_reviews/sample.html", context, status=status)


@require_GET
@login_required
def sample(request, pk):
    require(may_run_second_reviews(request.user))
    return _sample_page(request, _campaign(pk))


def _drawn_message(rows):
    return ngettext(
        "%(count)d branch was added to the second-review sample.",
        "%(count)d branches were added to the second-review sample.",
        len(rows),
    ) % {"count": len(rows)}


@require_POST
@login_required
def draw(request, pk):
    require(may_run_second_reviews(request.user))
    campaign = _campaign(pk)
    form = DrawForm(request.POST)
    if form.is_valid():
        response, _error = perform_keeping_refusal(
            request,
            lambda: services.draw_sample(
                campaign=campaign,
                actor=request.user,
                count=form.cleaned_data["count"],
                percent=form.cleaned_data["percent"],
                stratified=form.cleaned_data["stratified"],
            ),
            success=_drawn_message,
            then=reverse("scoring:second_reviews", args=[campaign.pk]),
            form=form,
        )
        if response is not None:
            return response
    return _sample_page(request, campaign, draw_form=form)


@require_POST
@login_required
def pick(request, pk):
    require(may_run_second_reviews(request.user))
    campaign = _campaign(pk)
    form = PickForm(request.POST, pool=services.sample_pool(campaign))
    if form.is_valid():
        response, _error = perform_keeping_refusal(
            request,
            lambda: services.pick_branches(
                campaign=campaign, actor=request.user, assessments=form.cleaned_data["assessments"]
            ),
            success=_drawn_message,
            then=reverse("scoring:second_reviews", args=[campaign.pk]),
            form=form,
        )
        if response is not None:
            return response
    return _sample_page(request, campaign, pick_form=form)


@login_required
def assign(request, pk):
    require(may_run_second_reviews(request.user))
    second = _second(pk)
    assessment = second.assessment
    candidates = second_reviewer_candidates(
        assessment.branch, first_reviewer_id=services.first_reviewer_id(assessment)
    )
    form = AssignForm(
        request.POST or None,
        candidates=candidates,
        initial={"version": second.version, "reviewer": second.reviewer_id},
    )
    if request.method == "POST" and form.is_valid():
        response, error = perform_keeping_refusal(
            request,
            lambda: services.assign_reviewer(
                second=second,
                actor=request.user,
                reviewer=form.cleaned_data["reviewer"],
                version=form.cleaned_data["version"],
            ),
            success=_("The second reviewer was assigned."),
            then=reverse("scoring:second_reviews", args=[assessment.campaign_id]),
            form=form,
        )
        if response is not None:
            return response
        if isinstance(error, StaleVersion):
            second = _second(pk)
            form = show_stale(
                AssignForm(stale_data(request.POST, error), candidates=candidates), error
            )
    context = {"second": second, "assessment": assessment, "form": form}
    return render(request, "scoring/second_reviews/assign.html", context)


@require_POST
@login_required
def remove(request, pk):
    require(may_run_second_reviews(request.user))
    second = _second(pk)
    back = reverse("scoring:second_reviews", args=[second.assessment.campaign_id])
    response, _error = perform_keeping_refusal(
        request,
        lambda: services.remove_from_sample(second=second, actor=request.user),
        success=_("The branch was taken out of the sample."),
        then=back,
    )
    return response


@require_GET
@login_required
def queue(request):
    require(may_use_reviews(request.user))
    return render(
        request, "scoring/second_reviews/queue.html", {"rows": services.queue_of(request.user)}
    )


@login_required
def review_page(request, pk):
    second = _second(pk)
    assessment = second.assessment
    if second.reviewer_id != request.user.pk:
        if is_staff(request.user):
            require(False)
        raise Http404
    require(
        may_second_review(
            request.user,
            assessment.branch,
            first_reviewer_id=services.first_reviewer_id(assessment),
        )
    )
    criteria = list(assessment.campaign.criteria.all())
    sheet, self_scores, evidence = _self_evaluation_of(assessment)
    form = ReviewForm(
        request.POST or None, criteria=criteria, review=second, self_scores=self_scores
    )
    if request.method == "POST":
        require(not second.is_submitted)
        if form.is_valid():
            submitting = form.submitting
            service = services.submit_second_review if submitting else services.save_second_draft
            response, error = perform_keeping_refusal(
                request,
                lambda: service(
                    actor=request.user,
                    second=second,
                    scores=form.scores(),
                    remarks=form.remarks(),
                    version=form.cleaned_data["version"],
                ),
                success=_("The second review was submitted.")
                if submitting
                else _("The draft was saved."),
                then=reverse("scoring:second_review", args=[second.pk]),
                form=form,
            )
            if response is not None:
                return response
            if isinstance(error, StaleVersion):
                second = _second(pk)
                form = ReviewForm(
                    stale_data(request.POST, error),
                    criteria=criteria,
                    review=second,
                    self_scores=self_scores,
                )
                show_stale(form, error)
            elif isinstance(error, review_services.InvalidScores):
                form.add_service_errors(error.errors)
    # Blind: the proposal is computed on this review's own total, never the first's
    # (before any score is saved there is none, and no proposal).
    if second.scores.exists():
        proposal = review_services.preview(assessment, review_total=second.total)
    else:
        (figures,) = recompute.gather(assessment.campaign, [assessment], with_ballots=False)
        proposal = review_services.Preview(figures, None)
    context = {
        "second": second,
        "review": second,
        "assessment": assessment,
        "form": form,
        "editable": not second.is_submitted,
        "proposal": proposal,
        "trace": proposal.explain,
        "sheet": sheet,
        "evidence": evidence,
        "events": _events_of(assessment),
        **survey_services.summary_context(assessment),
    }
    return render(request, "scoring/second_reviews/review.html", context)


@require_GET
@login_required
def disagreement(request, pk):
    require(may_run_second_reviews(request.user))
    campaign = _campaign(pk)
    form = MarginForm(request.GET or None)
    figures = services.disagreement(campaign, margin_percent=form.margin_percent)
    context = {"campaign": campaign, "form": form, "figures": figures}
    return render(request, "scoring/second_reviews/disagreement.html", context)


@login_required
def decide(request, pk):
    require(may_run_second_reviews(request.user))
    second = _second(pk)
    assessment = second.assessment
    form = DecisionForm(request.POST or None, initial={"version": second.version})
    if request.method == "POST" and form.is_valid():
        response, error = perform_keeping_refusal(
            request,
            lambda: services.decide(
                second=second,
                actor=request.user,
                use_second=form.use_second,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            ),
            success=_("The decision was recorded. Recompute the campaign to apply it."),
            then=reverse("scoring:second_review_disagreement", args=[assessment.campaign_id]),
            form=form,
            field="reason",
        )
        if response is not None:
            return response
        if isinstance(error, StaleVersion):
            second = _second(pk)
            form = show_stale(DecisionForm(stale_data(request.POST, error)), error)
    figures = services.disagreement(assessment.campaign)
    pair = next((b for b in figures.branches if b.second_review.pk == second.pk), None)
    context = {"second": second, "assessment": assessment, "form": form, "pair": pair}
    return render(request, "scoring/second_reviews/decide.html", context)


urls = [
    path("campaigns/<int:pk>/second-reviews/", sample, name="second_reviews"),
    path("campaigns/<int:pk>/second-reviews/draw/", draw, name="second_reviews_draw"),
    path("campaigns/<int:pk>/second-reviews/pick/", pick, name="second_reviews_pick"),
    path(
        "campaigns/<int:pk>/second-reviews/disagreement/",
        disagreement,
        name="second_review_disagreement",
    ),
    path("second-reviews/", queue, name="second_review_queue"),
    path("second-reviews/<int:pk>/", review_page, name="second_review"),
    path("second-reviews/<int:pk>/assign/", assign, name="second_review_assign"),
    path("second-reviews/<int:pk>/remove/", remove, name="second_review_remove"),
    path("second-reviews/<int:pk>/decide/", decide, name="second_review_decide"),
]
