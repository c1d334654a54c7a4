import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests import factories


@pytest.fixture
def admin_client(client, tree):
    factories.member(tree.branch_a, user=tree.secretary)
    superuser = get_user_model().objects.create_superuser("root", password="pw-Test-123")
    client.force_login(superuser)
    return client


@pytest.mark.parametrize("model", ["organisation", "member", "roleassignment"])
def test_admin_list_and_add_pages_load(admin_client, model):
    assert admin_client.get(reverse(f"admin:branches_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:branches_{model}_add")).status_code == 200


def test_admin_list_filters_by_kind_and_searches_by_code(admin_client, tree):
    url = reverse("admin:branches_organisation_changelist")
    response = admin_client.get(url, {"kind__exact": "branch", "q": tree.branch_a.code})
    assert list(response.context["cl"].result_list) == [tree.branch_a]


def test_admin_branch_page_shows_members_and_role_inlines(admin_client, tree):
    url = reverse("admin:branches_organisation_change", args=[tree.branch_a.pk])
    response = admin_client.get(url)
    models = {formset.opts.model.__name__ for formset in response.context["inline_admin_formsets"]}
    assert models == {"Member", "RoleAssignment"}


def test_admin_party_committee_page_shows_role_inline_only(admin_client, tree):
    url = reverse("admin:branches_organisation_change", args=[tree.party_committee.pk])
    response = admin_client.get(url)
    models = {formset.opts.model.__name__ for formset in response.context["inline_admin_formsets"]}
    assert models == {"RoleAssignment"}


def test_admin_history_page_loads(admin_client, tree):
    url = reverse("admin:branches_organisation_history", args=[tree.branch_a.pk])
    assert admin_client.get(url).status_code == 200


def test_admin_parent_filter_lists_only_organisations_with_children(admin_client, tree):
    url = reverse("admin:branches_organisation_changelist")
    response = admin_client.get(url, {"parent": tree.party_committee.pk})
    assert set(response.context["cl"].result_list) == {tree.branch_a, tree.branch_b}


def test_admin_organisation_list_links_to_the_roster_import(admin_client):
    response = admin_client.get(reverse("admin:branches_organisation_changelist"))
    assert reverse("branches:roster_import") in response.content.decode()
