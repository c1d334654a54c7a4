"""The survey page with a big slip sheet in the making (docs/survey.md §2.1.2, D-7sb)."""

from django.urls import reverse

from scoring.models import ExportJob, ExportStatus, Slip, Survey
from scoring.models.exports import SLIP_SHEET
from scoring.services import exports
from scoring.services import survey as service
from tests import factories


def _url(name, assessment, *args):
    return reverse(f"scoring:{name}", args=[assessment.pk, *args])


def _opened(tree, assessment):
    service.open_survey(assessment=assessment, actor=tree.secretary, public_slips=0)
    return Survey.objects.get(assessment=assessment)


def test_more_than_100_slips_start_a_job_and_the_page_shows_its_progress(client, tree, assessment):
    survey = _opened(tree, assessment)
    client.force_login(tree.secretary)
    response = client.post(_url("survey_more_slips", assessment), {"count": 150}, follow=True)
    job = ExportJob.objects.get(kind=SLIP_SHEET)
    assert job.status == ExportStatus.QUEUED and job.requested_by == tree.secretary
    assert Slip.objects.filter(survey=survey).count() == 10  # nothing issued yet
    page = response.content.decode()
    assert 'id="export-job"' in page and "js/export_job.js" in page
    assert _url("survey_sheet_job", assessment) in page
    state = client.get(_url("survey_sheet_job", assessment)).json()
    assert (state["status"], state["progress"], state["download"]) == ("queued", 0, None)


def test_the_status_offers_the_sheet_once_the_job_is_done(client, tree, assessment):
    _opened(tree, assessment)
    client.force_login(tree.staff)
    client.post(_url("survey_more_slips", assessment), {"count": 150})
    job = ExportJob.objects.get(kind=SLIP_SHEET)
    exports.run_job(job.pk)
    job.refresh_from_db()
    state = client.get(_url("survey_sheet_job", assessment)).json()
    assert state["status"] == "done" and state["progress"] == 100
    assert state["download"] == _url("survey_sheet", assessment, job.options["sheet"])
    assert client.get(state["download"]).status_code == 200


def test_a_failed_job_shows_its_message_on_the_page(client, tree, assessment):
    survey = _opened(tree, assessment)
    client.force_login(tree.secretary)
    client.post(_url("survey_more_slips", assessment), {"count": 150})
    job = ExportJob.objects.get(kind=SLIP_SHEET)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.FAILED, error="出错了 <b>")
    page = client.get(_url("survey", assessment)).content.decode()
    assert "出错了 &lt;b&gt;" in page
    assert (
        survey.pk
        and client.post(_url("survey_more_slips", assessment), {"count": 150}).status_code == 302
    )  # a failed job does not hold the survey


def test_up_to_100_slips_are_issued_at_once(client, tree, assessment):
    survey = _opened(tree, assessment)
    client.force_login(tree.secretary)
    client.post(_url("survey_more_slips", assessment), {"count": 100})
    assert not ExportJob.objects.filter(kind=SLIP_SHEET).exists()
    assert Slip.objects.filter(survey=survey).count() == 110


def test_a_second_request_while_a_job_runs_is_refused_with_a_message(client, tree, assessment):
    _opened(tree, assessment)
    client.force_login(tree.secretary)
    client.post(_url("survey_more_slips", assessment), {"count": 150})
    response = client.post(_url("survey_more_slips", assessment), {"count": 3})
    assert response.status_code == 200
    assert "正在准备" in response.content.decode() or "being prepared" in response.content.decode()
    assert ExportJob.objects.filter(kind=SLIP_SHEET).count() == 1


def test_bad_input_starts_no_job(client, tree, assessment):
    _opened(tree, assessment)
    client.force_login(tree.secretary)
    for count in ("abc", "0", "501", ""):
        response = client.post(_url("survey_more_slips", assessment), {"count": count})
        assert response.status_code == 200
    assert not ExportJob.objects.filter(kind=SLIP_SHEET).exists()


def test_opening_a_big_branch_hides_the_open_form_while_its_sheet_is_made(client, tree, campaign):
    factories.add_members(tree.branch_a, 101)
    assessment = factories.assessment(campaign, tree.branch_a)
    client.force_login(tree.secretary)
    response = client.post(_url("survey_open", assessment), {"public_slips": 0}, follow=True)
    page = response.content.decode()
    assert ExportJob.objects.filter(kind=SLIP_SHEET, status=ExportStatus.QUEUED).exists()
    assert 'id="export-job"' in page
    assert _url("survey_open", assessment) not in page


def test_the_job_is_not_shown_among_my_exports_nor_at_the_export_pages(client, tree, assessment):
    _opened(tree, assessment)
    client.force_login(tree.secretary)
    client.post(_url("survey_more_slips", assessment), {"count": 150})
    job = ExportJob.objects.get(kind=SLIP_SHEET)
    assert client.get(reverse("scoring:export_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("scoring:export_status", args=[job.pk])).status_code == 404
    assert not list(exports.jobs_of(tree.secretary))
