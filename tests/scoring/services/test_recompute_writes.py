"""Recompute writes only the ratings that changed (issue #20, item 2; D-7u).

A recompute that changes nothing writes no rating row (no dead rows with autovacuum
off); one that changes one branch rewrites that one; a branch no longer rated loses its
rating and a newly rated one gains one. On PostgreSQL the table's own counters
(`pg_stat_xact_user_tables`, this transaction's inserts, updates and deletes) say so.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from scoring.models import Rating, Review, ReviewStatus
from scoring.services import recompute
from scoring.services.recompute import recompute_campaign
from starrating import clock
from tests import factories
from tests.factories import YEAR, ready_branch

FIRST = clock.aware(datetime.date(YEAR, 6, 29), 11)
LATER = clock.aware(datetime.date(YEAR, 6, 30), 9)


def four_branches(campaign, parent):
    return [
        ready_branch(campaign, factories.branch(parent), self_total=85, review_total=80 + i)
        for i in range(4)
    ]


def stored():
    """{assessment id: (rating id, computed_at, score)}."""
    return {
        a: (pk, at, score)
        for a, pk, at, score in Rating.objects.values_list(
            "assessment_id", "pk", "computed_at", "score"
        )
    }


def rating_writes():
    """This transaction's inserts + updates + deletes on the ratings' table (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables "
            "WHERE relname = %s",
            [Rating._meta.db_table],
        )
        return cursor.fetchone()[0]


def test_a_recompute_that_changes_nothing_leaves_every_rating_as_it_was(campaign, tree):
    four_branches(campaign, tree.party_committee)
    with clock.frozen(FIRST):
        recompute_campaign(campaign=campaign, actor=tree.staff)
    before = stored()
    with clock.frozen(LATER):
        recompute_campaign(campaign=campaign, actor=tree.staff)
    assert stored() == before
    assert len(before) == 4
    campaign.refresh_from_db()
    assert campaign.recomputed_at == LATER  # the recompute itself is recorded


def test_a_change_of_one_branch_rewrites_its_rating_alone(campaign, tree):
    made = four_branches(campaign, tree.party_committee)
    with clock.frozen(FIRST):
        recompute_campaign(campaign=campaign, actor=tree.staff)
    before = stored()
    Review.objects.filter(assessment=made[0]).update(total=Decimal("70"))
    with clock.frozen(LATER):
        recompute_campaign(campaign=campaign, actor=tree.staff)
    after = stored()
    changed = {a for a in after if after[a] != before[a]}
    assert changed == {made[0].pk}
    pk, at, score = after[made[0].pk]
    assert (pk, at) == (before[made[0].pk][0], LATER) and score < before[made[0].pk][2]


def test_a_branch_no_longer_rated_loses_its_rating_and_a_new_one_gains_one(campaign, tree):
    made = four_branches(campaign, tree.party_committee)
    with clock.frozen(FIRST):
        recompute_campaign(campaign=campaign, actor=tree.staff)
    before = stored()
    Review.objects.filter(assessment=made[1]).update(status=ReviewStatus.DRAFT)
    newcomer = ready_branch(
        campaign, factories.branch(tree.party_committee), self_total=85, review_total=83.5
    )
    with clock.frozen(LATER):
        recompute_campaign(campaign=campaign, actor=tree.staff)
    after = stored()
    assert set(after) == set(before) - {made[1].pk} | {newcomer.pk}
    assert after[newcomer.pk][1] == LATER
    assert all(after[a] == before[a] for a in after if a != newcomer.pk)


def test_the_stored_rating_is_the_one_a_full_rewrite_gives(campaign, tree):
    """Writing only the changes stores exactly what deleting and rewriting all would."""
    made = four_branches(campaign, tree.party_committee)
    with clock.frozen(FIRST):
        recompute_campaign(campaign=campaign, actor=tree.staff)
    Review.objects.filter(assessment=made[2]).update(total=Decimal("95.5"))
    with clock.frozen(LATER):
        recompute_campaign(campaign=campaign, actor=tree.staff)
    columns = [c for c in recompute.RATING_COLUMNS if c != "computed_at"]
    kept = sorted(Rating.objects.values_list(*columns))
    Rating.objects.all().delete()
    with clock.frozen(LATER):
        recompute_campaign(campaign=campaign, actor=tree.staff)
    assert sorted(Rating.objects.values_list(*columns)) == kept


def test_rows_and_objects_gather_the_same_figures(campaign, tree):
    """`gather(as_rows=True)` (the recompute) and `gather()` (the pages) agree."""
    four_branches(campaign, tree.party_committee)
    factories.assessment(campaign, factories.branch(tree.party_committee))  # lacks all
    by_objects = recompute.gather(campaign)
    by_rows = recompute.gather(campaign, as_rows=True)
    assert [f.assessment for f in by_rows] == [None] * 5
    for f in by_objects:
        f.assessment = None
    assert by_rows == by_objects
    assert [recompute.to_branch_input(f) for f in by_rows] == [
        recompute.to_branch_input(f) for f in by_objects
    ]


@pytest.mark.postgres
def test_on_postgresql_an_unchanged_recompute_writes_no_rating_row(campaign, tree):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    made = four_branches(campaign, tree.party_committee)
    start = rating_writes()
    with clock.frozen(FIRST):
        recompute_campaign(campaign=campaign, actor=tree.staff)
    first = rating_writes()
    assert first - start == 4  # the first recompute inserts them
    with clock.frozen(LATER):
        recompute_campaign(campaign=campaign, actor=tree.staff)
    assert rating_writes() == first
    Review.objects.filter(assessment=made[3]).update(total=Decimal("81.5"))
    with clock.frozen(LATER):
        recompute_campaign(campaign=campaign, actor=tree.staff)
    assert rating_writes() == first + 1  # one row updated
