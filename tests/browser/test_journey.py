"""The year as people live it, in Chromium (issue: the whole year in a real browser).

One journey, step by step in one test so that each step starts where the last one left
the world: staff open the campaign; the secretary fills and submits the self-evaluation
with an evidence file and opens the survey; members vote on a phone from the printed
slips (one types the code, one follows the QR link); the secretary closes the survey;
the reviewer reviews; staff audit the five-star proposal, record an event, recompute and
publish; an anonymous visitor reads the notice and files an objection; staff dismiss it;
the approver approves; the re-reviewer confirms; the secretary files the improvement plan
and closes a ledger item with evidence; staff make the annual workbook and PDF in the
background (the bar at 100 %), open them, and download the certificate. Every step
asserts what a person sees.
"""

import datetime
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from scoring.models import (
    Assessment,
    Ballot,
    Campaign,
    CampaignStatus,
    Objection,
    QuotaMode,
    Rating,
    Slip,
)
from scoring.services.campaigns import create_campaign, withdraw_branch
from starrating import clock
from tests import factories

from .conftest import PHONE, login, logout, pdf_text, shoot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(db):
    """The tree, five members in branch A, and a draft campaign whose other branches
    the staff withdraw once it is open (so that branch A alone decides publishing)."""
    tree = factories.Tree()
    factories.add_members(tree.branch_a, 5)
    campaign = create_campaign(
        committee=tree.committee,
        year=factories.THIS_YEAR,
        kind="initial",
        actor=tree.staff,
        self_deadline=clock.today() + datetime.timedelta(days=30),
        quota_mode=QuotaMode.OFF,  # one branch rated: the 10 % quotas would decide alone
    )
    return tree, campaign


def _codes(text: str) -> list[str]:
    """Slip codes as printed (groups of letters and digits joined by hyphens)."""
    return re.findall(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}\b", text)


def _vote(page, grade="好", verdict="满意"):
    for group in page.locator("form fieldset").all()[:-1]:
        group.get_by_text(grade, exact=True).click()
    page.locator("form fieldset").last.get_by_text(verdict, exact=True).click()
    page.get_by_role("button", name="提交测评").click()


def test_the_year_in_the_browser(world, page, browser, site, tmp_path):
    tree, campaign = world

    # Staff open the campaign.
    login(page, site, tree.staff)
    shoot(page, "home-staff")
    page.goto(f"{site}/campaigns/{campaign.pk}/")
    page.get_by_role("link", name="启动评定活动…").click()
    page.get_by_label("我已核对评分细则和评定规则").check()
    page.get_by_role("button", name="启动评定活动").click()
    expect(page.locator(".alert-success")).to_be_visible()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DECLARING
    for other in (tree.branch_b, tree.direct):
        withdraw_branch(
            assessment=Assessment.objects.get(campaign=campaign, branch=other),
            actor=tree.staff,
            cause="other",
            reason="本次不参评",
        )
    assessment = Assessment.objects.get(campaign=campaign, branch=tree.branch_a)
    logout(page)

    # The secretary fills the self-evaluation, attaches evidence and submits.
    login(page, site, tree.secretary)
    shoot(page, "home-secretary")
    page.get_by_role("link", name=re.compile("自评表")).first.click()
    for field in page.locator("input[name^=score_]").all():
        field.fill("10")
    page.locator("textarea[name^=remark_]").first.fill("组织生活规范，三会一课按时开展")
    page.locator("label[for=id_self_star_5]").click()
    expect(page.locator("#id_self_star_5")).to_be_checked()
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".alert-success")).to_be_visible()
    evidence = tmp_path / "三会一课记录.pdf"
    evidence.write_bytes(factories.pdf_bytes())
    page.set_input_files("input[type=file][name=file]", str(evidence))
    page.get_by_role("button", name="上传").click()
    expect(page.get_by_text("三会一课记录.pdf")).to_be_visible()
    page.locator("input[name=confirm]").check()
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_text("已提交").first).to_be_visible()
    shoot(page, "self-evaluation")

    # The secretary opens the survey and downloads the slip sheet.
    page.goto(f"{site}/survey/{assessment.pk}/")
    page.fill("input[name=public_slips]", "2")
    page.get_by_role("button", name="开启测评并打印测评码").click()
    with page.expect_download() as download:
        page.locator("a[href*='/sheets/']").first.click()
    sheet = tmp_path / "slips.pdf"
    download.value.save_as(sheet)
    codes = _codes(pdf_text(sheet))
    assert len(codes) == 7, codes  # five members and two of the public
    logout(page)

    # Members vote on a phone: one types the code, one follows the QR link.
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    ballot = phone.new_page()
    ballot.goto(f"{site}/v/")
    ballot.get_by_label(re.compile("测评码")).fill(codes[0].lower().replace("-", " "))
    ballot.get_by_role("button", name="继续").click()
    shoot(ballot, "ballot-phone")
    _vote(ballot)
    expect(ballot.get_by_text(re.compile("感谢"))).to_be_visible()
    ballot.goto(f"{site}/v/{codes[1]}/")
    _vote(ballot, grade="较好", verdict="基本满意")
    expect(ballot.get_by_text(re.compile("感谢"))).to_be_visible()
    # A spent slip is refused in words.
    ballot.goto(f"{site}/v/{codes[0]}/")
    expect(ballot.get_by_text("测评码无效或已使用。")).to_be_visible()
    for code in codes[2:6]:
        ballot.goto(f"{site}/v/{code}/")
        _vote(ballot)
        expect(ballot.get_by_text(re.compile("感谢"))).to_be_visible()
    phone.close()
    assert Ballot.objects.filter(survey__assessment=assessment).count() == 6
    assert Slip.objects.filter(survey__assessment=assessment).count() == 1  # unspent

    # The secretary closes the survey.
    login(page, site, tree.secretary)
    page.goto(f"{site}/survey/{assessment.pk}/")
    expect(page.locator("#participation")).to_contain_text("100")
    close = page.locator("#close")
    for box in close.locator("input[type=checkbox]").all():
        box.check()
    close.locator("[type=submit]").click()
    expect(page.get_by_text("测评结果")).to_be_visible()
    logout(page)

    # The reviewer reviews: a score above the maximum is refused in words, then 9.5 each.
    login(page, site, tree.reviewer)
    shoot(page, "home-reviewer")
    page.goto(f"{site}/assessments/{assessment.pk}/review/")
    scores = page.locator("input[name^=score_]")
    scores.first.fill("11")
    for field in scores.all()[1:]:
        field.fill("9.5")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".is-invalid").first).to_be_visible()
    expect(page.get_by_text("确保该值小于或等于10.00。")).to_be_visible()
    page.locator("input[name^=score_]").first.fill("9.5")
    page.locator("input[name=confirm]").check()
    page.get_by_role("button", name="提交考评").click()
    expect(page.locator(".alert-success")).to_be_visible()
    logout(page)

    # Staff audit the five-star proposal, record a bonus event, recompute and publish.
    login(page, site, tree.staff)
    page.goto(f"{site}/audits/")
    page.get_by_role("row", name=re.compile(tree.branch_a.name)).get_by_role(
        "link", name="审核"
    ).click()
    page.locator("input[name=confirm]").check()
    page.get_by_role("button", name="同意评为五星级").click()
    expect(page.locator(".alert-success")).to_be_visible()

    page.goto(f"{site}/events/new/")
    page.locator("[name=branch]").select_option(value=str(tree.branch_a.pk))
    page.locator("[name=type]").select_option(value="media_article")
    page.locator("[name=level]").select_option(index=1)
    page.locator("[name=date]").fill(clock.today().replace(month=3, day=1).isoformat())
    page.locator("[name=document_ref]").fill("党建〔2026〕12号")
    page.locator("[name=description]").fill("在市级党刊发表署名文章")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_be_visible()

    page.goto(f"{site}/campaigns/{campaign.pk}/results/")
    page.get_by_role("button", name="重新计算").click()
    expect(page.locator(".alert-success")).to_be_visible()
    rating = Rating.objects.get(assessment=assessment)
    assert rating.star == 5
    expect(page.get_by_text(tree.branch_a.name).first).to_be_visible()
    shoot(page, "results")

    page.goto(f"{site}/campaigns/{campaign.pk}/publish/")
    page.locator("[name=contact_line]").fill("工委组织部 0571-12345678")
    page.locator("input[name=confirm]").check()
    page.get_by_role("button", name="发布公示").click()
    expect(page.locator(".alert-success")).to_be_visible()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.PUBLICITY
    logout(page)

    # An anonymous visitor reads the notice on a phone and files an objection with a file.
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    visitor = phone.new_page()
    visitor.goto(f"{site}/notice/")
    visitor.get_by_role("link", name=re.compile(f"{campaign.year}.*公示")).first.click()
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("公示")
    expect(visitor.get_by_text(tree.branch_a.name).first).to_be_visible()
    expect(visitor.get_by_text("0571-12345678")).to_be_visible()
    shoot(visitor, "notice-phone")
    visitor.get_by_role("link", name=re.compile("异议")).first.click()
    visitor.locator("[name=branch]").fill(tree.branch_a.name)
    visitor.locator("[name=text]").fill("该支部三会一课记录有补写情况，请核实。")
    proof = tmp_path / "照片.png"
    proof.write_bytes(factories.image_bytes("PNG"))
    visitor.set_input_files("input[name=attachment]", str(proof))
    visitor.get_by_role("button", name="提交异议").click()
    receipt = visitor.locator("#objection-receipt").inner_text()
    assert Objection.objects.get(receipt=receipt).assessment == assessment
    phone.close()

    # Staff dismiss the objection; the window passes; the approver approves.
    login(page, site, tree.staff)
    page.goto(f"{site}/campaigns/{campaign.pk}/objections/")
    page.locator("a[href^='/objections/']").first.click()
    expect(page.get_by_text("照片.png").or_(page.get_by_text("附件")).first).to_be_visible()
    page.get_by_label("不予采纳").check()
    page.locator("[name=reason]").fill("经核实，会议记录按时形成，异议不成立。")
    page.locator("input[name=confirm]").check()
    page.get_by_role("button", name="提交处理结果").click()
    expect(page.locator(".alert-success")).to_be_visible()
    logout(page)
    Campaign.objects.filter(pk=campaign.pk).update(
        publicity_start=clock.now() - datetime.timedelta(days=8),
        publicity_end=clock.now() - datetime.timedelta(days=1),
    )

    login(page, site, tree.approver)
    shoot(page, "home-approver")
    page.goto(f"{site}/campaigns/{campaign.pk}/approve/")
    page.locator("[name=meeting_date]").fill(clock.today().isoformat())
    page.locator("[name=reference]").fill("工委〔2026〕8号")
    page.locator("input[name=confirm]").check()
    page.get_by_role("button", name="登记审批结果").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.get_by_text(re.compile("[0-9a-f]{64}")).first).to_be_visible()
    logout(page)

    # The re-reviewer confirms the five stars; the campaign is closed.
    login(page, site, tree.rereviewer)
    shoot(page, "home-rereviewer")
    page.goto(f"{site}/rereviews/")
    page.locator("a[href^='/rereviews/']").first.click()
    page.get_by_label("确认").first.check()
    page.locator("input[name=confirm]").check()
    page.get_by_role("button", name="提交复审意见").click()
    expect(page.locator(".alert-success")).to_be_visible()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    logout(page)

    # The secretary starts the improvement plan, files it, takes an item from the rating's
    # starting list and closes it with evidence.
    login(page, site, tree.secretary)
    expect(page.locator(f"#current-star-{tree.branch_a.pk}")).to_contain_text("五星级")
    page.goto(f"{site}/improvement/branch/{tree.branch_a.pk}/")
    page.locator(f"a[href$='/improvement/branch/{tree.branch_a.pk}/new/']").click()
    expect(page.locator("main")).to_contain_text("巩固提高")
    page.locator("[name=target_star][value='5']").check()
    page.locator("[name=measures]").fill("巩固“三会一课”成果，每季度开展一次主题党日。")
    page.locator("main form [type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    page.get_by_role("button", name="报上级党组织备案").click()
    expect(page.locator(".alert-success")).to_be_visible()
    page.locator("a[href$='/suggestions/']").click()
    page.locator("main a[href*='/items/new/']").first.click()
    page.locator("[name=measures]").fill("支委会逐项核对组织生活记录，补齐缺项。")
    page.locator("[name=responsible]").select_option(index=1)
    page.locator("[name=due]").fill((clock.today() + datetime.timedelta(days=30)).isoformat())
    page.locator("main form [type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    page.locator("main a[href$='/close/']").first.click()
    page.locator("[name=closed_on]").fill(clock.today().isoformat())
    page.locator("[name=note]").fill("已整改到位，附会议记录。")
    page.set_input_files("input[name=evidence]", str(evidence))
    page.locator("main form [type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("main")).to_contain_text("已销账")
    logout(page)

    # Staff make the annual workbook and PDF in the background (the bar reaches 100 %) and
    # download them and the certificate; each file opens and holds the branch.
    login(page, site, tree.staff)
    page.goto(f"{site}/dashboard/")
    expect(page.locator("#progress-by-parent")).to_be_visible()
    shoot(page, "dashboard")
    page.locator("#dashboard-tabs").get_by_role("link", name="排名").click()
    expect(page.locator("#ranking")).to_contain_text(tree.branch_a.name)
    for form, name in (
        ("#export-annual-xlsx", "annual.xlsx"),
        ("#export-annual-pdf", "annual.pdf"),
    ):
        page.goto(f"{site}/campaigns/{campaign.pk}/results/")
        page.locator(f"{form} button").click()
        expect(page.locator("#export-progress")).to_have_attribute("aria-valuenow", "100")
        with page.expect_download() as download:
            page.locator("main a[href$='/download/']").first.click()
        download.value.save_as(tmp_path / name)
    book = openpyxl.load_workbook(tmp_path / "annual.xlsx", read_only=True)
    names = [row[0] for row in book["星级名单"].iter_rows(min_row=2, values_only=True)]
    assert tree.branch_a.name in names
    assert tree.branch_a.name in pdf_text(tmp_path / "annual.pdf")
    page.goto(f"{site}/campaigns/{campaign.pk}/approved/")
    with page.expect_download() as download:
        page.locator(f"main a[href$='/{tree.branch_a.code}/']").first.click()
    download.value.save_as(tmp_path / "certificate.pdf")
    certificate = pdf_text(tmp_path / "certificate.pdf")
    assert tree.branch_a.name in certificate and "五星级" in certificate
