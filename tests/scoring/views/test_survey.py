"""The branch's survey page: who may do what (docs/nonfunctional.md §7)."""

import pytest
from django.urls import reverse

from scoring.models import Survey
from scoring.services import survey as service
from tests.factories import cast, member_codes


def _url(name, assessment, *args):
    return reverse(f"scoring:{name}", args=[assessment.pk, *args])


def test_anonymous_gets_the_login_page(client, assessment):
    response = client.get(_url("survey", assessment))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("role", ["secretary", "reviewer", "staff", "approver", "rereviewer"])
def test_each_role_above_the_branch_reads_the_page(client, tree, assessment, role):
    client.force_login(tree.users_by_role()[role])
    assert client.get(_url("survey", assessment)).status_code == 200


def test_a_user_without_a_role_is_refused(client, tree, assessment):
    client.force_login(tree.nobody)
    assert client.get(_url("survey", assessment)).status_code == 403


def test_secretary_of_another_branch_gets_404(client, tree, assessment):
    client.force_login(tree.secretary_b)
    assert client.get(_url("survey", assessment)).status_code == 404
    assert client.post(_url("survey_open", assessment), {"public_slips": 2}).status_code == 404


def test_secretary_opens_the_survey_from_the_page(client, tree, assessment):
    client.force_login(tree.secretary)
    response = client.post(_url("survey_open", assessment), {"public_slips": 3})
    assert response.status_code == 302
    survey = Survey.objects.get(assessment=assessment)
    assert (survey.status, survey.electorate, survey.public_slips_issued) == ("open", 10, 3)


def test_a_bad_number_of_slips_rerenders_and_opens_nothing(client, tree, assessment):
    client.force_login(tree.secretary)
    response = client.post(_url("survey_open", assessment), {"public_slips": -1})
    assert response.status_code == 200
    assert response.context["open_form"].errors
    assert not Survey.objects.filter(assessment=assessment).exists()


def test_reviewer_cannot_open_or_close(client, tree, assessment, survey):
    client.force_login(tree.reviewer)
    assert client.post(_url("survey_open", assessment), {"public_slips": 1}).status_code == 403
    assert client.post(_url("survey_close", assessment)).status_code == 403


def test_reviewer_cannot_download_the_slip_sheet(client, tree, assessment, issued):
    client.force_login(tree.reviewer)
    response = client.get(_url("survey_sheet", assessment, issued.sheet.pk))
    assert response.status_code == 403


def test_secretary_downloads_the_slip_sheet(client, tree, assessment, issued):
    client.force_login(tree.secretary)
    response = client.get(_url("survey_sheet", assessment, issued.sheet.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_page_shows_live_participation_but_no_results_while_open(
    client, tree, assessment, issued, criteria
):
    for code in member_codes(issued)[:3]:
        cast(code, criteria)
    client.force_login(tree.secretary)
    response = client.get(_url("survey", assessment))
    assert response.context["participation"].members_voted == 3
    assert "figures" not in response.context
    data = client.get(_url("survey_participation", assessment)).json()
    assert (data["members_voted"], data["electorate"], data["percent"]) == (3, 10, 30)


def test_secretary_closing_below_80_percent_sees_the_numbers(client, tree, assessment, survey):
    client.force_login(tree.secretary)
    response = client.post(
        _url("survey_close", assessment), {"confirm": "on"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    errors = response.context["close_form"].non_field_errors()
    assert errors and "0 of 10" in errors[0]
    survey.refresh_from_db()
    assert survey.status == "open"


def test_staff_closes_below_80_percent_with_a_reason_from_the_page(
    client, tree, assessment, survey
):
    client.force_login(tree.staff)
    response = client.post(
        _url("survey_close", assessment), {"override_reason": "停电", "confirm": "on"}
    )
    assert response.status_code == 302
    survey.refresh_from_db()
    assert (survey.status, survey.close_override_reason) == ("closed", "停电")


def test_reviewer_reads_the_aggregate_once_closed(
    client, tree, assessment, issued, survey, criteria
):
    for code in member_codes(issued)[:8]:
        cast(code, criteria)
    service.close_survey(survey=survey, actor=tree.secretary)
    client.force_login(tree.reviewer)
    response = client.get(_url("survey", assessment))
    assert response.status_code == 200
    assert response.context["figures"].component == 100
    assert len(response.context["distribution"].rows) == 10
    assert "close_form" not in response.context
    assert b"survey-summary" in response.content


def test_the_page_query_count_is_bounded(
    client, tree, assessment, issued, survey, criteria, django_assert_max_num_queries
):
    for code in member_codes(issued)[:8]:
        cast(code, criteria)
    service.close_survey(survey=survey, actor=tree.secretary)
    client.force_login(tree.staff)
    with django_assert_max_num_queries(15):
        client.get(_url("survey", assessment))
