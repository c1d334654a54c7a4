"""Bad page numbers on the paged lists (the results page's `page`, `moves` and `missing`,
the review and audit queues' `page`): never a 500, the page shown is a real one, and
nothing is written (these pages only read)."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.models import AuditStatus, Rating
from scoring.services.recompute import recompute_campaign
from tests import factories
from tests.factories import ready_branch

BAD = st.one_of(
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "NaN",
            "1e309",
            "２",  # full-width digit
            "\u202e2",  # right-to-left override
            "1\x00",
            "\x07",
            "<script>alert(1)</script>",
            '=HYPERLINK("http://x")',
            "last",
            "9" * 400,
            "x" * 5000,
        ]
    ),
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)


@pytest.fixture
def rated(campaign, tree):
    for i in range(3):
        ready_branch(campaign, factories.branch(tree.party_committee), review_total=99 - i)
    ready_branch(campaign, factories.branch(tree.party_committee), audit=AuditStatus.PENDING)
    factories.assessment(campaign, factories.branch(tree.party_committee))
    recompute_campaign(campaign=campaign, actor=tree.staff)
    return campaign


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(page=BAD, moves=BAD, missing=BAD)
def test_the_results_page_takes_any_page_numbers(client, tree, rated, page, moves, missing):
    client.force_login(tree.staff)
    before = list(Rating.objects.values_list("pk", "star", "score"))
    url = reverse("scoring:campaign_results", args=[rated.pk])
    response = client.get(url, {"page": page, "moves": moves, "missing": missing})
    assert response.status_code == 200
    assert response.context["page"].number >= 1
    assert response.context["progress"].missing.number >= 1
    assert list(Rating.objects.values_list("pk", "star", "score")) == before
    assert "<script>alert(1)</script>" not in response.content.decode()


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(page=BAD)
def test_the_queues_take_any_page_number(client, tree, rated, page):
    client.force_login(tree.staff)
    for name in ("scoring:review_queue", "scoring:audit_queue"):
        response = client.get(reverse(name), {"page": page})
        assert response.status_code == 200, name
        assert "<script>alert(1)</script>" not in response.content.decode()
    client.force_login(tree.reviewer)
    assert client.get(reverse("scoring:review_queue"), {"page": page}).status_code == 200
