"""What the bad-input campaign found, each held by a test of its own (docs/nonfunctional.md
§7, *Bad input*)."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse

from improvement.models import LedgerItem, PlanStatus
from scoring.models import Criterion, ExportJob, Review
from starrating import clock
from tests import factories

pytestmark = pytest.mark.django_db


def test_an_export_form_whose_back_address_is_no_path_goes_back_to_the_results(client, tree, rated):
    """`redirect("-1")` took the text for a view's name: NoReverseMatch, a 500."""
    client.force_login(tree.staff)
    response = client.post(
        reverse("scoring:export_start", args=[rated.pk, "rating-sheet"]),
        {"branch": "no-such-branch", "back": "-1"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("scoring:campaign_results", args=[rated.pk])
    assert "该支部未参加本次评定活动" in client.get(response["Location"]).content.decode()
    assert not ExportJob.objects.exists()


def test_a_first_review_posted_with_a_version_never_saved_is_refused_in_words(
    client, tree, campaign, ready
):
    """A stale refusal re-read the review, which the refused save had not created: a 500."""
    client.force_login(tree.reviewer)
    data = {"action": "save", "version": "2"}
    for criterion in campaign.criteria.all():
        data[f"score_{criterion.pk}"] = "8"
    response = client.post(reverse("scoring:review", args=[ready.pk]), data)
    assert response.status_code == 200
    assert "本次操作未作任何更改。" in response.content.decode()
    assert not Review.objects.exists()


def test_a_bad_hidden_field_is_said_on_the_page(client, tree, campaign):
    """crispy-forms shows no error of a hidden field: the form came back without a word."""
    plan = factories.plan(campaign, tree.branch_a, status=PlanStatus.FILED)
    person = factories.member(tree.branch_a)
    client.force_login(tree.secretary)
    response = client.post(
        reverse("improvement:item_create", args=[plan.pk]),
        {
            "problem": "学习不深入",
            "measures": "每周集中学习",
            "responsible": str(person.pk),
            "due": (clock.today() + datetime.timedelta(days=20)).isoformat(),
            "event": "-0.0001",
        },
    )
    assert response.status_code == 200
    assert "表单中的隐藏字段未被接受，请刷新页面后重试。" in response.content.decode()
    assert not LedgerItem.objects.exists()


def test_a_rubric_row_of_an_unknown_criterion_is_said_on_the_page(client, tree, draft_campaign):
    criteria = list(draft_campaign.criteria.order_by("position"))
    data = factories.policy_form(
        title=draft_campaign.title, self_deadline=draft_campaign.self_deadline.isoformat()
    )
    data.update({"rubric-TOTAL_FORMS": "1", "rubric-INITIAL_FORMS": "1"})
    data.update({"rubric-0-id": "-1", "rubric-0-title": "新", "rubric-0-max_points": "5"})
    before = list(Criterion.objects.values_list("pk", "title", "max_points"))
    client.force_login(tree.staff)
    response = client.post(reverse("scoring:campaign_edit", args=[draft_campaign.pk]), data)
    assert response.status_code == 200
    assert "表单中的隐藏字段未被接受" in response.content.decode()
    assert list(Criterion.objects.values_list("pk", "title", "max_points")) == before
    assert len(before) == len(criteria)


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_form_too_large_for_the_server_gets_a_chinese_page_that_says_so(client, tree):
    client.force_login(tree.staff)
    response = client.post(reverse("scoring:event_create"), {"description": "x" * 2000})
    assert response.status_code == 400
    page = response.content.decode()
    assert "提交的内容过大" in page and '<html lang="zh-CN"' in page


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=10)
def test_a_form_of_too_many_fields_gets_the_same_page(client, tree):
    client.force_login(tree.staff)
    response = client.post(reverse("scoring:event_create"), {f"f{i}": "1" for i in range(20)})
    assert response.status_code == 400
    assert "提交的内容过大" in response.content.decode()


def test_another_bad_request_keeps_the_general_page(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    page = response.content.decode()
    assert "请求有误" in page and "提交的内容过大" not in page


def test_a_rubric_posted_with_thousands_of_rows_builds_fifty_and_is_refused(
    client, tree, draft_campaign
):
    """TOTAL_FORMS of 10**40 made Django build and render its own limit, 2,000 forms: a
    page of seconds. A rubric has at most `MAX_CRITERIA` rows."""
    from scoring.forms.campaigns import MAX_CRITERIA

    data = factories.policy_form(
        title=draft_campaign.title, self_deadline=draft_campaign.self_deadline.isoformat()
    )
    data.update({"rubric-TOTAL_FORMS": "9" * 40, "rubric-INITIAL_FORMS": "0"})
    before = list(Criterion.objects.values_list("pk", "title", "max_points"))
    client.force_login(tree.staff)
    response = client.post(reverse("scoring:campaign_edit", args=[draft_campaign.pk]), data)
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == MAX_CRITERIA
    assert f"请最多提交 {MAX_CRITERIA} 个表单。" in response.content.decode()
    assert list(Criterion.objects.values_list("pk", "title", "max_points")) == before


@pytest.mark.parametrize("code", ["无此\x00支部", "\x00\u202e无此"])
def test_an_export_form_with_a_nul_in_the_branch_code_is_refused_in_words(
    client, tree, rated, code
):
    """The branch code went to the database as typed: on PostgreSQL a NUL is a DataError."""
    client.force_login(tree.staff)
    response = client.post(
        reverse("scoring:export_start", args=[rated.pk, "rating-sheet"]), {"branch": code}
    )
    assert response.status_code == 302
    assert "该支部未参加本次评定活动" in client.get(response["Location"]).content.decode()
    assert not ExportJob.objects.exists()
