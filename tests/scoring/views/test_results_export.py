"""The annual workbook downloaded from the campaign's results page (staff only)."""

import io

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from openpyxl import load_workbook

from scoring.services.recompute import recompute_campaign
from tests.factories import ready_branch


@pytest.fixture
def rated(campaign, tree):
    ready_branch(campaign, tree.branch_a, review_total=90)
    ready_branch(campaign, tree.branch_b, review_total=80)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    return campaign


def url(campaign, kind="annual-xlsx"):
    return reverse("scoring:campaign_export", args=[campaign.pk, kind])


def test_staff_download_the_annual_workbook_from_the_results_page(client, tree, rated):
    client.force_login(tree.staff)
    page = client.get(reverse("scoring:campaign_results", args=[rated.pk])).content.decode()
    assert url(rated) in page
    response = client.get(url(rated))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    names = [row[0] for row in book["星级名单"].iter_rows(min_row=2, values_only=True)]
    assert names == ["第一党支部", "第二党支部"]


@pytest.mark.parametrize("name", ["approver", "reviewer", "secretary", "nobody"])
def test_others_may_not_download_it_nor_see_the_button(client, tree, rated, name):
    user = tree.users_by_role()[name]
    client.force_login(user)
    assert client.get(url(rated)).status_code == 403
    page = client.get(reverse("scoring:campaign_results", args=[rated.pk]))
    assert url(rated) not in page.content.decode()


def test_anonymous_users_are_sent_to_log_in(client, rated):
    response = client.get(url(rated))
    assert response.status_code == 302 and "login" in response["Location"]


def test_unbuilt_or_unknown_kinds_are_not_found(client, tree, rated):
    client.force_login(tree.staff)
    assert client.get(url(rated, "annual-pdf")).status_code == 404
    assert client.get(url(rated, "nope")).status_code == 404


def test_before_any_recompute_the_refusal_is_a_message(client, tree, campaign):
    client.force_login(tree.staff)
    response = client.get(url(campaign))
    assert response.status_code == 302
    assert response["Location"] == reverse("scoring:campaign_results", args=[campaign.pk])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "评定活动尚无结果，请先计算评定结果。"
    ]
