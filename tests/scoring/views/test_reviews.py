"""Review, audit and results pages: the permission matrix, flows and query counts."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches.models import OrgKind, Role
from scoring.models import AuditStatus, Rating, Review, ReviewScore, ReviewStatus
from scoring.services.recompute import recompute_campaign
from tests import factories
from tests.factories import ready_branch

ROLES = [
    "anonymous",
    "secretary",
    "other_secretary",
    "reviewer_above",
    "reviewer_elsewhere",
    "staff",
    "approver",
    "rereviewer",
    "nobody",
]


def user_for(tree, role):
    if role == "anonymous":
        return None
    if role == "reviewer_elsewhere":
        other = factories.org(OrgKind.PARTY_COMMITTEE, parent=tree.committee)
        return factories.user(role=Role.REVIEWER, organisation=other)
    return {
        "secretary": tree.secretary,
        "other_secretary": tree.secretary_b,
        "reviewer_above": tree.reviewer,
        "staff": tree.staff,
        "approver": tree.approver,
        "rereviewer": tree.rereviewer,
        "nobody": tree.nobody,
    }[role]


@pytest.fixture
def world(campaign, tree):
    """branch_a ready and reviewed with a five-star proposal awaiting audit; rated once."""
    assessment = ready_branch(campaign, tree.branch_a)
    review = factories.review(assessment, 99, reviewer=tree.reviewer, audit=AuditStatus.AGREED)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    Review.objects.filter(pk=review.pk).update(audit_status=AuditStatus.PENDING)
    return {"campaign": campaign, "assessment": assessment, "review": review}


def url_of(view, world):
    a, r, c = world["assessment"], world["review"], world["campaign"]
    return {
        "review_queue": reverse("scoring:review_queue"),
        "review": reverse("scoring:review", args=[a.pk]),
        "rating": reverse("scoring:rating", args=[a.pk]),
        "audit_queue": reverse("scoring:audit_queue"),
        "audit": reverse("scoring:audit", args=[r.pk]),
        "campaign_results": reverse("scoring:campaign_results", args=[c.pk]),
        "recompute": reverse("scoring:recompute", args=[c.pk]),
        "review_return": reverse("scoring:review_return", args=[a.pk]),
    }[view]


# Expected status per role, in the order of ROLES (302 for anonymous: the login page).
MATRIX = {
    # view: (method, anonymous, secretary, other sec., reviewer above, reviewer elsewhere,
    #        staff, approver, rereviewer, nobody)
    "review_queue": ("get", 302, 403, 403, 200, 200, 200, 403, 403, 403),
    "review": ("get", 302, 403, 403, 200, 404, 403, 403, 403, 403),
    "rating": ("get", 302, 200, 404, 200, 404, 200, 200, 200, 404),
    "audit_queue": ("get", 302, 403, 403, 403, 403, 200, 403, 403, 403),
    "audit": ("get", 302, 403, 403, 403, 403, 200, 403, 403, 403),
    "campaign_results": ("get", 302, 403, 403, 403, 403, 200, 200, 200, 403),
    "recompute": ("post", 302, 403, 403, 403, 403, 302, 403, 403, 403),
    "review_return": ("post", 302, 403, 403, 403, 403, 302, 403, 403, 403),
}
CASES = [
    (view, role, row[0], row[1 + i]) for view, row in MATRIX.items() for i, role in enumerate(ROLES)
]


@pytest.mark.parametrize(("view", "role", "method", "expected"), CASES)
def test_permission_matrix(client, tree, world, view, role, method, expected):
    user = user_for(tree, role)
    if user is not None:
        client.force_login(user)
    data = {}
    if view == "review_return":
        data = {"reason": "理由", "version": str(world["review"].version)}
    response = getattr(client, method)(url_of(view, world), data)
    assert response.status_code == expected
    if role == "anonymous":
        assert reverse("login") in response["Location"]


def test_reviewer_who_must_recuse_gets_403_and_staff_may_review(client, campaign, tree):
    assessment = ready_branch(campaign, tree.branch_a)
    factories.member(tree.branch_a, user=tree.reviewer)
    client.force_login(tree.reviewer)
    assert client.get(reverse("scoring:review", args=[assessment.pk])).status_code == 403
    client.force_login(tree.staff)
    assert client.get(reverse("scoring:review", args=[assessment.pk])).status_code == 200


def post_scores(client, assessment, value, action="submit", **extra):
    """The review form as a browser posts it, from a page loaded just now."""
    review = Review.objects.filter(assessment=assessment).first()
    data = {"action": action, "version": str(review.version if review else 0)}
    if action == "submit":
        data["confirm"] = "on"  # the box that confirms the submission
    for criterion in assessment.campaign.criteria.all():
        data[f"score_{criterion.pk}"] = value
        data[f"remark_{criterion.pk}"] = "备注"
    data.update(extra)
    return client.post(reverse("scoring:review", args=[assessment.pk]), data)


def test_reviewer_submits_a_review_through_the_page(client, campaign, tree):
    assessment = ready_branch(campaign, tree.branch_a)
    client.force_login(tree.reviewer)
    response = post_scores(client, assessment, "8.5")
    assert response.status_code == 302
    review = Review.objects.get(assessment=assessment)
    assert review.status == ReviewStatus.SUBMITTED
    assert review.total == Decimal("85.00")


@pytest.mark.parametrize("bad", ["11", "-1", "abc"])
def test_bad_score_rerenders_with_errors_and_saves_nothing(client, campaign, tree, bad):
    assessment = ready_branch(campaign, tree.branch_a)
    client.force_login(tree.reviewer)
    first = campaign.criteria.first()
    response = post_scores(client, assessment, "8", **{f"score_{first.pk}": bad})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ReviewScore.objects.exists()


def test_missing_criterion_on_submit_rerenders(client, campaign, tree):
    assessment = ready_branch(campaign, tree.branch_a)
    client.force_login(tree.reviewer)
    first = campaign.criteria.first()
    response = post_scores(client, assessment, "8", **{f"score_{first.pk}": ""})
    assert response.status_code == 200
    assert f"score_{first.pk}" in response.context["form"].errors
    assert not Review.objects.filter(status=ReviewStatus.SUBMITTED).exists()


def test_review_page_shows_the_engine_proposal_before_quotas(client, campaign, tree):
    assessment = ready_branch(campaign, tree.branch_a)
    client.force_login(tree.reviewer)
    post_scores(client, assessment, "8", action="save")
    response = client.get(reverse("scoring:review", args=[assessment.pk]))
    proposal = response.context["proposal"].result
    assert proposal.base == Decimal("85.00")
    assert response.context["trace"]


def test_audit_page_send_back_requires_a_reason(client, world, tree):
    client.force_login(tree.staff)
    url = reverse("scoring:audit", args=[world["review"].pk])
    response = client.post(url, {"action": "send_back", "reason": "", "version": "0"})
    assert response.status_code == 200
    assert response.context["form"].errors
    world["review"].refresh_from_db()
    assert world["review"].audit_status == AuditStatus.PENDING
    response = client.post(url, {"action": "send_back", "reason": "材料不足", "version": "0"})
    assert response.status_code == 302
    world["review"].refresh_from_db()
    assert world["review"].status == ReviewStatus.RETURNED


def test_audit_page_agree(client, world, tree):
    client.force_login(tree.staff)
    url = reverse("scoring:audit", args=[world["review"].pk])
    client.post(url, {"action": "agree", "confirm": "on", "version": str(world["review"].version)})
    world["review"].refresh_from_db()
    assert world["review"].audit_status == AuditStatus.AGREED


def test_recompute_button_writes_ratings(client, campaign, tree):
    ready_branch(campaign, tree.branch_a, review_total=80)
    client.force_login(tree.staff)
    response = client.post(reverse("scoring:recompute", args=[campaign.pk]))
    assert response.status_code == 302
    assert Rating.objects.count() == 1


def results_queries(client, campaign, parent, staff, n):
    for _ in range(n):
        ready_branch(campaign, factories.branch(parent), review_total=85)
    recompute_campaign(campaign=campaign, actor=staff)
    client.force_login(staff)
    url = reverse("scoring:campaign_results", args=[campaign.pk])
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_results_page_query_count_is_pinned(client, campaign, tree, django_assert_max_num_queries):
    small, _ = results_queries(client, campaign, tree.party_committee, tree.staff, 10)
    large, response = results_queries(client, campaign, tree.party_committee, tree.staff, 30)
    assert large == small
    assert len(response.context["ranked"]) == 40
    with django_assert_max_num_queries(30):
        client.get(reverse("scoring:campaign_results", args=[campaign.pk]))


def test_results_page_lists_missing_branches(client, campaign, tree):
    ready_branch(campaign, tree.branch_a)  # no review yet
    client.force_login(tree.approver)
    response = client.get(reverse("scoring:campaign_results", args=[campaign.pk]))
    assert len(response.context["progress"].missing) == 1


def test_results_page_paginates_by_50(client, campaign, tree):
    for _ in range(51):
        ready_branch(campaign, factories.branch(tree.party_committee), review_total=85)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    client.force_login(tree.staff)
    url = reverse("scoring:campaign_results", args=[campaign.pk])
    assert len(client.get(url).context["ranked"]) == 50
    second = client.get(url, {"page": 2}).context["ranked"]
    assert [rank for rank, _ in second] == [51]


def test_review_queue_leaves_out_a_branch_the_reviewer_must_recuse_from(client, campaign, tree):
    a = ready_branch(campaign, tree.branch_a)
    b = ready_branch(campaign, tree.branch_b)
    factories.member(tree.branch_a, user=tree.reviewer)
    client.force_login(tree.reviewer)
    rows = client.get(reverse("scoring:review_queue")).context["rows"]
    assert [assessment for assessment, _ in rows] == [b]
    client.force_login(tree.staff)
    rows = client.get(reverse("scoring:review_queue")).context["rows"]
    assert {assessment for assessment, _ in rows} == {a}


def test_staff_queue_holds_directly_managed_branches(client, campaign, tree):
    direct = ready_branch(campaign, tree.direct)
    ready_branch(campaign, tree.branch_a)
    client.force_login(tree.staff)
    rows = client.get(reverse("scoring:review_queue")).context["rows"]
    assert [assessment for assessment, _ in rows] == [direct]


def test_review_queue_query_count_does_not_grow(client, campaign, tree):
    def count():
        client.force_login(tree.reviewer)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("scoring:review_queue"))
        return len(ctx.captured_queries), len(response.context["rows"])

    for _ in range(3):
        ready_branch(campaign, factories.branch(tree.party_committee))
    small = count()
    for _ in range(12):
        ready_branch(campaign, factories.branch(tree.party_committee))
    large = count()
    assert (small[1], large[1]) == (3, 15)
    assert large[0] == small[0]


def test_rating_page_of_an_unrated_branch_says_what_rating_needs(client, tree, ready):
    client.force_login(tree.staff)
    response = client.get(reverse("scoring:rating", args=[ready.pk]))
    assert response.status_code == 200
    assert response.context["rating"] is None
    assert 'id="not-rated"' in response.content.decode()
