"""Who may download objection attachments and approval minutes (D-2.1.5d)."""

import pytest

from branches.permissions import may_download_minutes, may_download_objection_attachments

ROLES = ("secretary", "reviewer", "staff", "approver", "rereviewer", "nobody")


@pytest.mark.parametrize("role", ROLES)
def test_only_staff_download_objection_attachments(tree, role):
    user = tree.users_by_role()[role]
    assert may_download_objection_attachments(user) == (role == "staff")


@pytest.mark.parametrize("role", ROLES)
def test_staff_the_approver_and_the_rereviewer_download_the_minutes(tree, role):
    user = tree.users_by_role()[role]
    assert may_download_minutes(user) == (role in ("staff", "approver", "rereviewer"))


def test_an_anonymous_visitor_downloads_nothing():
    from django.contrib.auth.models import AnonymousUser

    assert not may_download_minutes(AnonymousUser())
    assert not may_download_objection_attachments(AnonymousUser())
