"""An export job run by the real database task backend and its worker (docs/reports.md
§6, STACK: the worker closes old connections, so the test is transactional)."""

import pytest
from django.test import override_settings
from openpyxl import load_workbook

from scoring.models import ExportJob, ExportStatus
from scoring.services import exports
from scoring.services.recompute import recompute_campaign
from tests.factories import ready_branch
from tests.task_worker import DATABASE_TASKS, run_worker_batch


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_a_queued_export_to_its_file(campaign, tree):
    ready_branch(campaign, tree.branch_a, review_total=90)
    ready_branch(campaign, tree.branch_b, review_total=80)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    campaign.refresh_from_db()
    with override_settings(TASKS=DATABASE_TASKS):
        job = exports.request_export(kind="annual-xlsx", campaign=campaign, actor=tree.staff)
        from django_tasks_db.models import DBTaskResult

        assert DBTaskResult.objects.count() == 1  # enqueued once committed
        assert ExportJob.objects.get(pk=job.pk).status == ExportStatus.QUEUED
        run_worker_batch()
    job = ExportJob.objects.get(pk=job.pk)
    assert job.status == ExportStatus.DONE and job.progress == 100, job.error
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    with job.file.open("rb") as fp:
        names = [r[0] for r in load_workbook(fp)["星级名单"].iter_rows(min_row=2, values_only=True)]
    assert names == ["第一党支部", "第二党支部"]
