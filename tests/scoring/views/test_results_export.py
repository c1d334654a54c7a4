"""The campaign's reports started from its results page (staff only), made in the
background (the immediate task backend in tests) and downloaded from the job."""

import io

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from openpyxl import load_workbook

from scoring.models import ExportJob
from scoring.services.recompute import recompute_campaign
from tests.factories import ready_branch


@pytest.fixture
def rated(campaign, tree):
    ready_branch(campaign, tree.branch_a, review_total=90)
    ready_branch(campaign, tree.branch_b, review_total=80)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    return campaign


def url(campaign, kind="annual-xlsx"):
    return reverse("scoring:export_start", args=[campaign.pk, kind])


def test_staff_make_the_annual_workbook_from_the_results_page(
    client, tree, rated, django_capture_on_commit_callbacks
):
    client.force_login(tree.staff)
    page = client.get(reverse("scoring:campaign_results", args=[rated.pk])).content.decode()
    assert url(rated) in page and url(rated, "annual-pdf") in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(rated))
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("scoring:export_job", args=[job.pk])
    download = client.get(reverse("scoring:export_download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert "no-cache" in download["Cache-Control"] or "no-store" in download["Cache-Control"]
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    names = [row[0] for row in book["星级名单"].iter_rows(min_row=2, values_only=True)]
    assert names == ["第一党支部", "第二党支部"]


@pytest.mark.parametrize("name", ["approver", "reviewer", "secretary", "nobody"])
def test_others_may_not_start_it_nor_see_the_button(client, tree, rated, name):
    user = tree.users_by_role()[name]
    client.force_login(user)
    assert client.post(url(rated)).status_code == 403
    assert not ExportJob.objects.exists()
    page = client.get(reverse("scoring:campaign_results", args=[rated.pk]))
    assert url(rated) not in page.content.decode()


def test_anonymous_users_are_sent_to_log_in(client, rated):
    response = client.post(url(rated))
    assert response.status_code == 302 and "login" in response["Location"]


def test_unknown_kinds_are_not_found_and_unbuilt_ones_refused(client, tree, rated, monkeypatch):
    from scoring import exporters

    monkeypatch.delitem(exporters.EXPORTERS, "ledger-xlsx")  # as if it were not built yet
    client.force_login(tree.staff)
    assert client.post(url(rated, "nope")).status_code == 404
    response = client.post(url(rated, "ledger-xlsx"))
    assert response.status_code == 302
    assert "尚未提供" in str(list(get_messages(response.wsgi_request))[0])
    assert not ExportJob.objects.exists()


def test_the_download_is_a_get_of_the_job_not_of_the_campaign(client, tree, rated):
    client.force_login(tree.staff)
    assert client.get(url(rated)).status_code == 405


def test_before_any_recompute_the_refusal_is_a_message(client, tree, campaign):
    client.force_login(tree.staff)
    response = client.post(url(campaign))
    assert response.status_code == 302
    assert response["Location"] == reverse("scoring:campaign_results", args=[campaign.pk])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "评定活动尚无结果，请先计算评定结果。"
    ]
    assert not ExportJob.objects.exists()
