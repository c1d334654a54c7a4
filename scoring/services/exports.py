"""Reports made in the background, with their progress (docs/reports.md §6, the jobs).

`request_export` checks the kind, the branch, the permission and the exporter's
refusal, writes an `ExportJob` and enqueues `scoring.tasks.run_export` once the
transaction commits (the worker would not see the job before). `run_job`, which the
task calls with the job's id, renders the exporter into a temporary file, moves the
progress bar with `.update()` whenever the exporter reports a higher percentage (the
exporters report at least every 5 %), stores the file under a random name and marks the
job done — or failed with a message for the user, the exception going to the log.
Finished files are kept `settings.EXPORT_KEEP_HOURS` and purged by `purge_expired`
(`manage.py purge_exports`, and on each new request).
"""

import datetime
import logging
import tempfile

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scoring import exporters
from scoring.models import ExportJob, ExportStatus
from scoring.models.exports import export_upload_to
from starrating import clock

from .errors import NotAllowed, WorkflowError, WrongState

logger = logging.getLogger(__name__)


def keep_until(moment: datetime.datetime) -> datetime.datetime:
    return moment + datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS)


def exporter_for(kind, campaign, branch=None, options=None, actor=None):
    """The exporter of `kind` for the campaign (and branch; for the `actor` when its rows
    are the actor's scope), or the refusal (translated) saying why the kind, branch or
    options do not fit."""
    try:
        built = exporters.get(kind)
    except KeyError:
        raise WorkflowError(_("Unknown kind of report: %(kind)s.") % {"kind": kind}) from None
    if built is None:
        raise WorkflowError(
            _("%(name)s (%(kind)s) is not available yet.")
            % {"name": exporters.KINDS.get(kind) or exporters.WEB_KINDS[kind], "kind": kind}
        )
    if built.needs_branch and branch is None:
        raise WorkflowError(_("This report is made for one branch: choose the branch."))
    if not built.needs_branch and branch is not None:
        raise WorkflowError(_("This report is made for the whole campaign, not for a branch."))
    options = options or {}
    if set(options) - set(built.OPTIONS):
        raise WorkflowError(_("This report does not take these options."))
    if built.needs_actor:
        return built(campaign, branch=branch, actor=actor, **options)
    return built(campaign, branch=branch, **options)


def request_export(*, kind, campaign, branch=None, options=None, actor) -> ExportJob:
    """Start making a report in the background; the job, queued (docs/reports.md §6).

    Refused, with nothing written, for a kind that is not built, a branch missing or
    given in vain, a user who may not have the report (the exporter's `may_make`:
    `may_export`, the dashboard's `may_see_dashboard` for the ranking) and whatever the
    exporter refuses (a draft campaign, no results yet). The same request while an
    earlier one of the same user is still queued or running gives that job back rather
    than a second one (a double click, a reload; docs/decisions.md D-6p).
    """
    purge_expired()
    exporter = exporter_for(kind, campaign, branch, options, actor)
    if not exporter.may_make(actor, branch):
        raise NotAllowed
    if branch is not None and not campaign.assessments.filter(branch=branch).exists():
        raise WorkflowError(_("This branch takes no part in the campaign."))
    reason = exporter.refusal()
    if reason:
        raise WrongState(reason)
    with transaction.atomic():
        pending = (
            ExportJob.objects.select_for_update()
            .filter(
                kind=kind,
                campaign=campaign,
                branch=branch,
                options=exporter.options,
                requested_by=actor,
                status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING),
            )
            .first()
        )
        if pending is not None:
            return pending
        now = clock.now()
        job = ExportJob.objects.create(
            kind=kind,
            campaign=campaign,
            branch=branch,
            options=exporter.options,
            requested_by=actor,
            created_at=now,
            expires_at=keep_until(now),
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from scoring.tasks import run_export

    run_export.enqueue(job_id)


#: What the user reads when a report failed for a reason of ours (details in the log).
UNEXPECTED = gettext_lazy(
    "The report could not be made because of an unexpected error; try again later or tell "
    "the administrator."
)


def run_job(job_id: int) -> None:
    """Make the report of a queued job (the body of `scoring.tasks.run_export`).

    A job that is not queued any more (run already, purged) is left alone. Written in
    autocommit, one `.update()` at a time, so that the job page sees each step at once.
    """
    jobs = ExportJob.objects.filter(pk=job_id)
    if not jobs.filter(status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=clock.now(), progress=0
    ):
        return
    job = ExportJob.objects.select_related("campaign", "branch", "requested_by").get(pk=job_id)
    reached = 0

    def progress(percent):
        nonlocal reached
        percent = max(0, min(99, int(percent)))  # 100 once the file is stored
        if percent > reached:
            reached = percent
            jobs.update(progress=percent)

    # The worker has no request: the file is written in the product's language (Chinese).
    with translation.override(settings.LANGUAGE_CODE):
        try:
            exporter = exporter_for(
                job.kind, job.campaign, job.branch, job.options, job.requested_by
            )
            with tempfile.TemporaryFile() as fp:
                exporter.render(fp, progress=progress)
                fp.seek(0)
                name = default_storage.save(
                    export_upload_to(job, exporter.filename()), File(fp, exporter.filename())
                )
        except (exporters.ExportRefused, WorkflowError) as error:
            _fail(jobs, str(error))
            return
        except Exception:
            logger.exception("Export job %s (%s) failed", job_id, job.kind)
            _fail(jobs, str(UNEXPECTED))
            return
    now = clock.now()
    if not jobs.update(
        status=ExportStatus.DONE,
        progress=100,
        file=name,
        filename=exporter.filename(),
        finished_at=now,
        expires_at=keep_until(now),
    ):
        default_storage.delete(name)  # purged meanwhile: leave no file behind


def _fail(jobs, message: str) -> None:
    now = clock.now()
    jobs.update(
        status=ExportStatus.FAILED, error=message, finished_at=now, expires_at=keep_until(now)
    )


def purge_expired(now: datetime.datetime | None = None) -> int:
    """Delete the jobs past their time, and their files; how many were deleted."""
    expired = list(
        ExportJob.objects.filter(expires_at__lte=now or clock.now()).values_list("pk", "file")
    )
    for _pk, name in expired:
        if name:
            default_storage.delete(name)
    ExportJob.objects.filter(pk__in=[pk for pk, _name in expired]).delete()
    return len(expired)


def jobs_of(user):
    """The user's reports still kept, newest first (the "my exports" page)."""
    return (
        ExportJob.objects.filter(requested_by=user, expires_at__gt=clock.now())
        .select_related("campaign", "branch")
        .order_by("-created_at", "-pk")
    )
