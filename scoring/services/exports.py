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

A worker can die mid-job (killed, its server restarted): the task backend then leaves its
task running for ever. So a running job beats: a thread of the worker moves
`heartbeat_at` every quarter of `settings.EXPORT_STALL_SECONDS`. `recover_stalled` finds
running jobs whose heartbeat is older than that, queues each again for whichever worker
is free (`MAX_ATTEMPTS` runs in all) or, after the last, fails it with `INTERRUPTED`
(docs/decisions.md D-7r). It runs on each request, when the job's page or the list is
read, and from `manage.py purge_exports`. A run that was given up but still lives finds
its `attempts` changed: its writes then match no row and its file is deleted.
"""

import contextlib
import contextvars
import datetime
import logging
import tempfile
import threading

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connections, transaction
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scoring import exporters
from scoring.models import ExportJob, ExportStatus
from scoring.models.exports import SLIP_SHEET, export_upload_to
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
    recover_stalled()
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


#: What the user reads when every run of a job lost its worker (D-7r).
INTERRUPTED = gettext_lazy(
    "The report was interrupted: the program making it stopped, on every attempt. Request "
    "it again; if that happens again, tell the administrator."
)
#: Runs of one job, the first included, before an interrupted job is failed (D-7r).
MAX_ATTEMPTS = 2


def _claim(job_id: int) -> int | None:
    """Mark a queued job running for this run; the run's number, or None when the job is
    not queued any more (run already, purged)."""
    with transaction.atomic():
        job = (
            ExportJob.objects.select_for_update()
            .filter(pk=job_id, status=ExportStatus.QUEUED)
            .only("attempts")
            .first()
        )
        if job is None:
            return None
        now = clock.now()
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            progress=0,
            attempts=F("attempts") + 1,
        )
    return job.attempts + 1


def beat_interval() -> float:
    return max(0.5, settings.EXPORT_STALL_SECONDS / 4)


@contextlib.contextmanager
def _heartbeat(jobs):
    """Move the job's `heartbeat_at` from a thread while the body runs (the rendering may
    report no progress for minutes), on the thread's own connection, closed at the end."""
    stop = threading.Event()
    interval = beat_interval()

    def beat():
        try:
            while not stop.wait(interval):
                jobs.update(heartbeat_at=clock.now())
        except Exception:
            logger.exception("Export heartbeat stopped")
        finally:
            connections.close_all()

    context = contextvars.copy_context()  # the caller's clock
    thread = threading.Thread(target=context.run, args=(beat,), daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval + 5)


def run_job(job_id: int) -> None:
    """Make the report of a queued job (the body of `scoring.tasks.run_export`).

    A job that is not queued any more (run already, purged) is left alone. Written in
    autocommit, one `.update()` at a time, so that the job page sees each step at once;
    every write names this run, so a run given up as stalled changes nothing.
    """
    attempt = _claim(job_id)
    if attempt is None:
        return
    jobs = ExportJob.objects.filter(pk=job_id, attempts=attempt)
    job = ExportJob.objects.select_related("campaign", "branch", "requested_by").get(pk=job_id)
    reached = 0

    def progress(percent):
        nonlocal reached
        percent = max(0, min(99, int(percent)))  # 100 once the file is stored
        if percent > reached:
            reached = percent
            jobs.update(progress=percent, heartbeat_at=clock.now())

    # The worker has no request: the file is written in the product's language (Chinese).
    with translation.override(settings.LANGUAGE_CODE), _heartbeat(jobs):
        if job.kind == SLIP_SHEET:  # stores a SlipSheet and marks the job done itself
            from scoring.services.survey import sheet_jobs

            try:
                sheet_jobs.run(job, jobs, progress=progress)
            except WorkflowError as error:
                _fail(jobs, str(error))
            except Exception:
                logger.exception("Slip sheet job %s failed", job_id)
                _fail(jobs, str(sheet_jobs.UNEXPECTED))
            return
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
        default_storage.delete(name)  # purged or given up meanwhile: leave no file behind


def _fail(jobs, message: str) -> None:
    now = clock.now()
    jobs.update(
        status=ExportStatus.FAILED, error=message, finished_at=now, expires_at=keep_until(now)
    )


def _interrupted(kind: str):
    """What a job of `kind` says when every run lost its worker: a slip sheet's job its
    own words (`sheet_jobs.INTERRUPTED`, beside its other failures), a report `INTERRUPTED`."""
    if kind == SLIP_SHEET:
        from scoring.services.survey import sheet_jobs

        return sheet_jobs.INTERRUPTED
    return INTERRUPTED


def recover_stalled(jobs=None, now: datetime.datetime | None = None) -> int:
    """Queue again, or fail after `MAX_ATTEMPTS` runs, the running jobs (of `jobs`, else
    all) whose heartbeat is older than `settings.EXPORT_STALL_SECONDS`; how many."""
    now = now or clock.now()
    cutoff = now - datetime.timedelta(seconds=settings.EXPORT_STALL_SECONDS)
    stale = Q(status=ExportStatus.RUNNING) & (
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    jobs = ExportJob.objects.all() if jobs is None else jobs
    recovered = 0
    for pk, attempts, kind in jobs.filter(stale).values_list("pk", "attempts", "kind"):
        this_run = ExportJob.objects.filter(stale, pk=pk, attempts=attempts)
        if attempts < MAX_ATTEMPTS:
            with transaction.atomic():
                if this_run.update(status=ExportStatus.QUEUED, progress=0, heartbeat_at=None):
                    transaction.on_commit(lambda pk=pk: _enqueue(pk))
                    recovered += 1
        else:
            with translation.override(settings.LANGUAGE_CODE):
                message = str(_interrupted(kind))
            recovered += this_run.update(
                status=ExportStatus.FAILED,
                error=message,
                finished_at=now,
                expires_at=keep_until(now),
            )
        logger.warning("Export job %s lost its worker (run %s)", pk, attempts)
    return recovered


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
        .exclude(kind=SLIP_SHEET)  # shown on its survey's page
        .select_related("campaign", "branch")
        .order_by("-created_at", "-pk")
    )
