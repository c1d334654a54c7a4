"""Reports made in the background, and the rating sheet made in the request
(docs/reports.md §6).

- start a report (POST, generic on `kind`): whoever `may_export` it (staff for a whole
  campaign's; a branch's for whoever may see its rating); refusals are flashed;
- the job's page, its JSON status (polled by `static/js/export_job.js`) and the
  download: the requester and committee staff only, 404 for anyone else (a job's
  existence is nobody else's business); reading the page or the list first recovers a
  job whose worker stopped (`recover_stalled`: queued again, or failed with a button to
  request it again);
- "my exports": the user's reports still kept;
- a branch's rating sheet, rendered in the request from the branch page.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from branches.models import Organisation
from branches.permissions import may_download_export, may_export, require
from scoring import exporters
from scoring.models import Campaign, ExportJob, ExportStatus
from scoring.models.exports import SLIP_SHEET
from scoring.services import exports as export_service
from starrating import clock
from starrating.actions import perform
from starrating.errors import WorkflowError
from starrating.inputs import clean_text

from . import downloads
from .reviews import assessment_for

JOBS_PER_PAGE = 50
FLAGS = {"1": True, "0": False}


def _options(request, kind) -> dict:
    """The exporter's flags as posted ("1"/"0"); an absent one keeps its default."""
    built = exporters.EXPORTERS.get(kind)
    options = {}
    for name in built.OPTIONS if built else ():
        value = request.POST.get(name)
        if value is None:
            continue
        if value not in FLAGS:
            raise WorkflowError(_("This report does not take these options."))
        options[name] = FLAGS[value]
    return options


def _branch(request, campaign):
    # Typed text: without invisible characters (a NUL is a DataError on PostgreSQL).
    code = clean_text(request.POST.get("branch", ""), multiline=False).strip()
    if not code:
        return None
    branch = Organisation.objects.filter(code=code, assessments__campaign=campaign).first()
    if branch is None:
        raise WorkflowError(_("This branch takes no part in the campaign."))
    return branch


@require_POST
@login_required
def start(request, pk, kind):
    """Start a report of the campaign in the background and show its job page."""
    campaign = get_object_or_404(Campaign, pk=pk)
    if kind not in exporters.KINDS:
        raise Http404
    back = clean_text(request.POST.get("back", ""), multiline=False)
    # A path of this site only: `redirect` would take any other text for a view's name.
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}
    ):
        back = reverse("scoring:campaign_results", args=[campaign.pk])

    try:
        branch, options = _branch(request, campaign), _options(request, kind)
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect(back)
    require(may_export(request.user, branch))
    return perform(
        request,
        lambda: export_service.request_export(
            kind=kind, campaign=campaign, branch=branch, options=options, actor=request.user
        ),
        success=_("The report is being made; it is kept for you under My exports."),
        then=lambda job: reverse("scoring:export_job", args=[job.pk]),
        failure=back,
    )


def _job_for(request, pk) -> ExportJob:
    job = get_object_or_404(
        ExportJob.objects.select_related("campaign", "branch").filter(expires_at__gt=clock.now()),
        pk=pk,
    )
    if not may_download_export(request.user, job) or job.kind == SLIP_SHEET:
        raise Http404  # a slip sheet's job is shown on its survey's page
    if export_service.recover_stalled(ExportJob.objects.filter(pk=job.pk)):
        job.refresh_from_db()
    return job


def _restarted_notice(job) -> str:
    """What the user reads while a job runs again after its worker stopped (D-7r)."""
    if not job.restarted:
        return ""
    attempt = job.attempts + 1 if job.status == ExportStatus.QUEUED else job.attempts
    return _(
        "The program making this report stopped; it is being made again "
        "(attempt %(attempt)d of %(most)d)."
    ) % {"attempt": attempt, "most": export_service.MAX_ATTEMPTS}


def progress_state(job, *, download, notice="") -> dict:
    """A job as the progress bar reads it (static/js/export_job.js): report exports here,
    slip-sheet jobs on the survey page. `download`: the finished file's address, or None."""
    return {
        "status": job.status,
        "label": str(job.get_status_display()),
        "progress": job.progress,
        "error": job.error,
        "notice": notice,
        "download": download,
    }


def _status(job) -> dict:
    done = job.status == ExportStatus.DONE
    return progress_state(
        job,
        download=reverse("scoring:export_download", args=[job.pk]) if done else None,
        notice=_restarted_notice(job),
    )


@require_GET
@never_cache
@login_required
def job_page(request, pk):
    job = _job_for(request, pk)
    return render(request, "scoring/exports/job.html", {"job": job, "state": _status(job)})


@require_GET
@never_cache
@login_required
def job_status(request, pk):
    return JsonResponse(_status(_job_for(request, pk)))


@require_GET
@never_cache
@login_required
def download(request, pk):
    job = _job_for(request, pk)
    if job.status != ExportStatus.DONE:
        raise Http404
    built = exporters.EXPORTERS.get(job.kind)
    content_type = built.content_type if built else "application/octet-stream"
    return downloads.stored_file(job.file, filename=job.filename, content_type=content_type)


@require_GET
@login_required
def my_exports(request):
    export_service.recover_stalled(ExportJob.objects.filter(requested_by=request.user))
    page = Paginator(export_service.jobs_of(request.user), JOBS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "keep_hours": settings.EXPORT_KEEP_HOURS}
    return render(request, "scoring/exports/list.html", context)


@require_GET
@never_cache
@login_required
def rating_sheet(request, pk):
    """The branch's rating sheet (评定表) as a PDF, made in the request; a refusal (not
    rated yet) is flashed on the branch page."""
    assessment = assessment_for(request.user, pk)
    require(may_export(request.user, assessment.branch))
    exporter = exporters.RatingSheet(assessment.campaign, branch=assessment.branch)
    return downloads.download(
        request, exporter, refused_to=reverse("scoring:assessment", args=[assessment.pk])
    )


urls = [
    path("campaigns/<int:pk>/exports/<slug:kind>/", start, name="export_start"),
    path("exports/", my_exports, name="exports"),
    path("exports/<int:pk>/", job_page, name="export_job"),
    path("exports/<int:pk>/status/", job_status, name="export_status"),
    path("exports/<int:pk>/download/", download, name="export_download"),
    path("assessments/<int:pk>/rating-sheet/", rating_sheet, name="rating_sheet"),
]

__all__ = ["urls"]
