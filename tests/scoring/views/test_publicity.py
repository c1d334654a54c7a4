"""The pages of publicity, objections, approval and re-review, for every role."""

import datetime

import pytest
from django.urls import reverse

from scoring.models import Approval, CampaignStatus, ObjectionState, ReviewStatus
from scoring.services import publicity
from starrating import clock
from tests import factories
from tests.factories import AFTER, DURING, MEETING, PUBLISHED
from tests.factories import assessment_of as _assessment
from tests.factories import file_objection as _file

ROLES = ("secretary", "reviewer", "staff", "approver", "rereviewer", "nobody")


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def _allowed(tree, url, client, allowed):
    for role, user in tree.users_by_role().items():
        status = _get(client, user, url).status_code
        assert (status == 200) == (role in allowed), (role, url, status)


def test_the_publish_page_is_staffs_and_lists_what_blocks_it(client, tree, rated):
    url = reverse("scoring:campaign_publish", args=[rated.pk])
    _allowed(tree, url, client, {"staff"})
    review = _assessment(rated, tree.branch_b).review
    review.status = ReviewStatus.DRAFT
    review.save()
    page = _get(client, tree.staff, url).content.decode()
    assert f"{tree.branch_b.name}尚未完成" in page


def test_staff_publish_through_the_page_with_the_box_ticked(client, tree, rated):
    client.force_login(tree.staff)
    url = reverse("scoring:campaign_publish", args=[rated.pk])
    client.post(url, {"contact_line": "组织部 电话1234"})
    rated.refresh_from_db()
    assert rated.status == CampaignStatus.DECLARING  # not ticked: nothing published
    with clock.frozen(PUBLISHED):
        response = client.post(url, {"contact_line": "组织部 电话1234", "confirm": "on"})
    assert response.status_code == 302
    rated.refresh_from_db()
    assert (rated.status, rated.contact_line) == (CampaignStatus.PUBLICITY, "组织部 电话1234")


def test_the_objection_pages_are_staffs_and_show_the_filer(client, tree, published):
    objection = _file(published, tree.branch_a, name="<b>张三</b>", phone="13900000000")
    for url in (
        reverse("scoring:objections", args=[published.pk]),
        reverse("scoring:objection", args=[objection.pk]),
    ):
        with clock.frozen(DURING):
            _allowed(tree, url, client, {"staff"})
    with clock.frozen(DURING):
        page = _get(client, tree.staff, url).content.decode()
    assert "&lt;b&gt;张三&lt;/b&gt;" in page and "13900000000" in page


def test_staff_dismiss_and_uphold_through_the_page(client, tree, published):
    first, second = _file(published, tree.branch_a), _file(published, tree.branch_b)
    client.force_login(tree.staff)
    with clock.frozen(DURING):
        client.post(
            reverse("scoring:objection", args=[first.pk]),
            {"outcome": "dismiss", "reason": "不属实", "confirm": "on"},
        )
        client.post(
            reverse("scoring:objection", args=[second.pk]),
            {"outcome": "uphold", "reason": "属实", "return_review": "on", "confirm": "on"},
        )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (ObjectionState.DISMISSED, ObjectionState.UPHELD)
    assert _assessment(published, tree.branch_b).review.status == ReviewStatus.RETURNED


def test_the_approve_page_is_the_approvers_and_refuses_during_the_window(client, tree, published):
    url = reverse("scoring:campaign_approve", args=[published.pk])
    with clock.frozen(DURING):
        _allowed(tree, url, client, {"approver"})
        page = _get(client, tree.approver, url).content.decode()
    assert "公示期尚未结束" in page


def test_the_approver_approves_with_the_minutes_and_sees_the_digest(
    client, tree, published, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(tree.approver)
    with clock.frozen(MEETING):
        response = client.post(
            reverse("scoring:campaign_approve", args=[published.pk]),
            {
                "meeting_date": MEETING.isoformat(),
                "reference": "工委〔2026〕7号",
                "minutes": factories.upload("纪要.pdf", factories.pdf_bytes()),
                "confirm": "on",
            },
        )
    assert response.status_code == 302
    approval = Approval.objects.get(campaign=published)
    assert approval.minutes.name.startswith("minutes/")
    page = client.get(response.url).content.decode()
    assert approval.digest in page
    assert "名单与摘要一致" in page


def test_the_approved_list_is_for_the_committees_roles(client, tree, approved):
    url = reverse("scoring:approved_list", args=[approved.campaign_id])
    _allowed(tree, url, client, {"staff", "approver", "rereviewer"})


def test_the_rereviewer_declines_a_five_star_result_through_the_page(client, tree, approved):
    assessment = _assessment(approved.campaign, tree.branch_a)
    _allowed(tree, reverse("scoring:rereviews"), client, {"rereviewer"})
    _allowed(tree, reverse("scoring:rereview", args=[assessment.pk]), client, {"rereviewer"})
    client.force_login(tree.rereviewer)
    url = reverse("scoring:rereview", args=[assessment.pk])
    page = client.post(url, {"confirmed": "no", "star": "", "reason": "x", "confirm": "on"})
    assert page.status_code == 200  # refused: no star chosen
    with clock.frozen(MEETING + datetime.timedelta(days=2)):
        response = client.post(
            url, {"confirmed": "no", "star": "4", "reason": "材料不足", "confirm": "on"}
        )
    assert response.status_code == 302
    assert publicity.current_star(tree.branch_a) == 4
    approved.campaign.refresh_from_db()
    assert approved.campaign.status == CampaignStatus.CLOSED


@pytest.mark.parametrize(
    ("role", "title"),
    [("staff", "处理异议"), ("approver", "工委审批"), ("rereviewer", "五星复审")],
)
def test_each_role_sees_its_work_on_the_home_page(client, tree, published, role, title, chinese):
    _file(published, tree.branch_a)
    if role != "staff":
        publicity.dismiss_objection(
            objection=published.objections.get(), actor=tree.staff, reason="不属实"
        )
    if role == "rereviewer":
        with clock.frozen(MEETING):
            publicity.approve_campaign(
                campaign=published, actor=tree.approver, meeting_date=MEETING, reference="7号"
            )
    moment = DURING if role == "staff" else AFTER + datetime.timedelta(days=2)
    with clock.frozen(moment):
        page = _get(client, tree.users_by_role()[role], reverse("home")).content.decode()
    assert title in page


def test_the_campaign_page_links_the_next_step(client, tree, rated):
    client.force_login(tree.staff)
    page = client.get(reverse("scoring:campaign_detail", args=[rated.pk])).content.decode()
    assert reverse("scoring:campaign_publish", args=[rated.pk]) in page


def test_reading_a_campaign_after_its_window_ends_the_publicity(client, tree, published):
    client.force_login(tree.staff)
    with clock.frozen(AFTER):
        client.get(reverse("scoring:objections", args=[published.pk]))
    published.refresh_from_db()
    assert published.status == CampaignStatus.AWAITING_APPROVAL


def test_the_approve_page_says_an_objection_is_open(client, tree, published):
    _file(published, tree.branch_a)
    with clock.frozen(AFTER):
        page = _get(
            client, tree.approver, reverse("scoring:campaign_approve", args=[published.pk])
        ).content.decode()
    assert "尚有未处理的异议" in page
