"""The content security policy in Chromium (docs/nonfunctional.md §7): the main pages of
each role work under it with not one violation — the home pages, the dashboard's tabs with
its charts, the results, the branch page with its star chart, an export's progress page,
the secretary's survey page with its participation bar, the language switch, and the
ballot, filled in and cast.

A violation shows twice, and either fails the test: Chromium's console error ("Refused
to … because it violates the following Content Security Policy directive") and the
page's `securitypolicyviolation` event, which an init script (run by Playwright outside
the policy) turns into a console message.
"""

import re

import pytest
from playwright.sync_api import expect

from scoring.models import Ballot
from scoring.services import survey as survey_service
from tests import factories

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

REPORT = """document.addEventListener("securitypolicyviolation", (e) =>
  console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI));"""


@pytest.fixture
def world(rated, tree):
    """`rated` (three branches rated, so the dashboard has charts), and next year's
    campaign with branch A's survey open (its ballot and participation bar)."""
    open_year = factories.campaign(tree.committee, year=factories.YEAR + 1)
    factories.add_members(tree.branch_a, 4)
    assessment = factories.assessment(open_year, tree.branch_a)
    issued = survey_service.open_survey(assessment=assessment, actor=tree.secretary, public_slips=1)
    return {
        "rated": rated,
        "a": rated.assessments.get(branch=tree.branch_a),
        "open": assessment,
        "codes": factories.member_codes(issued),
    }


def watch(page) -> list[str]:
    """The CSP violations the page reports, as they come."""
    found = []
    page.add_init_script(REPORT)

    def record(message):
        text = message.text
        if "Content Security Policy" in text or "CSP violation" in text:
            found.append(f"{page.url}: {text}")

    page.on("console", record)
    return found


def visit(page, url):
    page.goto(url)
    page.wait_for_load_state("load")


def images_drawn(page) -> bool:
    """Every visible image on the page has loaded (a chart blocked by the policy has no
    natural width)."""
    return page.evaluate(
        """() => [...document.images].filter(i => i.offsetParent !== null)
                   .every(i => i.complete && i.naturalWidth > 0)"""
    )


def test_the_main_pages_of_every_role_raise_no_violation(world, tree, page, site, browser):
    found = watch(page)
    rated, a = world["rated"], world["a"]

    login(page, site, tree.staff)
    visit(page, f"{site}/")
    for tab in ("", "ranking/", "gaps/", "stars/"):  # the dashboard's tabs (D-7qs)
        visit(page, f"{site}/dashboard/{tab}?campaign={rated.pk}")
    expect(page.locator("img.dashboard-chart").first).to_be_visible()
    assert images_drawn(page), "a dashboard chart did not load"
    visit(page, f"{site}/campaigns/{rated.pk}/results/")
    page.locator("#export-annual-xlsx button").click()
    page.wait_for_url(re.compile(r"/exports/\d+/$"))
    bar = page.locator("#export-bar")
    expect(bar).to_have_attribute("style", re.compile(r"width: \d+%"))
    visit(page, f"{site}/assessments/{a.pk}/")
    visit(page, f"{site}/stars/{tree.branch_a.pk}/")
    assert images_drawn(page), "the star chart did not load"
    visit(page, f"{site}/campaigns/{rated.pk}/")
    page.context.clear_cookies()

    login(page, site, tree.secretary)
    visit(page, f"{site}/survey/{world['open'].pk}/")
    participation = page.locator('#participation [data-field="bar"]')
    expect(participation).to_have_attribute("style", re.compile(r"width: \d+%"))
    visit(page, f"{site}/assessments/{a.pk}/rating/")
    page.select_option("#language", "en")  # the language switch sends its form itself
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.select_option("#language", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", re.compile("zh"))
    page.context.clear_cookies()

    login(page, site, tree.reviewer)
    visit(page, f"{site}/reviews/")
    visit(page, f"{site}/dashboard/stars/?campaign={rated.pk}")
    assert images_drawn(page), "a dashboard chart did not load for the reviewer"
    page.context.clear_cookies()

    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    ballot = phone.new_page()
    ballot_found = watch(ballot)
    visit(ballot, f"{site}/v/")
    ballot.fill("input[name=code]", world["codes"][0])
    ballot.locator("form button[type=submit]").click()
    for group in range(ballot.locator("form fieldset").count()):
        ballot.locator("form fieldset").nth(group).locator("label").first.click()
    ballot.locator("form button[type=submit]").last.click()
    expect(ballot.get_by_text(re.compile("感谢"))).to_be_visible()
    visit(ballot, f"{site}/notice/")
    phone.close()

    assert Ballot.objects.filter(survey__assessment=world["open"]).count() == 1
    problems = found + ballot_found
    print(f"CSP in Chromium: {len(problems)} violations")
    assert problems == []
