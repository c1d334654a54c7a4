"""The self-evaluation page (自评表, docs/process.md §2.1.1).

Its evidence files, return and extension.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.permissions import (
    branches_for,
    is_secretary_of,
    may_edit_self_evaluation,
    may_extend_deadline,
    may_return_self_evaluation,
    require,
)
from scoring.forms.campaigns import ExtendDeadlineForm
from scoring.forms.self_evaluation import EvidenceForm, ReturnForm, SelfEvaluationForm
from scoring.forms.versions import show_stale, stale_data
from scoring.models import Assessment, Evidence, SelfEvaluation
from scoring.services import self_evaluation as service
from scoring.services.versions import StaleVersion
from starrating import clock
from starrating.actions import perform, perform_keeping_refusal

from .downloads import stored_file


def _sheet_for(request, assessment_pk) -> SelfEvaluation:
    """The sheet of an assessment the user may see; 404 for any other branch."""
    assessment = get_object_or_404(
        Assessment.objects.select_related("campaign", "branch__parent").filter(
            branch__in=branches_for(request.user)
        ),
        pk=assessment_pk,
    )
    sheet = (
        SelfEvaluation.objects.select_related("submitted_by").filter(assessment=assessment).first()
    )
    if sheet is None:
        raise Http404
    sheet.assessment = assessment
    return sheet


def _sheet_url(sheet) -> str:
    return reverse("scoring:self_evaluation", args=[sheet.assessment_id])


@login_required
def self_evaluation(request, pk):
    """View for everyone who may see the branch; edit for its secretary while editable.

    Saving a draft keeps the sheet editable; submitting needs the confirmation box ticked
    (it works without JavaScript) and a complete sheet, else nothing is saved and the
    page says what is missing, field by field.
    """
    sheet = _sheet_for(request, pk)
    assessment = sheet.assessment
    criteria = list(assessment.campaign.criteria.order_by("position"))
    post = request.POST if request.method == "POST" else None
    submitting = post is not None and "submit" in post
    if post is not None:
        require(is_secretary_of(request.user, assessment.branch))
    form = SelfEvaluationForm(post, criteria=criteria, sheet=sheet, submitting=submitting)
    if post is not None and form.is_valid():
        action = service.submit if submitting else service.save_draft
        done, refusal = perform_keeping_refusal(
            request,
            lambda: action(
                sheet=sheet,
                actor=request.user,
                scores=form.scores(),
                self_star=form.cleaned_data["self_star"],
                version=form.cleaned_data["version"],
            ),
            success=(
                _("The self-evaluation was submitted.") if submitting else _("The draft was saved.")
            ),
            then=_sheet_url(sheet),
            form=form,
        )
        if done:
            return done
        if isinstance(refusal, StaleVersion):
            form = SelfEvaluationForm(
                stale_data(post, refusal), criteria=criteria, sheet=sheet, submitting=submitting
            )
            show_stale(form, refusal)
        elif isinstance(refusal, service.MissingScores):
            form.mark_unscored(refusal.criteria)
    scores = {s.criterion_id: s for s in sheet.scores.all()}
    rows = [(c, scores.get(c.pk)) for c in criteria]
    editable = may_edit_self_evaluation(request.user, sheet)
    return render(
        request,
        "scoring/self_evaluation/sheet.html",
        {
            "sheet": sheet,
            "assessment": assessment,
            "campaign": assessment.campaign,
            "form": form,
            "rows": rows,
            "editable": editable,
            "past_deadline": clock.today() > sheet.deadline,
            "evidence": sheet.evidence.select_related("uploaded_by"),
            "evidence_form": EvidenceForm() if editable else None,
            "may_return": may_return_self_evaluation(request.user, assessment.branch),
            "may_extend": may_extend_deadline(request.user),
            "rubric_max": sum((c.max_points for c in criteria), 0),
        },
    )


@login_required
@require_POST
def evidence_upload(request, pk):
    sheet = _sheet_for(request, pk)
    require(is_secretary_of(request.user, sheet.assessment.branch))
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_sheet_url(sheet))
    return perform(
        request,
        lambda: service.add_evidence(
            sheet=sheet, actor=request.user, uploaded_file=form.cleaned_data["file"]
        ),
        success=_("The file was attached."),
        then=_sheet_url(sheet),
    )


def _evidence_for(request, pk) -> Evidence:
    return get_object_or_404(
        Evidence.objects.select_related(
            "self_evaluation__assessment__branch", "self_evaluation__assessment__campaign"
        ).filter(self_evaluation__assessment__branch__in=branches_for(request.user)),
        pk=pk,
    )


@login_required
@require_POST
def evidence_delete(request, pk):
    evidence = _evidence_for(request, pk)
    sheet = evidence.self_evaluation
    require(is_secretary_of(request.user, sheet.assessment.branch))
    return perform(
        request,
        lambda: service.remove_evidence(evidence=evidence, actor=request.user),
        success=_("The file was removed."),
        then=_sheet_url(sheet),
    )


@login_required
def evidence_download(request, pk):
    """Evidence is served only here, to those who may see the branch."""
    evidence = _evidence_for(request, pk)
    return stored_file(
        evidence.file, filename=evidence.original_name, content_type=evidence.content_type
    )


@login_required
def self_evaluation_return(request, pk):
    sheet = _sheet_for(request, pk)
    require(may_return_self_evaluation(request.user, sheet.assessment.branch))
    form = ReturnForm(request.POST or None, initial={"version": sheet.version})
    if request.method == "POST" and form.is_valid():
        done, refusal = perform_keeping_refusal(
            request,
            lambda: service.return_sheet(
                sheet=sheet,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            ),
            success=_("The self-evaluation was returned to the branch."),
            then=_sheet_url(sheet),
            form=form,
        )
        if done:
            return done
        if isinstance(refusal, StaleVersion):
            form = show_stale(ReturnForm(stale_data(request.POST, refusal)), refusal)
    return render(
        request,
        "scoring/self_evaluation/return.html",
        {"sheet": sheet, "assessment": sheet.assessment, "form": form},
    )


@login_required
def self_evaluation_extend(request, pk):
    """Staff extend one branch's deadline (and reopen a submitted sheet)."""
    sheet = _sheet_for(request, pk)
    require(may_extend_deadline(request.user))
    form = ExtendDeadlineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = perform(
            request,
            lambda: service.extend_deadline(
                sheet=sheet,
                actor=request.user,
                until=form.cleaned_data["until"],
                reason=form.cleaned_data["reason"],
            ),
            success=_("The deadline was extended for this branch."),
            then=_sheet_url(sheet),
            form=form,
        )
        if done:
            return done
    return render(
        request,
        "scoring/self_evaluation/extend.html",
        {"sheet": sheet, "assessment": sheet.assessment, "form": form},
    )


urls = [
    path("assessments/<int:pk>/self-evaluation/", self_evaluation, name="self_evaluation"),
    path(
        "assessments/<int:pk>/self-evaluation/evidence/",
        evidence_upload,
        name="evidence_upload",
    ),
    path(
        "assessments/<int:pk>/self-evaluation/return/",
        self_evaluation_return,
        name="self_evaluation_return",
    ),
    path(
        "assessments/<int:pk>/self-evaluation/extend/",
        self_evaluation_extend,
        name="self_evaluation_extend",
    ),
    path("evidence/<int:pk>/", evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", evidence_delete, name="evidence_delete"),
]
