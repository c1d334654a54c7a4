"""Self-evaluation: save, submit, return, deadline; bad input saves nothing."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from scoring.models import Campaign, SelfScore
from scoring.services import self_evaluation as service
from scoring.services.errors import (
    DeadlinePassed,
    IncompleteSheet,
    InvalidScore,
    NotAllowed,
    WrongState,
)
from starrating.todos import self_evaluation_todos
from tests.factories import post_data, scores_for


def _filled(tree, sheet, value="8", star=3):
    return service.save_draft(
        sheet=sheet,
        actor=tree.secretary,
        scores=scores_for(sheet.assessment.campaign, value),
        self_star=star,
    )


def test_draft_keeps_scores_and_total(tree, sheet):
    sheet = _filled(tree, sheet, "8.25")
    assert sheet.total == Decimal("82.50")
    assert sheet.scores.count() == 10
    assert sheet.status == "draft"


def test_total_follows_a_changed_score(tree, sheet):
    sheet = _filled(tree, sheet, "8")
    criterion = sheet.assessment.campaign.criteria.first()
    sheet = service.save_draft(
        sheet=sheet, actor=tree.secretary, scores={criterion.pk: ("10", "")}, self_star=3
    )
    assert sheet.total == Decimal("82.00")


def test_submit_moves_draft_to_submitted(tree, sheet):
    _filled(tree, sheet)
    sheet = service.submit(sheet=sheet, actor=tree.secretary)
    assert sheet.status == "submitted"
    assert sheet.submitted_by == tree.secretary
    assert sheet.submitted_at is not None


def test_double_submit_is_refused(tree, sheet):
    _filled(tree, sheet)
    service.submit(sheet=sheet, actor=tree.secretary)
    with pytest.raises(WrongState):
        service.submit(sheet=sheet, actor=tree.secretary)


def test_submitted_sheet_cannot_be_edited(tree, sheet):
    _filled(tree, sheet)
    service.submit(sheet=sheet, actor=tree.secretary)
    with pytest.raises(WrongState):
        _filled(tree, sheet, "9")


def test_submit_needs_every_criterion(tree, sheet):
    criterion = sheet.assessment.campaign.criteria.first()
    service.save_draft(
        sheet=sheet, actor=tree.secretary, scores={criterion.pk: ("5", "")}, self_star=2
    )
    with pytest.raises(IncompleteSheet):
        service.submit(sheet=sheet, actor=tree.secretary)
    sheet.refresh_from_db()
    assert sheet.status == "draft"


def test_submit_needs_a_self_placed_star(tree, sheet):
    _filled(tree, sheet, star=None)
    with pytest.raises(IncompleteSheet):
        service.submit(sheet=sheet, actor=tree.secretary)


def test_zero_stars_is_a_valid_self_placement(tree, sheet):
    _filled(tree, sheet, star=0)
    assert service.submit(sheet=sheet, actor=tree.secretary).self_star == 0


def test_only_the_branch_secretary_edits(tree, sheet):
    with pytest.raises(NotAllowed):
        service.save_draft(sheet=sheet, actor=tree.secretary_b, scores={}, self_star=1)


def test_reviewer_returns_a_submitted_sheet_with_reason(tree, sheet):
    _filled(tree, sheet)
    service.submit(sheet=sheet, actor=tree.secretary)
    sheet = service.return_sheet(sheet=sheet, actor=tree.reviewer, reason="证据不足")
    assert sheet.status == "returned"
    assert sheet.return_reason == "证据不足"


def test_returned_sheet_is_editable_and_resubmittable(tree, sheet):
    _filled(tree, sheet)
    service.submit(sheet=sheet, actor=tree.secretary)
    service.return_sheet(sheet=sheet, actor=tree.reviewer, reason="补充")
    _filled(tree, sheet, "9")
    assert service.submit(sheet=sheet, actor=tree.secretary).total == Decimal("90.00")


def test_return_needs_a_reason(tree, sheet):
    _filled(tree, sheet)
    service.submit(sheet=sheet, actor=tree.secretary)
    with pytest.raises(WrongState):
        service.return_sheet(sheet=sheet, actor=tree.reviewer, reason=" ")


def test_a_draft_cannot_be_returned(tree, sheet):
    with pytest.raises(WrongState):
        service.return_sheet(sheet=sheet, actor=tree.reviewer, reason="x")


def test_only_a_reviewer_of_the_branch_returns(tree, sheet):
    _filled(tree, sheet)
    service.submit(sheet=sheet, actor=tree.secretary)
    with pytest.raises(NotAllowed):
        service.return_sheet(sheet=sheet, actor=tree.secretary_b, reason="x")


@pytest.mark.parametrize("value", ["10.01", "-1", "abc", "1.005", "NaN", "Infinity"])
def test_bad_score_saves_no_score(tree, sheet, value):
    scores = scores_for(sheet.assessment.campaign, "5")
    first = next(iter(scores))
    scores[first] = (value, "")
    with pytest.raises(InvalidScore):
        service.save_draft(sheet=sheet, actor=tree.secretary, scores=scores, self_star=2)
    assert not SelfScore.objects.filter(self_evaluation=sheet).exists()


@pytest.mark.parametrize("star", [6, -1, "x"])
def test_bad_star_saves_nothing(tree, sheet, star):
    with pytest.raises(InvalidScore):
        _filled(tree, sheet, star=star)
    assert not SelfScore.objects.filter(self_evaluation=sheet).exists()


def _past_deadline(campaign):
    Campaign.objects.filter(pk=campaign.pk).update(
        self_deadline=timezone.localdate() - datetime.timedelta(days=1)
    )


def test_saving_after_the_deadline_is_refused(tree, sheet):
    _past_deadline(sheet.assessment.campaign)
    sheet.assessment.campaign.refresh_from_db()
    with pytest.raises(DeadlinePassed):
        _filled(tree, sheet)
    assert not SelfScore.objects.filter(self_evaluation=sheet).exists()


def test_submitting_after_the_deadline_is_refused(tree, sheet):
    _filled(tree, sheet)
    _past_deadline(sheet.assessment.campaign)
    with pytest.raises(DeadlinePassed):
        service.submit(sheet=sheet, actor=tree.secretary)


def test_staff_extension_lets_the_secretary_submit_late(tree, sheet):
    _filled(tree, sheet)
    _past_deadline(sheet.assessment.campaign)
    service.extend_deadline(
        sheet=sheet,
        actor=tree.staff,
        until=timezone.localdate() + datetime.timedelta(days=3),
        reason="病假",
    )
    assert service.submit(sheet=sheet, actor=tree.secretary).status == "submitted"


def test_history_rows_carry_the_acting_user(tree, sheet):
    _filled(tree, sheet)
    service.submit(sheet=sheet, actor=tree.secretary)
    latest = sheet.history.latest()
    assert latest.history_user == tree.secretary
    assert latest.history_change_reason == "self_evaluation.submitted"
    score_history = SelfScore.history.filter(self_evaluation_id=sheet.pk)
    assert set(score_history.values_list("history_user", flat=True)) == {tree.secretary.pk}


def test_secretary_todos_ask_to_fill_in(tree, sheet):
    todos = self_evaluation_todos(tree.secretary)
    assert [t.url for t in todos] == [
        reverse("scoring:self_evaluation", args=[sheet.assessment_id])
    ]


def test_secretary_todos_show_return_reason(tree, sheet):
    _filled(tree, sheet)
    service.submit(sheet=sheet, actor=tree.secretary)
    service.return_sheet(sheet=sheet, actor=tree.reviewer, reason="请补充")
    assert [t.detail for t in self_evaluation_todos(tree.secretary)] == ["请补充"]


# The page ----------------------------------------------------------------------------


def _url(sheet):
    return reverse("scoring:self_evaluation", args=[sheet.assessment_id])


def test_page_saves_a_draft(client, tree, sheet):
    client.force_login(tree.secretary)
    response = client.post(_url(sheet), post_data(sheet.assessment.campaign, "7.5"))
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.total == Decimal("75.00")
    assert sheet.self_star == 3


def test_page_submits(client, tree, sheet):
    client.force_login(tree.secretary)
    client.post(_url(sheet), post_data(sheet.assessment.campaign, action="submit"))
    sheet.refresh_from_db()
    assert sheet.status == "submitted"


@pytest.mark.parametrize("value", ["10.5", "-0.01", "eight", "1.234"])
def test_page_with_one_bad_score_saves_no_score(client, tree, sheet, value):
    client.force_login(tree.secretary)
    data = post_data(sheet.assessment.campaign, "5")
    first = sheet.assessment.campaign.criteria.first()
    data[f"score_{first.pk}"] = value
    response = client.post(_url(sheet), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not SelfScore.objects.filter(self_evaluation=sheet).exists()


def test_page_submit_with_missing_criterion_saves_nothing(client, tree, sheet):
    client.force_login(tree.secretary)
    data = post_data(sheet.assessment.campaign, "5", action="submit")
    first = sheet.assessment.campaign.criteria.first()
    data[f"score_{first.pk}"] = ""
    response = client.post(_url(sheet), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    sheet.refresh_from_db()
    assert sheet.status == "draft"
    assert not SelfScore.objects.filter(self_evaluation=sheet).exists()


def test_page_double_submit_shows_an_error(client, tree, sheet):
    client.force_login(tree.secretary)
    client.post(_url(sheet), post_data(sheet.assessment.campaign, action="submit"))
    response = client.post(_url(sheet), post_data(sheet.assessment.campaign, "9", action="submit"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    sheet.refresh_from_db()
    assert sheet.total == Decimal("80.00")


def test_page_after_the_deadline_shows_an_error(client, tree, sheet):
    _past_deadline(sheet.assessment.campaign)
    client.force_login(tree.secretary)
    response = client.post(_url(sheet), post_data(sheet.assessment.campaign))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not SelfScore.objects.filter(self_evaluation=sheet).exists()


def test_submitted_page_is_read_only_with_banner(client, tree, sheet):
    client.force_login(tree.secretary)
    client.post(_url(sheet), post_data(sheet.assessment.campaign, action="submit"))
    response = client.get(_url(sheet))
    assert response.context["editable"] is False
    assert b'id="submitted-banner"' in response.content
    assert b'id="self-evaluation-form"' not in response.content


def test_returned_page_shows_reason_and_is_editable(client, tree, sheet):
    _filled(tree, sheet)
    service.submit(sheet=sheet, actor=tree.secretary)
    service.return_sheet(sheet=sheet, actor=tree.reviewer, reason="请补充<b>证据</b>")
    client.force_login(tree.secretary)
    response = client.get(_url(sheet))
    assert response.context["editable"] is True
    assert "请补充&lt;b&gt;证据&lt;/b&gt;".encode() in response.content


def test_reviewer_sees_the_sheet_read_only(client, tree, sheet):
    client.force_login(tree.reviewer)
    response = client.get(_url(sheet))
    assert response.status_code == 200
    assert response.context["editable"] is False


def test_reviewer_returns_through_the_page(client, tree, sheet):
    _filled(tree, sheet)
    service.submit(sheet=sheet, actor=tree.secretary)
    client.force_login(tree.reviewer)
    url = reverse("scoring:self_evaluation_return", args=[sheet.assessment_id])
    sheet.refresh_from_db()
    assert client.post(url, {"reason": "重做", "version": sheet.version}).status_code == 302
    sheet.refresh_from_db()
    assert sheet.status == "returned"


def test_staff_extend_through_the_page(client, tree, sheet):
    client.force_login(tree.staff)
    url = reverse("scoring:self_evaluation_extend", args=[sheet.assessment_id])
    until = timezone.localdate() + datetime.timedelta(days=40)
    response = client.post(url, {"until": until.isoformat(), "reason": "延期"})
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.deadline == until
