"""Who may download a campaign's reports (`may_export_reports`): committee staff only."""

import pytest

from branches import permissions as perms


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("staff", True),
        ("approver", False),
        ("rereviewer", False),
        ("reviewer", False),
        ("secretary", False),
        ("nobody", False),
    ],
)
def test_only_staff_may_export_a_campaign_report(tree, name, allowed):
    assert perms.may_export_reports(tree.users_by_role()[name]) is allowed
