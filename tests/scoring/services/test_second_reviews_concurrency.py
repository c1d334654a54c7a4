"""Draws at once never put a branch in the sample twice: each waits for the campaign row
the one before it locked, then draws from what is left (docs/process.md §2.1.3,
D-2.1.3l), on PostgreSQL."""

import threading

import pytest
from django.db import connection

from scoring.models import SecondReview
from scoring.services import second_reviews as services
from tests import factories

THREADS = 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_draws_never_sample_a_branch_twice(tree):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    campaign = factories.campaign(tree.committee)
    for _ in range(6):
        factories.assessment(campaign, factories.branch(tree.party_committee))
    barrier = threading.Barrier(THREADS)
    outcomes, lock = [], threading.Lock()

    def draw():
        try:
            barrier.wait()
            try:
                rows = services.draw_sample(campaign=campaign, actor=tree.staff, count=2)
                result = len(rows)
            except services.EmptySample:
                result = 0
            with lock:
                outcomes.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=draw) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == [0, 2, 2, 2]
    assert SecondReview.objects.count() == 6
    assert SecondReview.objects.values("assessment").distinct().count() == 6
