"""The results page once a campaign is published: no recompute button, and why
(docs/process.md §2.5, D-2.5c); a recompute posted anyway is refused with the reason."""

import pytest
from django.urls import reverse

from scoring.services import publicity
from starrating import clock
from tests.factories import DURING, MEETING
from tests.factories import file_objection as _file

BUTTON = 'action="/campaigns/%d/recompute/"'


def _page(client, user, campaign, when):
    client.force_login(user)
    with clock.frozen(when):
        return client.get(reverse("scoring:campaign_results", args=[campaign.pk])).content.decode()


def test_declaring_staff_see_the_button(client, tree, rated):
    page = _page(client, tree.staff, rated, clock.today())
    assert BUTTON % rated.pk in page
    assert 'id="recompute-refused"' not in page


def test_in_publicity_staff_see_why_there_is_no_button(client, tree, published):
    page = _page(client, tree.staff, published, DURING)
    assert BUTTON % published.pk not in page
    assert "只有在异议成立后才能重新计算" in page


def test_after_an_upheld_objection_the_button_is_back(client, tree, published):
    objection = _file(published, tree.branch_b)
    with clock.frozen(DURING):
        publicity.uphold_objection(objection=objection, actor=tree.staff, reason="属实")
    page = _page(client, tree.staff, published, DURING)
    assert BUTTON % published.pk in page


def test_once_approved_the_page_says_the_results_are_frozen(client, tree, approved):
    page = _page(client, tree.staff, approved.campaign, MEETING)
    assert BUTTON % approved.campaign_id not in page
    assert "评定结果已批准并冻结" in page


@pytest.mark.parametrize("role", ["approver", "rereviewer"])
def test_other_committee_roles_see_no_refusal_line(client, tree, published, role):
    page = _page(client, tree.users_by_role()[role], published, DURING)
    assert 'id="recompute-refused"' not in page and BUTTON % published.pk not in page


def test_a_recompute_posted_in_publicity_is_refused_with_the_reason(client, tree, published):
    before = published.recomputed_at
    client.force_login(tree.staff)
    with clock.frozen(DURING):
        response = client.post(reverse("scoring:recompute", args=[published.pk]), follow=True)
    assert "只有在异议成立后才能重新计算" in response.content.decode()
    published.refresh_from_db()
    assert published.recomputed_at == before
