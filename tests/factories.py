"""Small factories for tests: plain functions with sensible defaults."""

import datetime
import itertools

from django.contrib.auth import get_user_model

from branches.models import Member, Organisation, OrgKind, Role, RoleAssignment

_seq = itertools.count(1)


def org(kind=OrgKind.BRANCH, parent=None, **fields):
    n = next(_seq)
    fields.setdefault("name", f"组织{n}")
    fields.setdefault("code", f"T{n:05d}")
    return Organisation.objects.create(kind=kind, parent=parent, **fields)


def committee(**fields):
    fields.setdefault("name", "市直机关工委")
    return org(OrgKind.COMMITTEE, **fields)


def branch(parent, **fields):
    fields.setdefault("term_start", datetime.date(2024, 1, 1))
    fields.setdefault("term_end", datetime.date(2029, 1, 1))
    return org(OrgKind.BRANCH, parent=parent, **fields)


def member(branch, **fields):
    n = next(_seq)
    fields.setdefault("name", f"党员{n}")
    fields.setdefault("code", f"M{n:06d}")
    return Member.objects.create(branch=branch, **fields)


def user(username=None, *, role=None, organisation=None, **fields):
    username = username or f"user{next(_seq)}"
    account = get_user_model().objects.create_user(
        username=username, password="pw-Test-123", **fields
    )
    if role:
        RoleAssignment.objects.create(user=account, organisation=organisation, role=role)
    return account


class Tree:
    """A committee with one party committee, two branches under it, one directly
    managed branch, and a user for each role (each with password pw-Test-123)."""

    def __init__(self):
        self.committee = committee()
        self.party_committee = org(
            OrgKind.PARTY_COMMITTEE, parent=self.committee, name="机关党委甲"
        )
        self.branch_a = branch(self.party_committee, name="第一党支部")
        self.branch_b = branch(self.party_committee, name="第二党支部")
        self.direct = branch(self.committee, name="直属党支部")
        self.secretary = user("secretary_a", role=Role.SECRETARY, organisation=self.branch_a)
        self.secretary_b = user("secretary_b", role=Role.SECRETARY, organisation=self.branch_b)
        self.reviewer = user("reviewer", role=Role.REVIEWER, organisation=self.party_committee)
        self.staff = user("staff", role=Role.STAFF, organisation=self.committee)
        self.approver = user("approver", role=Role.APPROVER, organisation=self.committee)
        self.rereviewer = user("rereviewer", role=Role.REREVIEWER, organisation=self.committee)
        self.nobody = user("nobody")

    def users_by_role(self):
        return {
            "secretary": self.secretary,
            "reviewer": self.reviewer,
            "staff": self.staff,
            "approver": self.approver,
            "rereviewer": self.rereviewer,
            "nobody": self.nobody,
        }


def policy_form(**overrides) -> dict:
    """The campaign form's policy fields at the defaults of docs/rules.md §4, as a browser
    posts them (weights and shares in percent)."""
    data = {
        "weight_self": "20",
        "weight_survey": "30",
        "weight_review": "50",
        "band_5": "90",
        "band_4": "80",
        "band_3": "70",
        "band_2": "60",
        "band_1": "50",
        "five_star_share": "10",
        "low_share": "10",
        "quota_mode": "enforce",
        "quota_mode_reason": "",
        "publicity_days": "7",
    }
    return {**data, **overrides}
