"""What the ballot pages write, on any database (docs/survey.md §2.1.2).

The request that casts a ballot writes the slip's DELETE and the ballot's INSERT and
nothing else: no session, no cache row, no message, no log line. Only failed code
checks count against an address. The code lives in a signed cookie on the device.
"""

import logging

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scoring.models import Ballot, Slip
from scoring.services import survey as service
from scoring.views import ballot as views
from tests.factories import member_codes, public_codes

BALLOT = "/v/"
THANKS = "/v/thanks/"
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@pytest.fixture(autouse=True)
def fresh_cache(db):
    cache.clear()
    yield
    cache.clear()


def _answers(criteria):
    return {
        "step": "ballot",
        "verdict": "satisfied",
        **{f"criterion_{c.pk}": "E" for c in criteria},
    }


def _enter(client, code, how="qr"):
    if how == "qr":
        return client.get(reverse("scoring:ballot_code", args=[code]))
    return client.post(BALLOT, {"step": "code", "code": service.format_code(code)})


def _cache_rows():
    table = connection.ops.quote_name(settings.CACHES["default"]["LOCATION"])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key FROM {table}")
        return [key for (key,) in cursor.fetchall()]


def _sessions():
    return list(Session.objects.values_list("session_key", "session_data", "expire_date"))


def _voter(tree, logged_in):
    client = Client()
    if logged_in:
        client.force_login(tree.nobody)
    return client


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "logged-in"])
def test_the_cast_request_writes_only_the_slip_delete_and_the_ballot_insert(
    tree, issued, criteria, logged_in
):
    client = _voter(tree, logged_in)
    _enter(client, member_codes(issued)[0])
    assert client.get(BALLOT).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.post(BALLOT, _answers(criteria))
    assert response.status_code == 302
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]
    quote = connection.ops.quote_name
    assert len(writes) == 2, writes
    assert writes[0].startswith(f"DELETE FROM {quote(Slip._meta.db_table)} ")
    assert writes[1].startswith(f"INSERT INTO {quote(Ballot._meta.db_table)} ")


@pytest.mark.parametrize("how", ["qr", "typed"])
def test_a_logged_in_voters_session_is_left_untouched(tree, issued, criteria, how):
    client = _voter(tree, logged_in=True)
    sessions, last_login = _sessions(), tree.nobody.last_login
    responses = [_enter(client, member_codes(issued)[0], how), client.get(BALLOT)]
    responses.append(client.post(BALLOT, _answers(criteria)))
    responses.append(client.get(THANKS))
    assert [r.status_code for r in responses] == [302, 200, 302, 200]
    assert Ballot.objects.count() == 1
    assert _sessions() == sessions
    for response in responses:
        assert settings.SESSION_COOKIE_NAME not in response.cookies
    tree.nobody.refresh_from_db()
    assert tree.nobody.last_login == last_login


@pytest.mark.parametrize("how", ["qr", "typed"])
def test_an_anonymous_voter_gets_no_session(issued, criteria, how):
    client = Client()
    responses = [_enter(client, member_codes(issued)[0], how), client.get(BALLOT)]
    responses.append(client.post(BALLOT, _answers(criteria)))
    responses.append(client.get(THANKS))
    assert [r.status_code for r in responses] == [302, 200, 302, 200]
    assert Ballot.objects.count() == 1
    assert _sessions() == []
    for response in responses:
        assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_the_ballot_pages_show_no_flash_message(tree, issued, criteria):
    # Reading a pending message would write the session (where long messages are kept).
    client = _voter(tree, logged_in=True)
    session = client.session
    session["_messages"] = '[["__json_message",0,25,"left from another page"]]'
    session.save()
    sessions = _sessions()
    _enter(client, member_codes(issued)[0])
    assert "left from another page" not in client.get(BALLOT).content.decode()
    client.post(BALLOT, _answers(criteria))
    assert "left from another page" not in client.get(THANKS).content.decode()
    assert _sessions() == sessions


def test_the_cast_request_logs_nothing(tree, issued, criteria, caplog):
    client = _voter(tree, logged_in=True)
    _enter(client, member_codes(issued)[0])
    client.get(BALLOT)
    with caplog.at_level(logging.DEBUG):
        response = client.post(BALLOT, _answers(criteria))
    assert response.status_code == 302
    assert caplog.records == []


def test_the_code_is_kept_in_a_signed_httponly_short_lived_cookie_on_the_ballot_path(issued):
    client = Client()
    for response in (
        _enter(client, member_codes(issued)[0], "qr"),
        _enter(client, member_codes(issued)[1], "typed"),
    ):
        cookie = response.cookies[views.CODE_COOKIE]
        assert cookie["httponly"] is True
        assert cookie["path"] == BALLOT
        assert cookie["samesite"] == "Lax"
        assert 0 < int(cookie["max-age"]) <= 3600
        assert cookie.value != member_codes(issued)[1]  # signed, not bare


def test_the_cast_forgets_the_code_on_the_device(issued, criteria):
    client = Client()
    _enter(client, member_codes(issued)[0])
    response = client.post(BALLOT, _answers(criteria))
    assert response.cookies[views.CODE_COOKIE].value == ""
    assert response.cookies[views.CODE_COOKIE]["max-age"] == 0


def test_a_forged_code_cookie_is_not_taken(issued, criteria):
    client = Client()
    client.cookies[views.CODE_COOKIE] = member_codes(issued)[0]  # unsigned
    assert "code" in client.get(BALLOT).context["form"].fields
    response = client.post(BALLOT, _answers(criteria))
    assert response.status_code == 200
    assert response.context["error"] == str(views.CodeForgotten())
    assert Ballot.objects.count() == 0


def test_successful_checks_and_casts_never_count_against_the_address(settings, issued, criteria):
    settings.SURVEY_THROTTLE_LIMIT = 2
    codes = member_codes(issued) + public_codes(issued)
    for index, code in enumerate(codes):  # 14 voters behind one address
        client = Client()
        assert _enter(client, code, "qr" if index % 2 else "typed").status_code == 302
        assert client.get(BALLOT).status_code == 200
        assert client.post(BALLOT, _answers(criteria)).status_code == 302
    assert Ballot.objects.count() == len(codes)
    assert _cache_rows() == []


def test_failed_checks_count_and_stop_guessing(settings, tree, issued, criteria):
    settings.SURVEY_THROTTLE_LIMIT = 2
    voter = Client()
    _enter(voter, member_codes(issued)[0])  # checked before the guessing starts
    guesser = Client()
    assert _enter(guesser, "ABCDEFGHJK").status_code == 302  # a guess through the QR path
    assert guesser.get(BALLOT).context["error"] == str(service.SlipInvalid())
    response = guesser.post(BALLOT, {"step": "code", "code": "ABCD-EFGH-JM"})
    assert response.status_code == 200
    assert len(_cache_rows()) == 1
    assert guesser.post(BALLOT, {"step": "code", "code": "ABCD-EFGH-JN"}).status_code == 429
    assert _enter(guesser, member_codes(issued)[1]).status_code == 302
    assert guesser.get(BALLOT).status_code == 429
    # A code checked before stays good to cast: the cast does not read the throttle.
    assert voter.post(BALLOT, _answers(criteria)).status_code == 302
    assert Ballot.objects.count() == 1


def test_a_spent_code_through_the_qr_path_gets_the_unknown_codes_message(issued, criteria):
    code = member_codes(issued)[0]
    first = Client()
    _enter(first, code)
    first.post(BALLOT, _answers(criteria))
    second = Client()
    assert _enter(second, code).status_code == 302
    spent = second.get(BALLOT).context["error"]
    _enter(second, "ABCDEFGHJK")
    assert second.get(BALLOT).context["error"] == spent == str(service.SlipInvalid())
