"""Background tasks (the Tasks API, docs/reports.md §6): thin wrappers taking ids and
calling a service, run by `manage.py db_worker`."""

from django_tasks import task

from scoring.services import exports


@task()
def run_export(job_id: int) -> None:
    """Make the report of an `ExportJob` (`scoring.services.exports.run_job`)."""
    exports.run_job(job_id)
