"""Two runs of the reminders at the same time send each reminder once (the sent log's
unique constraint, D-2.5l), on PostgreSQL."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection

from reminders import services
from reminders.models import SentReminder

THREADS = 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once(tree, sheet):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    for user in (tree.secretary, tree.staff):
        user.email = f"{user.username}@example.org"
        user.save()
    day = sheet.deadline - datetime.timedelta(days=7)
    barrier = threading.Barrier(THREADS)
    runs, lock = [], threading.Lock()

    def run():
        try:
            barrier.wait()
            result = services.send_reminders(date=day)
            with lock:
                runs.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(runs) == THREADS
    assert sorted(m.to[0] for m in mail.outbox) == ["secretary_a@example.org", "staff@example.org"]
    sent = [(m.to[0], line) for m in mail.outbox for line in m.body.splitlines() if "http" in line]
    assert len(sent) == len(set(sent)), "a reminder went out twice"
    assert sum(r.reminders for r in runs) == SentReminder.objects.count() == 3
    # the secretary's sheet and survey, staff's unsubmitted sheets: each once
    keys = sorted(SentReminder.objects.values_list("key", flat=True))
    assert keys == sorted(
        [
            f"self-evaluation:{sheet.pk}",
            f"survey:{sheet.assessment_id}",
            f"unsubmitted:{sheet.assessment.campaign_id}",
        ]
    )
