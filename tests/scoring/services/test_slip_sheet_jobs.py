"""Big slip sheets made by a background job (docs/survey.md §2.1.2, D-7sb)."""

import datetime
import logging
import subprocess
import threading

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext

from scoring.models import ExportJob, ExportStatus, Slip, SlipSheet, Survey, SurveyStatus
from scoring.models.exports import SLIP_SHEET
from scoring.services import exports
from scoring.services import survey as service
from scoring.services.errors import NotAllowed
from scoring.services.survey import sheet_jobs
from starrating import clock
from tests import factories
from tests.task_worker import DATABASE_TASKS, run_worker_batch

LINK = "https://dj.example.org/v/"


@pytest.fixture
def survey_a(tree, assessment, criteria):
    service.open_survey(assessment=assessment, actor=tree.secretary, public_slips=0)
    return Survey.objects.get(assessment=assessment)


def _run(job):
    """What the worker does with the job's task."""
    exports.run_job(job.pk)
    job.refresh_from_db()
    return job


def _codes_in(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [word for word in text.split() if service.looks_like_code(word) and "-" in word]


def test_up_to_100_slips_are_issued_in_the_request(tree, survey_a):
    issued = sheet_jobs.request_more(survey=survey_a, actor=tree.secretary, count=100)
    assert isinstance(issued, service.IssuedSlips) and len(issued.codes) == 100
    assert not ExportJob.objects.filter(kind=SLIP_SHEET).exists()
    assert Slip.objects.filter(survey=survey_a).count() == 110


def test_more_than_100_slips_are_a_job_that_issues_nothing_until_it_runs(tree, survey_a):
    job = sheet_jobs.request_more(survey=survey_a, actor=tree.secretary, count=101, link_base=LINK)
    assert isinstance(job, ExportJob) and job.status == ExportStatus.QUEUED
    assert job.options == {"action": "more", "slips": 101, "public": 101, "link_base": LINK}
    survey_a.refresh_from_db()
    assert survey_a.public_slips_issued == 0
    assert Slip.objects.filter(survey=survey_a).count() == 10
    assert SlipSheet.objects.filter(survey=survey_a).count() == 1

    job = _run(job)
    assert job.status == ExportStatus.DONE and job.progress == 100, job.error
    survey_a.refresh_from_db()
    assert survey_a.public_slips_issued == 101
    assert Slip.objects.filter(survey=survey_a, kind="public").count() == 101
    sheet = SlipSheet.objects.get(pk=job.options["sheet"])
    assert (sheet.survey, sheet.public_slips, sheet.member_slips) == (survey_a, 101, 0)
    last = survey_a.history.latest("history_date")
    assert last.history_user == tree.secretary and last.public_slips_issued == 101


def test_opening_a_big_branch_is_a_job_and_the_survey_opens_when_it_is_done(tree, campaign):
    factories.add_members(tree.branch_a, 90)
    assessment = factories.assessment(campaign, tree.branch_a)
    job = sheet_jobs.request_open(assessment=assessment, actor=tree.staff, public_slips=20)
    assert isinstance(job, ExportJob) and job.options["slips"] == 110
    assert not Survey.objects.filter(assessment=assessment, status=SurveyStatus.OPEN).exists()
    assert _run(job).status == ExportStatus.DONE, job.error
    survey = Survey.objects.get(assessment=assessment)
    assert (survey.status, survey.electorate, survey.public_slips_issued) == ("open", 90, 20)
    assert Slip.objects.filter(survey=survey).count() == 110
    assert survey.opened_by == tree.staff


def test_a_reissue_of_more_than_100_slips_is_a_job(tree, survey_a):
    sheet_jobs.request_more(survey=survey_a, actor=tree.secretary, count=95)
    before = set(Slip.objects.filter(survey=survey_a).values_list("code_hash", flat=True))
    job = sheet_jobs.request_reissue(survey=survey_a, actor=tree.secretary)
    assert isinstance(job, ExportJob) and job.options["slips"] == 105
    assert _run(job).status == ExportStatus.DONE, job.error
    after = set(Slip.objects.filter(survey=survey_a).values_list("code_hash", flat=True))
    assert len(after) == 105 and not before & after
    assert SlipSheet.objects.filter(survey=survey_a, void=False).get().pk == job.options["sheet"]


def test_a_second_request_is_refused_while_a_sheet_is_being_made(tree, survey_a):
    sheet_jobs.request_more(survey=survey_a, actor=tree.secretary, count=150)
    for call in (
        lambda: sheet_jobs.request_more(survey=survey_a, actor=tree.staff, count=150),
        lambda: sheet_jobs.request_more(survey=survey_a, actor=tree.staff, count=1),
        lambda: sheet_jobs.request_reissue(survey=survey_a, actor=tree.staff),
    ):
        with pytest.raises(sheet_jobs.SheetInProgress):
            call()
    assert ExportJob.objects.filter(kind=SLIP_SHEET).count() == 1
    assert Slip.objects.filter(survey=survey_a).count() == 10


def test_the_database_holds_one_sheet_job_per_survey(tree, survey_a):
    job = sheet_jobs.request_more(survey=survey_a, actor=tree.secretary, count=150)
    with pytest.raises(IntegrityError), transaction.atomic():
        ExportJob.objects.create(
            kind=SLIP_SHEET,
            campaign=job.campaign,
            branch=job.branch,
            requested_by=tree.staff,
            created_at=job.created_at,
            expires_at=job.expires_at,
        )


def test_a_survey_closed_meanwhile_fails_the_job_and_issues_nothing(tree, survey_a):
    job = sheet_jobs.request_more(survey=survey_a, actor=tree.secretary, count=150)
    service.close_survey(survey=survey_a, actor=tree.staff, override_reason="会议结束")
    job = _run(job)
    with translation.override(settings.LANGUAGE_CODE):
        expected = gettext("Slips can only be issued while the survey is open.")
    assert (job.status, job.error) == (ExportStatus.FAILED, expected)
    assert Slip.objects.filter(survey=survey_a).count() == 10  # hashes kept after closing (A5)
    assert not SlipSheet.objects.filter(survey=survey_a).exists()
    survey_a.refresh_from_db()
    assert survey_a.public_slips_issued == 0


def test_a_ballot_cast_while_a_reissue_renders_fails_it_and_changes_nothing(
    tree, survey_a, criteria, monkeypatch
):
    issued = sheet_jobs.request_more(survey=survey_a, actor=tree.secretary, count=95)
    job = sheet_jobs.request_reissue(survey=survey_a, actor=tree.secretary)
    before = set(Slip.objects.filter(survey=survey_a).values_list("code_hash", flat=True))

    def render_and_vote(*args, **kwargs):
        service.cast_ballot(
            code=issued.codes[0][1], grades=factories.all_grades(criteria), verdict="satisfied"
        )
        return b"%PDF-"

    monkeypatch.setattr(service.slips, "render_slip_sheet", render_and_vote)
    job = _run(job)
    assert job.status == ExportStatus.FAILED and job.error
    after = set(Slip.objects.filter(survey=survey_a).values_list("code_hash", flat=True))
    assert after == before - {service.hash_code(issued.codes[0][1])}
    assert SlipSheet.objects.filter(survey=survey_a, void=False).count() == 2


def test_an_unexpected_error_fails_the_job_with_a_message_and_issues_nothing(
    tree, survey_a, monkeypatch
):
    job = sheet_jobs.request_more(survey=survey_a, actor=tree.secretary, count=150)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(service.slips, "render_slip_sheet", broken)
    job = _run(job)
    assert (job.status, job.error) == (ExportStatus.FAILED, str(sheet_jobs.UNEXPECTED))
    assert Slip.objects.filter(survey=survey_a).count() == 10
    # Failed, the survey takes a new request.
    assert isinstance(
        sheet_jobs.request_more(survey=survey_a, actor=tree.secretary, count=150), ExportJob
    )


def test_a_run_given_up_as_stalled_issues_nothing(tree, survey_a):
    job = sheet_jobs.request_more(survey=survey_a, actor=tree.secretary, count=150)
    attempt = exports._claim(job.pk)
    # Its worker is taken for dead and the job is run again: this run is not its owner.
    ExportJob.objects.filter(pk=job.pk).update(attempts=attempt + 1)
    jobs = ExportJob.objects.filter(pk=job.pk, attempts=attempt)
    with pytest.raises(sheet_jobs.GivenUp):
        sheet_jobs.run(ExportJob.objects.get(pk=job.pk), jobs, progress=lambda p: None)
    assert Slip.objects.filter(survey=survey_a).count() == 10
    assert SlipSheet.objects.filter(survey=survey_a).count() == 1


def test_a_stalled_sheet_job_is_queued_again_when_its_survey_is_looked_at(tree, survey_a):
    job = sheet_jobs.request_more(survey=survey_a, actor=tree.secretary, count=150)
    exports._claim(job.pk)
    old = clock.now() - datetime.timedelta(seconds=settings.EXPORT_STALL_SECONDS + 1)
    ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=old)
    seen = sheet_jobs.sheet_job_of(survey_a.assessment)
    assert (seen.status, seen.attempts) == (ExportStatus.QUEUED, 1)
    assert _run(seen).status == ExportStatus.DONE
    assert Slip.objects.filter(survey=survey_a).count() == 160


def test_bad_counts_are_refused_and_start_nothing(tree, survey_a):
    for count in (0, 501, "150", None, True):
        with pytest.raises(service.InvalidSlipCount):
            sheet_jobs.request_more(survey=survey_a, actor=tree.secretary, count=count)
    assert not ExportJob.objects.filter(kind=SLIP_SHEET).exists()


def test_only_the_runner_may_start_a_sheet_job(tree, survey_a):
    for user in (tree.reviewer, tree.approver, tree.secretary_b):
        with pytest.raises(NotAllowed):
            sheet_jobs.request_more(survey=survey_a, actor=user, count=150)
    assert not ExportJob.objects.filter(kind=SLIP_SHEET).exists()


@pytest.mark.django_db(transaction=True)
def test_the_plain_codes_are_written_nowhere_but_on_the_sheet(
    tree, assessment, criteria, tmp_path, caplog, request
):
    from django_tasks_db.models import DBTaskResult

    # The real sheet (the conftest's stub replaced back).
    request.getfixturevalue("monkeypatch").setattr(service.slips, "render_slip_sheet", _REAL_RENDER)
    caplog.set_level(logging.DEBUG)
    service.open_survey(assessment=assessment, actor=tree.secretary, public_slips=0)
    survey = Survey.objects.get(assessment=assessment)
    with override_settings(TASKS=DATABASE_TASKS):
        job = sheet_jobs.request_more(survey=survey, actor=tree.secretary, count=120)
        run_worker_batch()
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE, job.error
    with SlipSheet.objects.get(pk=job.options["sheet"]).file.open("rb") as fp:
        codes = _codes_in(fp.read(), tmp_path)
    assert len(codes) == 120
    plain = set(codes) | {service.normalise_code(code) for code in codes}
    written = [repr(list(row.values())) for row in DBTaskResult.objects.values()]
    assert written, "the task went through the task table"
    written += [repr(list(row.values())) for row in ExportJob.objects.values()]
    written += [repr(list(row.values())) for row in Survey.history.values()]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM starrating_cache")
        written += [repr(row) for row in cursor.fetchall()]
    written += [record.getMessage() for record in caplog.records]
    everything = "\n".join(written).upper()
    assert not [code for code in plain if code in everything]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_start_one_job(tree, assessment, criteria):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    service.open_survey(assessment=assessment, actor=tree.secretary, public_slips=0)
    survey = Survey.objects.get(assessment=assessment)
    barrier = threading.Barrier(2)
    outcomes, lock = [], threading.Lock()

    def ask(user):
        try:
            barrier.wait()
            try:
                sheet_jobs.request_more(survey=survey, actor=user, count=150)
                result = "job"
            except sheet_jobs.SheetInProgress:
                result = "refused"
            with lock:
                outcomes.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(u,)) for u in (tree.secretary, tree.staff)]
    with override_settings(TASKS=DATABASE_TASKS):  # enqueued, not run at once
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(outcomes) == ["job", "refused"]
    assert ExportJob.objects.filter(kind=SLIP_SHEET).count() == 1


_REAL_RENDER = service.slips.render_slip_sheet
