"""Big slip sheets made in the background (docs/survey.md §2.1.2, D-7sb).

A sheet of up to `IN_REQUEST` slips is made in the request, as before; a bigger one
(opening a large branch's survey, more public slips, a reissue) by an `ExportJob` of kind
`SLIP_SHEET`, with the reports' progress bar and stall recovery (docs/reports.md §6).
The request records only what to issue: the action, the public slips asked for and the
ballot link's base, in `ExportJob.options`, and the actor as `requested_by`. The job
itself creates the codes, in memory, renders the sheet (its progress in its own
committed updates), then in one transaction runs the same service as the request would
(`open_survey`, `issue_more_public_slips`, `reissue_slips`: the survey locked and checked
again, the slips' hashes, the counts, the audit as the actor, the sheet) and marks itself
done. So the plain codes are written to no task row, job row, log or cache (A13), and a
failed or interrupted job leaves nothing issued. One job per survey at a time, held by
the database (`one_slip_sheet_job_per_survey`).
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scoring.models import Assessment, ExportJob, ExportStatus, Survey
from scoring.models.exports import SLIP_SHEET
from starrating import clock

from ..errors import WorkflowError, WrongState
from .life import open_survey, openable
from .slips import (
    _check_count,
    _open_survey_of,
    issue_more_public_slips,
    reissue_slips,
    slips_to_reissue,
)

#: Slips a sheet made in the request; above, a background job makes it (issue #20).
IN_REQUEST = 100

OPEN, MORE, REISSUE = "open", "more", "reissue"

#: What the user reads when a sheet's job failed for a reason of ours (details in the log).
UNEXPECTED = gettext_lazy(
    "The sheet of slips could not be made because of an unexpected error; no slip was "
    "issued. Try again later or tell the administrator."
)
#: What the user reads when every run of a sheet's job lost its worker (the reports' stall
#: recovery, D-7r): the slips are issued only at the job's end, so none was.
INTERRUPTED = gettext_lazy(
    "The sheet of slips was interrupted: the program making it stopped, on every attempt, "
    "and no slip was issued. Issue them again; if that happens again, tell the "
    "administrator."
)
ACTIVE = (ExportStatus.QUEUED, ExportStatus.RUNNING)


class SheetInProgress(WrongState):
    pass


def _active(assessment):
    return ExportJob.objects.filter(
        kind=SLIP_SHEET,
        campaign_id=assessment.campaign_id,
        branch_id=assessment.branch_id,
        status__in=ACTIVE,
    )


def _refuse_while_running(assessment) -> None:
    if _active(assessment).exists():
        raise SheetInProgress(
            _("A sheet of slips is being prepared for this survey; wait until it is ready.")
        )


def sheet_job_of(assessment) -> ExportJob | None:
    """The survey's latest slip-sheet job still kept (running, or finished), if any."""
    from scoring.services.exports import recover_stalled

    jobs = ExportJob.objects.filter(
        kind=SLIP_SHEET,
        campaign_id=assessment.campaign_id,
        branch_id=assessment.branch_id,
        expires_at__gt=clock.now(),
    )
    job = jobs.order_by("-created_at", "-pk").first()
    if job is not None and recover_stalled(ExportJob.objects.filter(pk=job.pk)):
        job.refresh_from_db()
    return job


def _start(assessment, actor, action, slips, **options) -> ExportJob:
    from scoring.services.exports import _enqueue, keep_until

    now = clock.now()
    try:
        with transaction.atomic():
            job = ExportJob.objects.create(
                kind=SLIP_SHEET,
                campaign_id=assessment.campaign_id,
                branch_id=assessment.branch_id,
                options={"action": action, "slips": slips, **options},
                requested_by=actor,
                created_at=now,
                expires_at=keep_until(now),
            )
            transaction.on_commit(lambda: _enqueue(job.pk))
    except IntegrityError:  # a second request raced this one (the constraint)
        _refuse_while_running(assessment)
        raise
    return job


def request_open(*, assessment: Assessment, actor, public_slips, link_base=""):
    """Open the survey: `IssuedSlips` when its sheet is made in the request, else the
    queued `ExportJob` that will open it (`run`)."""
    _check_count(public_slips, least=0)
    assessment, _survey, electorate = openable(assessment, actor)
    _refuse_while_running(assessment)
    if electorate + public_slips <= IN_REQUEST:
        return open_survey(
            assessment=assessment, actor=actor, public_slips=public_slips, link_base=link_base
        )
    return _start(
        assessment,
        actor,
        OPEN,
        electorate + public_slips,
        public=public_slips,
        link_base=link_base,
    )


def request_more(*, survey: Survey, actor, count, link_base=""):
    """More public slips: `IssuedSlips`, or the job (as `request_open`)."""
    _check_count(count, least=1)
    survey = _open_survey_of(survey, actor)
    _refuse_while_running(survey.assessment)
    if count <= IN_REQUEST:
        return issue_more_public_slips(survey=survey, actor=actor, count=count, link_base=link_base)
    return _start(survey.assessment, actor, MORE, count, public=count, link_base=link_base)


def request_reissue(*, survey: Survey, actor, link_base=""):
    """Reissue every unspent slip: `IssuedSlips`, or the job (as `request_open`)."""
    survey = _open_survey_of(survey, actor)
    _refuse_while_running(survey.assessment)
    slips = sum(slips_to_reissue(survey).values())
    if slips <= IN_REQUEST:
        return reissue_slips(survey=survey, actor=actor, link_base=link_base)
    return _start(survey.assessment, actor, REISSUE, slips, link_base=link_base)


class GivenUp(WorkflowError):
    """This run was given up as stalled (another run owns the job now): it issues nothing."""


def run(job: ExportJob, jobs, *, progress) -> None:
    """The body of a slip-sheet job (called by `scoring.services.exports.run_job`):
    `jobs` is the job's row for this run. Refusals raise `WorkflowError` (the job fails
    with its message); the job is marked done inside the issuing transaction."""

    def finish(sheet):
        if not jobs.select_for_update().filter(status=ExportStatus.RUNNING).exists():
            raise GivenUp
        now = clock.now()
        jobs.update(
            status=ExportStatus.DONE,
            progress=100,
            options={**job.options, "sheet": sheet.pk},
            finished_at=now,
        )

    options = job.options
    actor = job.requested_by
    link_base = options.get("link_base", "")
    assessment = Assessment.objects.get(campaign_id=job.campaign_id, branch_id=job.branch_id)
    common = {"actor": actor, "link_base": link_base, "progress": progress, "finish": finish}
    if options["action"] == OPEN:
        open_survey(assessment=assessment, public_slips=options["public"], **common)
        return
    survey = Survey.objects.filter(assessment=assessment).first()
    if survey is None:
        raise WrongState(_("Slips can only be issued while the survey is open."))
    if options["action"] == MORE:
        issue_more_public_slips(survey=survey, count=options["public"], **common)
    else:
        reissue_slips(survey=survey, **common)
