"""Campaign services: the life table, withdrawal, the policy checked by the engine, the clock.

Campaigns are built with the real services; the complete branches of the recompute tests
with the ORM builders of tests/factories.py.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from scoring.models import Assessment, Campaign, CampaignStatus, Rating, WithdrawalCause
from scoring.services import campaigns as service
from scoring.services import recompute, self_evaluation
from scoring.services.errors import InvalidPolicy, NotAllowed, WrongState
from starrating import clock
from starrating.todos import campaign_todos
from tests import factories
from tests.factories import ready_branch

YEAR = 2026
SPRING = clock.aware(datetime.date(YEAR, 3, 2), 10)


@pytest.fixture
def declaring(tree):
    with clock.frozen(SPRING):
        draft = service.create_campaign(
            committee=tree.committee, year=YEAR, kind="initial", actor=tree.staff
        )
        return service.open_campaign(campaign=draft, actor=tree.staff)


def _assessment(campaign, branch):
    return Assessment.objects.get(campaign=campaign, branch=branch)


# --- The life table -----------------------------------------------------------------------


def test_opening_moves_draft_to_declaring_with_the_tables_action_and_the_clocks_time(declaring):
    record = declaring.history.latest()
    assert declaring.status == CampaignStatus.DECLARING
    assert record.history_change_reason == "campaign.opened"
    assert record.history_date == declaring.opened_at == SPRING


def test_opening_twice_is_refused_by_the_table(tree, declaring):
    with pytest.raises(WrongState):
        service.open_campaign(campaign=declaring, actor=tree.staff)


def test_every_transition_names_an_audit_action():
    from starrating.audit import ACTIONS

    assert set(service.TRANSITIONS.values()) <= set(ACTIONS)


def test_the_current_campaign_is_the_declaring_one(tree, declaring):
    assert service.current_campaign(tree.committee) == declaring


# --- Withdrawing a branch -----------------------------------------------------------------


def test_staff_withdraw_a_branch_with_cause_and_reason(tree, declaring):
    assessment = _assessment(declaring, tree.branch_b)
    with clock.frozen(SPRING):
        service.withdraw_branch(
            assessment=assessment, actor=tree.staff, cause="merged", reason="并入第一党支部"
        )
    assessment.refresh_from_db()
    assert assessment.is_withdrawn and assessment.withdrawn_at == SPRING
    assert (assessment.withdrawal_cause, assessment.withdrawal_reason) == (
        WithdrawalCause.MERGED,
        "并入第一党支部",
    )
    record = assessment.history.latest()
    assert (record.history_user, record.history_change_reason) == (
        tree.staff,
        "assessment.withdrawn",
    )


def test_a_withdrawn_branch_is_reinstated_with_a_reason(tree, declaring):
    assessment = _assessment(declaring, tree.branch_b)
    service.withdraw_branch(
        assessment=assessment, actor=tree.staff, cause="dissolved", reason="撤销"
    )
    service.reinstate_branch(assessment=assessment, actor=tree.staff, reason="撤销决定已收回")
    assessment.refresh_from_db()
    assert not assessment.is_withdrawn
    assert (assessment.withdrawal_cause, assessment.reinstatement_reason) == ("", "撤销决定已收回")
    assert assessment.history.latest().history_change_reason == "assessment.reinstated"
    reasons = set(assessment.history.values_list("withdrawal_reason", flat=True))
    assert "撤销" in reasons  # the history keeps the withdrawal


def test_only_staff_withdraw(tree, declaring):
    with pytest.raises(NotAllowed):
        service.withdraw_branch(
            assessment=_assessment(declaring, tree.branch_a),
            actor=tree.reviewer,
            cause="dissolved",
            reason="撤销",
        )


@pytest.mark.parametrize(
    ("cause", "reason"), [("", "撤销"), ("vanished", "撤销"), ("dissolved", "  ")]
)
def test_a_withdrawal_needs_a_known_cause_and_a_reason(tree, declaring, cause, reason):
    assessment = _assessment(declaring, tree.branch_a)
    with pytest.raises(WrongState):
        service.withdraw_branch(assessment=assessment, actor=tree.staff, cause=cause, reason=reason)
    assert not Assessment.objects.withdrawn().exists()


def test_a_reinstatement_needs_a_reason(tree, declaring):
    assessment = _assessment(declaring, tree.branch_a)
    service.withdraw_branch(assessment=assessment, actor=tree.staff, cause="other", reason="x")
    with pytest.raises(WrongState):
        service.reinstate_branch(assessment=assessment, actor=tree.staff, reason="")
    assert Assessment.objects.withdrawn().count() == 1


@pytest.mark.parametrize(
    "status", [CampaignStatus.DRAFT, CampaignStatus.PUBLICITY, CampaignStatus.CLOSED]
)
def test_withdrawing_is_refused_outside_declaration(tree, status):
    campaign = factories.campaign(tree.committee, status=status)
    assessment = Assessment.objects.create(campaign=campaign, branch=tree.branch_a)
    with pytest.raises(WrongState):
        service.withdraw_branch(
            assessment=assessment, actor=tree.staff, cause="dissolved", reason="撤销"
        )


def test_withdrawing_twice_and_reinstating_an_enrolled_branch_are_refused(tree, declaring):
    assessment = _assessment(declaring, tree.branch_a)
    with pytest.raises(WrongState):
        service.reinstate_branch(assessment=assessment, actor=tree.staff, reason="x")
    service.withdraw_branch(assessment=assessment, actor=tree.staff, cause="other", reason="x")
    with pytest.raises(WrongState):
        service.withdraw_branch(assessment=assessment, actor=tree.staff, cause="other", reason="x")


def test_a_withdrawn_branch_leaves_n_and_every_count(tree):
    campaign = factories.campaign(tree.committee, status=CampaignStatus.DECLARING)
    rated = ready_branch(campaign, tree.branch_a, review_total=90)
    gone = ready_branch(campaign, tree.branch_b, review_total=80)
    recompute.recompute_campaign(campaign=campaign, actor=tree.staff)
    assert Rating.objects.filter(assessment=gone).exists()

    service.withdraw_branch(assessment=gone, actor=tree.staff, cause="merged", reason="并入")

    assert not Rating.objects.filter(assessment=gone).exists()
    campaign.refresh_from_db()
    complete = recompute.completeness(campaign)
    assert (complete.enrolled, complete.complete) == (1, 1)
    assert complete.recompute_needed  # the stored results still counted two
    assert [f.assessment for f in recompute.gather(campaign)] == [rated]
    recompute.recompute_campaign(campaign=campaign, actor=tree.staff)
    campaign.refresh_from_db()
    assert campaign.quota_report["total"] == 1
    assert service.progress(campaign.assessments.all()).enrolled == 1


def test_a_withdrawn_branch_leaves_the_staff_count_of_unsubmitted_sheets(tree, declaring):
    before = next(t.count for t in campaign_todos(tree.staff) if t.count)
    service.withdraw_branch(
        assessment=_assessment(declaring, tree.branch_a),
        actor=tree.staff,
        cause="dissolved",
        reason="撤销",
    )
    after = next(t.count for t in campaign_todos(tree.staff) if t.count)
    assert (before, after) == (3, 2)


# --- The campaign page's counts -----------------------------------------------------------


def test_progress_counts_each_column_over_the_enrolled_branches(tree):
    campaign = factories.campaign(tree.committee, status=CampaignStatus.DECLARING)
    ready_branch(campaign, tree.branch_a, review_total=90)
    ready_branch(campaign, tree.branch_b)
    withdrawn = Assessment.objects.create(
        campaign=campaign,
        branch=tree.direct,
        withdrawn_at=clock.now(),
        withdrawal_cause="dissolved",
    )
    figures = service.progress(campaign.assessments.all())
    assert (figures.enrolled, figures.withdrawn) == (2, 1)
    assert figures.of("self", "submitted") == 2
    assert figures.of("survey", "closed") == 2
    assert figures.of("survey", "not_open") == 0
    assert figures.of("review", "submitted") == 1
    assert figures.of("review", service.NOT_STARTED) == 1
    assert withdrawn.pk not in service.filter_by_status(
        campaign.assessments.all(), "review", service.NOT_STARTED
    ).values_list("pk", flat=True)


# --- The policy, checked by the rules engine ----------------------------------------------


@pytest.mark.parametrize(
    ("policy", "field", "message"),
    [
        (
            {"weight_self": "0.3"},
            None,
            "三项权重之和必须为 100%（现为 110%）。",
        ),
        (
            {"band_4": "95"},
            None,
            "各星级分数线须从五星级到一星级严格递减。",
        ),
        ({"five_star_share": "1.5"}, "five_star_share", "五星级比例上限须在 0% 到 100% 之间。"),
        ({"band_1": "-1"}, "band_1", "一星级最低分须在 0 到 100 之间。"),
        ({"quota_mode": "sometimes"}, "quota_mode", None),
    ],
)
def test_the_engine_refuses_a_bad_policy_in_the_forms_words(policy, field, message):
    with translation.override("zh-hans"), pytest.raises(InvalidPolicy) as refused:
        service.validate_policy(policy)
    assert refused.value.field == field
    if message:
        assert str(refused.value) == message


def test_the_policy_is_the_engines_policy():
    from scoring.rules import Policy

    campaign = Campaign(**service.validate_policy({"weight_self": "0.1", "weight_review": "0.6"}))
    assert campaign.policy() == Policy(
        weight_self=Decimal("0.1"), weight_survey=Decimal("0.3"), weight_review=Decimal("0.6")
    )


def test_warn_needs_a_reason_and_names_the_reason_field():
    with pytest.raises(InvalidPolicy) as refused:
        service.validate_policy({"quota_mode": "warn"})
    assert refused.value.field == "quota_mode_reason"


# --- Time comes from the clock ------------------------------------------------------------


def test_a_new_campaigns_default_deadline_is_5_june_of_its_year(tree):
    with clock.frozen(datetime.date(2031, 2, 1)):
        campaign = service.create_campaign(
            committee=tree.committee, year=2032, kind="initial", actor=tree.staff
        )
    assert campaign.self_deadline == datetime.date(2032, 6, 5)


def test_the_forms_default_deadline_is_5_june_of_the_clocks_year():
    from scoring.forms.campaigns import CampaignForm

    with clock.frozen(datetime.date(2031, 2, 1)):
        assert CampaignForm()["self_deadline"].value() == datetime.date(2031, 6, 5)


def test_an_extension_into_the_clocks_past_is_refused(tree, declaring):
    sheet = _assessment(declaring, tree.branch_a).self_evaluation
    with clock.frozen(datetime.date(YEAR, 7, 1)), pytest.raises(WrongState):
        self_evaluation.extend_deadline(
            sheet=sheet, actor=tree.staff, until=datetime.date(YEAR, 6, 30), reason="补交"
        )


def test_the_unsubmitted_count_is_overdue_once_the_deadline_passed(tree, declaring):
    def overdue(day):
        with clock.frozen(day):
            return [t.overdue for t in campaign_todos(tree.staff) if t.count]

    assert overdue(declaring.self_deadline) == [False]
    assert overdue(declaring.self_deadline + datetime.timedelta(days=1)) == [True]
