"""The demo's second reviews (docs/process.md §2.1.3): this year's campaign has three
branches in the sample, one compared with a large disagreement and decided by staff."""

import pytest
from django.urls import reverse

from scoring.models import Decision, SecondReview
from scoring.services import second_reviews
from tests.scoring.test_demo import built, demo  # noqa: F401 - the demo, built once

pytestmark = pytest.mark.usefixtures("demo")


class TestDemoSecondReviews:
    def test_three_branches_of_this_year_are_in_the_sample(self, demo):  # noqa: F811
        sample = SecondReview.objects.filter(assessment__campaign=demo.campaign)
        assert sample.count() == 3
        assert sample.filter(reviewer__isnull=True).count() == 1
        assert sample.filter(status="submitted").count() == 1

    def test_one_pair_disagrees_beyond_the_margin_and_is_decided(self, demo):  # noqa: F811
        figures = second_reviews.disagreement(demo.campaign)
        (pair,) = figures.branches
        assert pair.flagged == 5
        second = pair.second_review
        assert second.decision == Decision.USE_SECOND and second.decision_reason
        assert second.history.first().history_change_reason == "second_review.used"

    def test_the_pages_open_for_staff(self, client, demo):  # noqa: F811
        client.force_login(demo.users["staff"])
        for name in ("second_reviews", "second_review_disagreement"):
            url = reverse(f"scoring:{name}", args=[demo.campaign.pk])
            assert client.get(url).status_code == 200
