"""Submitting a review and agreeing to five stars need a ticked box (D-2.1.3g)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from scoring.models import AuditStatus, Review, ReviewStatus
from scoring.services import reviews
from tests import factories
from tests.factories import ready_branch
from tests.html_forms import form_data


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response


# --- Submitting a review: a confirmation that works without JavaScript ---------------


def review_url(assessment):
    return reverse("scoring:review", args=[assessment.pk])


def filled(client, assessment, value="8", **changes):
    """The review form as the page renders it, every score filled in."""
    data = form_data(client.get(review_url(assessment)), "version", **changes)
    for criterion in assessment.campaign.criteria.all():
        data[f"score_{criterion.pk}"] = value
    return data


def test_submitting_without_ticking_the_box_submits_nothing(client, campaign, tree):
    assessment = ready_branch(campaign, tree.branch_a)
    client.force_login(tree.reviewer)
    response = client.post(review_url(assessment), filled(client, assessment, action="submit"))
    assert response.status_code == 200
    assert "请先勾选确认，再提交考评。" in response.content.decode()
    assert not Review.objects.filter(status=ReviewStatus.SUBMITTED).exists()


def test_submitting_with_the_box_ticked_submits(client, campaign, tree):
    assessment = ready_branch(campaign, tree.branch_a)
    client.force_login(tree.reviewer)
    data = filled(client, assessment, action="submit", confirm="on")
    assert client.post(review_url(assessment), data).status_code == 302
    assert Review.objects.get(assessment=assessment).status == ReviewStatus.SUBMITTED


def test_saving_a_draft_needs_no_tick(client, campaign, tree):
    assessment = ready_branch(campaign, tree.branch_a)
    client.force_login(tree.reviewer)
    response = client.post(review_url(assessment), filled(client, assessment, action="save"))
    assert response.status_code == 302
    assert Review.objects.get(assessment=assessment).total == Decimal("80.00")


def test_the_review_page_names_the_proposed_star_in_words(client, campaign, tree):
    assessment = ready_branch(campaign, tree.branch_a)
    reviews.save_review_draft(
        assessment=assessment,
        actor=tree.reviewer,
        scores={c.pk: "8" for c in campaign.criteria.all()},
    )
    response = page(client, tree.reviewer, review_url(assessment))
    proposed = response.content.decode().split('id="proposed-star"', 1)[1].split("</dd>", 1)[0]
    assert "四星级" in proposed and "★★★★" in proposed  # 90 × 0.2 + 90 × 0.3 + 80 × 0.5 = 85


# --- Agreeing to five stars: the same confirmation -----------------------------------


@pytest.fixture
def pending(campaign, tree):
    return factories.review(ready_branch(campaign, tree.branch_a), 99, audit=AuditStatus.PENDING)


def audit(client, review, **changes):
    url = reverse("scoring:audit", args=[review.pk])
    return client.post(url, form_data(client.get(url), "version", **changes))


def test_agreeing_to_five_stars_without_ticking_the_box_changes_nothing(client, tree, pending):
    client.force_login(tree.staff)
    response = audit(client, pending, action="agree")
    assert response.status_code == 200
    assert "请先勾选确认，再同意评为五星级。" in response.content.decode()
    pending.refresh_from_db()
    assert pending.audit_status == AuditStatus.PENDING


def test_agreeing_with_the_box_ticked_agrees(client, tree, pending):
    client.force_login(tree.staff)
    assert audit(client, pending, action="agree", confirm="on").status_code == 302
    pending.refresh_from_db()
    assert pending.audit_status == AuditStatus.AGREED


def test_sending_back_needs_a_reason_but_no_tick(client, tree, pending):
    client.force_login(tree.staff)
    assert audit(client, pending, action="send_back", reason="材料不足").status_code == 302
    pending.refresh_from_db()
    assert (pending.status, pending.audit_status) == (ReviewStatus.RETURNED, AuditStatus.RETURNED)
