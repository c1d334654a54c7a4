"""Campaign pages: the campaign page's columns, counts and filters, withdrawal, the policy in
percent, the status label, the empty choices of the forms.

Campaigns are built with the real services or with the ORM helpers of
tests/factories.py.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from scoring.models import (
    Assessment,
    AuditStatus,
    Campaign,
    CampaignStatus,
    ReviewStatus,
    Survey,
    SurveyStatus,
)
from scoring.services import campaigns as service
from scoring.services import recompute
from starrating import clock
from tests import factories
from tests.factories import ready_branch

YEAR = 2026


@pytest.fixture
def staff(client, tree):
    client.force_login(tree.staff)
    return client


@pytest.fixture
def declaring(tree):
    draft = service.create_campaign(
        committee=tree.committee,
        year=YEAR,
        kind="initial",
        actor=tree.staff,
        self_deadline=clock.today() + datetime.timedelta(days=30),
    )
    return service.open_campaign(campaign=draft, actor=tree.staff)


def _page(client, campaign, **query):
    return client.get(reverse("scoring:campaign_detail", args=[campaign.pk]), query)


def _branches(response):
    return {a.branch for a in response.context["page"].object_list}


def _text(response):
    """The page's text without tags and with white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# --- The campaign page --------------------------------------------------------------------


def test_the_page_shows_each_branchs_survey_review_and_audit_status(staff, tree):
    campaign = factories.campaign(tree.committee)
    ready_branch(campaign, tree.branch_a, review_total=95, audit=AuditStatus.PENDING)
    sheet_only = ready_branch(campaign, tree.branch_b)
    Survey.objects.filter(assessment=sheet_only).update(status=SurveyStatus.OPEN)
    response = _page(staff, campaign)
    rows = {row.assessment.branch: row for row in response.context["rows"]}
    assert rows[tree.branch_a].review.status == ReviewStatus.SUBMITTED
    assert rows[tree.branch_a].audited
    assert rows[tree.branch_b].review is None
    text = _text(response)
    assert "待审核" in text
    assert str(SurveyStatus.OPEN.label) in text
    assert "未开始" in text


def test_the_page_counts_every_column(staff, tree):
    campaign = factories.campaign(tree.committee)
    ready_branch(campaign, tree.branch_a, review_total=95, audit=AuditStatus.PENDING)
    ready_branch(campaign, tree.branch_b)
    columns = dict(_page(staff, campaign).context["columns"])
    counts = {title: {chip.label: chip.count for chip in chips} for title, chips in columns.items()}
    assert counts["自评"]["已提交"] == 2
    assert counts["测评"]["已结束"] == 2
    assert counts["考评"]["未开始"] == 1
    assert counts["考评"]["已提交"] == 1
    assert sum(counts["五星级审核"].values()) == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"survey": SurveyStatus.CLOSED}, {"branch_a", "branch_b"}),
        ({"survey": SurveyStatus.NOT_OPEN}, {"direct"}),
        ({"review": service.NOT_STARTED}, {"branch_b", "direct"}),
        ({"review": ReviewStatus.SUBMITTED}, {"branch_a"}),
        ({"audit": AuditStatus.PENDING}, {"branch_a"}),
        ({"review": service.NOT_STARTED, "survey": SurveyStatus.CLOSED}, {"branch_b"}),
    ],
)
def test_the_page_filters_by_each_column(staff, tree, query, expected):
    campaign = factories.campaign(tree.committee)
    ready_branch(campaign, tree.branch_a, review_total=95, audit=AuditStatus.PENDING)
    ready_branch(campaign, tree.branch_b)
    Assessment.objects.create(campaign=campaign, branch=tree.direct)
    assert _branches(_page(staff, campaign, **query)) == {getattr(tree, b) for b in expected}


def test_a_count_links_to_its_filter(staff, tree):
    campaign = factories.campaign(tree.committee)
    ready_branch(campaign, tree.branch_a, review_total=95)
    ready_branch(campaign, tree.branch_b)
    columns = dict(_page(staff, campaign).context["columns"])
    chip = next(c for c in columns["考评"] if c.label == "未开始")
    response = staff.get(reverse("scoring:campaign_detail", args=[campaign.pk]) + "?" + chip.query)
    assert _branches(response) == {tree.branch_b}


def test_the_page_takes_a_fixed_number_of_queries(staff, tree, django_assert_max_num_queries):
    campaign = factories.campaign(tree.committee)

    def add(n):
        for _ in range(n):
            branch = factories.branch(tree.party_committee)
            assessment = ready_branch(campaign, branch)
            factories.review(assessment, 96, audit=AuditStatus.PENDING)

    add(3)
    with django_assert_max_num_queries(10) as few:
        _page(staff, campaign)
    add(57)
    with django_assert_max_num_queries(10) as many:
        response = _page(staff, campaign)
    assert len(response.context["page"].object_list) == 50
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_page_has_50_branches_a_page(staff, tree):
    campaign = factories.campaign(tree.committee)
    for _ in range(55):
        Assessment.objects.create(campaign=campaign, branch=factories.branch(tree.party_committee))
    assert len(_page(staff, campaign, page=2).context["page"].object_list) == 5


def test_the_policy_is_shown_in_percent_and_stars_in_words(staff, tree, declaring):
    Campaign.objects.filter(pk=declaring.pk).update(five_star_share=Decimal("0.125"))
    text = _text(_page(staff, declaring))
    assert "自评 20% · 测评 30% · 考评 50%" in text
    assert "五星级不超过 12.5%，一星级及不定星级不少于 10%" in text
    assert "五星级 90 分起" in text
    assert "0.200" not in text and "0.500" not in text


def test_the_page_shows_one_date_form(staff, tree, declaring):
    day = declaring.self_deadline
    assert f"{day.year}年{day.month}月{day.day}日" in _text(_page(staff, declaring))


# --- Withdrawal through the pages ---------------------------------------------------------


def _withdraw_url(campaign, branch):
    assessment = Assessment.objects.get(campaign=campaign, branch=branch)
    return reverse("scoring:assessment_withdraw", args=[assessment.pk]), assessment


def test_staff_withdraw_a_branch_through_its_page(staff, tree, declaring):
    url, assessment = _withdraw_url(declaring, tree.branch_b)
    page = staff.get(url)
    assert "请选择" in page.content.decode() and "---------" not in page.content.decode()
    response = staff.post(url, {"cause": "merged", "reason": "并入第一党支部"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("scoring:campaign_detail", args=[declaring.pk])
    assessment.refresh_from_db()
    assert assessment.is_withdrawn
    assert "第二党支部已退出本次评定。" in _text(response)


def test_a_withdrawal_without_a_cause_changes_nothing(staff, tree, declaring):
    url, assessment = _withdraw_url(declaring, tree.branch_b)
    response = staff.post(url, {"cause": "", "reason": "并入"})
    assert response.status_code == 200
    assert "cause" in response.context["form"].errors
    assessment.refresh_from_db()
    assert not assessment.is_withdrawn


def test_the_page_strikes_out_a_withdrawn_branch_with_its_reason(staff, tree, declaring):
    url, assessment = _withdraw_url(declaring, tree.branch_b)
    staff.post(url, {"cause": "dissolved", "reason": "经批准撤销"})
    response = _page(staff, declaring)
    content = response.content.decode()
    assert re.search(r"<del><a [^>]*>第二党支部</a></del>", content)
    assert "已撤销：经批准撤销" in _text(response)
    assert "参评支部 2 个 · 已退出 1 个" in _text(response)
    assert _branches(_page(staff, declaring, scope="withdrawn")) == {tree.branch_b}
    assert tree.branch_b not in _branches(_page(staff, declaring, status="unsubmitted"))


def test_staff_reinstate_a_branch_through_its_page(staff, tree, declaring):
    url, assessment = _withdraw_url(declaring, tree.branch_b)
    staff.post(url, {"cause": "dissolved", "reason": "撤销"})
    back = reverse("scoring:assessment_reinstate", args=[assessment.pk])
    assert staff.post(back, {"reason": ""}).status_code == 200
    response = staff.post(back, {"reason": "撤销决定已收回"}, follow=True)
    assessment.refresh_from_db()
    assert not assessment.is_withdrawn
    assert "第二党支部已恢复参评。" in _text(response)


@pytest.mark.parametrize("name", ["reviewer", "approver", "secretary"])
def test_only_staff_reach_the_withdrawal_pages(client, tree, declaring, name):
    client.force_login(getattr(tree, name))
    url, assessment = _withdraw_url(declaring, tree.branch_a)
    assert client.get(url).status_code == 403
    assert client.post(url, {"cause": "dissolved", "reason": "x"}).status_code == 403
    reinstate = reverse("scoring:assessment_reinstate", args=[assessment.pk])
    assert client.post(reinstate, {"reason": "x"}).status_code == 403
    assessment.refresh_from_db()
    assert not assessment.is_withdrawn


def test_the_withdraw_link_is_offered_only_while_declaring(staff, tree):
    campaign = factories.campaign(tree.committee, status=CampaignStatus.PUBLICITY)
    Assessment.objects.create(campaign=campaign, branch=tree.branch_a)
    assert "退出…" not in _page(staff, campaign).content.decode()


# --- The policy form in percent -----------------------------------------------------------


def test_a_share_typed_as_10_percent_is_stored_as_a_tenth(staff, tree):
    response = staff.post(
        reverse("scoring:campaign_create"),
        factories.policy_form(
            year=YEAR, kind="initial", title="", self_deadline=f"{YEAR}-06-05", five_star_share="10"
        ),
    )
    assert response.status_code == 302
    assert Campaign.objects.get().five_star_share == Decimal("0.1")


def test_weights_typed_in_percent_are_stored_as_shares(staff, tree):
    staff.post(
        reverse("scoring:campaign_create"),
        factories.policy_form(
            year=YEAR,
            kind="initial",
            self_deadline=f"{YEAR}-06-05",
            weight_self="12.5",
            weight_survey="37.5",
            weight_review="50",
        ),
    )
    campaign = Campaign.objects.get()
    assert (campaign.weight_self, campaign.weight_survey) == (Decimal("0.125"), Decimal("0.375"))


def test_weights_not_adding_up_to_100_percent_are_refused_in_percent(staff, tree):
    response = staff.post(
        reverse("scoring:campaign_create"),
        factories.policy_form(
            year=YEAR, kind="initial", self_deadline=f"{YEAR}-06-05", weight_self="30"
        ),
    )
    assert response.context["form"].non_field_errors() == ["三项权重之和必须为 100%（现为 110%）。"]
    assert not Campaign.objects.exists()


def test_the_new_campaign_form_offers_the_default_policy_in_percent(staff, tree):
    form = staff.get(reverse("scoring:campaign_create")).context["form"]
    shown = {name: form[name].value() for name in ("weight_self", "weight_review", "low_share")}
    assert shown == {"weight_self": "20", "weight_review": "50", "low_share": "10"}


def test_the_edit_form_shows_stored_shares_in_percent(staff, tree, declaring):
    Campaign.objects.filter(pk=declaring.pk).update(five_star_share=Decimal("0.125"))
    content = staff.get(reverse("scoring:campaign_edit", args=[declaring.pk])).content.decode()
    assert re.search(r'name="five_star_share" value="12.5"', content)
    assert re.search(r'name="weight_self" value="20"', content)


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_policy_of_a_campaign_past_declaration_is_not_offered_for_editing(staff, tree, method):
    campaign = factories.campaign(tree.committee, status=CampaignStatus.PUBLICITY)
    url = reverse("scoring:campaign_edit", args=[campaign.pk])
    response = getattr(staff, method)(url, factories.policy_form(title="新名称"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("scoring:campaign_detail", args=[campaign.pk])
    assert "评定活动结束申报阶段后，评定规则不能再修改。" in _text(response)
    campaign.refresh_from_db()
    assert campaign.title != "新名称"


@pytest.mark.parametrize(
    "url",
    [
        lambda c: reverse("scoring:campaign_create"),
        lambda c: reverse("scoring:campaign_edit", args=[c.pk]),
        lambda c: reverse("scoring:campaign_detail", args=[c.pk]),
    ],
)
def test_no_form_of_the_campaign_pages_offers_an_empty_dashes_choice(staff, tree, declaring, url):
    assert "---------" not in staff.get(url(declaring)).content.decode()


# --- The status, one label ----------------------------------------------------------------


def test_a_declaring_campaign_reads_as_declaring_on_the_list_and_its_page(staff, tree, declaring):
    badge = re.compile(r'<span class="badge text-bg-primary[^"]*">申报中</span>')
    for response in (staff.get(reverse("scoring:campaign_list")), _page(staff, declaring)):
        assert badge.search(response.content.decode())


def test_a_fully_rated_campaign_reads_as_declaring_with_results_complete(staff, tree):
    campaign = factories.campaign(tree.committee)
    ready_branch(campaign, tree.branch_a, review_total=90)
    list_url = reverse("scoring:campaign_list")
    assert "结果已完整" not in staff.get(list_url).content.decode()
    recompute.recompute_campaign(campaign=campaign, actor=tree.staff)
    assert "申报中 · 结果已完整" in _text(staff.get(list_url))
    assert "结果已完整" in _page(staff, campaign).content.decode()
    ready_branch(campaign, tree.branch_b)  # a branch still missing its review
    assert "结果已完整" not in staff.get(list_url).content.decode()
