"""What goes wrong in a browser, and what a person then sees (the whole year in a real
browser, failure paths): another branch's address, a double click, a session that ended
mid-form, the ballot with JavaScript off. The spent slip and the score above the maximum
are steps of the journey (test_journey.py)."""

import re

import pytest
from playwright.sync_api import expect

from scoring.models import Assessment, Ballot, Objection
from scoring.services import publicity, recompute
from scoring.services import survey as survey_service
from scoring.services.campaigns import create_campaign, open_campaign
from tests import factories

from .conftest import PHONE, login, shoot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def open_survey(db):
    """Branch A of the tree in an open campaign, its survey open: (tree, assessment,
    member codes)."""
    tree = factories.Tree()
    factories.add_members(tree.branch_a, 4)
    campaign = factories.campaign(tree.committee)
    assessment = factories.assessment(campaign, tree.branch_a)
    issued = survey_service.open_survey(assessment=assessment, actor=tree.secretary, public_slips=0)
    return tree, assessment, factories.member_codes(issued)


def _grade_all(page):
    for group in page.locator("form fieldset").all()[:-1]:
        group.get_by_text("好", exact=True).click()
    page.locator("form fieldset").last.get_by_text("满意", exact=True).click()


def test_another_branchs_address_is_a_chinese_404(open_survey, page, site):
    tree, assessment, _codes = open_survey
    other = factories.assessment(assessment.campaign, tree.branch_b)
    login(page, site, tree.secretary)
    for url in (f"/assessments/{other.pk}/self-evaluation/", f"/survey/{other.pk}/"):
        response = page.goto(site + url)
        assert response.status in (403, 404), url
        expect(page.locator("main")).to_contain_text(re.compile("页面不存在|无权|没有权限"))
        assert "Traceback" not in page.content() and "Django" not in page.title()
    shoot(page, "error-404")


def test_a_double_click_casts_one_ballot_and_thanks_once(open_survey, browser, site):
    _tree, assessment, codes = open_survey
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{site}/v/{codes[0]}/")
    _grade_all(page)
    page.get_by_role("button", name="提交测评").dblclick()
    expect(page.get_by_text(re.compile("感谢"))).to_be_visible()
    expect(page.get_by_text("测评码无效或已使用。")).to_have_count(0)
    assert Ballot.objects.filter(survey__assessment=assessment).count() == 1
    context.close()


def test_a_double_click_files_one_objection(page, site):
    tree = factories.Tree()
    campaign = factories.campaign(tree.committee, quota_mode="off")
    factories.ready_branch(campaign, tree.branch_a, review_total=80)
    factories.ready_branch(campaign, tree.branch_b, review_total=80)
    factories.ready_branch(campaign, tree.direct, review_total=80)
    recompute.recompute_campaign(campaign=campaign, actor=tree.staff)
    publicity.publish_campaign(campaign=campaign, actor=tree.staff)
    page.goto(f"{site}/notice/{campaign.pk}/objection/")
    page.locator("[name=branch]").fill(tree.branch_a.name)
    page.locator("[name=text]").fill("请核实该支部的活动记录。")
    page.get_by_role("button", name="提交异议").dblclick()
    expect(page.locator("#objection-receipt")).to_be_visible()
    assert Objection.objects.count() == 1


def test_a_session_that_ended_mid_form_asks_to_log_in_again(page, site):
    tree = factories.Tree()
    campaign = create_campaign(
        committee=tree.committee, year=factories.THIS_YEAR, kind="initial", actor=tree.staff
    )
    open_campaign(campaign=campaign, actor=tree.staff)
    assessment = Assessment.objects.get(campaign=campaign, branch=tree.branch_a)
    login(page, site, tree.secretary)
    url = f"{site}/assessments/{assessment.pk}/self-evaluation/"
    page.goto(url)
    page.locator("input[name^=score_]").first.fill("8")
    # The session ends (expired, or logged out in another tab) while the form is open.
    page.context.clear_cookies(name="sessionid")
    page.get_by_role("button", name="保存草稿").click()
    expect(page).to_have_url(re.compile("/accounts/login/"))
    expect(page.locator("main")).to_contain_text(re.compile("登录"))
    page.fill("input[name=username]", tree.secretary.username)
    page.fill("input[name=password]", "pw-Test-123")
    page.click("form button[type=submit]")
    expect(page).to_have_url(url)


def test_the_ballot_works_with_javascript_off(open_survey, browser, site):
    _tree, assessment, codes = open_survey
    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site}/v/")
    page.get_by_label(re.compile("测评码")).fill(codes[1])
    page.get_by_role("button", name="继续").click()
    _grade_all(page)
    page.get_by_role("button", name="提交测评").click()
    expect(page.get_by_text(re.compile("感谢"))).to_be_visible()
    assert Ballot.objects.filter(survey__assessment=assessment).count() == 1
    context.close()
