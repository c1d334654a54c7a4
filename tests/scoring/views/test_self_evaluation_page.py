"""The self-evaluation page: a submission is confirmed without JavaScript, a refusal is said
once and points at the fields, and the deadline reads in the reader's form."""

import datetime

from django.urls import reverse

from scoring.models import SelfEvaluationStatus
from scoring.services import self_evaluation as service
from starrating import clock
from tests.html_forms import form_data

NOTHING_SAVED = "未保存，请更正以下错误。"


def _url(sheet):
    return reverse("scoring:self_evaluation", args=[sheet.assessment_id])


def _page(client, tree, sheet):
    client.force_login(tree.secretary)
    return client.get(_url(sheet))


def _all_scored(sheet, value="8"):
    return {f"score_{c.pk}": value for c in sheet.assessment.campaign.criteria.all()}


def test_submitting_needs_the_confirmation_box(client, tree, sheet):
    page = _page(client, tree, sheet)
    data = form_data(page, "version", submit="1", self_star="3", **_all_scored(sheet))
    refused = client.post(_url(sheet), data)
    assert refused.status_code == 200
    assert "请勾选确认后再提交。" in refused.content.decode()
    sheet.refresh_from_db()
    assert (sheet.status, sheet.scores.count()) == (SelfEvaluationStatus.DRAFT, 0)

    response = client.post(_url(sheet), {**data, "confirm": "on"})
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.status == SelfEvaluationStatus.SUBMITTED


def test_saving_a_draft_needs_no_confirmation(client, tree, sheet):
    page = _page(client, tree, sheet)
    response = client.post(_url(sheet), form_data(page, "version", save="1", **_all_scored(sheet)))
    assert response.status_code == 302
    assert sheet.scores.count() == sheet.assessment.campaign.criteria.count()


def test_missing_criteria_are_listed_one_per_line_and_their_fields_marked(client, tree, sheet):
    criteria = list(sheet.assessment.campaign.criteria.order_by("position"))
    criteria[1].title = "制度完善、落实"
    criteria[1].save()
    page = _page(client, tree, sheet)
    data = form_data(page, "version", submit="1", confirm="on", self_star="3")
    data[f"score_{criteria[0].pk}"] = "8"
    response = client.post(_url(sheet), data)
    content = response.content.decode()
    lines = [f"{c.position}. {c.title}" for c in criteria[1:]]
    assert "<br>".join(lines) in content  # one per line, whatever the titles contain
    form = response.context["form"]
    assert not form.errors.get(f"score_{criteria[0].pk}")
    assert all(form.errors[f"score_{c.pk}"] for c in criteria[1:])
    assert not sheet.scores.exists()


def test_a_refusal_is_said_once(client, tree, sheet):
    page = _page(client, tree, sheet)
    response = client.post(
        _url(sheet), form_data(page, "version", submit="1", confirm="on", self_star="3")
    )
    content = response.content.decode()
    assert content.count(NOTHING_SAVED) == 1
    assert content.count("提交前请为每个评分项打分") == 1
    assert [str(m) for m in response.context["messages"]] == []


def test_too_many_decimals_are_refused_with_a_full_width_stop(client, tree, sheet):
    first = sheet.assessment.campaign.criteria.order_by("position").first()
    page = _page(client, tree, sheet)
    response = client.post(
        _url(sheet), form_data(page, "version", save="1", **{f"score_{first.pk}": "1.234"})
    )
    assert "确认小数不超过 2 位。" in response.content.decode()


def test_the_deadline_reads_with_a_full_width_colon_and_the_date_form(client, tree, sheet):
    deadline = sheet.deadline
    content = _page(client, tree, sheet).content.decode()
    assert f"截止日期：{deadline.year}年{deadline.month}月{deadline.day}日" in content


def test_an_extended_deadline_says_so_in_full_width_brackets(client, tree, sheet):
    until = clock.today() + datetime.timedelta(days=60)
    service.extend_deadline(sheet=sheet, actor=tree.staff, until=until, reason="病假")
    content = _page(client, tree, sheet).content.decode()
    assert f"截止日期：{until.year}年{until.month}月{until.day}日（已延期）" in content
