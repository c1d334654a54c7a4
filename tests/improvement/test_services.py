"""The plan's and the ledger's transitions and refusals (docs/process.md §2.2)."""

import datetime
from decimal import Decimal

import pytest

from improvement import services
from improvement.models import Category, ImprovementPlan, ItemStatus, LedgerItem, PlanStatus
from scoring.models import CampaignStatus, EventType, StarCause, StarChange
from scoring.services.errors import InvalidUpload, WrongState
from starrating import clock
from starrating.errors import NotAllowed, WorkflowError
from tests import factories

TODAY = clock.today()


@pytest.fixture
def enrolled_a(tree, campaign):
    """Branch A in the campaign, which has results (a plan follows a rating)."""
    campaign.recomputed_at = clock.now()
    campaign.save()
    return factories.assessment(campaign, tree.branch_a)


@pytest.fixture
def plan(tree, campaign, enrolled_a):
    return services.create_plan(
        actor=tree.secretary,
        branch=tree.branch_a,
        campaign=campaign,
        target_star=3,
        measures="每月一次主题党日",
    )


@pytest.fixture
def person(tree):
    return factories.member(tree.branch_a)


def pdf():
    return factories.upload("整改报告.pdf", factories.PDF, "application/pdf")


def star(branch, to, actor):
    StarChange.objects.create(
        branch=branch,
        effective=TODAY,
        to_star=to,
        cause=StarCause.APPROVAL,
        actor=actor,
        recorded_at=clock.now(),
    )


def add(plan, tree, person, **fields):
    values = {
        "problem": "组织生活不规范",
        "measures": "按月召开",
        "responsible": person,
        "due": TODAY + datetime.timedelta(days=30),
    }
    values.update(fields)
    return services.add_item(actor=tree.secretary, plan=plan, **values)


# --- The plan ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "category"),
    [
        (5, Category.CONSOLIDATE),
        (4, Category.FILL_GAPS),
        (2, Category.FILL_GAPS),
        (1, Category.FOCUSED),
        (0, Category.FOCUSED),
        (None, Category.FOCUSED),
    ],
)
def test_the_category_comes_from_the_current_star(tree, campaign, enrolled_a, current, category):
    if current is not None:
        star(tree.branch_a, current, tree.approver)
    made = services.create_plan(
        actor=tree.secretary,
        branch=tree.branch_a,
        campaign=campaign,
        target_star=5,
        measures="巩固",
    )
    assert (made.category, made.current_star, made.status) == (category, current, "draft")
    assert made.history.first().history_change_reason == "plan.created"


def test_a_second_plan_for_the_same_year_is_refused(tree, campaign, plan):
    with pytest.raises(WrongState):
        services.create_plan(
            actor=tree.secretary,
            branch=tree.branch_a,
            campaign=campaign,
            target_star=3,
            measures="再来一份",
        )
    assert ImprovementPlan.objects.count() == 1


def test_a_plan_for_a_branch_not_enrolled_is_refused(tree, campaign, enrolled_a):
    with pytest.raises(WrongState):
        services.create_plan(
            actor=tree.secretary_b,
            branch=tree.branch_b,
            campaign=campaign,
            target_star=3,
            measures="措施",
        )


def test_a_plan_before_the_campaigns_results_is_refused(tree, campaign):
    factories.assessment(campaign, tree.branch_a)
    with pytest.raises(WrongState):
        services.create_plan(
            actor=tree.secretary,
            branch=tree.branch_a,
            campaign=campaign,
            target_star=3,
            measures="措施",
        )


def test_a_plan_for_a_draft_campaign_is_refused(tree):
    draft = factories.campaign(tree.committee, year=2027, status=CampaignStatus.DRAFT)
    factories.assessment(draft, tree.branch_a)
    with pytest.raises(WrongState):
        services.create_plan(
            actor=tree.secretary,
            branch=tree.branch_a,
            campaign=draft,
            target_star=3,
            measures="措施",
        )


@pytest.mark.parametrize("user", ["secretary_b", "reviewer", "staff"])
def test_only_the_branchs_secretary_writes_its_plan(tree, campaign, enrolled_a, user):
    with pytest.raises(NotAllowed):
        services.create_plan(
            actor=getattr(tree, user),
            branch=tree.branch_a,
            campaign=campaign,
            target_star=3,
            measures="措施",
        )


def test_a_target_below_the_current_star_is_refused(tree, campaign, enrolled_a):
    star(tree.branch_a, 4, tree.approver)
    with pytest.raises(WorkflowError, match="4"):
        services.create_plan(
            actor=tree.secretary,
            branch=tree.branch_a,
            campaign=campaign,
            target_star=3,
            measures="措施",
        )


@pytest.mark.parametrize("target", [0, 6, "3", None, True])
def test_a_target_outside_one_to_five_is_refused(tree, campaign, enrolled_a, target):
    with pytest.raises(WorkflowError):
        services.create_plan(
            actor=tree.secretary,
            branch=tree.branch_a,
            campaign=campaign,
            target_star=target,
            measures="措施",
        )


@pytest.mark.parametrize("measures", ["", "   ", "\x00\u202e", "长" * 2001])
def test_measures_empty_or_too_long_are_refused(tree, campaign, enrolled_a, measures):
    with pytest.raises(WorkflowError):
        services.create_plan(
            actor=tree.secretary,
            branch=tree.branch_a,
            campaign=campaign,
            target_star=3,
            measures=measures,
        )
    assert not ImprovementPlan.objects.exists()


def test_filing_sends_the_plan_to_the_parent(tree, plan):
    filed = services.file_plan(actor=tree.secretary, plan=plan)
    assert filed.status == PlanStatus.FILED
    assert filed.filed_by == tree.secretary and filed.filed_at is not None


def test_filing_takes_the_category_again(tree, plan):
    star(tree.branch_a, 3, tree.approver)
    filed = services.file_plan(actor=tree.secretary, plan=plan)
    assert (filed.current_star, filed.category) == (3, Category.FILL_GAPS)


def test_filing_twice_is_refused(tree, plan):
    services.file_plan(actor=tree.secretary, plan=plan)
    with pytest.raises(WrongState):
        services.file_plan(actor=tree.secretary, plan=plan)
    assert plan.history.filter(history_change_reason="plan.filed").count() == 1


def test_filing_an_acknowledged_plan_is_refused(tree, plan):
    services.file_plan(actor=tree.secretary, plan=plan)
    services.acknowledge_plan(actor=tree.reviewer, plan=plan)
    with pytest.raises(WrongState):
        services.file_plan(actor=tree.secretary, plan=plan)


def test_the_parent_acknowledges_a_filed_plan(tree, plan):
    services.file_plan(actor=tree.secretary, plan=plan)
    done = services.acknowledge_plan(actor=tree.reviewer, plan=plan)
    assert (done.status, done.decided_by) == (PlanStatus.ACKNOWLEDGED, tree.reviewer)


def test_acknowledging_a_draft_is_refused(tree, plan):
    with pytest.raises(WrongState):
        services.acknowledge_plan(actor=tree.reviewer, plan=plan)


@pytest.mark.parametrize("user", ["secretary", "secretary_b", "approver"])
def test_only_the_parent_or_staff_acknowledge(tree, plan, user):
    services.file_plan(actor=tree.secretary, plan=plan)
    with pytest.raises(NotAllowed):
        services.acknowledge_plan(actor=getattr(tree, user), plan=plan)


def test_another_parents_reviewer_cannot_acknowledge(tree, plan):
    other = factories.org("party_committee", parent=tree.committee)
    stranger = factories.user("other_reviewer", role="reviewer", organisation=other)
    services.file_plan(actor=tree.secretary, plan=plan)
    with pytest.raises(NotAllowed):
        services.acknowledge_plan(actor=stranger, plan=plan)


def test_a_reviewer_who_belongs_to_the_branch_cannot_acknowledge(tree, plan):
    factories.member(tree.branch_a, user=tree.reviewer)
    services.file_plan(actor=tree.secretary, plan=plan)
    with pytest.raises(NotAllowed):
        services.acknowledge_plan(actor=tree.reviewer, plan=plan)


def test_staff_may_acknowledge(tree, plan):
    services.file_plan(actor=tree.secretary, plan=plan)
    assert services.acknowledge_plan(actor=tree.staff, plan=plan).status == "acknowledged"


def test_a_returned_plan_is_edited_and_filed_again(tree, plan):
    services.file_plan(actor=tree.secretary, plan=plan)
    returned = services.return_plan(actor=tree.reviewer, plan=plan, reason="措施不具体")
    assert (returned.status, returned.return_reason) == (PlanStatus.RETURNED, "措施不具体")
    edited = services.update_plan(
        actor=tree.secretary, plan=plan, target_star=4, measures="具体措施"
    )
    assert (edited.target_star, edited.measures) == (4, "具体措施")
    assert services.file_plan(actor=tree.secretary, plan=plan).status == PlanStatus.FILED
    assert services.acknowledge_plan(actor=tree.reviewer, plan=plan).return_reason == ""


def test_returning_without_a_reason_is_refused(tree, plan):
    services.file_plan(actor=tree.secretary, plan=plan)
    with pytest.raises(WorkflowError):
        services.return_plan(actor=tree.reviewer, plan=plan, reason="  ")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.FILED


def test_a_filed_plan_cannot_be_edited(tree, plan):
    services.file_plan(actor=tree.secretary, plan=plan)
    with pytest.raises(WrongState):
        services.update_plan(actor=tree.secretary, plan=plan, target_star=4, measures="改")
    plan.refresh_from_db()
    assert plan.target_star == 3


# --- The ledger -------------------------------------------------------------------------


def test_an_item_is_added_open(tree, plan, person):
    item = add(plan, tree, person)
    assert (item.status, item.responsible, item.created_by) == ("open", person, tree.secretary)
    assert item.history.first().history_change_reason == "ledger.item_added"


def test_a_responsible_person_not_of_the_branch_is_refused(tree, plan):
    outsider = factories.member(tree.branch_b)
    with pytest.raises(WorkflowError):
        add(plan, tree, outsider)
    assert not LedgerItem.objects.exists()


def test_an_inactive_member_cannot_be_responsible(tree, plan):
    with pytest.raises(WorkflowError):
        add(plan, tree, factories.member(tree.branch_a, active=False))


def test_a_criterion_not_of_the_rubric_is_refused(tree, plan, person):
    other = factories.campaign(tree.committee, year=2025)
    with pytest.raises(WorkflowError):
        add(plan, tree, person, criterion=other.criteria.first())
    assert not LedgerItem.objects.exists()


def test_a_criterion_of_the_rubric_is_kept(tree, plan, person):
    criterion = plan.campaign.criteria.get(position=2)
    assert add(plan, tree, person, criterion=criterion).criterion == criterion


def test_an_event_that_is_not_the_branchs_penalty_is_refused(tree, plan, person):
    bonus = factories.event(tree.branch_a, EventType.COMMENDATION, level="city")
    others = factories.event(tree.branch_b, EventType.ABSENCE)
    for event in (bonus, others):
        with pytest.raises(WorkflowError):
            add(plan, tree, person, event=event)


@pytest.mark.parametrize(
    "due", [TODAY - datetime.timedelta(days=1), datetime.date(TODAY.year + 3, 1, 1), None]
)
def test_a_due_date_in_the_past_or_far_ahead_is_refused(tree, plan, person, due):
    with pytest.raises(WorkflowError):
        add(plan, tree, person, due=due)


def test_another_secretary_cannot_add_items(tree, plan, person):
    with pytest.raises(NotAllowed):
        services.add_item(
            actor=tree.secretary_b,
            plan=plan,
            problem="问题",
            measures="措施",
            responsible=person,
            due=TODAY,
        )


def test_closing_an_item_with_evidence(tree, plan, person):
    item = add(plan, tree, person)
    closed = services.close_item(
        actor=tree.secretary, item=item, closed_on=TODAY, note="已整改", uploaded_file=pdf()
    )
    assert (closed.status, closed.closed_on, closed.closing_note) == ("closed", TODAY, "已整改")
    assert closed.evidence_name == "整改报告.pdf" and closed.evidence_type == "application/pdf"
    assert "整改报告" not in closed.evidence.name  # a random storage name


def test_closing_without_evidence_is_refused(tree, plan, person):
    item = add(plan, tree, person)
    with pytest.raises(WorkflowError):
        services.close_item(
            actor=tree.secretary, item=item, closed_on=TODAY, note="已整改", uploaded_file=None
        )
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN


def test_closing_with_a_file_that_is_not_evidence_is_refused(tree, plan, person):
    item = add(plan, tree, person)
    fake = factories.upload("报告.pdf", b"<html><script>x</script></html>", "application/pdf")
    with pytest.raises(InvalidUpload):
        services.close_item(
            actor=tree.secretary, item=item, closed_on=TODAY, note="已整改", uploaded_file=fake
        )
    item.refresh_from_db()
    assert (item.status, item.evidence.name) == ("open", "")


def test_closing_someone_elses_item_is_refused(tree, plan, person):
    item = add(plan, tree, person)
    for user in (tree.secretary_b, tree.reviewer, tree.staff):
        with pytest.raises(NotAllowed):
            services.close_item(
                actor=user, item=item, closed_on=TODAY, note="已整改", uploaded_file=pdf()
            )
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN


def test_closing_in_the_future_or_without_a_note_is_refused(tree, plan, person):
    item = add(plan, tree, person)
    with pytest.raises(WorkflowError):
        services.close_item(
            actor=tree.secretary,
            item=item,
            closed_on=TODAY + datetime.timedelta(days=1),
            note="已整改",
            uploaded_file=pdf(),
        )
    with pytest.raises(WorkflowError):
        services.close_item(
            actor=tree.secretary, item=item, closed_on=TODAY, note="", uploaded_file=pdf()
        )


def test_closing_before_the_item_was_added_is_refused(tree, plan, person):
    item = add(plan, tree, person)
    with pytest.raises(WorkflowError):
        services.close_item(
            actor=tree.secretary,
            item=item,
            closed_on=TODAY - datetime.timedelta(days=3),
            note="已整改",
            uploaded_file=pdf(),
        )


def test_closing_a_closed_item_is_refused(tree, plan, person):
    item = add(plan, tree, person)
    services.close_item(
        actor=tree.secretary, item=item, closed_on=TODAY, note="已整改", uploaded_file=pdf()
    )
    with pytest.raises(WrongState):
        services.close_item(
            actor=tree.secretary, item=item, closed_on=TODAY, note="再次", uploaded_file=pdf()
        )


def test_the_parent_reopens_a_closed_item_with_a_reason(tree, plan, person):
    item = add(plan, tree, person)
    services.close_item(
        actor=tree.secretary, item=item, closed_on=TODAY, note="已整改", uploaded_file=pdf()
    )
    reopened = services.reopen_item(actor=tree.reviewer, item=item, reason="佐证不足")
    assert (reopened.status, reopened.reopen_reason, reopened.evidence.name) == (
        "open",
        "佐证不足",
        "",
    )
    # The closing stays in the history.
    closing = item.history.get(history_change_reason="ledger.item_closed")
    assert closing.closing_note == "已整改" and closing.evidence


def test_reopening_without_a_reason_is_refused(tree, plan, person):
    item = add(plan, tree, person)
    services.close_item(
        actor=tree.secretary, item=item, closed_on=TODAY, note="已整改", uploaded_file=pdf()
    )
    with pytest.raises(WorkflowError):
        services.reopen_item(actor=tree.staff, item=item, reason="")
    item.refresh_from_db()
    assert item.status == ItemStatus.CLOSED


def test_reopening_an_open_item_or_by_the_secretary_is_refused(tree, plan, person):
    item = add(plan, tree, person)
    with pytest.raises(WrongState):
        services.reopen_item(actor=tree.staff, item=item, reason="理由")
    with pytest.raises(NotAllowed):
        services.reopen_item(actor=tree.secretary, item=item, reason="理由")


# --- The starting list ------------------------------------------------------------------


def test_the_starting_list_offers_the_three_weakest_criteria_and_the_years_penalties(
    tree, campaign, enrolled_a, plan
):
    criteria = list(campaign.criteria.order_by("position"))
    review = factories.review(enrolled_a, 100)
    shares = {1: "4", 2: "10", 3: "6", 4: "5", 5: "4", 6: "10", 7: "9", 8: "10", 9: "10", 10: "10"}
    for score in review.scores.select_related("criterion"):
        score.score = Decimal(shares[score.criterion.position])
        score.save()
    penalty = factories.event(tree.branch_a, EventType.ABSENCE, description="缺席会议")
    factories.event(tree.branch_a, EventType.COMMENDATION, level="city")
    factories.event(tree.branch_a, EventType.ABSENCE, date=datetime.date(2025, 3, 1))
    found = services.starting_list(plan)
    assert [s.criterion.position for s in found if s.criterion] == [1, 5, 4]
    assert [s.share for s in found if s.criterion] == [
        Decimal("0.4"),
        Decimal("0.4"),
        Decimal("0.5"),
    ]
    assert [s.event for s in found if s.event] == [penalty]
    assert criteria[0].title in found[0].problem


def test_the_starting_list_marks_what_the_ledger_holds(tree, campaign, enrolled_a, plan, person):
    factories.review(enrolled_a, 95)
    event = factories.event(tree.branch_a, EventType.ABSENCE)
    add(plan, tree, person, event=event)
    assert [s.added for s in services.starting_list(plan) if s.event] == [True]


def test_a_review_at_full_marks_suggests_no_criterion(tree, campaign, enrolled_a, plan):
    factories.review(enrolled_a, 100)
    assert services.starting_list(plan) == []


def test_a_review_not_submitted_suggests_nothing(tree, campaign, enrolled_a, plan):
    factories.review(enrolled_a, 50, status="draft")
    assert services.starting_list(plan) == []


def test_an_open_item_is_edited_and_its_history_kept(tree, plan, person):
    item = add(plan, tree, person)
    later = TODAY + datetime.timedelta(days=60)
    other = factories.member(tree.branch_a)
    edited = services.update_item(
        actor=tree.secretary,
        item=item,
        problem="改后的问题",
        measures="改后的措施",
        responsible=other,
        due=later,
    )
    assert (edited.problem, edited.responsible, edited.due) == ("改后的问题", other, later)
    assert item.history.filter(history_change_reason="ledger.item_edited").count() == 1
    assert item.history.earliest("history_date").problem == "组织生活不规范"


def test_a_closed_item_cannot_be_edited(tree, plan, person):
    item = add(plan, tree, person)
    services.close_item(
        actor=tree.secretary, item=item, closed_on=TODAY, note="已整改", uploaded_file=pdf()
    )
    with pytest.raises(WrongState):
        services.update_item(
            actor=tree.secretary,
            item=item,
            problem="改",
            measures="改",
            responsible=person,
            due=TODAY,
        )


def test_editing_checks_as_adding_does(tree, plan, person):
    item = add(plan, tree, person)
    with pytest.raises(WorkflowError):
        services.update_item(
            actor=tree.secretary,
            item=item,
            problem="改",
            measures="改",
            responsible=factories.member(tree.branch_b),
            due=TODAY,
        )
    with pytest.raises(NotAllowed):
        services.update_item(
            actor=tree.secretary_b,
            item=item,
            problem="改",
            measures="改",
            responsible=person,
            due=TODAY,
        )
    item.refresh_from_db()
    assert item.problem == "组织生活不规范"
