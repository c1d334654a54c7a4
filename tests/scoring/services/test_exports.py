"""Reports made in the background (docs/reports.md §6): the job's life, its refusals,
its file, its expiry and purge."""

import datetime
import logging

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import override_settings

from scoring import exporters
from scoring.models import ExportJob, ExportStatus
from scoring.services import exports
from scoring.services.errors import NotAllowed, WorkflowError, WrongState
from scoring.services.recompute import recompute_campaign
from starrating import clock
from tests.factories import ready_branch


@pytest.fixture
def rated(campaign, tree):
    ready_branch(campaign, tree.branch_a, review_total=90)
    ready_branch(campaign, tree.branch_b, review_total=80)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    campaign.refresh_from_db()
    return campaign


def request(campaign, actor, kind="annual-xlsx", **kwargs):
    return exports.request_export(kind=kind, campaign=campaign, actor=actor, **kwargs)


def test_a_job_is_queued_then_run_once_the_request_commits(
    rated, tree, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = request(rated, tree.staff)
        assert ExportJob.objects.get(pk=job.pk).status == ExportStatus.QUEUED
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.progress == 100
    assert job.filename == f"annual-xlsx-{rated.year}-{rated.pk}.xlsx"
    assert job.file.name.startswith("exports/") and "annual" not in job.file.name
    assert default_storage.exists(job.file.name)
    assert job.finished_at is not None and job.expires_at > job.finished_at


def test_the_job_is_running_while_the_exporter_writes(rated, tree, monkeypatch):
    job = request(rated, tree.staff)
    seen = []
    real = exporters.AnnualWorkbook.render

    def spy(self, fp, *, progress=None):
        seen.append(ExportJob.objects.get(pk=job.pk).status)
        real(self, fp, progress=progress)
        seen.append(ExportJob.objects.get(pk=job.pk).progress)

    monkeypatch.setattr(exporters.AnnualWorkbook, "render", spy)
    exports.run_job(job.pk)
    assert seen[0] == ExportStatus.RUNNING and 0 < seen[1] < 100
    assert ExportJob.objects.get(pk=job.pk).status == ExportStatus.DONE


def test_a_failing_exporter_fails_the_job_with_a_chinese_message_and_logs(
    rated, tree, monkeypatch, caplog
):
    job = request(rated, tree.staff)

    def broken(self, fp, *, progress=None):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(exporters.AnnualWorkbook, "render", broken)
    with caplog.at_level(logging.ERROR, logger="scoring.services.exports"):
        exports.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and not job.file
    assert job.error == "报表生成时发生意外错误，未能完成；请稍后重试，或联系管理员。"
    assert "disk on fire" in caplog.text


def test_a_refusal_found_when_the_job_runs_fails_it_with_that_refusal(rated, tree):
    job = request(rated, tree.staff)
    rated.recomputed_at = None
    rated.save(update_fields=["recomputed_at"])
    exports.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert job.error == "评定活动尚无结果，请先计算评定结果。"


def test_a_job_runs_once(rated, tree):
    job = request(rated, tree.staff)
    exports.run_job(job.pk)
    first = ExportJob.objects.get(pk=job.pk).file.name
    exports.run_job(job.pk)
    assert ExportJob.objects.get(pk=job.pk).file.name == first


def test_the_same_pending_request_gives_back_the_same_job(rated, tree):
    job = request(rated, tree.staff)
    assert request(rated, tree.staff) == job
    assert request(rated, tree.staff, kind="annual-pdf", options={"appendix": False}) != job
    assert ExportJob.objects.count() == 2


@pytest.mark.parametrize("name", ["approver", "rereviewer", "reviewer", "secretary", "nobody"])
def test_only_staff_may_have_a_whole_campaign_report(rated, tree, name):
    with pytest.raises(NotAllowed):
        request(rated, tree.users_by_role()[name])
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("name", ["staff", "approver", "reviewer", "secretary"])
def test_a_branch_report_is_for_whoever_may_see_the_branch_rating(rated, tree, name):
    job = request(rated, tree.users_by_role()[name], kind="rating-sheet", branch=tree.branch_a)
    assert job.branch == tree.branch_a


def test_another_branch_secretary_may_not_have_its_rating_sheet(rated, tree):
    with pytest.raises(NotAllowed):
        request(rated, tree.secretary_b, kind="rating-sheet", branch=tree.branch_a)


@pytest.mark.parametrize(
    ("kind", "kwargs", "message"),
    [
        ("ledger-xlsx", {"unbuilt": True}, "尚未提供"),
        ("nope", {}, "未知的报表类型"),
        ("rating-sheet", {}, "请选择支部"),
        ("annual-xlsx", {"branch": "a"}, "不能指定支部"),
        ("annual-xlsx", {"options": {"appendix": False}}, "不支持这些选项"),
    ],
)
def test_bad_requests_are_refused_with_a_message_and_nothing_written(
    rated, tree, kind, kwargs, message, monkeypatch
):
    if kwargs.pop("unbuilt", False):  # a kind of the contract whose exporter is not built
        from scoring import exporters

        monkeypatch.delitem(exporters.EXPORTERS, kind)
    if kwargs.get("branch") == "a":
        kwargs = {"branch": tree.branch_a}
    with pytest.raises(WorkflowError) as refused:
        request(rated, tree.staff, kind=kind, **kwargs)
    assert message in str(refused.value)
    assert not ExportJob.objects.exists()


def test_the_exporter_refusal_is_the_message(campaign, tree):
    with pytest.raises(WrongState) as refused:
        request(campaign, tree.staff)
    assert str(refused.value) == "评定活动尚无结果，请先计算评定结果。"


@override_settings(EXPORT_KEEP_HOURS=2)
def test_files_are_kept_for_the_set_hours_then_purged_with_their_file(rated, tree):
    job = request(rated, tree.staff)
    exports.run_job(job.pk)
    job.refresh_from_db()
    name = job.file.name
    assert job.expires_at == job.finished_at + datetime.timedelta(hours=2)
    assert exports.purge_expired(job.finished_at + datetime.timedelta(hours=1)) == 0
    assert exports.purge_expired(job.finished_at + datetime.timedelta(hours=2)) == 1
    assert not ExportJob.objects.exists() and not default_storage.exists(name)


def test_a_new_request_purges_the_expired_jobs(rated, tree):
    old = request(rated, tree.staff)
    exports.run_job(old.pk)
    ExportJob.objects.filter(pk=old.pk).update(expires_at=clock.now() - datetime.timedelta(1))
    request(rated, tree.staff, kind="annual-pdf")
    assert not ExportJob.objects.filter(pk=old.pk).exists()


def test_a_job_purged_while_it_runs_leaves_no_file(rated, tree, monkeypatch):
    job = request(rated, tree.staff)
    real = exporters.AnnualWorkbook.render

    def purged_meanwhile(self, fp, *, progress=None):
        real(self, fp, progress=progress)
        ExportJob.objects.filter(pk=job.pk).delete()

    monkeypatch.setattr(exporters.AnnualWorkbook, "render", purged_meanwhile)
    before = set(_stored())
    exports.run_job(job.pk)
    assert set(_stored()) == before


def _stored():
    try:
        folders, _files = default_storage.listdir("exports")
    except FileNotFoundError:
        return []
    found = []
    for folder in folders:
        found += [f"{folder}/{name}" for name in default_storage.listdir(f"exports/{folder}")[1]]
    return found


def test_purge_exports_command_reports_what_it_deleted(rated, tree, capsys):
    job = request(rated, tree.staff)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=clock.now() - datetime.timedelta(1))
    call_command("purge_exports")
    assert "已删除 1 个过期的导出文件。" in capsys.readouterr().out
    assert not ExportJob.objects.exists()


def test_my_exports_are_the_user_s_jobs_still_kept(rated, tree):
    mine = request(rated, tree.staff)
    request(rated, tree.secretary, kind="rating-sheet", branch=tree.branch_a)
    gone = request(rated, tree.staff, kind="annual-pdf")
    ExportJob.objects.filter(pk=gone.pk).update(expires_at=clock.now())
    assert list(exports.jobs_of(tree.staff)) == [mine]
