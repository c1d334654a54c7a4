"""Every error page speaks the user's language in the site's layout (Chinese by default)."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.template.loader import get_template
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from tests.factories import Tree

ZH = '<html lang="zh-CN"'
EN = '<html lang="en"'


def in_english(client):
    client.cookies["django_language"] = "en"
    return client


def page(response):
    return response.content.decode()


def test_a_bad_host_gets_the_chinese_400_page(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert ZH in page(response) and "请求有误" in page(response)
    assert "Bad Request (400)" not in page(response)


def test_the_400_page_is_english_for_who_chose_english(client):
    response = in_english(client).get("/", HTTP_HOST="evil.example")
    assert EN in page(response) and "Bad request" in page(response)


@override_settings(ROOT_URLCONF="tests.error_urls")
def test_a_bug_gets_the_chinese_500_page():
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert ZH in page(response) and "服务器出错" in page(response)


@override_settings(ROOT_URLCONF="tests.error_urls")
def test_the_500_page_is_english_for_who_chose_english():
    response = in_english(Client(raise_request_exception=False)).get("/boom/")
    assert EN in page(response) and "Server error" in page(response)


def test_the_500_page_renders_without_a_request():
    # Django renders 500.html with an empty context: no request, no context processors.
    with translation.override("zh-hans"):
        html = get_template("500.html").render()
    assert "服务器出错" in html and 'href="/"' in html


def test_a_failed_csrf_check_gets_the_chinese_page(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert ZH in page(response) and "表单已失效" in page(response)


def test_a_get_on_a_post_only_address_gets_the_chinese_405_page(client):
    response = client.get(reverse("logout"))
    assert response.status_code == 405
    assert ZH in page(response) and "无法这样操作" in page(response)
    assert "POST" in response["Allow"]


def test_the_404_and_403_pages_are_chinese(client, tree: Tree):
    assert "页面" in page(client.get("/no-such-page/"))
    client.force_login(tree.secretary)
    response = client.get(reverse("branches:roster_import"))
    assert response.status_code == 403
    assert ZH in page(response)


def test_the_password_length_rule_speaks_chinese():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as raised:
        validate_password("x7")
    assert "密码长度太短。密码必须包含至少 8 个字符。" in raised.value.messages


def test_a_short_new_password_is_refused_in_chinese(client, tree: Tree):
    client.force_login(tree.secretary)
    response = client.post(
        reverse("password_change"),
        {"old_password": "pw-Test-123", "new_password1": "Zx9", "new_password2": "Zx9"},
    )
    assert response.status_code == 200
    assert "密码长度太短" in page(response)
    assert "too short" not in page(response)


@pytest.mark.parametrize(
    "msgid",
    [
        "Error:",
        "Forgotten your login credentials?",
        "After you’ve created a user, you’ll be able to edit more user options.",
    ],
)
def test_admin_texts_missing_from_djangos_catalogue_are_chinese(msgid):
    with translation.override("zh-hans"):
        assert translation.gettext(msgid) != msgid
