"""A slip votes once even under concurrent submission (docs/nonfunctional.md §7), on PostgreSQL."""

import threading

import pytest
from django.db import connection

from scoring.models import Ballot, Slip
from scoring.services import survey as service
from tests.factories import all_grades, member_codes

THREADS = 20


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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_ballot_cast_while_the_survey_closes_is_refused(tree, assessment, criteria, monkeypatch):
    # Closing rewrites the ballots in random order (docs/survey.md §2.1.2); a ballot committed
    # beside that rewrite would keep its own xmin and place, and land in a closed survey.
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    issued = service.open_survey(assessment=assessment, actor=tree.secretary, public_slips=1)
    codes = member_codes(issued)
    grades = all_grades(criteria)
    for code in codes[:8]:
        service.cast_ballot(code=code, grades=grades, verdict="satisfied")
    closing, finish = threading.Event(), threading.Event()
    rewrite = service.life._rewrite_ballots

    def slow_rewrite(survey):
        rewrite(survey)
        closing.set()
        finish.wait(10)

    monkeypatch.setattr(service.life, "_rewrite_ballots", slow_rewrite)
    outcome = []

    def close():
        try:
            service.close_survey(survey=assessment.survey, actor=tree.secretary)
        finally:
            connection.close()

    def cast():
        try:
            service.cast_ballot(code=codes[8], grades=grades, verdict="satisfied")
            outcome.append("cast")
        except service.SurveyClosed:
            outcome.append("closed")
        finally:
            connection.close()

    closer = threading.Thread(target=close)
    closer.start()
    assert closing.wait(10)
    voter = threading.Thread(target=cast)
    voter.start()
    voter.join(0.5)  # the cast waits for the close's lock on the survey
    finish.set()
    closer.join()
    voter.join()

    assert outcome == ["closed"]
    assert Ballot.objects.filter(survey__assessment=assessment).count() == 8
    assert Slip.objects.filter(survey__assessment=assessment).count() == 3
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT xmin::text FROM {Ballot._meta.db_table}")
        assert len(cursor.fetchall()) == 1
