"""The self-evaluation page (自评表, docs/process.md §2.1.1).

Its evidence files, return and extension.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.permissions import branches_for, is_secretary_of, is_staff, may_review, require
from scoring.forms.campaigns import ExtendDeadlineForm
from scoring.forms.self_evaluation import EvidenceForm, ReturnForm, SelfEvaluationForm
from scoring.forms.versions import show_stale, stale_data
from scoring.models import Assessment, CampaignStatus, Evidence, SelfEvaluation
from scoring.services import campaigns as campaign_service
from scoring.services import self_evaluation as service
from scoring.services.errors import WorkflowError
from scoring.services.versions import StaleVersion


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


def _may_edit(user, sheet):
    return (
        is_secretary_of(user, sheet.assessment.branch)
        and sheet.is_editable
        and sheet.assessment.campaign.status == CampaignStatus.OPEN
    )


@login_required
def self_evaluation(request, pk):
    """View for everyone who may see the branch; edit for its secretary while editable."""
    sheet = _sheet_for(request, pk)
    assessment = sheet.assessment
    is_secretary = is_secretary_of(request.user, assessment.branch)
    criteria = list(assessment.campaign.criteria.order_by("position"))
    post = request.POST if request.method == "POST" else None
    if post is not None:
        require(is_secretary)
    form = SelfEvaluationForm(post, criteria=criteria, sheet=sheet)
    if post is not None:
        if form.is_valid():
            submitting = "submit" in request.POST
            try:
                if submitting:
                    service.submit(
                        sheet=sheet,
                        actor=request.user,
                        scores=form.scores(),
                        self_star=form.cleaned_data["self_star"],
                        version=form.cleaned_data["version"],
                    )
                else:
                    service.save_draft(
                        sheet=sheet,
                        actor=request.user,
                        scores=form.scores(),
                        self_star=form.cleaned_data["self_star"],
                        version=form.cleaned_data["version"],
                    )
            except StaleVersion as stale:
                form = SelfEvaluationForm(stale_data(post, stale), criteria=criteria, sheet=sheet)
                show_stale(form, stale)
            except WorkflowError as error:
                form.add_error(None, str(error))
            else:
                if submitting:
                    messages.success(request, _("The self-evaluation was submitted."))
                else:
                    messages.success(request, _("The draft was saved."))
                return redirect("scoring:self_evaluation", assessment.pk)
        messages.error(request, _("Nothing was saved; please correct the errors below."))
    scores = {s.criterion_id: s for s in sheet.scores.all()}
    rows = [(c, scores.get(c.pk)) for c in criteria]
    editable = _may_edit(request.user, sheet)
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
            "past_deadline": timezone.localdate() > sheet.deadline,
            "evidence": sheet.evidence.select_related("uploaded_by"),
            "evidence_form": EvidenceForm() if editable else None,
            "may_return": may_review(request.user, assessment.branch),
            "may_extend": is_staff(request.user),
            "return_form": ReturnForm(),
            "rubric_max": sum((c.max_points for c in criteria), 0),
        },
    )


@login_required
@require_POST
def evidence_upload(request, pk):
    sheet = _sheet_for(request, pk)
    require(is_secretary_of(request.user, sheet.assessment.branch))
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            service.add_evidence(
                sheet=sheet, actor=request.user, uploaded_file=form.cleaned_data["file"]
            )
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The file was attached."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("scoring:self_evaluation", sheet.assessment_id)


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
    assessment = evidence.self_evaluation.assessment
    require(is_secretary_of(request.user, assessment.branch))
    try:
        service.remove_evidence(evidence=evidence, actor=request.user)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The file was removed."))
    return redirect("scoring:self_evaluation", assessment.pk)


@login_required
def evidence_download(request, pk):
    """Evidence is served only here, to those who may see the branch."""
    evidence = _evidence_for(request, pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )


@login_required
def self_evaluation_return(request, pk):
    sheet = _sheet_for(request, pk)
    require(may_review(request.user, sheet.assessment.branch))
    form = ReturnForm(request.POST or None, initial={"version": sheet.version})
    if request.method == "POST" and form.is_valid():
        try:
            service.return_sheet(
                sheet=sheet,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except StaleVersion as stale:
            form = show_stale(ReturnForm(stale_data(request.POST, stale)), stale)
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The self-evaluation was returned to the branch."))
            return redirect("scoring:self_evaluation", sheet.assessment_id)
    return render(
        request,
        "scoring/self_evaluation/return.html",
        {"sheet": sheet, "assessment": sheet.assessment, "form": form},
    )


@login_required
def self_evaluation_extend(request, pk):
    """Staff extend one branch's deadline (and reopen a submitted sheet)."""
    sheet = _sheet_for(request, pk)
    require(is_staff(request.user))
    form = ExtendDeadlineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign_service.reopen_for_branch(
                sheet=sheet,
                actor=request.user,
                until=form.cleaned_data["until"],
                reason=form.cleaned_data["reason"],
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The deadline was extended for this branch."))
            return redirect("scoring:self_evaluation", sheet.assessment_id)
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
