"""The bad-input campaign: one test per form or upload of the product, each one
`Target` entry (how to add one: tests/junk/harness.py). Never a 500, nothing saved on
a refusal, the refusal in Chinese (docs/nonfunctional.md §7, *Bad input*)."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from branches.models import Member, Organisation
from improvement.models import ImprovementPlan, LedgerItem, PlanStatus
from scoring.models import (
    Approval,
    Ballot,
    Campaign,
    Criterion,
    Evidence,
    Objection,
    Review,
    ReviewScore,
    ScoreEvent,
    SelfEvaluation,
    SelfScore,
    Slip,
    StarChange,
)
from starrating import clock
from tests import factories
from tests.branches.workbooks import good_workbook

from .harness import Target, attack

pytestmark = pytest.mark.django_db
PDF = ("证明.pdf", factories.PDF)


def test_login(client, tree):
    attack(
        client,
        Target(
            "login",
            url=reverse("login"),
            user=None,
            data={"username": "secretary_a", "password": "pw-Test-123"},
            fields=("username", "password"),
            models=(get_user_model(),),
        ),
    )


def test_self_evaluation(client, tree, sheet):
    campaign = sheet.assessment.campaign
    data = factories.post_data(campaign, value="8", star="3", action="save")
    criteria = list(campaign.criteria.order_by("position"))
    attack(
        client,
        Target(
            "self-evaluation",
            url=reverse("scoring:self_evaluation", args=[sheet.assessment.pk]),
            user=tree.secretary,
            data=data,
            fields=(
                f"score_{criteria[0].pk}",
                f"remark_{criteria[0].pk}",
                f"score_{criteria[-1].pk}",
                "self_star",
                "version",
                "save",
            ),
            models=(SelfEvaluation, SelfScore),
        ),
    )


def test_evidence_upload(client, tree, sheet):
    attack(
        client,
        Target(
            "evidence",
            url=reverse("scoring:evidence_upload", args=[sheet.assessment.pk]),
            user=tree.secretary,
            data={},
            files={"file": PDF},
            models=(Evidence,),
        ),
    )


def _keeps_a_code(response):
    cookie = response.cookies.get("ballot_code")
    return cookie is not None and bool(cookie.value)


def test_ballot_code_entry(client, tree, issued):
    code = factories.member_codes(issued)[0]
    attack(
        client,
        Target(
            "ballot code entry",
            url=reverse("scoring:ballot"),
            user=None,
            data={"step": "code", "code": code},
            fields=("code", "step"),
            models=(Ballot, Slip),
            silent=frozenset({"step"}),
            # A good code is kept on the device (a signed cookie), not in a table.
            accepted=_keeps_a_code,
        ),
    )


def test_ballot(client, tree, issued, criteria):
    from tests.journey_helpers import ballot_data

    code = factories.member_codes(issued)[0]
    data = ballot_data(criteria, ["E"] * len(criteria), "satisfied")

    def enter_code(client):
        client.post(reverse("scoring:ballot"), {"step": "code", "code": code})

    attack(
        client,
        Target(
            "ballot",
            url=reverse("scoring:ballot"),
            user=None,
            data=data,
            fields=(f"criterion_{criteria[0].pk}", f"criterion_{criteria[-1].pk}", "verdict"),
            models=(Ballot, Slip),
            before=enter_code,
        ),
    )


def test_survey_open(client, tree, assessment):
    from scoring.models import Survey

    attack(
        client,
        Target(
            "survey opening",
            url=reverse("scoring:survey_open", args=[assessment.pk]),
            user=tree.secretary,
            data={"public_slips": "3"},
            fields=("public_slips",),
            models=(Survey, Slip),
        ),
    )


def test_review(client, tree, campaign, ready):
    criteria = list(campaign.criteria.order_by("position"))
    data = {"action": "save", "version": "0"}
    for criterion in criteria:
        data[f"score_{criterion.pk}"] = "8"
        data[f"remark_{criterion.pk}"] = "备注"
    attack(
        client,
        Target(
            "review",
            url=reverse("scoring:review", args=[ready.pk]),
            user=tree.reviewer,
            data=data,
            fields=(
                f"score_{criteria[0].pk}",
                f"remark_{criteria[0].pk}",
                "version",
                "action",
                "confirm",
            ),
            models=(Review, ReviewScore),
        ),
    )


def test_event_form(client, tree):
    attack(
        client,
        Target(
            "events",
            url=reverse("scoring:event_create"),
            user=tree.staff,
            data={
                "branch": str(tree.branch_a.pk),
                "type": "absence",
                "count": "1",
                "date": (clock.today() - datetime.timedelta(days=3)).isoformat(),
                "document_ref": "工委〔2026〕1号",
                "description": "未按时参加",
                "level": "",
                "issuer": "",
                "severity": "",
            },
            fields=("branch", "type", "count", "date", "document_ref", "description", "level"),
            models=(ScoreEvent,),
            files={"upload": PDF},
        ),
    )


def test_campaign_form(client, tree):
    year = factories.THIS_YEAR
    attack(
        client,
        Target(
            "campaign",
            url=reverse("scoring:campaign_create"),
            user=tree.staff,
            data=factories.policy_form(
                year=str(year),
                kind="initial",
                title="",
                self_deadline=f"{year}-06-05",
                review_deadline="",
            ),  # fmt: skip
            fields=(
                "year",
                "kind",
                "title",
                "self_deadline",
                "review_deadline",
                "weight_self",
                "weight_survey",
                "band_5",
                "band_1",
                "five_star_share",
                "quota_mode",
                "quota_mode_reason",
                "publicity_days",
            ),  # fmt: skip
            models=(Campaign, Criterion),
        ),
    )


def test_rubric(client, tree, draft_campaign):
    criteria = list(draft_campaign.criteria.order_by("position"))
    data = factories.policy_form(
        title=draft_campaign.title, self_deadline=draft_campaign.self_deadline.isoformat()
    )
    data.update(
        {
            "rubric-TOTAL_FORMS": str(len(criteria)),
            "rubric-INITIAL_FORMS": str(len(criteria)),
            "rubric-MIN_NUM_FORMS": "0",
            "rubric-MAX_NUM_FORMS": "1000",
        }
    )
    for i, criterion in enumerate(criteria):
        data[f"rubric-{i}-id"] = str(criterion.pk)
        data[f"rubric-{i}-title"] = criterion.title
        data[f"rubric-{i}-description"] = criterion.description
        data[f"rubric-{i}-max_points"] = str(criterion.max_points)
    attack(
        client,
        Target(
            "rubric",
            url=reverse("scoring:campaign_edit", args=[draft_campaign.pk]),
            user=tree.staff,
            data=data,
            fields=(
                "rubric-TOTAL_FORMS",
                "rubric-INITIAL_FORMS",
                "rubric-0-id",
                "rubric-0-title",
                "rubric-0-description",
                "rubric-0-max_points",
                "rubric-1-max_points",
                "rubric-1-DELETE",
                "weight_review",
                "band_3",
            ),  # fmt: skip
            models=(Campaign, Criterion),
        ),
    )


def test_roster_import(client, tree):
    attack(
        client,
        Target(
            "roster import",
            url=reverse("branches:roster_import"),
            user=tree.staff,
            data={"dry_run": ""},
            fields=("dry_run",),
            files={"file": ("名册.xlsx", good_workbook())},
            models=(Organisation, Member),
            silent=frozenset({"dry_run"}),
        ),
    )


def test_objection_form(client, tree, published):
    attack(
        client,
        Target(
            "objection",
            url=reverse("scoring:notice_objection", args=[published.pk]),
            user=None,
            data={
                "branch": tree.branch_a.name,
                "text": "该支部的会议记录不全。",
                "name": "张三",
                "phone": "13900000000",
                "website": "",
            },
            fields=("branch", "text", "name", "phone", "website"),
            files={"attachment": PDF},
            silent=frozenset({"website"}),
            models=(Objection,),
            today=factories.DURING,
        ),
    )


def _ledger(tree, campaign):
    plan = factories.plan(campaign, tree.branch_a, status=PlanStatus.FILED)
    person = factories.member(tree.branch_a, name="张三")
    return plan, person, factories.ledger_item(plan, responsible=person)


def test_plan_form(client, tree, rated):
    attack(
        client,
        Target(
            "improvement plan",
            url=reverse("improvement:plan_create", args=[tree.branch_a.pk]),
            user=tree.secretary,
            data={"target_star": "3", "measures": "加强组织生活"},
            fields=("target_star", "measures"),
            models=(ImprovementPlan,),
        ),
    )


def test_ledger_item(client, tree, campaign):
    plan, person, _item = _ledger(tree, campaign)
    attack(
        client,
        Target(
            "ledger item",
            url=reverse("improvement:item_create", args=[plan.pk]),
            user=tree.secretary,
            data={
                "problem": "学习不深入",
                "measures": "每周集中学习",
                "responsible": str(person.pk),
                "due": (clock.today() + datetime.timedelta(days=20)).isoformat(),
                "criterion": "",
                "event": "",
            },
            fields=("problem", "measures", "responsible", "due", "criterion", "event"),
            models=(LedgerItem,),
        ),
    )


def test_ledger_item_closing(client, tree, campaign):
    _plan, _person, item = _ledger(tree, campaign)
    attack(
        client,
        Target(
            "ledger evidence",
            url=reverse("improvement:item_close", args=[item.pk]),
            user=tree.secretary,
            data={"closed_on": clock.today().isoformat(), "note": "已完成整改"},
            fields=("closed_on", "note"),
            files={"evidence": PDF},
            models=(LedgerItem,),
        ),
    )


def test_downgrade(client, tree):
    from scoring.models import StarCause
    from scoring.services import stars

    earlier = clock.today() - datetime.timedelta(days=30)
    stars.change_star(
        tree.branch_a, to=4, cause=StarCause.APPROVAL, actor=tree.approver, reason="工委决定",
        effective=earlier,
    )  # fmt: skip
    attack(
        client,
        Target(
            "downgrade",
            url=reverse("scoring:branch_stars", args=[tree.branch_a.pk]),
            user=tree.reviewer,
            data={
                "action": "downgrade",
                "downgrade-to": "2",
                "downgrade-reason": "三会一课不落实",
                "downgrade-effective": clock.today().isoformat(),
            },
            fields=("action", "downgrade-to", "downgrade-reason", "downgrade-effective"),
            models=(StarChange,),
        ),
    )


def test_approval(client, tree, published):
    from scoring.services import publicity

    with clock.frozen(factories.MEETING):
        publicity.end_publicity_if_due(published)  # as the approver's first visit would
    attack(
        client,
        Target(
            "approval",
            url=reverse("scoring:campaign_approve", args=[published.pk]),
            user=tree.approver,
            data={
                "meeting_date": factories.MEETING.isoformat(),
                "reference": "工委〔2026〕7号",
                "confirm": "on",
            },
            fields=("meeting_date", "reference", "confirm"),
            files={"minutes": ("纪要.pdf", factories.PDF)},
            models=(Approval, StarChange, Campaign),
            today=factories.MEETING,
        ),
    )


def test_export_form(client, tree, rated):
    from scoring.models import ExportJob

    attack(
        client,
        Target(
            "export",
            url=reverse("scoring:export_start", args=[rated.pk, "rating-sheet"]),
            user=tree.staff,
            data={"branch": tree.branch_a.code, "back": "/"},
            fields=("branch", "back"),
            models=(ExportJob,),
        ),
    )
