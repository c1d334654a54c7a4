"""The branch's survey page (docs/survey.md §2.1.2).

For the secretary of the branch and committee staff to open the survey, print slips,
follow participation and close it; reviewers and other committee roles read it. Results
appear only once the survey is closed, and only in aggregate (a live mean would move
with every ballot and could be watched at the meeting, D-2.1.2a). The anonymous ballot
pages under ``/v/`` are `scoring.views.ballot`.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from branches.permissions import (
    branches_for,
    is_staff,
    may_enter_paper_ballots,
    may_run_survey,
    require,
    roles_of,
)
from scoring.forms.survey import CloseSurveyForm, MoreSlipsForm, OpenSurveyForm, ReissueForm
from scoring.models import Assessment, ExportStatus, SlipSheet, Survey, SurveyStatus
from scoring.services import survey as service
from scoring.services.survey import sheet_jobs
from scoring.views.exports import progress_state
from starrating.actions import perform


def _assessment(request, assessment_id):
    """The assessment if the user may see its branch: 403 without any role, else 404."""
    require(bool(roles_of(request.user)))
    return get_object_or_404(
        Assessment.objects.select_related("branch", "campaign", "survey"),
        pk=assessment_id,
        branch__in=branches_for(request.user),
    )


def _survey_of(assessment):
    """The assessment's survey; 404 before it was ever opened (for the actions on it)."""
    survey = getattr(assessment, "survey", None)
    if survey is None:
        raise Http404
    return survey


def _link_base(request):
    return request.build_absolute_uri(reverse("scoring:ballot"))


def _here(assessment):
    return reverse("scoring:survey", args=[assessment.pk])


def _action(name, assessment):
    return reverse(f"scoring:{name}", args=[assessment.pk])


def _page(request, assessment, *, status=200, **forms):
    """The survey page; `forms` are bound forms to show again with their errors."""
    # Before the first opening there is no row: an unsaved one reads as not open.
    survey = getattr(assessment, "survey", None) or Survey(assessment=assessment)
    manager = may_run_survey(request.user, assessment.branch)
    staff = is_staff(request.user)
    opened = survey.status != SurveyStatus.NOT_OPEN
    job = sheet_jobs.sheet_job_of(assessment) if manager else None
    context = {
        "assessment": assessment,
        "survey": survey,
        "opened": opened,
        "manager": manager,
        "staff": staff,
        "min_percent": service.MIN_PARTICIPATION_PERCENT,
    }
    if job is not None:
        sheet = _sheet_of(assessment, job)
        if not job.is_finished or sheet or job.error:
            context["sheet_job"] = job
            context["sheet_job_state"] = _job_state(assessment, job, sheet)
    preparing = job is not None and not job.is_finished
    if not opened:
        if manager and not preparing:
            context["open_form"] = forms.get("open_form") or OpenSurveyForm(
                action=_action("survey_open", assessment)
            )
        return render(request, "scoring/survey/manage.html", context, status=status)
    participation = service.participation(survey)
    context["participation"] = participation
    context["paper_counts"] = service.paper_counts(survey)
    context["teller"] = may_enter_paper_ballots(request.user, assessment.branch)
    if survey.is_open and manager:
        context["sheets"] = list(survey.slip_sheets.filter(void=False))
        context["unused"] = {
            "member": participation.member_slips_issued - participation.members_voted,
            "public": participation.public_slips_issued - participation.public_voted,
        }
        context["more_form"] = forms.get("more_form") or MoreSlipsForm(
            action=_action("survey_more_slips", assessment)
        )
        context["reissue_form"] = forms.get("reissue_form") or ReissueForm(
            action=_action("survey_reissue", assessment)
        )
        context["close_form"] = forms.get("close_form") or CloseSurveyForm(
            action=_action("survey_close", assessment), staff=staff
        )
    if survey.is_closed:
        context["figures"] = service.figures_for(survey)
        context["distribution"] = service.criterion_distribution(survey)
    return render(request, "scoring/survey/manage.html", context, status=status)


@login_required
@require_GET
def survey_page(request, assessment_id):
    """The branch's survey: status, participation, slips, and aggregate results."""
    return _page(request, _assessment(request, assessment_id))


def _manager_action(view):
    """A POST by the branch's secretary or committee staff (D-2.1.2p)."""

    @login_required
    @require_POST
    @wraps(view)
    def wrapped(request, assessment_id):
        assessment = _assessment(request, assessment_id)
        require(may_run_survey(request.user, assessment.branch))
        return view(request, assessment)

    return wrapped


def _run(request, assessment, form, key, call, success):
    """Run `call` for a valid `form` through `perform`; else show the page with the form."""
    if form.is_valid():
        done = perform(request, call, success=success, then=_here(assessment), form=form)
        if done is not None:
            return done
    return _page(request, assessment, **{key: form})


@_manager_action
def survey_open(request, assessment):
    form = OpenSurveyForm(request.POST, action=_action("survey_open", assessment))
    return _run(
        request,
        assessment,
        form,
        "open_form",
        lambda: sheet_jobs.request_open(
            assessment=assessment,
            actor=request.user,
            public_slips=form.cleaned_data["public_slips"],
            link_base=_link_base(request),
        ),
        _issued(
            lambda issued: (
                _("The survey is open: %(count)d slips issued. Download and print the sheet.")
                % {"count": len(issued.codes)}
            ),
            _("The sheet of %(count)d slips is being prepared; the survey opens when it is ready."),
        ),
    )


@_manager_action
def survey_more_slips(request, assessment):
    survey = _survey_of(assessment)
    form = MoreSlipsForm(request.POST, action=_action("survey_more_slips", assessment))
    return _run(
        request,
        assessment,
        form,
        "more_form",
        lambda: sheet_jobs.request_more(
            survey=survey,
            actor=request.user,
            count=form.cleaned_data["count"],
            link_base=_link_base(request),
        ),
        _issued(
            _("The new public slips are on a new sheet."),
            _("The sheet of %(count)d new public slips is being prepared."),
        ),
    )


@_manager_action
def survey_reissue(request, assessment):
    survey = _survey_of(assessment)
    form = ReissueForm(request.POST, action=_action("survey_reissue", assessment))
    return _run(
        request,
        assessment,
        form,
        "reissue_form",
        lambda: sheet_jobs.request_reissue(
            survey=survey, actor=request.user, link_base=_link_base(request)
        ),
        _issued(
            _("Every unused slip was replaced; earlier sheets no longer work."),
            _(
                "The new sheet of %(count)d slips is being prepared; the old codes work "
                "until it is ready."
            ),
        ),
    )


@_manager_action
def survey_close(request, assessment):
    survey = _survey_of(assessment)
    form = CloseSurveyForm(
        request.POST, action=_action("survey_close", assessment), staff=is_staff(request.user)
    )
    return _run(
        request,
        assessment,
        form,
        "close_form",
        lambda: service.close_survey(
            survey=survey,
            actor=request.user,
            override_reason=form.cleaned_data.get("override_reason", ""),
        ),
        _("The survey is closed."),
    )


def _sheet_of(assessment, job):
    """The sheet a finished job stored, while it can be downloaded; else None."""
    sheet_id = job.options.get("sheet")
    if job.status != ExportStatus.DONE or sheet_id is None:
        return None
    return SlipSheet.objects.filter(
        pk=sheet_id, survey__assessment=assessment, survey__status=SurveyStatus.OPEN, void=False
    ).first()


def _job_state(assessment, job, sheet) -> dict:
    """A slip sheet job as the reports' progress bar reads it; `sheet`: `_sheet_of`."""
    download = reverse("scoring:survey_sheet", args=[assessment.pk, sheet.pk]) if sheet else None
    return progress_state(job, download=download)


@login_required
@require_GET
def survey_sheet_job(request, assessment_id):
    """The survey's slip sheet job as JSON (the progress bar polls it): runners only."""
    assessment = _assessment(request, assessment_id)
    require(may_run_survey(request.user, assessment.branch))
    job = sheet_jobs.sheet_job_of(assessment)
    if job is None:
        raise Http404
    response = JsonResponse(_job_state(assessment, job, _sheet_of(assessment, job)))
    add_never_cache_headers(response)
    return response


def _issued(done, job):
    """The flash message of an issue: done in the request, or a job started."""

    def message(result):
        if isinstance(result, service.IssuedSlips):
            return done(result) if callable(done) else done
        return job % {"count": result.options["slips"]}

    return message


@login_required
@require_GET
def survey_sheet(request, assessment_id, sheet_id):
    """The stored PDF of slips: the secretary and staff only, while the survey is open."""
    assessment = _assessment(request, assessment_id)
    require(may_run_survey(request.user, assessment.branch))
    sheet = get_object_or_404(
        SlipSheet,
        pk=sheet_id,
        survey__assessment=assessment,
        survey__status=SurveyStatus.OPEN,
        void=False,
    )
    response = FileResponse(
        sheet.file.open("rb"),
        as_attachment=True,
        filename=f"slips-{assessment.branch.code}-{sheet.pk}.pdf",
        content_type="application/pdf",
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_GET
def survey_participation(request, assessment_id):
    """Live participation counts (JSON) for the page's progress bar."""
    survey = _survey_of(_assessment(request, assessment_id))
    counts = service.participation(survey)
    response = JsonResponse(
        {
            "status": survey.status,
            "members_voted": counts.members_voted,
            "electorate": counts.electorate,
            "public_voted": counts.public_voted,
            "public_issued": counts.public_slips_issued,
            "percent": counts.percent or 0,
            "enough": counts.enough,
        }
    )
    add_never_cache_headers(response)
    return response


urls = [
    path("survey/<int:assessment_id>/", survey_page, name="survey"),
    path("survey/<int:assessment_id>/open/", survey_open, name="survey_open"),
    path("survey/<int:assessment_id>/more/", survey_more_slips, name="survey_more_slips"),
    path("survey/<int:assessment_id>/reissue/", survey_reissue, name="survey_reissue"),
    path("survey/<int:assessment_id>/close/", survey_close, name="survey_close"),
    path("survey/<int:assessment_id>/sheets/<int:sheet_id>/", survey_sheet, name="survey_sheet"),
    path("survey/<int:assessment_id>/sheet-job/", survey_sheet_job, name="survey_sheet_job"),
    path(
        "survey/<int:assessment_id>/participation/",
        survey_participation,
        name="survey_participation",
    ),
]
