"""Reminder e-mails (docs/process.md §2.5, Reminders): a daily digest per user from the
home page's to-dos, sent once per deadline and threshold, respecting the opt-out."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import translation

from reminders import services
from reminders.models import ReminderSettings, SentReminder, Threshold
from scoring.services import survey as survey_service
from starrating import clock, todos
from tests import factories

DAY = datetime.timedelta(days=1)


@pytest.fixture
def addressed(tree):
    """The secretary of branch A with an e-mail address; the others without."""
    tree.secretary.email = "secretary@example.org"
    tree.secretary.save()
    return tree.secretary


def _to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def test_each_threshold_is_reached_once_from_a_week_before():
    assert services.threshold_of(None) is None
    assert services.threshold_of(8) is None
    assert [services.threshold_of(d) for d in (7, 5, 4, 3, 2, 1, 0)] == [7, 7, 7, 3, 3, 1, 0]
    assert services.threshold_of(-1) == services.threshold_of(-40) == Threshold.OVERDUE


def test_reminders_are_sent_once(tree, sheet, addressed):
    week_before = sheet.deadline - 7 * DAY
    first = services.send_reminders(date=week_before)
    assert (first.digests, first.reminders) == (1, 2)  # the sheet and the survey
    [message] = _to(addressed)
    assert "填写并提交第一党支部自评表" in message.body
    assert "还剩 7 天" in message.body
    again = services.send_reminders(date=week_before)
    assert (again.digests, again.nothing_new, again.no_address) == (0, 1, 5)
    services.send_reminders(date=week_before + DAY)  # still the week's threshold
    assert len(_to(addressed)) == 1
    assert SentReminder.objects.filter(user=addressed).count() == 2


def test_the_next_threshold_is_reminded_again(tree, sheet, addressed):
    for days_left in (7, 6, 5, 4, 3, 2, 1, 0, -1, -2):
        services.send_reminders(date=sheet.deadline - days_left * DAY)
    bodies = [m.body for m in _to(addressed)]
    assert len(bodies) == 5  # 7, 3, 1, 0 days left and overdue
    assert ["还剩 7 天" in b for b in bodies] == [True, False, False, False, False]
    assert "今天截止" in bodies[3]
    assert "已逾期 1 天" in bodies[4]


def test_an_extended_deadline_is_reminded_afresh(tree, sheet, addressed):
    services.send_reminders(date=sheet.deadline - 3 * DAY)
    sheet.deadline_extended_to = sheet.deadline + 10 * DAY
    sheet.save()
    run = services.send_reminders(date=sheet.deadline + 3 * DAY)  # 7 days before the new one
    assert run.reminders == 2  # the sheet's new deadline, and the survey now overdue


def test_the_opt_out_is_respected(tree, sheet, addressed):
    services.set_reminders(user=addressed, enabled=False, actor=addressed)
    run = services.send_reminders(date=sheet.deadline - 7 * DAY)
    assert _to(addressed) == []
    assert run.opted_out == 1
    assert not SentReminder.objects.filter(user=addressed).exists()


def test_turning_reminders_on_again_sends_what_is_due(tree, sheet, addressed):
    services.set_reminders(user=addressed, enabled=False, actor=addressed)
    services.send_reminders(date=sheet.deadline - 7 * DAY)
    services.set_reminders(user=addressed, enabled=True, actor=addressed)
    services.send_reminders(date=sheet.deadline - 6 * DAY)
    assert len(_to(addressed)) == 1


def test_the_choice_is_recorded_in_its_history(tree, addressed):
    services.set_reminders(user=addressed, enabled=False, actor=addressed)
    services.set_reminders(user=addressed, enabled=False, actor=addressed)  # no change
    choice = ReminderSettings.objects.get(user=addressed)
    assert [h.history_change_reason for h in choice.history.all()] == ["reminders.opted_out"]


def test_users_without_an_address_are_skipped_and_counted(tree, sheet):
    run = services.send_reminders(date=sheet.deadline - 7 * DAY)
    assert mail.outbox == []
    assert run.no_address == run.users == 6  # every user holding a role in the tree
    assert not SentReminder.objects.exists()


def test_a_dry_run_sends_and_records_nothing(tree, sheet, addressed):
    run = services.send_reminders(date=sheet.deadline - 7 * DAY, dry_run=True)
    assert run.digests == 1 and len(run.messages) == 1
    assert mail.outbox == []
    assert not SentReminder.objects.exists()
    assert services.send_reminders(date=sheet.deadline - 7 * DAY).digests == 1


def test_the_digest_lists_what_the_home_page_lists_due_within_a_week(tree, sheet, addressed):
    day = sheet.deadline - 2 * DAY
    with clock.frozen(day), translation.override("zh-hans"):
        home = [t for t in todos.todos(addressed) if t.deadline and t.days_left <= 7]
    services.send_reminders(date=day)
    [message] = _to(addressed)
    assert home and all(t.title in message.body and t.url in message.body for t in home)


def test_nothing_is_sent_while_every_deadline_is_more_than_a_week_away(tree, sheet, addressed):
    run = services.send_reminders(date=sheet.deadline - 8 * DAY)
    assert run.digests == 0 and mail.outbox == []


def test_the_digest_is_in_chinese_whatever_language_is_active(tree, sheet, addressed):
    with translation.override("en"):
        services.send_reminders(date=sheet.deadline - 7 * DAY)
    [message] = _to(addressed)
    assert message.subject == "星级评定：2 项待办即将到期或已逾期"


def test_the_html_digest_escapes_what_users_typed(tree, sheet, addressed):
    tree.branch_a.name = '<script>alert("x")</script>'
    tree.branch_a.save()
    services.send_reminders(date=sheet.deadline - 7 * DAY)
    [message] = _to(addressed)
    [(html, kind)] = message.alternatives
    assert kind == "text/html"
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_the_mail_carries_a_working_unsubscribe_link(tree, sheet, addressed, client):
    services.send_reminders(date=sheet.deadline - 7 * DAY)
    [message] = _to(addressed)
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link in message.body
    path = link.removeprefix("http://127.0.0.1:8000")
    assert client.post(path).status_code == 200
    assert not services.wants_reminders(type(addressed).objects.get(pk=addressed.pk))


def test_a_token_names_one_user_and_a_changed_one_names_nobody(tree, addressed):
    token = services.unsubscribe_token(addressed)
    assert services.user_of_token(token) == addressed
    assert services.user_of_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    from django.core import signing

    assert services.user_of_token(signing.dumps(addressed.pk, salt="other")) is None
    assert services.user_of_token(signing.dumps("x", salt=services.UNSUBSCRIBE_SALT)) is None


def test_a_refused_mail_gives_its_reminders_back_for_the_next_run(
    tree, sheet, addressed, monkeypatch
):
    def refuse(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    run = services.send_reminders(date=sheet.deadline - 7 * DAY)
    assert run.failed == 1 and run.digests == 0
    assert not SentReminder.objects.exists()
    monkeypatch.undo()
    assert services.send_reminders(date=sheet.deadline - 7 * DAY).digests == 1


def test_the_participation_reminder_gives_the_count_missing_never_who(
    tree, campaign, assessment, criteria, addressed
):
    issued = survey_service.open_survey(assessment=assessment, actor=tree.secretary, public_slips=0)
    for code in factories.member_codes(issued)[:5]:
        factories.cast(code, criteria)
    services.send_reminders(date=campaign.self_deadline - 3 * DAY)
    [message] = _to(addressed)
    assert "还差 3 名党员参与才达到 80%" in message.body
    for member in assessment.branch.members.all():
        assert member.name not in message.body


def test_the_task_sends_the_same_digests(tree, sheet, addressed):
    from reminders.tasks import send_reminders

    result = send_reminders.enqueue((sheet.deadline - 7 * DAY).isoformat())
    assert result.return_value["digests"] == 1
    assert len(_to(addressed)) == 1
