"""Review scores and remarks follow the product's input rules (docs/nonfunctional.md
§7): numbers only in ASCII digits, remarks at most 2,000 characters without invisible controls."""

import pytest
from django.urls import reverse

from scoring.models import Review, ReviewScore
from scoring.services import reviews
from tests.factories import ready_branch


def _post(client, assessment, value, remark="备注", action="save"):
    data = {"action": action, "version": 0}
    for criterion in assessment.campaign.criteria.all():
        data[f"score_{criterion.pk}"] = value
        data[f"remark_{criterion.pk}"] = remark
    return client.post(reverse("scoring:review", args=[assessment.pk]), data)


@pytest.mark.parametrize("value", ["８", "٣", "1_0", "5e0"])
def test_review_scores_in_other_digits_save_nothing(client, campaign, tree, value):
    assessment = ready_branch(campaign, tree.branch_a)
    client.force_login(tree.reviewer)
    response = _post(client, assessment, value)
    assert response.status_code == 200
    assert "请输入数字。" in response.content.decode()
    assert not ReviewScore.objects.exists()


@pytest.mark.parametrize("value", ["８", "٣", "1_0", "5e0"])
def test_the_review_service_refuses_such_scores(campaign, tree, value):
    assessment = ready_branch(campaign, tree.branch_a)
    criterion = campaign.criteria.first()
    with pytest.raises(reviews.InvalidScores):
        reviews.save_review_draft(
            assessment=assessment, actor=tree.reviewer, scores={criterion.pk: value}
        )
    assert not ReviewScore.objects.exists()


def test_a_review_remark_over_2000_characters_saves_nothing(client, campaign, tree):
    assessment = ready_branch(campaign, tree.branch_a)
    client.force_login(tree.reviewer)
    response = _post(client, assessment, "8", remark="长" * 2001)
    assert response.status_code == 200
    assert "最多 2000 个字符" in response.content.decode()
    assert not ReviewScore.objects.exists()


def test_review_remarks_lose_bidi_overrides_and_control_characters(client, campaign, tree):
    assessment = ready_branch(campaign, tree.branch_a)
    client.force_login(tree.reviewer)
    response = _post(client, assessment, "8", remark="材料\u202e齐全\x00\x1b\u2067\n属实\x85")
    assert response.status_code == 302
    assert set(ReviewScore.objects.values_list("remark", flat=True)) == {"材料齐全\n属实"}


def test_an_audit_reason_of_a_megabyte_sends_nothing_back(client, campaign, tree):
    assessment = ready_branch(campaign, tree.branch_a, review_total=95, audit="pending")
    review = Review.objects.get(assessment=assessment)
    client.force_login(tree.staff)
    response = client.post(
        reverse("scoring:audit", args=[review.pk]),
        {"action": "send_back", "reason": "长" * (1024 * 1024)},
    )
    assert response.status_code == 200
    review.refresh_from_db()
    assert (review.audit_status, review.audit_reason) == ("pending", "")
