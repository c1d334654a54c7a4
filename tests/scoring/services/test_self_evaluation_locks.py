"""A sheet's save locks that sheet alone: saves of different branches' sheets in one
campaign never wait on each other, on PostgreSQL (where `select_for_update` locks)."""

import threading

import pytest
from django.db import connection, transaction

from scoring.models import SelfEvaluation
from scoring.services import self_evaluation as service


def _hold_lock(sheet, locked, release):
    """In another connection: lock `sheet` the way its services do, until `release`."""
    try:
        with transaction.atomic():
            service._lock(sheet)
            locked.set()
            release.wait(10)
    finally:
        connection.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_sheet_being_saved_does_not_hold_up_another_branchs_sheet(tree, enrolled):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    sheets = SelfEvaluation.objects.filter(assessment__campaign=enrolled)
    first = sheets.get(assessment__branch=tree.branch_a)
    second = sheets.get(assessment__branch=tree.branch_b)
    scores = {c.pk: ("8", "") for c in enrolled.criteria.all()}
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(first, locked, release))
    holder.start()
    try:
        assert locked.wait(10)
        with transaction.atomic():
            # Waiting on the first sheet's transaction would fail here instead of hanging.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            service.save_draft(sheet=second, actor=tree.secretary_b, scores=scores, self_star=3)
    finally:
        release.set()
        holder.join()
    assert second.scores.count() == len(scores)
