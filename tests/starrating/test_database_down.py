"""A database that cannot be reached (a restart, a fail-over) gets our 503 "try again"
page in the user's language, never the 500 page or a bare error; its log line holds no
path (a ballot's path holds its code, docs/survey.md A12). The real restart is the drill
scripts/drill-multi.sh; here the error is raised where the database would raise it."""

import logging

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client, override_settings
from django.urls import path

from starrating.urls import handler500  # noqa: F401  (the site's, for this URLconf)
from starrating.urls import urlpatterns as site

UNAVAILABLE = "服务暂时不可用，请稍后重试"


def database_gone(request):
    raise OperationalError("server closed the connection unexpectedly")


def connection_closed(request):
    raise InterfaceError("connection already closed")


def bug(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("gone/", database_gone),
    path("closed/", connection_closed),
    path("bug/", bug),
    *site,
]

pytestmark = pytest.mark.urls(__name__)


def client():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("url", ["/gone/", "/closed/"])
def test_an_unreachable_database_gets_the_chinese_503_page(url):
    response = client().get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    page = response.content.decode()
    assert '<html lang="zh-CN"' in page and UNAVAILABLE in page
    assert "服务器出错" not in page


def test_the_503_page_is_english_for_who_chose_english():
    visitor = client()
    visitor.cookies["django_language"] = "en"
    page = visitor.get("/gone/").content.decode()
    assert '<html lang="en"' in page and "Service temporarily unavailable" in page


def test_a_bug_still_gets_the_500_page():
    response = client().get("/bug/")
    assert response.status_code == 500
    assert "服务器出错" in response.content.decode()


def test_the_log_line_names_the_error_and_not_the_path(caplog):
    with caplog.at_level(logging.INFO):
        client().get("/gone/")
    lines = [record.getMessage() for record in caplog.records]
    assert "Database unavailable: OperationalError" in lines
    assert not any("/gone/" in line for line in lines), lines


@pytest.mark.django_db
def test_a_ballot_code_reaches_no_log_when_the_database_fails(monkeypatch, caplog):
    from scoring.views import ballot

    def fail(*args, **kwargs):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(ballot.throttle, "exceeded", fail)
    code = "ABCDEFGHJK"
    with caplog.at_level(logging.DEBUG):
        response = client().get(f"/v/{code}/")
    assert response.status_code == 503 and UNAVAILABLE in response.content.decode()
    assert not any(code in record.getMessage() for record in caplog.records)


@pytest.mark.django_db
def test_a_session_that_cannot_be_read_gets_the_503_page(monkeypatch, tree):
    from django.contrib.sessions.backends.db import SessionStore

    visitor = client()
    visitor.force_login(tree.staff)

    def fail(self):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(SessionStore, "load", fail)
    response = visitor.get("/")
    assert response.status_code == 503 and UNAVAILABLE in response.content.decode()


@override_settings(DEBUG=False)
def test_the_site_urlconf_names_the_handler():
    import starrating.urls

    assert starrating.urls.handler500 == "starrating.error_pages.server_error"
