"""Permission matrix: every view of the declaration workflow × every role.

See docs/nonfunctional.md §7.
"""

import datetime

import pytest
from django.urls import reverse

from branches.models import OrgKind, Role
from scoring.services import events as event_service
from scoring.services import self_evaluation as sheet_service
from tests import factories
from tests.factories import PDF, post_data, upload
from tests.factories import THIS_YEAR as YEAR

ROLES = [
    "anonymous",
    "secretary",
    "other_secretary",
    "reviewer",
    "other_reviewer",
    "staff",
    "approver",
    "rereviewer",
    "nobody",
]


@pytest.fixture
def world(tree, enrolled, sheet):
    """The tree, an open campaign, one evidence file and one event of branch_a."""
    other_committee = factories.org(OrgKind.PARTY_COMMITTEE, parent=tree.committee)
    factories.branch(other_committee)
    users = {
        "anonymous": None,
        "secretary": tree.secretary,
        "other_secretary": tree.secretary_b,
        "reviewer": tree.reviewer,
        "other_reviewer": factories.user(role=Role.REVIEWER, organisation=other_committee),
        "staff": tree.staff,
        "approver": tree.approver,
        "rereviewer": tree.rereviewer,
        "nobody": tree.nobody,
    }
    evidence = sheet_service.add_evidence(
        sheet=sheet, actor=tree.secretary, uploaded_file=upload("a.pdf", PDF)
    )
    event = event_service.record_event(
        actor=tree.staff,
        branch=tree.branch_a,
        date=datetime.date(YEAR, 2, 1),
        type="absence",
        uploaded_file=upload("b.pdf", PDF),
    )
    return {
        "users": users,
        "campaign": enrolled,
        "assessment": sheet.assessment,
        "sheet": sheet,
        "evidence": evidence,
        "event": event,
    }


def _request(client, world, method, name, arg, data=None):
    args = [] if arg is None else [world[arg].pk]
    url = reverse(f"scoring:{name}", args=args)
    if method == "post":
        return client.post(url, data or {})
    return client.get(url)


# view: (method, url name, argument, {role: expected status}); 302 for anonymous = login.
A, S, SB, R, RO, ST, AP, RR, N = ROLES
READ_BRANCH = {A: 302, S: 200, SB: 404, R: 200, RO: 404, ST: 200, AP: 200, RR: 200, N: 404}
COMMITTEE_READ = {A: 302, S: 403, SB: 403, R: 403, RO: 403, ST: 200, AP: 200, RR: 200, N: 403}
STAFF_ONLY = {A: 302, S: 403, SB: 403, R: 403, RO: 403, ST: 200, AP: 403, RR: 403, N: 403}
SECRETARY_WRITE = {A: 302, S: 302, SB: 404, R: 403, RO: 404, ST: 403, AP: 403, RR: 403, N: 404}
MATRIX = [
    ("get", "campaign_list", None, COMMITTEE_READ),
    ("get", "campaign_create", None, STAFF_ONLY),
    ("get", "campaign_detail", "campaign", COMMITTEE_READ),
    ("get", "campaign_edit", "campaign", STAFF_ONLY),
    ("get", "campaign_open", "campaign", STAFF_ONLY),
    ("get", "assessment", "assessment", READ_BRANCH),
    ("get", "self_evaluation", "assessment", READ_BRANCH),
    ("post", "self_evaluation", "assessment", SECRETARY_WRITE),
    ("post", "evidence_upload", "assessment", SECRETARY_WRITE),
    ("get", "evidence_download", "evidence", READ_BRANCH),
    ("post", "evidence_delete", "evidence", SECRETARY_WRITE),
    (
        "get",
        "self_evaluation_return",
        "assessment",
        {A: 302, S: 403, SB: 404, R: 200, RO: 404, ST: 403, AP: 403, RR: 403, N: 404},
    ),
    (
        "get",
        "self_evaluation_extend",
        "assessment",
        {A: 302, S: 403, SB: 404, R: 403, RO: 404, ST: 200, AP: 403, RR: 403, N: 404},
    ),
    (
        "get",
        "event_list",
        None,
        {A: 302, S: 200, SB: 200, R: 200, RO: 200, ST: 200, AP: 200, RR: 200, N: 403},
    ),
    ("get", "event_create", None, STAFF_ONLY),
    ("get", "event_edit", "event", STAFF_ONLY),
    ("get", "event_delete", "event", STAFF_ONLY),
    ("get", "event_evidence", "event", READ_BRANCH),
]
CASES = [
    pytest.param(method, name, arg, role, expected[role], id=f"{method}-{name}-{role}")
    for method, name, arg, expected in MATRIX
    for role in ROLES
]


@pytest.mark.parametrize("method, name, arg, role, expected", CASES)
def test_permission_matrix(client, world, method, name, arg, role, expected):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    data = None
    if name == "self_evaluation" and method == "post":
        data = post_data(world["campaign"])
    if name == "evidence_upload":
        data = {"file": upload("c.pdf", PDF)}
    response = _request(client, world, method, name, arg, data)
    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_reviewer_of_a_directly_managed_branch_is_staff(client, tree, enrolled):
    direct = enrolled.assessments.get(branch=tree.direct)
    sheet = direct.self_evaluation
    sheet.status = "submitted"
    sheet.save()
    client.force_login(tree.staff)
    url = reverse("scoring:self_evaluation_return", args=[direct.pk])
    assert client.get(url).status_code == 200
