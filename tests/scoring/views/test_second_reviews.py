"""The second-review pages (docs/process.md §2.1.3): every role on every page, the flows
from the draw to the decision, blindness both ways, and the list pages' query counts."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from branches.models import OrgKind, Role
from scoring.models import Decision, QuotaMode, Rating, SecondReview, SecondReviewStatus
from scoring.services import recompute
from scoring.services import second_reviews as services
from tests import factories


@pytest.fixture
def world(tree):
    """Branch A (first review 80 by the parent's reviewer, remark 第一次意见) in the
    sample, assigned to the reviewer of another parent; branch B ready, not sampled."""
    parent = factories.org(OrgKind.PARTY_COMMITTEE, parent=tree.committee, name="机关党委乙")
    other = factories.user("reviewer_other", role=Role.REVIEWER, organisation=parent)
    third = factories.user("reviewer_third", role=Role.REVIEWER, organisation=parent)
    campaign = factories.campaign(tree.committee, quota_mode=QuotaMode.OFF)
    a = factories.ready_branch(campaign, tree.branch_a)
    first = factories.review(a, 80, reviewer=tree.reviewer)
    first.scores.update(remark="第一次意见")
    factories.ready_branch(campaign, tree.branch_b)
    second = SecondReview.objects.create(assessment=a, reviewer=other)
    return SimpleNamespace(campaign=campaign, a=a, second=second, other=other, third=third)


def users(tree, world):
    return {
        "secretary": tree.secretary,
        "secretary_b": tree.secretary_b,
        "reviewer": tree.reviewer,  # the parent's reviewer: A's first reviewer
        "other": world.other,  # another parent's reviewer: A's second reviewer
        "third": world.third,  # another parent's reviewer, not assigned
        "staff": tree.staff,
        "approver": tree.approver,
        "rereviewer": tree.rereviewer,
    }


def submit(world, _client=None, value="6", remark="第二次意见"):
    """The second reviewer submits, from their own browser (its flash stays there)."""
    client = Client()
    client.force_login(world.other)
    data = {"version": world.second.version, "action": "submit", "confirm": "on"}
    for c in world.campaign.criteria.all():
        data[f"score_{c.pk}"] = value
        data[f"remark_{c.pk}"] = remark
    return client.post(reverse("scoring:second_review", args=[world.second.pk]), data)


# --- Every role on every page ------------------------------------------------------------

STAFF_ONLY = {"staff": 200}
#: url name → (args of the world, {role: GET status}; a role not listed gets 403).
GETS = {
    "second_reviews": ("campaign", STAFF_ONLY),
    "second_review_disagreement": ("campaign", STAFF_ONLY),
    "second_review_assign": ("second", STAFF_ONLY),
    "second_review_decide": ("second", STAFF_ONLY),
    "second_review_queue": (None, {"reviewer": 200, "other": 200, "third": 200, "staff": 200}),
    "second_review": (
        "second",
        {
            "other": 200,
            "secretary": 404,
            "secretary_b": 404,
            "reviewer": 404,
            "third": 404,
            "approver": 404,
            "rereviewer": 404,
        },
    ),
    "second_reviews_draw": ("campaign", {}),
    "second_reviews_pick": ("campaign", {}),
    "second_review_remove": ("second", {}),
}
POST_ONLY = {"second_reviews_draw", "second_reviews_pick", "second_review_remove"}
ROLES = ["secretary", "secretary_b", "reviewer", "other", "third", "staff", "approver"]
ROLES += ["rereviewer"]


def _url(world, name):
    arg, _expected = GETS[name]
    return reverse(f"scoring:{name}", args=[getattr(world, arg).pk] if arg else [])


@pytest.mark.parametrize("name", sorted(GETS))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_it_may_see(client, tree, world, name, role):
    client.force_login(users(tree, world)[role])
    expected = 405 if name in POST_ONLY else GETS[name][1].get(role, 403)
    assert client.get(_url(world, name)).status_code == expected


@pytest.mark.parametrize("name", sorted(GETS))
def test_anonymous_is_sent_to_log_in(client, world, name):
    response = client.get(_url(world, name))
    if name in POST_ONLY:
        assert response.status_code == 405
    else:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", sorted(GETS))
@pytest.mark.parametrize("role", [r for r in ROLES if r != "staff"])
def test_a_post_by_anyone_but_staff_changes_nothing(client, tree, world, name, role):
    """Every POST of these pages by another role is refused (or is the second reviewer's
    own sheet); the sample and the decision stay as they were."""
    client.force_login(users(tree, world)[role])
    response = client.post(
        _url(world, name),
        {"count": "1", "decision": "use_second", "reason": "x", "version": "0", "action": "save"},
    )
    if name in {"second_reviews", "second_review_disagreement", "second_review_queue"}:
        assert response.status_code == 405
    elif name == "second_review":
        assert response.status_code == (302 if role == "other" else 404)
    else:
        assert response.status_code == 403
    assert SecondReview.objects.count() == 1
    assert SecondReview.objects.get().decision == Decision.UNDECIDED


# --- The flows ---------------------------------------------------------------------------


def test_staff_draw_pick_assign_and_take_out(client, tree, world):
    client.force_login(tree.staff)
    campaign = world.campaign
    response = client.post(
        reverse("scoring:second_reviews_draw", args=[campaign.pk]), {"count": "5"}
    )
    assert response.status_code == 302
    assert SecondReview.objects.count() == 2  # only B was left
    b = SecondReview.objects.get(assessment__branch=tree.branch_b)
    page = client.get(reverse("scoring:second_review_assign", args=[b.pk]))
    names = [str(u) for u in page.context["form"].fields["reviewer"].queryset]
    assert names == ["reviewer_other", "reviewer_third", "staff"]
    response = client.post(
        reverse("scoring:second_review_assign", args=[b.pk]),
        {"version": "0", "reviewer": str(tree.reviewer.pk)},
    )
    assert response.status_code == 200  # B's own parent's reviewer is not a choice
    assert "reviewer" in response.context["form"].errors
    client.post(
        reverse("scoring:second_review_assign", args=[b.pk]),
        {"version": "0", "reviewer": str(world.third.pk)},
    )
    b.refresh_from_db()
    assert b.reviewer == world.third
    client.post(reverse("scoring:second_review_remove", args=[b.pk]))
    assert not SecondReview.objects.filter(pk=b.pk).exists()
    client.post(
        reverse("scoring:second_reviews_pick", args=[campaign.pk]),
        {"assessments": [str(campaign.assessments.get(branch=tree.branch_b).pk)]},
    )
    assert SecondReview.objects.get(assessment__branch=tree.branch_b).drawn is False


def test_the_second_reviewer_submits_and_staff_decide_with_a_reason(client, tree, world):
    assert submit(world, client).status_code == 302
    world.second.refresh_from_db()
    assert world.second.status == SecondReviewStatus.SUBMITTED
    assert world.second.total == Decimal("60.00")
    client.force_login(tree.staff)
    url = reverse("scoring:second_review_decide", args=[world.second.pk])
    refused = client.post(url, {"version": "2", "decision": "use_second", "reason": " "})
    assert refused.status_code == 200
    assert "请填写决定理由" in refused.content.decode()
    world.second.refresh_from_db()
    assert world.second.decision == Decision.UNDECIDED
    version = world.second.version
    response = client.post(
        url, {"version": str(version), "decision": "use_second", "reason": "首次考评偏高"}
    )
    assert response.status_code == 302
    recompute.recompute_campaign(campaign=world.campaign, actor=tree.staff)
    assert Rating.objects.get(assessment=world.a).review_component == Decimal("60.00")


def test_the_branch_page_shows_the_decision_to_those_who_see_the_branch(client, tree, world):
    submit(world, client)
    world.second.refresh_from_db()
    services.decide(second=world.second, actor=tree.staff, use_second=True, reason="首次考评偏高")
    for person in (tree.secretary, tree.reviewer, tree.staff, tree.approver):
        client.force_login(person)
        page = client.get(reverse("scoring:assessment", args=[world.a.pk])).content.decode()
        assert "首次考评偏高" in page and "采用复核考评" in page
        if person != tree.staff:  # staff's audit trail lists the second review's scores
            assert "第二次意见" not in page


def test_the_branch_page_says_nothing_of_an_undecided_second_review_but_to_staff(
    client, tree, world
):
    submit(world, client)
    client.force_login(tree.reviewer)
    page = client.get(reverse("scoring:assessment", args=[world.a.pk])).content.decode()
    assert "复核考评" not in page
    client.force_login(tree.staff)
    page = client.get(reverse("scoring:assessment", args=[world.a.pk])).content.decode()
    assert "在复核考评抽样中" in page


def test_the_second_review_page_never_shows_the_first_review(client, tree, world):
    client.force_login(world.other)
    page = client.get(reverse("scoring:second_review", args=[world.second.pk])).content.decode()
    assert "第一次意见" not in page
    assert "80.00" not in page  # the first review's total


def test_the_first_reviewer_never_sees_the_second_review(client, tree, world):
    submit(world, client, value="3")
    client.force_login(tree.reviewer)
    for name in ("review", "assessment"):
        page = client.get(reverse(f"scoring:{name}", args=[world.a.pk])).content.decode()
        assert "第二次意见" not in page and "30.00" not in page
    assert client.get(reverse("scoring:second_review", args=[world.second.pk])).status_code == 404


def test_the_disagreement_page_flags_and_escapes(client, tree, world):
    submit(world, client, value="3", remark="<script>alert(1)</script>")
    client.force_login(tree.staff)
    page = client.get(reverse("scoring:second_review_disagreement", args=[world.campaign.pk]))
    html = page.content.decode()
    assert html.count('data-flagged="1"') == 10  # 8 → 3 on every criterion, margin 2
    assert "超出阈值" in html
    decide = client.get(reverse("scoring:second_review_decide", args=[world.second.pk]))
    html = decide.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    wide = client.get(
        reverse("scoring:second_review_disagreement", args=[world.campaign.pk]), {"margin": "60"}
    )
    assert wide.content.decode().count('data-flagged="1"') == 0


def test_a_decision_after_publicity_begins_is_refused_on_the_page(client, tree, world):
    submit(world, client)
    world.campaign.status = "publicity"
    world.campaign.save(update_fields=["status"])
    world.second.refresh_from_db()
    client.force_login(tree.staff)
    response = client.post(
        reverse("scoring:second_review_decide", args=[world.second.pk]),
        {"version": str(world.second.version), "decision": "use_second", "reason": "太晚"},
    )
    assert response.status_code == 200
    assert "公示" in response.content.decode()
    world.second.refresh_from_db()
    assert world.second.decision == Decision.UNDECIDED


# --- Query counts of the list pages ------------------------------------------------------


def _grow(tree, world, count):
    for _ in range(count):
        branch = factories.branch(tree.party_committee)
        made = factories.ready_branch(world.campaign, branch)
        factories.review(made, 70, reviewer=tree.reviewer)
        second = SecondReview.objects.create(assessment=made, reviewer=world.other)
        services.submit_second_review(
            second=second,
            actor=world.other,
            scores={c.pk: Decimal(6) for c in world.campaign.criteria.all()},
        )


@pytest.mark.parametrize(
    "name, who", [("second_reviews", "staff"), ("second_review_disagreement", "staff")]
)
def test_the_staff_list_pages_cost_the_same_at_any_size(
    client, tree, world, django_assert_max_num_queries, name, who
):
    client.force_login(tree.staff)
    url = reverse(f"scoring:{name}", args=[world.campaign.pk])
    _grow(tree, world, 2)
    with django_assert_max_num_queries(30) as small:
        assert client.get(url).status_code == 200
    _grow(tree, world, 8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_second_reviewers_queue_costs_the_same_at_any_size(
    client, tree, world, django_assert_max_num_queries
):
    client.force_login(world.other)
    url = reverse("scoring:second_review_queue")
    _grow(tree, world, 2)
    with django_assert_max_num_queries(20) as small:
        assert client.get(url).status_code == 200
    _grow(tree, world, 8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_home_page_tells_the_second_reviewer_what_is_assigned(client, tree, world):
    client.force_login(world.other)
    page = client.get(reverse("home")).content.decode()
    assert "指派给您的复核考评" in page
    assert reverse("scoring:second_review_queue") in page
    submit(world)
    assert "指派给您的复核考评" not in client.get(reverse("home")).content.decode()
