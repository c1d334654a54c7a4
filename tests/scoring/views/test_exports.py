"""The export pages (docs/reports.md §6): start, the job page and its JSON status, the
download, "my exports", and the rating sheet from the branch page — for every role."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from scoring.models import ExportJob, ExportStatus
from scoring.services import exports
from scoring.services.recompute import recompute_campaign
from tests.factories import ready_branch

ROLES = ["staff", "approver", "rereviewer", "reviewer", "secretary", "nobody"]


@pytest.fixture
def rated(campaign, tree):
    ready_branch(campaign, tree.branch_a, review_total=90)
    ready_branch(campaign, tree.branch_b, review_total=80)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    campaign.refresh_from_db()
    return campaign


@pytest.fixture
def done_job(rated, tree):
    """A's rating sheet, asked by A's secretary and made."""
    job = exports.request_export(
        kind="rating-sheet", campaign=rated, branch=tree.branch_a, actor=tree.secretary
    )
    exports.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    return job


def start_url(campaign, kind):
    return reverse("scoring:export_start", args=[campaign.pk, kind])


def urls(job):
    return {
        name: reverse(f"scoring:{name}", args=[job.pk])
        for name in ("export_job", "export_status", "export_download")
    }


def test_staff_start_the_annual_pdf_without_the_appendix(client, tree, rated):
    client.force_login(tree.staff)
    response = client.post(start_url(rated, "annual-pdf"), {"appendix": "0"})
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("scoring:export_job", args=[job.pk])
    assert job.options == {"appendix": False} and job.requested_by == tree.staff
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "报表正在生成，生成后可在“我的导出”中下载。"
    ]


def test_a_bad_option_is_a_message_and_nothing_is_started(client, tree, rated):
    client.force_login(tree.staff)
    response = client.post(start_url(rated, "annual-pdf"), {"appendix": "maybe"})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["该报表不支持这些选项。"]
    assert not ExportJob.objects.exists()


def test_an_unknown_branch_is_a_message_and_nothing_is_started(client, tree, rated):
    client.force_login(tree.staff)
    response = client.post(start_url(rated, "rating-sheet"), {"branch": "NOPE"})
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["该支部未参加本次评定活动。"]
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("name", ["staff", "approver", "rereviewer", "reviewer", "secretary"])
def test_those_who_see_a_branch_rating_may_start_its_sheet(client, tree, rated, name):
    client.force_login(tree.users_by_role()[name])
    response = client.post(start_url(rated, "rating-sheet"), {"branch": tree.branch_a.code})
    assert response.status_code == 302 and ExportJob.objects.get().branch == tree.branch_a


def test_another_branch_secretary_may_not_start_its_sheet(client, tree, rated):
    client.force_login(tree.secretary_b)
    response = client.post(start_url(rated, "rating-sheet"), {"branch": tree.branch_a.code})
    assert response.status_code == 403 and not ExportJob.objects.exists()


@pytest.mark.parametrize("name", ["secretary", "staff"])
def test_the_requester_and_staff_see_the_job_its_status_and_its_file(client, tree, done_job, name):
    client.force_login(tree.users_by_role()[name])
    page = client.get(urls(done_job)["export_job"])
    assert page.status_code == 200
    html = page.content.decode()
    assert urls(done_job)["export_download"] in html and "支部评定表" in html
    status = client.get(urls(done_job)["export_status"]).json()
    assert status == {
        "status": "done",
        "label": "已完成",
        "progress": 100,
        "error": "",
        "notice": "",
        "download": urls(done_job)["export_download"],
    }
    download = client.get(urls(done_job)["export_download"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"] == (
        f'attachment; filename="rating-sheet-{done_job.campaign.year}-{tree.branch_a.code}.pdf"'
    )
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


@pytest.mark.parametrize("name", ["approver", "rereviewer", "reviewer", "nobody"])
def test_anyone_else_finds_no_job(client, tree, done_job, name):
    client.force_login(tree.users_by_role()[name])
    for url in urls(done_job).values():
        assert client.get(url).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, done_job):
    for url in urls(done_job).values():
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_an_expired_job_is_gone(client, tree, done_job):
    exports.purge_expired(done_job.expires_at)
    client.force_login(tree.secretary)
    for url in urls(done_job).values():
        assert client.get(url).status_code == 404


def test_a_running_job_shows_its_progress_and_a_refresh_link_but_no_file(client, tree, rated):
    job = exports.request_export(kind="annual-xlsx", campaign=rated, actor=tree.staff)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, progress=40)
    client.force_login(tree.staff)
    html = client.get(urls(job)["export_job"]).content.decode()
    assert 'data-progress="40"' in html and "40%" in html
    assert 'id="export-refresh"' in html and 'class="btn btn-link"' in html
    assert re.search(r'class="btn btn-primary d-none" id="export-download"', html)
    assert client.get(urls(job)["export_status"]).json()["download"] is None
    assert client.get(urls(job)["export_download"]).status_code == 404


def test_the_job_page_has_no_inline_script_or_style(client, tree, done_job):
    client.force_login(tree.secretary)
    html = client.get(urls(done_job)["export_job"]).content.decode()
    assert "style=" not in html and "<style" not in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all("src=" in attributes for attributes in scripts)
    assert "js/export_job.js" in html


def test_a_failed_job_shows_its_message(client, tree, rated):
    job = exports.request_export(kind="annual-xlsx", campaign=rated, actor=tree.staff)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.FAILED, error="出错了。")
    client.force_login(tree.staff)
    assert "出错了。" in client.get(urls(job)["export_job"]).content.decode()
    assert client.get(urls(job)["export_status"]).json()["error"] == "出错了。"


def test_my_exports_lists_my_jobs_only_in_a_fixed_number_of_queries(
    client, tree, rated, done_job, django_assert_max_num_queries
):
    for _ in range(3):
        job = exports.request_export(kind="annual-xlsx", campaign=rated, actor=tree.staff)
        exports.run_job(job.pk)
    client.force_login(tree.staff)
    with django_assert_max_num_queries(8):
        html = client.get(reverse("scoring:exports")).content.decode()
    assert html.count('/download/"') == 3
    assert reverse("scoring:export_job", args=[done_job.pk]) not in html


@pytest.mark.parametrize("name", ["staff", "approver", "reviewer", "secretary"])
def test_the_branch_page_offers_the_rating_sheet_in_the_request(client, tree, rated, name):
    client.force_login(tree.users_by_role()[name])
    assessment = rated.assessments.get(branch=tree.branch_a)
    url = reverse("scoring:rating_sheet", args=[assessment.pk])
    assert url in client.get(reverse("scoring:assessment", args=[assessment.pk])).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("name", ["nobody", "secretary_b"])
def test_others_find_no_rating_sheet(client, tree, rated, name):
    client.force_login(getattr(tree, name))
    assessment = rated.assessments.get(branch=tree.branch_a)
    assert client.get(reverse("scoring:rating_sheet", args=[assessment.pk])).status_code == 404


def test_a_branch_not_rated_has_no_link_and_its_sheet_is_refused(client, tree, rated):
    from tests import factories

    assessment = factories.assessment(rated, tree.direct)
    client.force_login(tree.staff)
    url = reverse("scoring:rating_sheet", args=[assessment.pk])
    assert (
        url not in client.get(reverse("scoring:assessment", args=[assessment.pk])).content.decode()
    )
    response = client.get(url)
    assert response["Location"] == reverse("scoring:assessment", args=[assessment.pk])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "该支部尚无评定结果，请先计算评定结果。"
    ]
