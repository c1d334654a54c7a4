"""The improvement to-dos on the home page (docs/process.md §2.2): the secretary's plan to
write, file or file again, the items due within 14 days or overdue; the parent's plans
waiting for acknowledgement."""

import datetime

import pytest
from django.urls import reverse

from improvement.models import ItemStatus, PlanStatus
from starrating import clock
from starrating.todos import improvement_todos
from tests import factories

TODAY = clock.today()


def titles(user):
    return [(todo.title, todo.count, todo.overdue) for todo in improvement_todos(user)]


@pytest.fixture
def enrolled(tree, campaign):
    """Branch A in the campaign, which has results."""
    campaign.recomputed_at = clock.now()
    campaign.save()
    factories.assessment(campaign, tree.branch_a)
    return campaign


def test_no_plan_is_asked_for_before_the_campaigns_results(tree, campaign):
    factories.assessment(campaign, tree.branch_a)
    assert improvement_todos(tree.secretary) == []


def test_a_secretary_without_a_plan_is_asked_to_write_it(tree, enrolled):
    (todo,) = improvement_todos(tree.secretary)
    assert todo.url == reverse("improvement:plan_create", args=[tree.branch_a.pk])
    assert str(factories.YEAR) in todo.title


def test_a_draft_plan_is_to_be_filed(tree, enrolled):
    plan = factories.plan(enrolled, tree.branch_a)
    (todo,) = improvement_todos(tree.secretary)
    assert todo.url == reverse("improvement:plan", args=[plan.pk])


def test_a_returned_plan_carries_the_reason(tree, enrolled):
    factories.plan(enrolled, tree.branch_a, status=PlanStatus.RETURNED, return_reason="不具体")
    (todo,) = improvement_todos(tree.secretary)
    assert todo.detail == "不具体"


def test_a_filed_plan_is_no_longer_the_secretarys_to_do(tree, enrolled):
    factories.plan(enrolled, tree.branch_a, status=PlanStatus.FILED)
    assert improvement_todos(tree.secretary) == []


def test_items_due_soon_or_overdue_are_counted(tree, enrolled):
    plan = factories.plan(enrolled, tree.branch_a, status=PlanStatus.ACKNOWLEDGED)
    factories.ledger_item(plan, due=TODAY + datetime.timedelta(days=14))
    factories.ledger_item(plan, due=TODAY + datetime.timedelta(days=15))  # not yet
    factories.ledger_item(plan, due=TODAY - datetime.timedelta(days=1), status=ItemStatus.CLOSED)
    (todo,) = improvement_todos(tree.secretary)
    assert (todo.count, todo.overdue) == (1, False)
    factories.ledger_item(plan, due=TODAY - datetime.timedelta(days=1))
    (todo,) = improvement_todos(tree.secretary)
    assert (todo.count, todo.overdue) == (2, True)


def test_another_branchs_items_are_not_counted(tree, enrolled):
    plan = factories.plan(enrolled, tree.branch_b, status=PlanStatus.ACKNOWLEDGED)
    factories.ledger_item(plan, due=TODAY)
    assert [todo.count for todo in improvement_todos(tree.secretary)] == [None]  # the plan


def test_the_parent_sees_the_plans_waiting(tree, campaign):
    factories.plan(campaign, tree.branch_a, status=PlanStatus.FILED)
    factories.plan(campaign, tree.branch_b, status=PlanStatus.ACKNOWLEDGED)
    factories.plan(campaign, tree.direct, status=PlanStatus.FILED)
    (todo,) = improvement_todos(tree.reviewer)
    assert (todo.count, todo.url) == (1, reverse("improvement:overview"))
    (staff,) = improvement_todos(tree.staff)  # the directly managed branch's
    assert staff.count == 1


def test_the_home_page_shows_the_secretarys_to_do(client, tree, enrolled):
    client.force_login(tree.secretary)
    response = client.get(reverse("home"))
    assert reverse("improvement:plan_create", args=[tree.branch_a.pk]).encode() in response.content
