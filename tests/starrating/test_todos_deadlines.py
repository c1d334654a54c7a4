"""The home page's to-dos say the days left to their deadline (docs/process.md §2.5,
Reminders): 还剩 N 天, 今天截止, 已逾期 N 天; the same to-dos feed the reminder e-mails."""

import datetime

from django.urls import reverse
from django.utils import timezone, translation

from improvement.models import PlanStatus
from scoring.services import survey as survey_service
from scoring.services.survey.life import Participation
from starrating import clock, todos
from tests import factories

DAY = datetime.timedelta(days=1)


def _todo(deadline):
    return todos.Todo("secretary", "t", "/", deadline=deadline, key="k")


def test_the_days_left_read_in_chinese_before_on_and_after_the_deadline():
    today = clock.today()
    with translation.override("zh-hans"):
        assert _todo(today + 3 * DAY).due_label == "还剩 3 天"
        assert _todo(today).due_label == "今天截止"
        assert _todo(today - 2 * DAY).due_label == "已逾期 2 天"
    with translation.override("en"):
        assert _todo(today + DAY).due_label == "1 day left"
        assert _todo(today - 5 * DAY).due_label == "5 days overdue"


def test_a_to_do_without_a_deadline_says_nothing_of_days():
    item = todos.Todo("staff", "t", "/")
    assert item.days_left is None
    assert item.due_label == ""


def test_the_sheet_to_do_carries_its_deadline_and_the_home_page_shows_the_days_left(
    client, tree, sheet
):
    [item] = todos.self_evaluation_todos(tree.secretary)
    assert item.deadline == sheet.deadline
    assert item.days_left == 30
    client.force_login(tree.secretary)
    content = client.get(reverse("home")).content.decode()
    assert "还剩 30 天" in content


def test_an_extended_deadline_counts_for_the_sheet(tree, sheet):
    sheet.deadline_extended_to = sheet.deadline + 10 * DAY
    sheet.save()
    [item] = todos.self_evaluation_todos(tree.secretary)
    assert item.days_left == 40


def test_a_past_deadline_makes_the_sheet_overdue(tree, sheet):
    with clock.frozen(sheet.deadline + 2 * DAY):
        [item] = todos.self_evaluation_todos(tree.secretary)
        assert item.overdue
        with translation.override("zh-hans"):
            assert item.due_label == "已逾期 2 天"


def test_the_survey_to_do_has_the_campaigns_deadline(tree, sheet):
    [item] = todos.survey_todos(tree.secretary)
    assert item.deadline == sheet.assessment.campaign.self_deadline
    assert item.key == f"survey:{sheet.assessment_id}"


def test_a_survey_under_80_percent_says_how_many_members_are_still_missing(
    tree, campaign, assessment, criteria
):
    issued = survey_service.open_survey(assessment=assessment, actor=tree.secretary, public_slips=0)
    for code in factories.member_codes(issued)[:5]:
        factories.cast(code, criteria)
    with translation.override("zh-hans"):
        [item] = todos.survey_todos(tree.secretary)
    assert "还差 3 名党员参与才达到 80%" in item.detail


def test_no_member_is_missing_once_participation_reaches_80_percent():
    def part(electorate, voted):
        return Participation(electorate, electorate, 0, voted, 0)

    assert part(10, 5).members_missing == 3
    assert part(10, 8).members_missing == 0
    assert part(10, 10).members_missing == 0
    assert part(7, 5).members_missing == 1  # 80 % of 7 is 5.6: six are needed
    assert part(0, 0).members_missing == 0


def test_the_ledger_to_do_is_due_on_its_earliest_item(tree, campaign):
    plan = factories.plan(campaign, tree.branch_a, status=PlanStatus.ACKNOWLEDGED)
    today = clock.today()
    for due in (today + 5 * DAY, today + 2 * DAY):
        factories.ledger_item(plan, due=due)
    [item] = [t for t in todos.improvement_todos(tree.secretary) if t.key.startswith("ledger:")]
    assert item.deadline == today + 2 * DAY
    assert item.key == f"ledger:{tree.branch_a.pk}"
    assert not item.overdue


def test_the_review_to_do_is_due_on_the_campaigns_review_deadline(tree, campaign, ready):
    campaign.review_deadline = clock.today() + 4 * DAY
    campaign.save()
    [item] = [t for t in todos.review_todos(tree.reviewer) if t.key == "reviews-ready"]
    assert item.days_left == 4


def test_staff_see_the_days_left_of_the_public_notice(tree, published):
    with clock.frozen(factories.DURING):
        [item] = [t for t in todos.publicity_todos(tree.staff) if t.key.startswith("publicity:")]
        assert item.deadline == timezone.localdate(published.publicity_end)
        assert item.days_left >= 0
    assert item.url == reverse("scoring:objections", args=[published.pk])
