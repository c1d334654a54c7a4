"""Accessibility basics in Chromium: axe-core (from npm, `node_modules/axe-core`, injected
into the page; nothing leaves the machine) on the key pages with the WCAG 2 A/AA rules,
contrast included; the ballot filled with the keyboard alone; the ballot at 320 px."""

import pathlib
import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from scoring.models import Assessment, Ballot
from scoring.services import survey as survey_service
from scoring.services.campaigns import create_campaign, open_campaign
from tests import factories

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

AXE = pathlib.Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = {"serious", "critical"}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """axe-core is injected as an inline script, which the content security policy
    blocks (docs/nonfunctional.md §7): these contexts bypass it; tests/browser/test_csp.py
    checks the pages under it."""
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture
def world(db):
    tree = factories.Tree()
    factories.add_members(tree.branch_a, 4)
    campaign = create_campaign(
        committee=tree.committee, year=factories.THIS_YEAR, kind="initial", actor=tree.staff
    )
    open_campaign(campaign=campaign, actor=tree.staff)
    assessment = Assessment.objects.get(campaign=campaign, branch=tree.branch_a)
    issued = survey_service.open_survey(assessment=assessment, actor=tree.secretary, public_slips=1)
    return tree, assessment, factories.member_codes(issued)


def axe(page) -> list[dict]:
    """The serious and critical WCAG 2 A/AA violations axe-core finds on the page."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag',
               values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "nodes": [(n["target"], n["failureSummary"]) for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]


def test_the_key_pages_have_no_serious_violations(world, page, site, browser):
    tree, assessment, codes = world
    found = {}
    ballot = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, bypass_csp=True
    )
    phone = ballot.new_page()
    for url in ("/v/", f"/v/{codes[0]}/", "/notice/", "/accounts/login/"):
        phone.goto(site + url)
        found[url] = axe(phone)
    ballot.close()
    for user, urls in (
        (
            tree.secretary,
            ["/", f"/assessments/{assessment.pk}/self-evaluation/", f"/survey/{assessment.pk}/"],
        ),
        (
            tree.staff,
            [
                "/",
                "/campaigns/",
                f"/campaigns/{assessment.campaign_id}/results/",
                "/events/",
                # The dashboard's four tabs (D-7qs).
                "/dashboard/",
                "/dashboard/stars/",
                "/dashboard/ranking/",
                "/dashboard/gaps/",
            ],
        ),
        (tree.reviewer, ["/", "/reviews/"]),
    ):
        login(page, site, user)
        for url in urls:
            page.goto(site + url)
            found[f"{user.username} {url}"] = axe(page)
        page.context.clear_cookies()
    problems = {page_: v for page_, v in found.items() if v}
    print(f"axe-core: {len(found)} pages checked, serious or critical: {problems or 'none'}")
    assert not problems


def test_the_ballot_can_be_filled_with_the_keyboard_alone(world, browser, site):
    _tree, assessment, codes = world
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(f"{site}/v/")
    page.get_by_label(re.compile("测评码")).focus()
    page.keyboard.type(codes[2])
    page.keyboard.press("Enter")
    expect(page.locator("form fieldset").first).to_be_visible()
    chosen = 0
    for _key in range(100):  # Tab from the top of the page: links, then each group
        page.keyboard.press("Tab")
        focused = page.evaluate("() => [document.activeElement.type, document.activeElement.name]")
        if focused[0] == "radio":
            page.keyboard.press("Space")  # choose the group's first answer
            chosen += 1
        elif focused[0] == "submit" and chosen:
            break
    assert chosen == page.locator("form fieldset").count()
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile("感谢"))).to_be_visible()
    assert Ballot.objects.filter(survey__assessment=assessment).count() == 1
    context.close()


def test_the_ballot_fits_a_320_pixel_screen(world, browser, site):
    _tree, _assessment, codes = world
    context = browser.new_context(locale="zh-CN", viewport={"width": 320, "height": 640})
    page = context.new_page()
    for url in ("/v/", f"/v/{codes[3]}/"):
        page.goto(site + url)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 320, f"{url} scrolls sideways: {width} px"
    context.close()
