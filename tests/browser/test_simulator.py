"""The policy simulator in Chromium: staff open it from the results page, lower the
five-star band, switch a penalty off, see the branches that move with the line that moved
them, sort by score change and download the workbook; nothing is saved and the page
raises no content-security-policy error."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from scoring.models import Campaign, QuotaMode, Rating
from scoring.services import recompute
from tests import factories

from .conftest import login, shoot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def rated(db):
    tree = factories.Tree()
    campaign = factories.campaign(tree.committee, quota_mode=QuotaMode.OFF)
    factories.ready_branch(campaign, tree.branch_a, self_total=88, review_total=88)
    factories.ready_branch(campaign, tree.branch_b, self_total=80, review_total=80)
    factories.ready_branch(campaign, tree.direct, self_total=90, review_total=90)
    factories.event(tree.direct, "criticism", issuer="municipal_committee", count=2)
    recompute.recompute_campaign(campaign=campaign, actor=tree.staff)
    return tree, campaign


def test_staff_try_a_policy_and_see_the_branches_that_move(page, site, rated):
    tree, campaign = rated
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    stored = list(Rating.objects.values_list("assessment_id", "star", "score"))
    login(page, site, tree.staff)
    page.goto(f"{site}/campaigns/{campaign.pk}/results/")
    page.locator("#simulator-link").click()
    expect(page.locator("h1")).to_contain_text("政策模拟")
    page.fill("input[name=band_5]", "85")
    page.get_by_label("通报批评").check()
    page.get_by_role("button", name="试算").click()

    moves = page.locator("#simulator-moves tbody tr")
    expect(moves).to_have_count(2)  # A (88) to five stars; the direct branch without −10
    expect(page.locator("#simulator-moves")).to_contain_text(tree.branch_a.name)
    expect(page.locator("#simulator-moves")).to_contain_text(tree.direct.name)
    expect(page.locator("#simulator-moves")).to_contain_text("按分定星：五星级")
    shoot(page, "simulator")

    page.get_by_role("link", name="总分变化").click()
    expect(moves.first).to_contain_text(tree.branch_a.name)  # +0.00 before +10.00
    page.get_by_role("link", name="总分变化").click()
    expect(moves.first).to_contain_text(tree.direct.name)

    with page.expect_download() as info:
        page.get_by_role("link", name="导出 Excel").click()
    book = load_workbook(io.BytesIO(info.value.path().read_bytes()), read_only=True)
    rows = list(book["变动的党支部"].iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == [tree.direct.code, tree.branch_a.code]

    assert list(Rating.objects.values_list("assessment_id", "star", "score")) == stored
    assert Campaign.objects.get(pk=campaign.pk).band_5 == 90
    assert not [p for p in problems if "Content Security Policy" in p], problems
