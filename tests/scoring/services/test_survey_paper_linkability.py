"""Paper ballots leave nothing that re-links them (docs/survey.md A15), on PostgreSQL.

The xmin tests of `test_survey_linkability` extended to the tellers' entries: the two
requests that enter a paper ballot write no row, in any table, next to the ballot's (no
session, no audit or history row, no cache row), the waiting entry is gone once the
ballot counts, and no table holds the code; under concurrency a slip still votes once,
whether by phone or on paper.
"""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from branches.models import Role
from scoring.models import Ballot, PaperEntry, Slip
from scoring.services import survey as service
from tests import factories
from tests.factories import all_grades, member_codes, public_codes
from tests.scoring.services.test_survey_linkability import (
    NEAR,
    XIDS,
    _assert_kept_nowhere,
    _ballot_xmins,
    _next_xid,
    _spend_xids,
    _tables,
    _xmins,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


def _post(criteria, code, grade="E"):
    return {
        "code": service.format_code(code),
        "verdict": "satisfied",
        **{f"criterion_{c.pk}": grade for c in criteria},
    }


def _teller(user):
    client = Client()
    client.force_login(user)
    return client


def test_nothing_is_written_next_to_a_paper_ballot(tree, assessment, criteria):
    issued = service.open_survey(assessment=assessment, actor=tree.secretary, public_slips=2)
    url = reverse("scoring:survey_paper", args=[assessment.pk])
    codes = member_codes(issued)[:2] + public_codes(issued)[:1]
    first, second = _teller(tree.secretary), _teller(tree.staff)
    _spend_xids(2 * NEAR + 2)

    windows = []
    for index, code in enumerate(codes):
        before = set(_ballot_xmins())
        start = _next_xid()
        assert first.get(url).status_code == 200
        assert first.post(url, _post(criteria, code)).context["outcome"] == "first"
        if index == 1:  # one ballot goes through a mismatch and is entered afresh
            assert second.post(url, _post(criteria, code, "P")).context["outcome"] == "differed"
            assert second.post(url, _post(criteria, code)).context["outcome"] == "again"
            response = first.post(url, _post(criteria, code))
        else:
            response = second.post(url, _post(criteria, code))
        assert response.context["outcome"] == "counted"
        end = _next_xid() - 1
        (ballot_id,) = set(_ballot_xmins()) - before
        windows.append((start, end, ballot_id))

    assert not PaperEntry.objects.exists()
    xmins = _ballot_xmins()
    assert len(xmins) == len(codes)
    assert Ballot.objects.filter(channel="paper").count() == len(codes)
    tables = {table for _schema, table in _tables()}
    assert {"django_session", "starrating_cache", "scoring_historicalsurvey"} <= tables
    neighbours = []
    for start, end, ballot_id in windows:
        ballot = start + (xmins[ballot_id] - start) % XIDS
        low, high = min(start, ballot - NEAR), max(end, ballot + NEAR)
        for table, xmin in _xmins():
            if table == Ballot._meta.db_table:
                continue
            if (xmin - low) % XIDS <= high - low:
                neighbours.append((table, xmin - ballot % XIDS))
    assert neighbours == [], "rows written next to a paper ballot (table, xmin − ballot's xmin)"


def test_a_paper_code_is_kept_nowhere_on_the_server(tree, issued, assessment, criteria):
    url = reverse("scoring:survey_paper", args=[assessment.pk])
    code = member_codes(issued)[0]
    _teller(tree.secretary).post(url, _post(criteria, code))
    assert PaperEntry.objects.count() == 1
    _assert_kept_nowhere(code)
    _teller(tree.staff).post(url, _post(criteria, code))
    assert Ballot.objects.count() == 1
    _assert_kept_nowhere(code)


def test_phones_and_second_paper_entries_racing_for_one_slip_store_one_ballot(
    tree, assessment, criteria
):
    issued = service.open_survey(assessment=assessment, actor=tree.secretary, public_slips=0)
    code = member_codes(issued)[0]
    grades = all_grades(criteria)
    survey = assessment.survey
    service.enter_paper_ballot(
        survey=survey, actor=tree.secretary, code=code, grades=grades, verdict="satisfied"
    )
    tellers = [tree.staff] + [
        factories.user(role=Role.STAFF, organisation=tree.committee) for _ in range(3)
    ]
    barrier = threading.Barrier(8)
    outcomes, lock = [], threading.Lock()

    def run(call):
        try:
            barrier.wait()
            try:
                call()
                result = "cast"
            except service.SlipInvalid:
                result = "invalid"
            with lock:
                outcomes.append(result)
        finally:
            connection.close()

    def phone():
        service.cast_ballot(code=code, grades=grades, verdict="satisfied")

    def paper(teller):
        return lambda: service.enter_paper_ballot(
            survey=survey, actor=teller, code=code, grades=grades, verdict="satisfied"
        )

    calls = [phone] * 4 + [paper(teller) for teller in tellers]
    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["cast"] + ["invalid"] * 7
    assert Ballot.objects.count() == 1
    assert not Slip.objects.filter(code_hash=service.hash_code(code)).exists()
    assert not PaperEntry.objects.exists()
