"""The anonymous ballot pages (`scoring.views.ballot`, docs/survey.md §2.1.2)."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse

from scoring.models import Assessment
from scoring.services import survey as service
from starrating import clock
from tests import factories
from tests.factories import add_members

BALLOT = "/v/"
GUESS = {"step": "code", "code": "ABCD-EFGH-JK"}


@pytest.fixture(autouse=True)
def fresh_cache(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def issued(tree, monkeypatch):
    monkeypatch.setattr(service.slips, "render_slip_sheet", lambda *args, **kwargs: b"%PDF-")
    add_members(tree.branch_a, 3)
    assessment = Assessment.objects.create(
        campaign=factories.campaign(tree.committee), branch=tree.branch_a
    )
    return service.open_survey(assessment=assessment, actor=tree.secretary, public_slips=0)


def test_the_ballot_pages_keep_their_addresses(issued):
    assert reverse("scoring:ballot") == BALLOT
    assert reverse("scoring:ballot_thanks") == "/v/thanks/"
    assert reverse("scoring:ballot_code", args=["ABCDEFGHJK"]) == "/v/ABCDEFGHJK/"


def test_the_throttle_window_follows_the_clock(client, settings, issued):
    settings.SURVEY_THROTTLE_LIMIT = 2
    start = clock.aware(datetime.date(2026, 4, 20), 9)
    with clock.frozen(start):
        for _ in range(2):
            assert client.post(BALLOT, GUESS).status_code == 200
        assert client.post(BALLOT, GUESS).status_code == 429
    later = start + datetime.timedelta(seconds=settings.SURVEY_THROTTLE_WINDOW)
    with clock.frozen(later):
        assert client.post(BALLOT, GUESS).status_code == 200
