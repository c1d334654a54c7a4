"""The ballot throttle counts the client address that `starrating.proxy` trusts."""

import pytest
from django.core.cache import cache

BALLOT = "/v/"
PROXY = "10.0.0.1"


@pytest.fixture(autouse=True)
def fresh_cache(db):
    cache.clear()
    yield
    cache.clear()


def check_code(client, forwarded):
    return client.post(
        BALLOT,
        {"step": "code", "code": "ABCD-EFGH-JK"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_without_a_proxy_forged_forwarded_addresses_share_one_count(client, settings, issued):
    settings.SURVEY_THROTTLE_LIMIT = 3
    for number in range(3):
        assert check_code(client, f"198.51.100.{number}").status_code == 200
    assert check_code(client, "198.51.100.99").status_code == 429


def test_behind_a_proxy_each_client_has_its_own_count(client, settings, issued):
    settings.SURVEY_THROTTLE_LIMIT = 3
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(3):
        assert check_code(client, "203.0.113.5").status_code == 200
    assert check_code(client, "203.0.113.5").status_code == 429
    assert check_code(client, "203.0.113.6").status_code == 200
