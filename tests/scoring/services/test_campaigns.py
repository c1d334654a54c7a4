"""Campaign services: create (rubric copying, policy checks), open, election snapshot."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from branches.models import ElectionStatus
from scoring.models import Assessment, CampaignStatus, SelfEvaluation
from scoring.rubric import DEFAULT_CRITERIA
from scoring.services import campaigns as service
from scoring.services import self_evaluation as sheet_service
from scoring.services.errors import InvalidPolicy, InvalidRubric, NotAllowed, WrongState
from starrating.todos import campaign_todos
from tests import factories
from tests.factories import THIS_YEAR as YEAR


def test_first_campaign_gets_the_default_rubric(draft_campaign):
    criteria = list(draft_campaign.criteria.order_by("position"))
    assert len(criteria) == len(DEFAULT_CRITERIA)
    assert sum(c.max_points for c in criteria) == Decimal(100)
    assert draft_campaign.status == CampaignStatus.DRAFT


def test_new_campaign_copies_the_previous_campaigns_rubric(tree, draft_campaign):
    service.update_rubric(
        campaign=draft_campaign,
        actor=tree.staff,
        criteria=[("甲", "描述", Decimal("60")), ("乙", "", Decimal("40"))],
    )
    later = service.create_campaign(
        committee=tree.committee, year=YEAR, kind="year_end", actor=tree.staff
    )
    rows = list(later.criteria.order_by("position").values_list("title", "max_points"))
    assert rows == [("甲", Decimal("60")), ("乙", Decimal("40"))]


def test_previous_campaign_is_latest_by_year_then_kind(tree):
    old = service.create_campaign(
        committee=tree.committee, year=YEAR - 1, kind="year_end", actor=tree.staff
    )
    service.update_rubric(campaign=old, actor=tree.staff, criteria=[("旧", "", 100)])
    newer = service.create_campaign(
        committee=tree.committee, year=YEAR, kind="initial", actor=tree.staff
    )
    service.update_rubric(campaign=newer, actor=tree.staff, criteria=[("新", "", 100)])
    third = service.create_campaign(
        committee=tree.committee, year=YEAR, kind="year_end", actor=tree.staff
    )
    assert list(third.criteria.values_list("title", flat=True)) == ["新"]


def test_only_staff_create_campaigns(tree):
    with pytest.raises(NotAllowed):
        service.create_campaign(
            committee=tree.committee, year=YEAR, kind="initial", actor=tree.reviewer
        )


def test_second_campaign_of_the_same_year_and_kind_is_refused(tree, draft_campaign):
    with pytest.raises(WrongState):
        service.create_campaign(
            committee=tree.committee, year=YEAR, kind="initial", actor=tree.staff
        )


@pytest.mark.parametrize(
    "policy",
    [
        {"weight_self": "0.3", "weight_survey": "0.3", "weight_review": "0.5"},
        {"weight_self": "-0.1", "weight_survey": "0.6", "weight_review": "0.5"},
        {"weight_self": "abc"},
        {"band_5": "80", "band_4": "80"},
        {"band_5": "101"},
        {"band_1": "-1"},
        {"band_3": "85"},
        {"five_star_share": "1.5"},
        {"low_share": "-0.1"},
        {"quota_mode": "warn"},
        {"quota_mode": "sometimes"},
    ],
)
def test_bad_policy_is_refused_and_nothing_is_created(tree, policy):
    with pytest.raises(InvalidPolicy):
        service.create_campaign(
            committee=tree.committee, year=YEAR, kind="initial", actor=tree.staff, **policy
        )
    assert not tree.committee.campaigns.exists()


def test_weights_given_as_decimals_summing_to_one_are_accepted(tree):
    campaign = service.create_campaign(
        committee=tree.committee,
        year=YEAR,
        kind="initial",
        actor=tree.staff,
        weight_self="0.1",
        weight_survey="0.2",
        weight_review="0.7",
    )
    assert campaign.weight_review == Decimal("0.7")


def test_quota_mode_warn_with_a_reason_is_accepted(tree):
    campaign = service.create_campaign(
        committee=tree.committee,
        year=YEAR,
        kind="initial",
        actor=tree.staff,
        quota_mode="warn",
        quota_mode_reason="会议决定",
    )
    assert campaign.quota_mode == "warn"


def test_open_enrols_active_branches_only(tree, draft_campaign):
    inactive = factories.branch(tree.party_committee, active=False)
    service.open_campaign(campaign=draft_campaign, actor=tree.staff)
    enrolled = set(draft_campaign.assessments.values_list("branch_id", flat=True))
    assert enrolled == {tree.branch_a.pk, tree.branch_b.pk, tree.direct.pk}
    assert inactive.pk not in enrolled


def test_open_creates_an_empty_draft_sheet_per_assessment(tree, enrolled):
    sheets = SelfEvaluation.objects.filter(assessment__campaign=enrolled)
    assert sheets.count() == 3
    assert set(sheets.values_list("status", flat=True)) == {"draft"}


def test_open_uses_bulk_inserts(tree, draft_campaign, django_assert_max_num_queries):
    for _ in range(20):
        factories.branch(tree.party_committee)
    with django_assert_max_num_queries(12):
        service.open_campaign(campaign=draft_campaign, actor=tree.staff)
    assert draft_campaign.assessments.count() == 23


def test_open_freezes_the_rubric(tree, enrolled):
    assert enrolled.status == CampaignStatus.OPEN
    with pytest.raises(WrongState):
        service.update_rubric(campaign=enrolled, actor=tree.staff, criteria=[("x", "", 100)])


def test_open_refuses_a_rubric_not_summing_to_100(tree, draft_campaign):
    service.update_rubric(
        campaign=draft_campaign, actor=tree.staff, criteria=[("a", "", 50), ("b", "", 49.5)]
    )
    with pytest.raises(InvalidRubric):
        service.open_campaign(campaign=draft_campaign, actor=tree.staff)
    draft_campaign.refresh_from_db()
    assert draft_campaign.status == CampaignStatus.DRAFT
    assert not Assessment.objects.filter(campaign=draft_campaign).exists()


def test_opening_twice_is_refused(tree, enrolled):
    with pytest.raises(WrongState):
        service.open_campaign(campaign=enrolled, actor=tree.staff)


def test_election_status_is_snapshotted_at_the_reference_date(tree, draft_campaign):
    deadline = draft_campaign.self_deadline
    tree.branch_b.term_end = deadline - datetime.timedelta(days=400)
    tree.branch_b.save()
    tree.direct.term_end = deadline - datetime.timedelta(days=10)
    tree.direct.save()
    service.open_campaign(campaign=draft_campaign, actor=tree.staff)
    election = dict(draft_campaign.assessments.values_list("branch_id", "election"))
    assert election[tree.branch_a.pk] == ElectionStatus.ON_TIME
    assert election[tree.branch_b.pk] == ElectionStatus.OVERDUE_OVER_1Y
    assert election[tree.direct.pk] == ElectionStatus.OVERDUE


def test_refresh_election_status_updates_after_an_election(tree, draft_campaign):
    tree.branch_a.term_end = draft_campaign.self_deadline - datetime.timedelta(days=10)
    tree.branch_a.save()
    campaign = service.open_campaign(campaign=draft_campaign, actor=tree.staff)
    tree.branch_a.last_election = tree.branch_a.term_end
    tree.branch_a.save()
    assert service.refresh_election_status(campaign) == 1
    assert campaign.assessments.get(branch=tree.branch_a).election == ElectionStatus.ON_TIME


def test_current_campaign_is_the_latest_open_one(tree, enrolled):
    assert service.current_campaign(tree.committee) == enrolled


def test_current_campaign_is_none_without_an_open_one(tree, draft_campaign):
    assert service.current_campaign(tree.committee) is None


def test_campaign_history_records_the_acting_user(tree, enrolled):
    latest = enrolled.history.latest()
    assert latest.history_user == tree.staff
    assert latest.history_change_reason == "campaign.opened"


def test_staff_todos_count_unsubmitted_sheets(tree, enrolled):
    todos = campaign_todos(tree.staff)
    assert [t.count for t in todos if t.count] == [3]


def test_staff_todo_to_create_a_campaign_when_none(tree):
    assert len(campaign_todos(tree.staff)) == 1


def test_non_staff_have_no_campaign_todos(tree, enrolled):
    assert campaign_todos(tree.secretary) == []


def test_extension_reopens_a_submitted_sheet(tree, sheet):
    sheet.status = "submitted"
    sheet.save()
    until = timezone.localdate() + datetime.timedelta(days=5)
    sheet_service.extend_deadline(sheet=sheet, actor=tree.staff, until=until, reason="补交材料")
    sheet.refresh_from_db()
    assert sheet.status == "returned"
    assert sheet.deadline_extended_to == until


def test_only_staff_extend_deadlines(tree, sheet):
    with pytest.raises(NotAllowed):
        sheet_service.extend_deadline(
            sheet=sheet, actor=tree.reviewer, until=timezone.localdate(), reason="x"
        )


def test_opening_writes_enrolment_history_with_the_user(tree, enrolled):
    from scoring.models import Assessment as A

    records = A.history.filter(campaign_id=enrolled.pk)
    assert records.count() == 3
    assert set(records.values_list("history_user", flat=True)) == {tree.staff.pk}
    sheets = SelfEvaluation.history.filter(assessment__campaign=enrolled)
    assert sheets.count() == 3
