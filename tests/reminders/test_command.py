"""manage.py send_reminders [--dry-run] [--date YYYY-MM-DD] (docs/process.md §2.5, Reminders)."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from reminders.models import SentReminder


@pytest.fixture
def addressed(tree):
    tree.secretary.email = "secretary@example.org"
    tree.secretary.save()
    return tree.secretary


def _run(*args):
    out = io.StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def test_the_command_sends_the_days_digests_and_counts_them(tree, sheet, addressed):
    day = (sheet.deadline - datetime.timedelta(days=3)).isoformat()
    output = _run("--date", day)
    assert f"{day} 的提醒：1 封汇总邮件，共 2 条提醒。" in output
    assert "5 个没有电子邮件地址" in output
    assert len(mail.outbox) == 1
    assert "1 个没有新的提醒" in _run("--date", day)
    assert len(mail.outbox) == 1


def test_a_dry_run_prints_the_digests_and_sends_nothing(tree, sheet, addressed):
    day = (sheet.deadline - datetime.timedelta(days=3)).isoformat()
    output = _run("--dry-run", "--date", day)
    assert "To: secretary@example.org" in output
    assert "还剩 3 天" in output
    assert "试运行：未发送也未记录任何提醒。" in output
    assert mail.outbox == []
    assert not SentReminder.objects.exists()


@pytest.mark.parametrize("bad", ["2026-13-01", "tomorrow", "", "２０２６-１２-０１", "1e309"])
def test_a_bad_date_is_refused_in_chinese(db, bad):
    with pytest.raises(CommandError, match="--date 需要 YYYY-MM-DD 格式的日期"):
        _run("--date", bad)
    assert mail.outbox == []


def test_without_a_date_it_runs_for_today(tree, sheet, addressed):
    output = _run()
    assert "的提醒：0 封汇总邮件" in output  # the deadline is 30 days away
