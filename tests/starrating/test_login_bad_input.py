"""A username longer than any account's is refused by the login form, before django-axes
records the attempt in its 255-character column (a 500 on PostgreSQL otherwise)."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.db import DataError, connection, transaction
from django.urls import reverse

LONG = "a" * 300


@pytest.mark.parametrize("url_name", ["login", "admin:login"])
def test_overlong_username_gets_a_chinese_message_and_records_nothing(client, db, url_name):
    response = client.post(reverse(url_name), {"username": LONG, "password": "whatever"})
    assert response.status_code == 200
    assert "用户名最多 150 个字符。" in response.content.decode()
    assert not AccessAttempt.objects.exists()
    assert not AccessFailureLog.objects.exists()


def test_a_username_of_the_longest_length_still_counts_as_a_failed_login(client, db):
    response = client.post(reverse("login"), {"username": "a" * 150, "password": "whatever"})
    assert response.status_code == 200
    assert AccessAttempt.objects.get().username == "a" * 150


@pytest.mark.postgres
def test_the_axes_column_really_refuses_a_long_username_on_postgresql(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    with pytest.raises(DataError), transaction.atomic():
        AccessAttempt.objects.create(
            username=LONG, ip_address="127.0.0.1", user_agent="", failures_since_start=1
        )
