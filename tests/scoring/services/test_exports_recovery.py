"""A report whose worker died mid-job (docs/decisions.md D-7r): the running job's
heartbeat stops; once it is older than EXPORT_STALL_SECONDS the job is queued again for
another worker, once, then failed with a message; a run given up writes nothing. The
kill -9 of a real worker is the drill scripts/drill-multi.sh."""

import datetime
import time

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from scoring import exporters
from scoring.models import ExportJob, ExportStatus
from scoring.services import exports
from scoring.services.recompute import recompute_campaign
from starrating import clock
from tests.factories import ready_branch
from tests.task_worker import DATABASE_TASKS, run_worker_batch

INTERRUPTED = "报表制作已中断"
AGAIN = "正在重新制作（第 2 次，共 2 次）"


@pytest.fixture
def rated(campaign, tree):
    ready_branch(campaign, tree.branch_a, review_total=90)
    ready_branch(campaign, tree.branch_b, review_total=80)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    campaign.refresh_from_db()
    return campaign


def running(campaign, actor, *, attempts=1, silent_for=600):
    """A job a worker claimed (run `attempts`) and last beat `silent_for` seconds ago."""
    job = exports.request_export(kind="annual-xlsx", campaign=campaign, actor=actor)
    beat = clock.now() - datetime.timedelta(seconds=silent_for)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING, attempts=attempts, started_at=beat, heartbeat_at=beat,
        progress=40,
    )  # fmt: skip
    return job


def test_a_job_whose_worker_stopped_is_queued_again_and_made_by_the_next_run(
    rated, tree, django_capture_on_commit_callbacks
):
    job = running(rated, tree.staff)
    with django_capture_on_commit_callbacks(execute=True) as enqueued:
        assert exports.recover_stalled() == 1
    assert len(enqueued) == 1  # the immediate backend runs it: the "other worker"
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.attempts == 2 and job.progress == 100


def test_a_job_still_beating_is_left_alone(rated, tree, settings):
    settings.EXPORT_STALL_SECONDS = 120
    job = running(rated, tree.staff, silent_for=60)
    assert exports.recover_stalled() == 0
    assert ExportJob.objects.get(pk=job.pk).status == ExportStatus.RUNNING


def test_after_the_last_attempt_the_job_fails_with_a_chinese_message(rated, tree):
    job = running(rated, tree.staff, attempts=exports.MAX_ATTEMPTS)
    assert exports.recover_stalled() == 1
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and job.error.startswith(INTERRUPTED)
    assert job.finished_at is not None
    again = exports.request_export(kind="annual-xlsx", campaign=rated, actor=tree.staff)
    assert again.pk != job.pk  # a failed job is not pending: a new request is a new job


def test_a_new_request_recovers_the_stalled_job_rather_than_waiting_for_it(
    rated, tree, django_capture_on_commit_callbacks
):
    job = running(rated, tree.staff)
    with django_capture_on_commit_callbacks(execute=False):
        same = exports.request_export(kind="annual-xlsx", campaign=rated, actor=tree.staff)
    assert same.pk == job.pk and same.status == ExportStatus.QUEUED


def test_a_run_given_up_meanwhile_writes_nothing_and_leaves_no_file(rated, tree, monkeypatch):
    job = exports.request_export(kind="annual-xlsx", campaign=rated, actor=tree.staff)
    real = exporters.AnnualWorkbook.render

    def given_up_meanwhile(self, fp, *, progress=None):
        real(self, fp, progress=progress)
        # Recovered while this run was silent, and claimed by another worker.
        ExportJob.objects.filter(pk=job.pk).update(attempts=2, progress=5)

    monkeypatch.setattr(exporters.AnnualWorkbook, "render", given_up_meanwhile)
    exports.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.RUNNING and job.progress == 5 and not job.file


@pytest.mark.django_db(transaction=True)
def test_the_worker_beats_while_the_exporter_is_silent(rated, tree, monkeypatch, settings):
    settings.EXPORT_STALL_SECONDS = 2  # a beat every 0.5 s
    real = exporters.AnnualWorkbook.render
    beats = []

    def silent(self, fp, *, progress=None):
        for _ in range(3):
            time.sleep(0.7)
            beats.append(ExportJob.objects.get().heartbeat_at)
        real(self, fp)

    monkeypatch.setattr(exporters.AnnualWorkbook, "render", silent)
    # Autocommit: the immediate backend runs the job as the request commits.
    job = exports.request_export(kind="annual-xlsx", campaign=rated, actor=tree.staff)
    assert len(set(beats)) == 3, beats
    assert ExportJob.objects.get(pk=job.pk).status == ExportStatus.DONE


@pytest.mark.django_db(transaction=True)
def test_a_second_real_worker_takes_the_job_the_first_one_dropped(rated, tree):
    with override_settings(TASKS=DATABASE_TASKS):
        job = running(rated, tree.staff)  # its task row stays RUNNING, as after kill -9
        assert exports.recover_stalled() == 1
        run_worker_batch()
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.attempts == 2, job.error


def test_purge_exports_recovers_the_stalled_jobs(rated, tree, capsys):
    job = running(rated, tree.staff, attempts=exports.MAX_ATTEMPTS)
    call_command("purge_exports")
    assert "1 个导出任务的后台程序已停止" in capsys.readouterr().out
    assert ExportJob.objects.get(pk=job.pk).status == ExportStatus.FAILED


# --- What the user sees -------------------------------------------------------------------


def test_the_job_page_says_the_report_is_being_made_again(
    client, rated, tree, django_capture_on_commit_callbacks
):
    job = running(rated, tree.staff)
    client.force_login(tree.staff)
    with django_capture_on_commit_callbacks(execute=False):
        html = client.get(reverse("scoring:export_job", args=[job.pk])).content.decode()
    assert AGAIN in html and "排队中" in html
    state = client.get(reverse("scoring:export_status", args=[job.pk])).json()
    assert state["status"] == "queued" and AGAIN in state["notice"]
    listing = client.get(reverse("scoring:exports")).content.decode()
    assert "正在重新制作：第一次制作中断了。" in listing


def test_an_interrupted_job_offers_to_request_it_again(client, rated, tree):
    job = running(rated, tree.staff, attempts=exports.MAX_ATTEMPTS)
    client.force_login(tree.staff)
    html = client.get(reverse("scoring:export_job", args=[job.pk])).content.decode()
    assert INTERRUPTED in html and "重新申请" in html
    assert 'class="mb-3" id="export-again"' in html
    response = client.post(reverse("scoring:export_start", args=[rated.pk, "annual-xlsx"]))
    assert response.status_code == 302
    assert ExportJob.objects.count() == 2


def test_a_done_job_hides_the_request_again_button(client, rated, tree):
    job = exports.request_export(kind="annual-xlsx", campaign=rated, actor=tree.staff)
    exports.run_job(job.pk)
    client.force_login(tree.staff)
    html = client.get(reverse("scoring:export_job", args=[job.pk])).content.decode()
    assert 'class="mb-3 d-none" id="export-again"' in html
