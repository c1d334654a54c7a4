"""The reminder pages (docs/process.md §2.5, Reminders): the settings page for every
logged-in role, the unsubscribe link without login, POST only with CSRF."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from branches.models import OrgKind, Role
from reminders import services
from reminders.models import ReminderSettings
from tests import factories

SETTINGS = reverse("reminders:settings")


def _roles(tree):
    """Every role of the permission matrix (docs/nonfunctional.md §7)."""
    other_parent = factories.org(OrgKind.PARTY_COMMITTEE, parent=tree.committee, name="机关党委乙")
    return {
        "secretary": tree.secretary,
        "secretary of another branch": tree.secretary_b,
        "reviewer of the parent": tree.reviewer,
        "reviewer of another parent": factories.user(
            "reviewer_other", role=Role.REVIEWER, organisation=other_parent
        ),
        "staff": tree.staff,
        "approver": tree.approver,
        "rereviewer": tree.rereviewer,
    }


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    for method in (client.get, client.post):
        response = method(SETTINGS)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_every_role_sees_and_changes_only_its_own_settings(client, tree):
    for label, user in _roles(tree).items():
        client.force_login(user)
        assert client.get(SETTINGS).status_code == 200, label
        response = client.post(SETTINGS, {"email_reminders": "off"})
        assert response.status_code == 302, label
        assert not services.wants_reminders(type(user).objects.get(pk=user.pk)), label
    assert ReminderSettings.objects.count() == 7


def test_the_settings_page_turns_reminders_off_and_on(client, tree):
    client.force_login(tree.secretary)
    content = client.get(SETTINGS).content.decode()
    assert "提醒设置" in content and 'value="on"' in content
    assert "没有电子邮件地址" in content
    response = client.post(SETTINGS, {"email_reminders": "off"}, follow=True)
    assert "已关闭提醒邮件。" in response.content.decode()
    tree.secretary.refresh_from_db()
    assert not services.wants_reminders(tree.secretary)
    client.post(SETTINGS, {"email_reminders": "on"})
    tree.secretary.refresh_from_db()
    assert services.wants_reminders(tree.secretary)


def test_a_bad_choice_is_refused_in_chinese_and_changes_nothing(client, tree):
    client.force_login(tree.secretary)
    response = client.post(SETTINGS, {"email_reminders": "maybe"})
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not ReminderSettings.objects.exists()


def test_the_user_menu_links_the_settings(client, tree):
    client.force_login(tree.staff)
    assert f'href="{SETTINGS}"' in client.get(reverse("home")).content.decode()


def test_the_settings_page_refuses_other_methods(client, tree):
    client.force_login(tree.secretary)
    assert client.put(SETTINGS).status_code == 405


def _unsubscribe(user):
    return reverse("reminders:unsubscribe", args=[services.unsubscribe_token(user)])


def test_the_unsubscribe_link_asks_first_and_works_without_login(client, tree):
    tree.secretary.email = "a@example.org"
    tree.secretary.save()
    url = _unsubscribe(tree.secretary)
    content = client.get(url).content.decode()
    assert "停止向 a@example.org 发送每日提醒邮件？" in content
    assert not ReminderSettings.objects.exists()  # a GET changes nothing
    content = client.post(url).content.decode()
    assert "已关闭提醒邮件。" in content
    tree.secretary.refresh_from_db()
    assert not services.wants_reminders(tree.secretary)


def test_the_unsubscribe_link_is_the_same_for_every_role_and_for_nobody(client, tree):
    url = _unsubscribe(tree.secretary)
    for user in [AnonymousUser(), *_roles(tree).values()]:
        if user.is_authenticated:
            client.force_login(user)
        else:
            client.logout()
        assert client.get(url).status_code == 200
        assert client.post(url).status_code == 200
    assert ReminderSettings.objects.get().user == tree.secretary  # nobody else turned off


def test_a_bad_unsubscribe_link_is_refused_in_chinese(client, tree):
    token = services.unsubscribe_token(tree.secretary)
    for bad in (token[:-3], "x", "MQ:abc:def"):
        url = reverse("reminders:unsubscribe", args=[bad])
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 400
            assert "该退订链接无效" in response.content.decode()
    assert not ReminderSettings.objects.exists()


def test_unsubscribing_needs_the_csrf_token(tree):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(_unsubscribe(tree.secretary)).status_code == 403
    assert not ReminderSettings.objects.exists()


def test_an_inactive_users_link_no_longer_works(client, tree):
    tree.secretary.is_active = False
    tree.secretary.save()
    assert client.get(_unsubscribe(tree.secretary)).status_code == 400


@pytest.mark.parametrize("method", ["put", "delete"])
def test_the_unsubscribe_link_refuses_other_methods(client, tree, method):
    assert getattr(client, method)(_unsubscribe(tree.secretary)).status_code == 405


def test_the_pages_escape_the_e_mail_address(client, tree):
    tree.secretary.email = '"><script>x()</script>@example.org'
    tree.secretary.save()
    client.force_login(tree.secretary)
    for page in (SETTINGS, _unsubscribe(tree.secretary)):
        content = client.get(page).content.decode()
        assert "<script>x()" not in content
        assert "&lt;script&gt;x()" in content
