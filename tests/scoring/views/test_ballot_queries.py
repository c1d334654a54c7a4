"""The query count of each request of a voter's ballot (docs/nonfunctional.md §7, D-7b1).

The QR link reads the throttle and the status of the code's survey; the ballot page reads
the code's survey with its rubric (one query); the cast reads them again, then writes the
slip's DELETE (which takes the survey's shared lock on PostgreSQL, no statement of its
own) and the ballot's INSERT (A8).
No request reads the session, the user or the user's roles, even for a logged-in voter;
none reads the campaign's stored quota check.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scoring.models import Ballot
from tests.factories import member_codes

BALLOT = "/v/"
# The cast's atomic block, inside each test's transaction, is a savepoint and its release.
SAVEPOINT = 2


@pytest.fixture(autouse=True)
def fresh_cache(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(params=[False, True], ids=["anonymous", "logged-in"])
def voter(request, tree):
    client = Client()
    if request.param:
        client.force_login(tree.staff)  # the staff's menu would read the roles
    return client


def _answers(criteria):
    return {
        "step": "ballot",
        "verdict": "satisfied",
        **{f"criterion_{c.pk}": "G" for c in criteria},
    }


def test_the_qr_link_reads_the_throttle_and_the_codes_survey(
    voter, issued, django_assert_num_queries
):
    with django_assert_num_queries(2):
        response = voter.get(reverse("scoring:ballot_code", args=[member_codes(issued)[0]]))
    assert response.status_code == 302


def test_the_ballot_page_reads_the_codes_survey_and_rubric_in_one_query(
    voter, issued, criteria, django_assert_num_queries
):
    voter.get(reverse("scoring:ballot_code", args=[member_codes(issued)[0]]))
    with django_assert_num_queries(1):
        response = voter.get(BALLOT)
    assert response.status_code == 200
    assert len(response.context["form"].criteria) == len(criteria)


def test_the_cast_reads_the_survey_once_then_deletes_the_slip_and_inserts_the_ballot(
    voter, issued, criteria, django_assert_num_queries
):
    voter.get(reverse("scoring:ballot_code", args=[member_codes(issued)[0]]))
    with django_assert_num_queries(1 + SAVEPOINT + 2):
        response = voter.post(BALLOT, _answers(criteria))
    assert response.status_code == 302
    assert Ballot.objects.get().grades == "G" * len(criteria)


def test_no_ballot_request_reads_the_campaigns_quota_check(voter, issued, criteria):
    with CaptureQueriesContext(connection) as queries:
        voter.get(reverse("scoring:ballot_code", args=[member_codes(issued)[0]]))
        voter.get(BALLOT)
        voter.post(BALLOT, _answers(criteria))
    assert Ballot.objects.count() == 1
    assert not any("quota_report" in query["sql"] for query in queries)
