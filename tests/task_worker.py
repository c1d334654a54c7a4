"""The real task queue in tests: the database backend, and one batch of its worker.

The suite runs tasks at once (the immediate backend of the test settings);
a test that needs a job to wait in the queue, or a real worker to take it, overrides
``TASKS`` with `DATABASE_TASKS` and runs `run_worker_batch`.
"""

import io

from django.core.management import call_command

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def run_worker_batch() -> None:
    """Run `db_worker` until the queue is empty, as a deployed worker would take it."""
    call_command(
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        "--interval",
        "0",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
