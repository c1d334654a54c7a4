"""A slip votes once even under concurrent submission (DESIGN §7), on PostgreSQL."""

import threading

import pytest
from django.db import connection

from scoring.models import Ballot, Slip
from scoring.services import survey as service

from .conftest import all_grades, member_codes

THREADS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_of_one_code_store_exactly_one_ballot(tree, assessment, criteria):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    issued = service.open_survey(assessment=assessment, actor=tree.secretary, public_slips=0)
    code = member_codes(issued)[0]
    grades = all_grades(criteria)
    barrier = threading.Barrier(THREADS)
    outcomes, lock = [], threading.Lock()

    def post():
        try:
            barrier.wait()
            try:
                service.cast_ballot(code=code, grades=grades, verdict="satisfied")
                result = "cast"
            except service.SlipInvalid:
                result = "invalid"
            with lock:
                outcomes.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["cast"] + ["invalid"] * (THREADS - 1)
    assert Ballot.objects.count() == 1
    assert Slip.objects.filter(survey__assessment=assessment).count() == 9
