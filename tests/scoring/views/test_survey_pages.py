"""The branch's survey page (docs/survey.md §2.1.2): what it shows, in Chinese, and the
confirmations of its irreversible actions."""

import re

from django.urls import reverse

from scoring.models import Assessment, Slip, SlipSheet, Survey, SurveyStatus
from scoring.services import survey as service
from tests.factories import cast, member_codes


def _url(name, assessment):
    return reverse(f"scoring:{name}", args=[assessment.pk])


def _page(client, user, assessment):
    client.force_login(user)
    response = client.get(_url("survey", assessment))
    assert response.status_code == 200
    return response.content.decode()


def _status(html):
    """The line under the page's title: the survey's badge and its date."""
    return re.search(r"</h1>\s*<p[^>]*>(.*?)</p>", html, re.S).group(1)


def test_the_open_survey_reads_in_progress_as_in_its_history(client, tree, assessment, issued):
    status = _status(_page(client, tree.secretary, assessment))
    assert "进行中" in status
    assert "打开" not in status
    survey = Survey.objects.get(assessment=assessment)
    assert survey.history.latest().get_status_display() == "进行中"


def test_each_state_has_its_badge(client, tree, assessment, issued, criteria):
    assert "未开启" in _status(
        _page(
            client,
            tree.staff,
            Assessment.objects.create(campaign=assessment.campaign, branch=tree.branch_b),
        )
    )
    for code in member_codes(issued)[:8]:
        cast(code, criteria)
    service.close_survey(survey=Survey.objects.get(assessment=assessment), actor=tree.secretary)
    assert "已结束" in _status(_page(client, tree.secretary, assessment))


def test_the_results_card_is_titled_survey_results(client, tree, assessment, issued, criteria):
    for code in member_codes(issued)[:8]:
        cast(code, criteria)
    service.close_survey(survey=Survey.objects.get(assessment=assessment), actor=tree.secretary)
    html = _page(client, tree.reviewer, assessment)
    assert "测评结果" in html
    assert "评定结果" not in html


def test_participation_is_labelled_with_full_width_punctuation(
    client, tree, assessment, issued, criteria
):
    for code in member_codes(issued)[:5]:
        cast(code, criteria)
    html = _page(client, tree.secretary, assessment)
    text = re.sub(r"<[^>]+>", "", html)
    assert re.search(r"党员参与率\s*50%", text)
    assert not re.search(r"[\u4e00-\u9fff]: ", text)  # no half-width colon after Chinese
    assert "(50%)" not in text


def test_closing_asks_for_a_confirmation_that_says_what_is_deleted(
    client, tree, assessment, issued, criteria
):
    for code in member_codes(issued)[:8]:
        cast(code, criteria)
    html = _page(client, tree.secretary, assessment)
    close = html[html.index('id="close"') :]
    assert "2 member and 4 public slips" in close or "党员测评码 2 个、群众测评码 4 个" in close
    assert 'name="confirm"' in close and "required" in close
    response = client.post(_url("survey_close", assessment), {"close": "1"})
    assert response.status_code == 200
    assert response.context["close_form"].errors["confirm"]
    assert Survey.objects.get(assessment=assessment).status == SurveyStatus.OPEN
    assert SlipSheet.objects.filter(survey__assessment=assessment).exists()
    response = client.post(_url("survey_close", assessment), {"close": "1", "confirm": "on"})
    assert response.status_code == 302
    assert Survey.objects.get(assessment=assessment).status == SurveyStatus.CLOSED
    assert not SlipSheet.objects.filter(survey__assessment=assessment).exists()


def test_reissuing_asks_for_a_confirmation(client, tree, assessment, issued):
    client.force_login(tree.secretary)
    before = set(Slip.objects.values_list("code_hash", flat=True))
    response = client.post(_url("survey_reissue", assessment), {"reissue": "1"})
    assert response.status_code == 200
    assert response.context["reissue_form"].errors["confirm"]
    assert set(Slip.objects.values_list("code_hash", flat=True)) == before
    response = client.post(_url("survey_reissue", assessment), {"confirm": "on"})
    assert response.status_code == 302
    assert not set(Slip.objects.values_list("code_hash", flat=True)) & before


def test_a_refused_action_is_shown_on_its_form(client, tree, assessment, issued):
    # Below 80 %, the secretary's confirmed close is refused with the numbers.
    client.force_login(tree.secretary)
    response = client.post(_url("survey_close", assessment), {"confirm": "on"})
    assert response.status_code == 200
    [error] = response.context["close_form"].non_field_errors()
    assert "10" in error and "0" in error
    assert Survey.objects.get(assessment=assessment).status == SurveyStatus.OPEN


def test_the_survey_card_of_the_branch_page_shows_the_status(client, tree, assessment, issued):
    client.force_login(tree.reviewer)
    html = client.get(reverse("scoring:assessment", args=[assessment.pk])).content.decode()
    card = html[html.index('class="survey-summary"') :]
    card = card[: card.index("</section>")]
    assert "进行中" in card
