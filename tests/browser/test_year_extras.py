"""The rest of issue #19 in Chromium (its "Done when": each works in the browser): paper
ballots entered by two tellers under the one-slip rule (one of them on a phone), a blind
second review and staff's decision on the disagreement, and the reminders (the settings
from the user menu, the days left on a to-do, the unsubscribe link without login).

Every page of every test is watched: a console error, an uncaught script error or a
content-security-policy violation fails the test (the listener of test_csp.py, which
also turns the page's `securitypolicyviolation` event into a console message).
"""

import datetime
import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from branches.models import OrgKind, Role
from reminders import services as reminders
from scoring.models import (
    Ballot,
    BallotChannel,
    Campaign,
    Decision,
    PaperEntry,
    QuotaMode,
    SecondReview,
)
from scoring.services import survey as survey_service
from starrating import clock
from tests import factories

from .conftest import PHONE, login, shoot

pytestmark = pytest.mark.django_db(transaction=True)

REPORT = """document.addEventListener("securitypolicyviolation", (e) =>
  console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI));"""


def listen(page) -> list[str]:
    """Every console error, uncaught error and CSP violation of `page`, as they come."""
    found = []
    page.add_init_script(REPORT)
    page.on(
        "console",
        lambda message: (
            found.append(f"{page.url}: {message.text}") if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: found.append(f"{page.url}: {error}"))
    return found


def new_page(browser, **options):
    """A page in a fresh context (its own cookies: another person's browser), in Chinese."""
    context = browser.new_context(locale="zh-CN", **options)
    return context, context.new_page()


# --- Paper ballots (docs/survey.md §2.1.2, A15, A16) ---------------------------------------


def _tick(page, grade="好", verdict="满意", odd=None):
    """Tick a grade on every item and the verdict; item `odd` (0-based) gets 差 instead."""
    groups = page.locator("form fieldset").all()
    for number, group in enumerate(groups[:-1]):
        group.get_by_text("差" if number == odd else grade, exact=True).click()
    groups[-1].get_by_text(verdict, exact=True).click()


def _enter(page, code, **ticks):
    page.fill("input[name=code]", survey_service.format_code(code))
    _tick(page, **ticks)
    page.get_by_role("button", name="录入这张纸质选票").click()


def test_two_tellers_enter_a_paper_ballot_and_a_mismatch_is_shown_to_both(
    tree, assessment, issued, page, browser, site
):
    codes = factories.member_codes(issued)
    problems = listen(page)

    # The secretary, at 1280 px, from the survey page to the paper-entry page.
    login(page, site, tree.secretary)
    page.goto(f"{site}/survey/{assessment.pk}/")
    expect(page.locator('#paper-counts [data-field="paper"]')).to_have_text("0")
    page.get_by_role("link", name="录入纸质选票").click()
    expect(page.locator("h1")).to_contain_text("录入纸质选票")
    _enter(page, codes[0])
    expect(page.locator("#paper-result")).to_contain_text("第一次录入已保存")
    expect(page.locator('#paper-counts [data-field="waiting"]')).to_have_text("1")
    shoot(page, "paper-first-entry")

    # Staff, the second teller, on a phone.
    phone, teller = new_page(browser, viewport=PHONE)
    problems += listen(teller)
    login(teller, site, tree.staff)
    teller.goto(f"{site}/survey/{assessment.pk}/paper/")
    _enter(teller, codes[0])
    expect(teller.locator("#paper-result")).to_contain_text("两次录入一致")
    expect(teller.locator('#paper-counts [data-field="paper"]')).to_have_text("1")
    shoot(teller, "paper-second-entry-phone")
    assert teller.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.goto(f"{site}/survey/{assessment.pk}/")
    expect(page.locator('#paper-counts [data-field="paper"]')).to_have_text("1")
    expect(page.locator('#paper-counts [data-field="phone"]')).to_have_text("0")
    shoot(page, "paper-survey-page")
    assert Ballot.objects.filter(channel=BallotChannel.PAPER).count() == 1

    # A second slip: the two entries differ on item 3.
    page.goto(f"{site}/survey/{assessment.pk}/paper/")
    _enter(page, codes[1])
    teller.goto(f"{site}/survey/{assessment.pk}/paper/")
    _enter(teller, codes[1], odd=2)
    result = teller.locator("#paper-result")
    expect(result).to_contain_text("两次录入不一致")
    expect(result).to_contain_text(re.compile(r"不一致的评分项：\s*3\s*$"))
    expect(teller.locator('#paper-counts [data-field="differed"]')).to_have_text("1")
    shoot(teller, "paper-mismatch-phone")
    page.goto(f"{site}/survey/{assessment.pk}/paper/")  # the first teller's page says so too
    expect(page.locator('#paper-counts [data-field="differed"]')).to_have_text("1")
    expect(page.locator('#paper-counts [data-field="differed"]')).to_have_class("text-danger")
    expect(page.locator("body")).not_to_contain_text(survey_service.format_code(codes[1]))
    shoot(page, "paper-mismatch-first-teller")
    phone.close()

    assert Ballot.objects.count() == 1 and not PaperEntry.objects.filter(differed=False).exists()
    assert problems == []


# --- Second reviews (docs/process.md §2.1.3) -----------------------------------------------


@pytest.fixture
def sampled(tree):
    """Branch A reviewed first by its parent's reviewer (80, remark 第一次意见) and
    branch B ready; a reviewer of another parent organisation to review a second time."""
    parent = factories.org(OrgKind.PARTY_COMMITTEE, parent=tree.committee, name="机关党委乙")
    other = factories.user(
        "reviewer_other", role=Role.REVIEWER, organisation=parent, first_name="复核员"
    )
    campaign = factories.campaign(tree.committee, quota_mode=QuotaMode.OFF)
    a = factories.ready_branch(campaign, tree.branch_a)
    first = factories.review(a, 80, reviewer=tree.reviewer)
    first.scores.update(remark="第一次意见")
    factories.ready_branch(campaign, tree.branch_b, review_total=70)
    return SimpleNamespace(campaign=campaign, a=a, other=other)


def test_a_blind_second_review_and_staffs_decision_on_the_disagreement(
    tree, sampled, page, browser, site
):
    problems = listen(page)
    login(page, site, tree.staff)
    page.goto(f"{site}/campaigns/{sampled.campaign.pk}/")
    page.locator("#second-reviews-link").click()
    expect(page.locator("h1")).to_contain_text("复核考评")
    page.locator("#pick select").select_option(str(sampled.a.pk))
    page.get_by_role("button", name="加入抽样").click()
    expect(page.locator(".alert-success")).to_be_visible()
    sample = page.locator("#sample tbody tr")
    expect(sample).to_have_count(1)
    expect(sample).to_contain_text(tree.branch_a.name)
    sample.get_by_role("link", name="指派").click()
    page.get_by_label("复核考评人").select_option(label="复核员")
    page.get_by_role("button", name="指派").click()
    expect(page.locator("#sample tbody tr")).to_contain_text("复核员")
    shoot(page, "second-review-sample")

    # The second reviewer, in another browser: the queue, then the blind sheet.
    context, reviewer = new_page(browser, viewport={"width": 1280, "height": 900})
    problems += listen(reviewer)
    login(reviewer, site, sampled.other)
    reviewer.goto(f"{site}/second-reviews/")
    expect(reviewer.locator("tbody tr")).to_contain_text(tree.branch_a.name)
    shoot(reviewer, "second-review-queue")
    reviewer.set_viewport_size(PHONE)
    expect(reviewer.locator("tbody tr")).to_contain_text("机关党委甲")  # the parent, folded
    shoot(reviewer, "second-review-queue-phone")
    reviewer.set_viewport_size({"width": 1280, "height": 900})
    reviewer.locator("tbody tr").get_by_role("link", name="考评").click()
    expect(reviewer.locator("h1")).to_contain_text("复核考评")
    body = reviewer.locator("body")
    expect(body).not_to_contain_text("第一次意见")
    expect(body).not_to_contain_text("80.00")
    shoot(reviewer, "second-review-blind-sheet")
    for criterion in sampled.campaign.criteria.all():
        reviewer.fill(f"input[name=score_{criterion.pk}]", "6")
    reviewer.locator("#confirm-submit input").check()
    reviewer.get_by_role("button", name="提交考评").click()
    expect(reviewer.locator(".alert-success")).to_be_visible()
    expect(reviewer.locator("#review-total")).to_have_text("60.00")
    expect(body).not_to_contain_text("第一次意见")
    shoot(reviewer, "second-review-sheet")
    context.close()

    # Staff: the disagreement, both scores and the difference; the decision with a reason.
    page.goto(f"{site}/campaigns/{sampled.campaign.pk}/second-reviews/")
    page.get_by_role("link", name="评分差异").click()
    card = page.locator(f"#branch-{tree.branch_a.code}")
    totals = card.locator("tfoot tr")
    expect(totals).to_contain_text("80.00")
    expect(totals).to_contain_text("60.00")
    expect(totals).to_contain_text("-20.00")
    expect(card.locator("tbody tr[data-flagged]")).to_have_count(0)  # 8 → 6: within 2
    shoot(page, "second-review-disagreement")
    page.set_viewport_size(PHONE)
    shoot(page, "second-review-disagreement-phone")
    page.set_viewport_size({"width": 1280, "height": 720})
    card.get_by_role("link", name="比较并决定").click()
    page.get_by_label("采用复核考评").check()
    page.get_by_label("理由").fill("首次考评偏高")
    page.get_by_role("button", name="记录决定").click()
    expect(page.locator(".alert-success")).to_be_visible()

    page.goto(f"{site}/assessments/{sampled.a.pk}/")
    decision = page.locator("#second-review-decision")
    expect(decision).to_contain_text("采用复核考评")
    expect(decision).to_contain_text("首次考评偏高")
    shoot(page, "second-review-branch-page")

    assert SecondReview.objects.get().decision == Decision.USE_SECOND
    assert problems == []


# --- Reminders (docs/process.md §2.5) ------------------------------------------------------


def _set_deadline(campaign, days):
    Campaign.objects.filter(pk=campaign.pk).update(
        self_deadline=clock.today() + datetime.timedelta(days=days)
    )


def test_reminders_off_and_on_the_days_left_and_the_unsubscribe_link(
    tree, enrolled, page, browser, site
):
    problems = listen(page)
    tree.secretary.email = "secretary@example.org"
    tree.secretary.save(update_fields=["email"])
    login(page, site, tree.secretary)
    page.get_by_role("link", name="提醒设置").click()
    expect(page.locator("h1")).to_have_text("提醒设置")
    page.locator("input[value=off]").check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_contain_text("关闭")
    expect(page.locator("input[value=off]")).to_be_checked()
    assert not reminders.wants_reminders(type(tree.secretary).objects.get(pk=tree.secretary.pk))
    page.locator("input[value=on]").check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_contain_text("开启")
    expect(page.locator("input[value=on]")).to_be_checked()
    shoot(page, "reminder-settings")

    sheet = page.locator("[data-role=secretary] .list-group-item", has_text="自评")
    for days, label, name in (
        (30, "还剩 30 天", "home-days-left"),
        (0, "今天截止", "home-due-today"),
        (-2, "已逾期 2 天", "home-overdue"),
    ):
        _set_deadline(enrolled, days)
        page.goto(f"{site}/")
        badge = sheet.locator("[data-days-left]")
        expect(badge).to_have_text(label)
        expect(badge).to_have_attribute("data-days-left", str(days))
        shoot(page, name)
    expect(sheet.locator("[data-days-left]")).to_have_class("badge text-bg-danger")

    # The mail's link, in a browser where nobody is logged in (a phone).
    context, mail = new_page(browser, viewport=PHONE)
    problems += listen(mail)
    mail.goto(f"{site}/reminders/unsubscribe/{reminders.unsubscribe_token(tree.secretary)}/")
    expect(mail.locator("body")).to_contain_text("secretary@example.org")
    shoot(mail, "reminder-unsubscribe-phone")
    mail.get_by_role("button", name="退订提醒邮件").click()
    expect(mail.locator(".alert-success")).to_be_visible()
    shoot(mail, "reminder-unsubscribed-phone")
    mail.goto(f"{site}/reminders/unsubscribe/not-a-token/")
    expect(mail.locator(".alert-danger")).to_be_visible()
    context.close()

    assert not reminders.wants_reminders(type(tree.secretary).objects.get(pk=tree.secretary.pk))
    # The 400 of the bad token is a console error of its own (the document's status).
    assert [p for p in problems if "not-a-token" not in p] == []
