"""A slip sheet's job given up after losing its worker on every run says so in its own
words, not the reports' (docs/survey.md §2.1.2, D-7sb)."""

import datetime

from django.conf import settings

from scoring.models import ExportJob, ExportStatus, Slip, Survey
from scoring.services import exports
from scoring.services import survey as service
from scoring.services.survey import sheet_jobs
from starrating import clock


def test_a_sheet_job_that_lost_its_worker_on_every_run_fails_as_a_sheet(tree, assessment, criteria):
    service.open_survey(assessment=assessment, actor=tree.secretary, public_slips=0)
    survey = Survey.objects.get(assessment=assessment)
    before = Slip.objects.filter(survey=survey).count()
    job = sheet_jobs.request_more(survey=survey, actor=tree.secretary, count=150)
    old = clock.now() - datetime.timedelta(seconds=settings.EXPORT_STALL_SECONDS + 1)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING, attempts=exports.MAX_ATTEMPTS, heartbeat_at=old
    )
    seen = sheet_jobs.sheet_job_of(assessment)
    assert seen.status == ExportStatus.FAILED
    assert seen.error == (
        "测评票制作已中断：制作测评票的后台程序停止了，重试后仍未完成，未发放任何测评票。"
        "请重新发放；如再次中断，请告知管理员。"
    )
    assert "报表" not in seen.error
    assert Slip.objects.filter(survey=survey).count() == before
