"""Login throttling: per account on an address, and per address across accounts.

Five failures lock an account from one address; thirty failures from one address, spread
over any accounts, lock the address (password spraying). A log-in forgives only that
account's own failures.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests import factories

PASSWORD = "pw-Test-123"
OFFICE = "10.1.1.1"


@pytest.fixture
def accounts(db):
    return [factories.user(f"user{i:02d}").username for i in range(25)]


@pytest.fixture
def checked(monkeypatch):
    """The usernames whose password was actually compared, in order."""
    user_model = get_user_model()
    compare = user_model.check_password
    seen = []

    def counting(self, raw_password):
        seen.append(self.username)
        return compare(self, raw_password)

    monkeypatch.setattr(user_model, "check_password", counting)
    return seen


def login(client, username, password, address=OFFICE, **headers):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def test_spraying_from_one_address_is_stopped_after_thirty_failures(client, accounts, checked):
    statuses = [
        login(client, username, "wrong").status_code for username in accounts[:24] for _ in range(5)
    ]
    # Six accounts locked one by one (five tries each), then the address: 30 of 120 checked.
    assert checked == [username for username in accounts[:6] for _ in range(5)]
    assert set(statuses[30:]) == {429}
    # Now even a right password from that address is refused, unchecked ...
    assert login(client, accounts[24], PASSWORD).status_code == 429
    assert len(checked) == 30
    # ... while the same account logs in from elsewhere.
    assert login(client, accounts[24], PASSWORD, address="10.2.2.2").status_code == 302


def test_twenty_nine_failures_from_one_address_do_not_lock_it(client, accounts):
    for username in accounts[:29]:
        login(client, username, "wrong")
    assert login(client, accounts[24], PASSWORD).status_code == 302


def test_an_attackers_own_log_in_does_not_clear_the_address(client, accounts):
    own = factories.user("attacker").username
    for username in accounts[:24]:
        login(client, username, "wrong")
    for username in accounts[:5]:
        login(client, username, "wrong")  # 29 failures
    assert login(client, own, PASSWORD).status_code == 302
    client.post(reverse("logout"), REMOTE_ADDR=OFFICE)
    assert login(client, accounts[5], "wrong").status_code == 429
    assert login(client, own, PASSWORD).status_code == 429


def test_colleagues_typos_before_their_log_ins_do_not_lock_the_office(client, accounts):
    for _ in range(2):
        for username in accounts:  # 25 colleagues, each one typo then in: 50 typos
            assert login(client, username, "typo").status_code == 200
            assert login(client, username, PASSWORD).status_code == 302
            client.post(reverse("logout"), REMOTE_ADDR=OFFICE)


def test_the_per_account_limit_still_holds_below_the_address_limit(client, accounts):
    for _ in range(5):
        login(client, accounts[0], "wrong")
    assert login(client, accounts[0], PASSWORD).status_code == 429
    assert login(client, accounts[1], PASSWORD).status_code == 302


def test_the_lockout_page_says_why_in_chinese(client, accounts):
    for username in accounts[:24]:
        login(client, username, "wrong")
    for username in accounts[:6]:
        response = login(client, username, "wrong")
    assert response.status_code == 429
    assert "所在网络输错密码次数过多" in response.content.decode()
