"""The December re-rating in Chromium (the year after the rating): staff create the
year-end campaign from the closed declaration in one action, without publicity; the
branches' parts are in; staff recompute and submit it for approval; the approver sees the
stars that go up and down and approves; each branch page shows its star history."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from scoring.models import (
    Assessment,
    AuditStatus,
    Campaign,
    CampaignKind,
    CampaignStatus,
    SelfEvaluation,
    SelfEvaluationStatus,
    StarChange,
)
from scoring.services import publicity
from starrating import clock
from tests import factories

from .conftest import login, logout, shoot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def closed(db):
    """A declaration approved and closed: A five stars (confirmed), B and the direct branch
    fewer; quotas off."""
    from scoring.models import QuotaMode
    from scoring.services import recompute

    tree = factories.Tree()
    campaign = factories.campaign(tree.committee, quota_mode=QuotaMode.OFF)
    factories.ready_branch(campaign, tree.branch_a, review_total=98, audit=AuditStatus.AGREED)
    factories.ready_branch(campaign, tree.branch_b, self_total=80, review_total=80)
    factories.ready_branch(campaign, tree.direct, self_total=70, review_total=70)
    recompute.recompute_campaign(campaign=campaign, actor=tree.staff)
    days_ago = lambda n: clock.today() - datetime.timedelta(days=n)  # noqa: E731
    with clock.frozen(days_ago(40)):  # the declaration's year, weeks before December's
        campaign = publicity.publish_campaign(campaign=campaign, actor=tree.staff)
    factories.approve_in_window(
        campaign, tree.approver, today=days_ago(30), meeting_date=days_ago(30)
    )
    with clock.frozen(days_ago(28)):
        publicity.rereview(
            assessment=factories.assessment_of(campaign, tree.branch_a),
            actor=tree.rereviewer,
            confirmed=True,
        )
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    return tree, campaign


def _complete(campaign, totals):
    """Every enrolled branch's parts of the re-rating in: its sheet submitted, its survey
    closed, its review submitted (`totals`: branch → review total)."""
    for assessment in Assessment.objects.filter(campaign=campaign).select_related("branch"):
        total = totals[assessment.branch_id]
        SelfEvaluation.objects.filter(assessment=assessment).update(
            status=SelfEvaluationStatus.SUBMITTED, total=total, self_star=3
        )
        factories.survey(assessment, factories.ballots(total, 10))
        factories.review(assessment, total)


def test_staff_run_the_year_end_re_rating_to_approval(closed, page, site):
    tree, initial = closed
    before = {b.pk: publicity.current_star(b) for b in (tree.branch_a, tree.branch_b, tree.direct)}

    login(page, site, tree.staff)
    page.goto(f"{site}/campaigns/{initial.pk}/year-end/")
    page.locator("[name=self_deadline]").fill(
        (clock.today() + datetime.timedelta(days=10)).isoformat()
    )
    page.locator("[name=with_publicity]").uncheck()
    page.locator("main form [type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    year_end = Campaign.objects.get(kind=CampaignKind.YEAR_END)
    assert year_end.status == CampaignStatus.DECLARING and not year_end.with_publicity
    assert Assessment.objects.filter(campaign=year_end).count() == 3

    # A falls back, B rises, the direct branch stays.
    _complete(year_end, {tree.branch_a.pk: 72, tree.branch_b.pk: 93, tree.direct.pk: 70})
    page.goto(f"{site}/campaigns/{year_end.pk}/results/")
    page.get_by_role("button", name="重新计算").click()
    expect(page.locator(".alert-success")).to_be_visible()
    page.goto(f"{site}/campaigns/{year_end.pk}/submit/")
    for box in page.locator("main form input[type=checkbox]").all():
        box.check()
    page.locator("main form [type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    year_end.refresh_from_db()
    assert year_end.status == CampaignStatus.AWAITING_APPROVAL
    logout(page)

    login(page, site, tree.approver)
    page.goto(f"{site}/campaigns/{year_end.pk}/approve/")
    moves = page.locator("main")
    expect(moves).to_contain_text(tree.branch_a.name)
    expect(moves).to_contain_text(tree.branch_b.name)
    shoot(page, "year-end-approve")
    page.locator("[name=meeting_date]").fill(clock.today().isoformat())
    page.locator("[name=reference]").fill("工委〔2026〕21号")
    page.locator("input[name=confirm]").check()
    page.get_by_role("button", name="登记审批结果").click()
    expect(page.locator(".alert-success")).to_be_visible()
    logout(page)

    after = {b.pk: publicity.current_star(b) for b in (tree.branch_a, tree.branch_b, tree.direct)}
    assert after[tree.branch_a.pk] < before[tree.branch_a.pk]
    assert after[tree.branch_b.pk] > before[tree.branch_b.pk]
    assert after[tree.direct.pk] == before[tree.direct.pk]
    moved = StarChange.objects.filter(campaign=year_end)
    assert {c.branch_id for c in moved} == {tree.branch_a.pk, tree.branch_b.pk}

    # The branch page shows the whole history, as a list and as a chart.
    login(page, site, tree.secretary)
    page.goto(f"{site}/assessments/{factories.assessment_of(year_end, tree.branch_a).pk}/")
    history = page.locator("#star-history-title").locator("xpath=ancestor::section[1]")
    expect(history).to_contain_text(re.compile("复检核星|年终"))
    expect(history.locator("img.star-chart")).to_be_visible()
    shoot(page, "star-history")
