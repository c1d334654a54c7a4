"""The five-star audit queue lists plain rows (`reviews.audit_queue_rows`), not five
model instances a row: the same reviews in the same order, with the same figures and
names as the model queue, and the page shows them (docs/nonfunctional.md §7)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from scoring.models import AuditStatus, Review
from scoring.services import reviews
from tests import factories
from tests.factories import ready_branch


def test_the_rows_are_the_queue_in_its_order(client, campaign, tree):
    for i in range(4):
        branch = factories.branch(tree.party_committee, name=f"<b>支部{i}</b>")
        ready_branch(campaign, branch, review_total=99 - i, audit=AuditStatus.PENDING)
    ready_branch(campaign, tree.direct, review_total=98, audit=AuditStatus.PENDING)
    ready_branch(campaign, tree.branch_a, review_total=99, audit=AuditStatus.AGREED)
    # Submitted in an order that is not the creation order.
    start = timezone.make_aware(datetime.datetime(factories.YEAR, 6, 1, 9))
    for n, review in enumerate(Review.objects.filter(audit_status=AuditStatus.PENDING)):
        review.submitted_at = start + datetime.timedelta(hours=(n * 7) % 5)
        review.save(update_fields=["submitted_at"])
    queue = list(reviews.audit_queue())
    rows = list(reviews.audit_queue_rows())
    assert len(rows) == len(queue) == 5
    assert rows == [
        {
            "pk": review.pk,
            "total": review.total,
            "submitted_at": review.submitted_at,
            "campaign_title": review.assessment.campaign.title,
            "branch_name": review.assessment.branch.name,
            "parent_name": review.assessment.branch.parent.name,
        }
        for review in queue
    ]
    client.force_login(tree.staff)
    html = client.get(reverse("scoring:audit_queue")).content.decode()
    assert "&lt;b&gt;支部0&lt;/b&gt;" in html and "<b>支部" not in html
    places = [html.index(reverse("scoring:audit", args=[row["pk"]])) for row in rows]
    assert places == sorted(places)
    assert html.count(tree.party_committee.name) >= 4 * 2  # each row and its narrow line
