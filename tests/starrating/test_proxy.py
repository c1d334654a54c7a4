"""A forwarded client address counts only behind a proxy the settings declare.

Without DJANGO_BEHIND_PROXY the client is REMOTE_ADDR and X-Forwarded-For is ignored, so
a client cannot pick the address its failures count against. Behind one proxy, the entry
the proxy appended (the right-most) is the client; entries left of it are ignored.
"""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from starrating.proxy import client_address
from tests import factories

PROXY = "10.0.0.1"


@pytest.fixture
def accounts(db):
    return [factories.user(f"user{i:02d}").username for i in range(31)]


def login(client, username, password, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=PROXY, **headers
    )


def test_without_a_proxy_a_forged_forwarded_address_does_not_escape_the_lockout(client, accounts):
    for number, username in enumerate(accounts[:30]):
        login(client, username, "wrong", forwarded=f"198.51.100.{number}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {PROXY}
    assert login(client, accounts[30], "pw-Test-123", forwarded="198.51.100.99").status_code == 429


def test_behind_a_proxy_each_forwarded_client_is_counted_on_its_own(client, settings, accounts):
    settings.TRUSTED_PROXY_COUNT = 1
    for username in accounts[:30]:
        login(client, username, "wrong", forwarded="203.0.113.5")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
    assert login(client, accounts[30], "pw-Test-123", forwarded="203.0.113.5").status_code == 429
    assert login(client, accounts[30], "pw-Test-123", forwarded="203.0.113.6").status_code == 302


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (0, "203.0.113.5", PROXY),
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "1.2.3.4, 203.0.113.5", "203.0.113.5"),  # the client wrote the left entry
        (2, "1.2.3.4, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (1, "", PROXY),
        (1, "not-an-address", PROXY),
        (2, "203.0.113.5", PROXY),  # fewer entries than proxies: not trusted
    ],
)
def test_the_client_address(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected
