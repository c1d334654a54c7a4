"""The reminders as a Tasks-API task, for a scheduler that enqueues it daily (the db
worker has none of its own: cron runs `manage.py send_reminders`, docs/process.md §2.5)."""

import datetime

from django_tasks import task

from . import services


@task()
def send_reminders(date: str | None = None) -> dict:
    """`services.send_reminders` for `date` (YYYY-MM-DD, default today); returns the counts."""
    day = datetime.date.fromisoformat(date) if date else None
    run = services.send_reminders(date=day)
    return {
        "date": run.date.isoformat(),
        "digests": run.digests,
        "reminders": run.reminders,
        "opted_out": run.opted_out,
        "no_address": run.no_address,
        "failed": run.failed,
    }
