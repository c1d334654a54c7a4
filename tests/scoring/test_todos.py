"""The home page shows the review area's to-dos."""

from django.urls import reverse

from tests import factories
from tests.factories import ready_branch


def test_home_page_sends_a_reviewer_to_the_review_queue(client, campaign, tree):
    ready_branch(campaign, tree.branch_a)
    client.force_login(tree.reviewer)
    response = client.get(reverse("home"))
    assert reverse("scoring:review_queue").encode() in response.content


def test_home_page_sends_staff_to_pending_five_star_audits(client, campaign, tree):
    factories.review(ready_branch(campaign, tree.branch_b), 99, audit="pending")
    client.force_login(tree.staff)
    response = client.get(reverse("home"))
    assert reverse("scoring:audit_queue").encode() in response.content
