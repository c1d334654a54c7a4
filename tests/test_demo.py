"""The demo data command: a realistic committee, deterministic, only into an empty DB."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse

from branches.models import Duty, ElectionStatus, Member, Organisation, OrgKind, RoleAssignment
from scoring.demo import PASSWORD, build_demo, demo_accounts, reference_date
from scoring.models import Campaign, CampaignStatus

YEAR = 2026


@pytest.fixture
def demo(db):
    return build_demo(year=YEAR)


def snapshot():
    """Everything the random generator decides, in a comparable form."""
    return (
        list(
            Organisation.objects.values_list(
                "code", "name", "parent__code", "term_start", "term_end", "postponement_approved"
            )
        ),
        list(Member.objects.values_list("code", "name", "duty", "status", "joined")),
        list(
            RoleAssignment.objects.order_by("user__username").values_list(
                "user__username",
                "user__last_name",
                "user__first_name",
                "role",
                "organisation__code",
            )
        ),
    )


class Rollback(Exception):
    pass


def test_demo_has_a_committee_and_four_parent_organisations(demo):
    assert Organisation.objects.filter(kind=OrgKind.COMMITTEE).count() == 1
    assert Organisation.objects.filter(kind=OrgKind.PARTY_COMMITTEE).count() == 3
    assert Organisation.objects.filter(kind=OrgKind.GENERAL_BRANCH).count() == 1


def test_demo_has_about_forty_branches_some_directly_managed(demo):
    branches = Organisation.objects.branches()
    assert 35 <= branches.count() <= 45
    assert branches.filter(parent__kind=OrgKind.COMMITTEE).count() == 6


def test_every_branch_has_exactly_one_secretary_member(demo):
    secretaries = Counter(
        Member.objects.filter(duty=Duty.SECRETARY).values_list("branch_id", flat=True)
    )
    branch_ids = set(Organisation.objects.branches().values_list("pk", flat=True))
    assert set(secretaries) == branch_ids
    assert set(secretaries.values()) == {1}


def test_every_branch_has_8_to_25_members(demo):
    counts = Counter(Member.objects.values_list("branch_id", flat=True))
    assert len(counts) == len(demo.organisations.branches)
    assert all(8 <= n <= 25 for n in counts.values())


def test_demo_has_probationary_members_and_committee_members(demo):
    assert Member.objects.filter(status="probationary").exists()
    assert Member.objects.filter(duty=Duty.COMMITTEE_MEMBER).count() >= 2 * 40 * 0.8


def test_demo_election_statuses_include_overdue_and_postponed(demo):
    day = reference_date(YEAR)
    statuses = Counter(b.election_status(day) for b in Organisation.objects.branches())
    assert statuses[ElectionStatus.OVERDUE] == 3
    assert statuses[ElectionStatus.OVERDUE_OVER_1Y] == 1
    assert Organisation.objects.branches().filter(postponement_approved=True).count() == 1


def test_demo_campaign_is_a_draft_with_the_default_rubric(demo):
    campaign = Campaign.objects.get()
    assert campaign.year == YEAR
    assert campaign.kind == "initial"
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.committee == demo.organisations.committee
    assert list(campaign.criteria.values_list("position", flat=True)) == list(range(1, 11))
    assert sum(c.max_points for c in campaign.criteria.all()) == 100


def test_demo_secretary_account_is_linked_to_its_member(demo):
    secretary = demo.users["secretary"]
    member = Member.objects.get(user=secretary)
    assert member.duty == Duty.SECRETARY
    assert member.branch.parent == demo.organisations.parents[0]
    assert member.name == secretary.last_name + secretary.first_name


def test_demo_reviewer_belongs_to_no_branch(demo):
    assert not Member.objects.filter(user=demo.users["reviewer"]).exists()


def test_demo_is_deterministic(db):
    with pytest.raises(Rollback), transaction.atomic():
        build_demo(year=YEAR)
        first = snapshot()
        raise Rollback
    assert not Organisation.objects.exists()
    build_demo(year=YEAR)
    assert snapshot() == first


def test_load_demo_prints_the_accounts(db):
    out = StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    assert Organisation.objects.exists()
    for account in demo_accounts():
        assert account.username in text
    assert PASSWORD in text


def test_load_demo_if_empty_does_nothing_the_second_time(db):
    call_command("load_demo", "--if-empty", stdout=StringIO())
    before = (Organisation.objects.count(), Member.objects.count(), Campaign.objects.count())
    out = StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    after = (Organisation.objects.count(), Member.objects.count(), Campaign.objects.count())
    assert after == before
    assert "secretary2" in out.getvalue()


def test_load_demo_refuses_a_database_that_holds_data(db):
    call_command("load_demo", stdout=StringIO())
    count = Organisation.objects.count()
    with pytest.raises(CommandError):
        call_command("load_demo", stdout=StringIO())
    assert Organisation.objects.count() == count


@pytest.mark.parametrize("account", demo_accounts(), ids=lambda a: a.username)
def test_every_demo_account_logs_in_and_sees_its_role(client, demo, account):
    response = client.post(
        reverse("login"), {"username": account.username, "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.context["user"].username == account.username
    roles = [card.role for card in response.context["cards"]]
    assert roles == ([account.role] if account.role else [])
    if account.role:
        assert f'data-role="{account.role}"' in response.content.decode()
