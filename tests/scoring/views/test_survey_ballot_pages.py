"""The public ballot pages: no login, phone-first (docs/survey.md §2.1.2)."""

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from scoring.models import Ballot, Slip
from scoring.services import survey as service
from scoring.views import ballot as views
from tests.factories import member_codes

BALLOT = "/v/"


@pytest.fixture(autouse=True)
def fresh_cache(db):
    cache.clear()
    yield
    cache.clear()


def _answers(criteria, grade="E", verdict="satisfied"):
    data = {"step": "ballot", "verdict": verdict}
    data.update({f"criterion_{c.pk}": grade for c in criteria})
    return data


def _enter(client, code):
    return client.get(reverse("scoring:ballot_code", args=[code]))


def _kept_code(client):
    """The code the device keeps (the signed cookie), or None."""
    request = RequestFactory().get(BALLOT)
    request.COOKIES = {name: morsel.value for name, morsel in client.cookies.items()}
    return views._code_of(request)


def test_the_qr_path_keeps_the_code_on_the_device_and_redirects(client, issued):
    code = member_codes(issued)[0]
    response = _enter(client, code)
    assert response.status_code == 302
    assert response["Location"] == BALLOT
    assert code not in response["Location"]
    assert _kept_code(client) == code


def test_the_ballot_shows_every_criterion(client, issued, criteria):
    _enter(client, member_codes(issued)[0])
    response = client.get(BALLOT)
    assert response.status_code == 200
    form = response.context["form"]
    assert [f.label for f in form.criterion_fields()] == [c.title for c in criteria]


def test_without_a_code_the_page_asks_for_one(client, issued):
    response = client.get(BALLOT)
    assert response.status_code == 200
    assert "code" in response.context["form"].fields


def test_a_typed_code_leads_to_the_ballot(client, issued):
    code = service.format_code(member_codes(issued)[0])
    response = client.post(BALLOT, {"step": "code", "code": code})
    assert response.status_code == 302
    assert client.get(BALLOT).context["form"].criteria


def test_a_typed_unknown_code_is_refused(client, issued):
    response = client.post(BALLOT, {"step": "code", "code": "ABCD-EFGH-JK"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert _kept_code(client) is None


def test_casting_stores_one_ballot_clears_the_code_and_thanks(client, issued, criteria):
    _enter(client, member_codes(issued)[0])
    response = client.post(BALLOT, _answers(criteria))
    assert response.status_code == 302
    assert response["Location"] == reverse("scoring:ballot_thanks")
    assert Ballot.objects.count() == 1
    assert _kept_code(client) is None
    assert client.get(response["Location"]).status_code == 200


def test_a_second_use_of_the_code_is_refused(client, issued, criteria):
    code = member_codes(issued)[0]
    _enter(client, code)
    client.post(BALLOT, _answers(criteria))
    _enter(client, code)
    response = client.get(BALLOT)
    assert isinstance(response.context["error"], str) and response.context["error"]
    assert _kept_code(client) is None
    assert Ballot.objects.count() == 1


def test_a_missing_grade_rerenders_and_stores_nothing(client, issued, criteria):
    _enter(client, member_codes(issued)[0])
    data = _answers(criteria)
    del data[f"criterion_{criteria[4].pk}"]
    response = client.post(BALLOT, data)
    assert response.status_code == 200
    assert f"criterion_{criteria[4].pk}" in response.context["form"].errors
    assert Ballot.objects.count() == 0
    assert Slip.objects.count() == 14
    assert _kept_code(client)


def test_an_invalid_grade_rerenders_and_stores_nothing(client, issued, criteria):
    _enter(client, member_codes(issued)[0])
    response = client.post(BALLOT, _answers(criteria, grade="Z"))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Ballot.objects.count() == 0


def test_a_missing_verdict_stores_nothing(client, issued, criteria):
    _enter(client, member_codes(issued)[0])
    data = _answers(criteria)
    del data["verdict"]
    response = client.post(BALLOT, data)
    assert "verdict" in response.context["form"].errors
    assert Ballot.objects.count() == 0


def test_a_closed_survey_refuses_the_ballot(client, tree, issued, survey, criteria):
    from tests.factories import cast

    for code in member_codes(issued)[:8]:
        cast(code, criteria)
    _enter(client, member_codes(issued)[9])
    service.close_survey(survey=survey, actor=tree.secretary)
    response = client.post(BALLOT, _answers(criteria))
    assert response.status_code == 200
    assert response.context["error"] == str(service.SurveyClosed())
    assert Ballot.objects.count() == 8


@pytest.mark.parametrize(
    "step, policy",
    [
        ("qr", "no-referrer"),
        ("code", "same-origin"),
        ("ballot", "same-origin"),
        ("thanks", "same-origin"),
    ],
)
def test_ballot_pages_send_a_strict_referrer_policy_and_no_store(
    client, issued, criteria, step, policy
):
    code = member_codes(issued)[0]
    if step == "qr":
        response = _enter(client, code)
    elif step == "code":
        response = client.get(BALLOT)
    elif step == "ballot":
        _enter(client, code)
        response = client.get(BALLOT)
    else:
        response = client.get(reverse("scoring:ballot_thanks"))
    assert response["Referrer-Policy"] == policy
    assert "no-store" in response["Cache-Control"]


def test_a_browser_ballot_passes_the_csrf_check_with_its_origin(issued, criteria):
    # Under `no-referrer` a browser would send `Origin: null` and Django would refuse the
    # POST; the form page's policy lets it send the real origin, which must be accepted.
    browser = Client(enforce_csrf_checks=True)
    _enter(browser, member_codes(issued)[0])
    page = browser.get(BALLOT)
    assert page["Referrer-Policy"] != "no-referrer"
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        BALLOT,
        {**_answers(criteria), "csrfmiddlewaretoken": token},
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code == 302
    assert Ballot.objects.count() == 1


def test_ballot_pages_need_no_login(client, issued):
    response = client.get(BALLOT)
    assert response.status_code == 200


def test_code_checks_are_throttled_per_address(client, settings, issued):
    settings.SURVEY_THROTTLE_LIMIT = 3
    for _ in range(3):
        assert client.post(BALLOT, {"step": "code", "code": "ABCD-EFGH-JK"}).status_code == 200
    assert client.post(BALLOT, {"step": "code", "code": "ABCD-EFGH-JK"}).status_code == 429
    qr_visit = _enter(client, member_codes(issued)[0])
    assert qr_visit.status_code == 302  # a 4xx would log the path, which holds the code
    assert _kept_code(client) is None
    assert client.get(BALLOT).status_code == 429
    other = client.post(BALLOT, {"step": "code", "code": "ABCD-EFGH-JK"}, REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 200


def test_the_qr_path_answers_any_method_with_a_redirect(client, issued):
    response = client.post(reverse("scoring:ballot_code", args=[member_codes(issued)[0]]))
    assert response.status_code == 302
