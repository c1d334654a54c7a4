"""Log in, log out, language switch and the role-aware home page."""

import pytest
from django.urls import reverse

from tests.factories import Tree

PASSWORD = "pw-Test-123"
ROLE_USERS = ["secretary", "reviewer", "staff", "approver", "rereviewer"]


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_page_is_chinese_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert '<html lang="zh-CN"' in response.content.decode()


def test_login_page_has_username_and_password_fields(client):
    content = client.get(reverse("login")).content.decode()
    assert 'name="username"' in content
    assert 'name="password"' in content
    assert 'name="csrfmiddlewaretoken"' in content


def test_login_with_right_password_goes_home(client, tree: Tree):
    response = login(client, "secretary_a", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.session["_auth_user_id"] == str(tree.secretary.pk)


def test_wrong_password_rerenders_with_an_error_and_no_session(client, tree: Tree):
    response = login(client, "secretary_a", "wrong-password")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "alert-danger" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_five_failures_lock_the_account_even_with_the_right_password(client, tree: Tree):
    for _ in range(5):
        login(client, "secretary_a", "wrong-password")
    response = login(client, "secretary_a", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_four_failures_do_not_lock_the_account(client, tree: Tree):
    for _ in range(4):
        login(client, "secretary_a", "wrong-password")
    response = login(client, "secretary_a", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(tree.secretary.pk)


def test_lockout_does_not_touch_another_account(client, tree: Tree):
    for _ in range(5):
        login(client, "secretary_a", "wrong-password")
    response = login(client, "secretary_b", PASSWORD)
    assert response.status_code == 302


def test_logout_by_post_ends_the_session(client, tree: Tree):
    client.force_login(tree.secretary)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert "_auth_user_id" not in client.session


def test_logout_by_get_is_refused(client, tree: Tree):
    client.force_login(tree.secretary)
    response = client.get(reverse("logout"))
    assert response.status_code == 405
    assert client.session["_auth_user_id"] == str(tree.secretary.pk)


def test_anonymous_home_redirects_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", ROLE_USERS)
def test_home_page_shows_the_card_of_each_role(client, tree: Tree, name):
    user = tree.users_by_role()[name]
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert [card.role for card in response.context["cards"]] == [name]
    assert f'data-role="{name}"' in response.content.decode()


def test_home_card_names_the_organisation_of_the_role(client, tree: Tree):
    client.force_login(tree.reviewer)
    card = client.get(reverse("home")).context["cards"][0]
    assert card.organisations == [tree.party_committee]


def test_user_with_two_roles_sees_two_cards(client, tree: Tree):
    from branches.models import Role, RoleAssignment

    RoleAssignment.objects.create(user=tree.staff, organisation=tree.committee, role=Role.APPROVER)
    client.force_login(tree.staff)
    cards = client.get(reverse("home")).context["cards"]
    assert {card.role for card in cards} == {"staff", "approver"}


def test_user_without_role_sees_the_empty_state(client, tree: Tree):
    client.force_login(tree.nobody)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["cards"] == []
    assert 'data-role="none"' in response.content.decode()


def test_home_greets_a_chinese_name_surname_first(client, tree: Tree):
    tree.secretary.last_name, tree.secretary.first_name = "韩", "晓梅"
    tree.secretary.save()
    client.force_login(tree.secretary)
    assert "韩晓梅" in client.get(reverse("home")).content.decode()


def test_user_text_on_the_home_page_is_escaped(client, tree: Tree):
    tree.branch_a.name = "<script>alert(1)</script>"
    tree.branch_a.save()
    client.force_login(tree.secretary)
    content = client.get(reverse("home")).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;" in content


def test_language_switch_sets_english(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("login")}, follow=True
    )
    assert response.status_code == 200
    assert '<html lang="en"' in response.content.decode()


def test_language_switch_back_to_chinese(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-CN"' in client.get(reverse("login")).content.decode()


def test_language_switch_offers_both_languages(client):
    content = client.get(reverse("login")).content.decode()
    assert 'value="en"' in content
    assert 'value="zh-hans"' in content


def test_admin_refuses_a_user_without_is_staff(client, tree: Tree):
    client.force_login(tree.staff)  # committee staff by role, not a Django admin
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_admin_opens_for_is_staff(client, tree: Tree):
    tree.staff.is_staff = True
    tree.staff.save()
    client.force_login(tree.staff)
    assert client.get(reverse("admin:index")).status_code == 200


def test_navbar_shows_admin_link_only_to_is_staff(client, tree: Tree):
    client.force_login(tree.staff)
    assert reverse("admin:index") not in client.get(reverse("home")).content.decode()
    tree.staff.is_staff = True
    tree.staff.save()
    assert reverse("admin:index") in client.get(reverse("home")).content.decode()
