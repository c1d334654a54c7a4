"""The demo accounts: one per role (the ones `load_demo` lists), an unlisted account for
every other branch's secretary, and who acts for a branch in the play-through."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from branches.models import Duty, Member, Organisation, Role, RoleAssignment
from starrating import audit

from .data import ACCOUNT_NAMES, DEMO_ACTION, DIRECT_BRANCHES, PARENTS
from .organisations import DemoOrganisations

PASSWORD = "demo12345"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str  # a Role value, or "" for the technical administrator
    description: str


@dataclass
class DemoUsers:
    by_username: dict = field(default_factory=dict)
    accounts: list[DemoAccount] = field(default_factory=list)

    def __getitem__(self, username):
        return self.by_username[username]


def demo_accounts() -> list[DemoAccount]:
    """The demo accounts in the order they are listed, with what each one does."""
    reviewer_org = PARENTS[0][0]
    branch_1, branch_2 = PARENTS[0][2][0], DIRECT_BRANCHES[0]
    return [
        DemoAccount(
            "staff",
            Role.STAFF,
            _(
                "Runs the campaign: rubric, deadlines, roster; reviews directly managed "
                "branches; publishes the notice."
            ),
        ),
        DemoAccount("approver", Role.APPROVER, _("Approves the list after publicity.")),
        DemoAccount("rereviewer", Role.REREVIEWER, _("Re-reviews five-star results.")),
        DemoAccount(
            "reviewer",
            Role.REVIEWER,
            _("Reviews the branches of %(org)s.") % {"org": reviewer_org},
        ),
        DemoAccount(
            "reviewer2",
            Role.REVIEWER,
            _("Reviews the branches of %(org)s.") % {"org": PARENTS[1][0]},
        ),
        DemoAccount(
            "reviewer3",
            Role.REVIEWER,
            _("Reviews the branches of %(org)s.") % {"org": PARENTS[2][0]},
        ),
        DemoAccount(
            "secretary",
            Role.SECRETARY,
            _("Secretary of %(branch)s under %(parent)s.")
            % {"branch": branch_1, "parent": reviewer_org},
        ),
        DemoAccount(
            "secretary2",
            Role.SECRETARY,
            _("Secretary of %(branch)s, directly managed (staff review it).")
            % {"branch": branch_2},
        ),
        DemoAccount("admin", "", _("Technical administrator: the Django admin at /admin/.")),
    ]


def branch_secretary_username(branch: Organisation) -> str:
    """The account of a branch secretary not listed among the demo accounts: JG-02-03 →
    sec-02-03 (same password; the demo's history needs every secretary to act)."""
    return "sec-" + branch.code.removeprefix("JG-").lower()


EXTRA_REVIEWERS = ("reviewer2", "reviewer3")


def build_users(orgs: DemoOrganisations, *, every_branch: bool = False) -> DemoUsers:
    """One account per role (password `PASSWORD`), plus a technical `admin`; the
    secretaries are their branches' secretaries on the roll, linked by `Member.user`.

    With `every_branch` (what `build_demo` does) every other branch's secretary gets an
    unlisted account too (`sec-PP-NN`), and the second and third party committees a
    reviewer each (`reviewer2`, `reviewer3`); the general branch keeps none, so
    committee staff review its branches (docs/process.md §2.1.3). Without it only the first
    party committee has a reviewer and staff review every other branch."""
    User = get_user_model()
    password = make_password(PASSWORD)  # hashed once: the slow part of creating users
    first_parent = orgs.parents[0]
    secretary_of = {
        "secretary": orgs.branches_under(first_parent)[0],
        "secretary2": orgs.direct_branches[0],
    }
    if every_branch:
        listed = {branch.pk for branch in secretary_of.values()}
        for branch in orgs.branches:
            if branch.pk not in listed:
                secretary_of[branch_secretary_username(branch)] = branch
    on = {
        "staff": orgs.committee,
        "approver": orgs.committee,
        "rereviewer": orgs.committee,
        "reviewer": first_parent,
        "reviewer2": orgs.parents[1],
        "reviewer3": orgs.parents[2],
        **secretary_of,
    }
    roll = {
        m.branch_id: m
        for m in Member.objects.filter(duty=Duty.SECRETARY, branch__in=secretary_of.values())
    }
    users = DemoUsers()
    assignments = []
    listed_accounts = [
        a for a in demo_accounts() if every_branch or a.username not in EXTRA_REVIEWERS
    ]
    unlisted = [
        DemoAccount(username, Role.SECRETARY, "")
        for username in secretary_of
        if username not in {a.username for a in listed_accounts}
    ]
    for account in [*listed_accounts, *unlisted]:
        if account.username in secretary_of:
            name = roll[secretary_of[account.username].pk].name
            last_name, first_name = name[0], name[1:]
        else:
            last_name, first_name = ACCOUNT_NAMES[account.username]
        admin = account.username == "admin"
        user = User.objects.create(
            username=account.username,
            password=password,
            last_name=last_name,
            first_name=first_name,
            is_staff=admin,
            is_superuser=admin,
            email=f"{account.username}@example.org",  # the reminders' demo (send_reminders)
        )
        if account.role:
            assignments.append(
                RoleAssignment(user=user, organisation=on[account.username], role=account.role)
            )
        users.by_username[account.username] = user
        if account.description:
            users.accounts.append(account)
    admin = users["admin"]
    bulk_create_with_history(
        assignments, RoleAssignment, **audit.bulk_options(actor=admin, action=DEMO_ACTION)
    )
    members = []
    for username, branch in secretary_of.items():
        member = roll[branch.pk]
        member.user = users[username]
        members.append(member)
    bulk_update_with_history(
        members, Member, ["user"], **audit.bulk_options(actor=admin, action=DEMO_ACTION)
    )
    return users


def secretary_of(users: DemoUsers, orgs: DemoOrganisations, branch) -> object:
    if branch.pk == orgs.branches_under(orgs.parents[0])[0].pk:
        return users["secretary"]
    if branch.pk == orgs.direct_branches[0].pk:
        return users["secretary2"]
    return users[branch_secretary_username(branch)]


def reviewer_of(users: DemoUsers, orgs: DemoOrganisations, branch) -> object:
    """The branch's reviewer: its party committee's, or staff (directly managed
    branches and the general branch, which has no reviewer account)."""
    for username, parent in zip(("reviewer", "reviewer2", "reviewer3"), orgs.parents, strict=False):
        if branch.parent_id == parent.pk:
            return users[username]
    return users["staff"]
