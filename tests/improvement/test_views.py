"""The improvement pages through the test client, role by role (docs/process.md §2.2,
docs/nonfunctional.md §7): who sees what, who may act, bad input changes nothing."""

import datetime

import pytest
from django.urls import reverse

from improvement.models import ImprovementPlan, ItemStatus, LedgerItem, PlanStatus
from starrating import clock
from tests import factories

TODAY = clock.today()


@pytest.fixture
def world(tree, campaign):
    """Branch A with a filed plan, one open item, one closed (with a real evidence file);
    branch B with a draft plan."""
    factories.assessment(campaign, tree.branch_a)
    factories.assessment(campaign, tree.branch_b)
    plan = factories.plan(campaign, tree.branch_a, status=PlanStatus.FILED)
    person = factories.member(tree.branch_a, name="张三")
    open_item = factories.ledger_item(plan, responsible=person)
    closed = factories.ledger_item(plan, responsible=person, problem="已整改的问题")
    from improvement import services

    services.close_item(
        actor=tree.secretary,
        item=closed,
        closed_on=TODAY,
        note="完成",
        uploaded_file=factories.upload("佐证.pdf", factories.PDF),
    )
    other = factories.plan(campaign, tree.branch_b)
    return {"plan": plan, "open": open_item, "closed": closed, "other": other, "person": person}


def get(client, user, name, *args):
    if user is not None:
        client.force_login(user)
    return client.get(reverse(name, args=args))


# --- Who sees what ------------------------------------------------------------------------

SEE_A = {"secretary": 200, "secretary_b": 404, "reviewer": 200, "staff": 200, "approver": 200}


@pytest.mark.parametrize(("role", "status"), SEE_A.items())
def test_the_plan_page_of_branch_a(client, tree, world, role, status):
    assert (
        get(client, getattr(tree, role), "improvement:plan", world["plan"].pk).status_code == status
    )


@pytest.mark.parametrize(("role", "status"), SEE_A.items())
def test_the_branch_page_of_branch_a(client, tree, world, role, status):
    response = get(client, getattr(tree, role), "improvement:branch", tree.branch_a.pk)
    assert response.status_code == status


@pytest.mark.parametrize(("role", "status"), SEE_A.items())
def test_the_evidence_of_branch_a(client, tree, world, role, status):
    response = get(client, getattr(tree, role), "improvement:item_evidence", world["closed"].pk)
    assert response.status_code == status
    if status == 200:
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == factories.PDF


def test_an_open_item_has_no_evidence_to_download(client, tree, world):
    assert (
        get(client, tree.secretary, "improvement:item_evidence", world["open"].pk).status_code
        == 404
    )


def test_another_parents_reviewer_gets_404(client, tree, world):
    other = factories.org("party_committee", parent=tree.committee)
    stranger = factories.user("other_reviewer", role="reviewer", organisation=other)
    for name, arg in (
        ("improvement:plan", world["plan"].pk),
        ("improvement:branch", tree.branch_a.pk),
        ("improvement:item_evidence", world["closed"].pk),
        ("improvement:item_reopen", world["closed"].pk),
    ):
        assert get(client, stranger, name, arg).status_code == 404
    client.force_login(stranger)
    response = client.post(reverse("improvement:plan_acknowledge", args=[world["plan"].pk]))
    assert response.status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, world):
    response = client.get(reverse("improvement:plan", args=[world["plan"].pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_secretary_is_sent_from_the_overview_to_the_branch(client, tree, world):
    response = get(client, tree.secretary, "improvement:overview")
    assert response.status_code == 302
    assert response["Location"] == reverse("improvement:branch", args=[tree.branch_a.pk])


def test_someone_without_a_role_may_not_see_the_overview(client, tree):
    assert get(client, tree.nobody, "improvement:overview").status_code == 403
    assert get(client, tree.secretary, "improvement:focused").status_code == 403


# --- Who may act --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["reviewer", "staff", "secretary_b"])
def test_only_the_secretary_reaches_the_secretarys_forms(client, tree, world, role):
    factories.assessment(
        factories.campaign(tree.committee, year=factories.YEAR + 1, recomputed_at=clock.now()),
        tree.branch_a,
    )
    expected = 404 if role == "secretary_b" else 403
    user = getattr(tree, role)
    for name, arg in (
        ("improvement:item_create", world["plan"].pk),
        ("improvement:starting_list", world["plan"].pk),
        ("improvement:plan_edit", world["plan"].pk),
        ("improvement:item_close", world["open"].pk),
        ("improvement:plan_create", tree.branch_a.pk),
    ):
        assert get(client, user, name, arg).status_code == expected, name


def test_the_secretary_may_not_reopen_or_return(client, tree, world):
    assert (
        get(client, tree.secretary, "improvement:item_reopen", world["closed"].pk).status_code
        == 403
    )
    assert (
        get(client, tree.secretary, "improvement:plan_return", world["plan"].pk).status_code == 403
    )
    client.force_login(tree.secretary)
    response = client.post(reverse("improvement:plan_acknowledge", args=[world["plan"].pk]))
    assert response.status_code == 403
    world["plan"].refresh_from_db()
    assert world["plan"].status == PlanStatus.FILED


def test_the_approver_reads_but_does_not_acknowledge(client, tree, world):
    client.force_login(tree.approver)
    response = client.post(reverse("improvement:plan_acknowledge", args=[world["plan"].pk]))
    assert response.status_code == 403


# --- The flows through the pages -----------------------------------------------------------


def test_the_secretary_starts_edits_and_files_a_plan(client, tree, world):
    next_year = factories.campaign(
        tree.committee, year=factories.YEAR + 1, recomputed_at=clock.now()
    )
    factories.assessment(next_year, tree.branch_a)
    client.force_login(tree.secretary)
    page = client.get(reverse("improvement:branch", args=[tree.branch_a.pk]))
    assert reverse("improvement:plan_create", args=[tree.branch_a.pk]) in page.content.decode()
    response = client.post(
        reverse("improvement:plan_create", args=[tree.branch_a.pk]),
        {"target_star": "4", "measures": "开展主题党日"},
    )
    plan = ImprovementPlan.objects.get(branch=tree.branch_a, year=factories.YEAR + 1)
    assert response["Location"] == reverse("improvement:plan", args=[plan.pk])
    assert (plan.target_star, plan.status) == (4, PlanStatus.DRAFT)
    client.post(reverse("improvement:plan_file", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.FILED


def test_filing_twice_through_the_page_shows_the_refusal(client, tree, world):
    client.force_login(tree.secretary)
    response = client.post(reverse("improvement:plan_file", args=[world["plan"].pk]), follow=True)
    assert "已报备" in response.content.decode() or "already" in response.content.decode()
    assert world["plan"].history.filter(history_change_reason="plan.filed").count() == 0


def test_the_reviewer_returns_a_plan_with_a_reason(client, tree, world):
    client.force_login(tree.reviewer)
    url = reverse("improvement:plan_return", args=[world["plan"].pk])
    assert client.post(url, {"reason": ""}).status_code == 200  # re-rendered with the error
    world["plan"].refresh_from_db()
    assert world["plan"].status == PlanStatus.FILED
    client.post(url, {"reason": "目标不明确"})
    world["plan"].refresh_from_db()
    assert (world["plan"].status, world["plan"].return_reason) == ("returned", "目标不明确")


def test_the_reviewer_acknowledges_a_plan(client, tree, world):
    client.force_login(tree.reviewer)
    client.post(reverse("improvement:plan_acknowledge", args=[world["plan"].pk]))
    world["plan"].refresh_from_db()
    assert world["plan"].status == PlanStatus.ACKNOWLEDGED


def item_post(world, **overrides):
    data = {
        "problem": "学习不深入",
        "measures": "每周集中学习",
        "responsible": str(world["person"].pk),
        "due": (TODAY + datetime.timedelta(days=20)).isoformat(),
        "criterion": "",
        "event": "",
    }
    data.update(overrides)
    return data


def test_the_secretary_adds_an_item(client, tree, world):
    client.force_login(tree.secretary)
    response = client.post(
        reverse("improvement:item_create", args=[world["plan"].pk]), item_post(world)
    )
    assert response.status_code == 302
    assert world["plan"].items.filter(problem="学习不深入").exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"problem": ""},
        {"problem": "长" * 2001},
        {"due": "2026-02-30"},
        {"due": "yesterday"},
        {"due": (TODAY - datetime.timedelta(days=1)).isoformat()},
        {"responsible": "999999"},
        {"criterion": "999999"},
        {"event": "999999"},
        {"event": "x"},
    ],
)
def test_bad_item_input_is_refused_with_a_message(client, tree, world, bad):
    client.force_login(tree.secretary)
    before = LedgerItem.objects.count()
    response = client.post(
        reverse("improvement:item_create", args=[world["plan"].pk]), item_post(world, **bad)
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert LedgerItem.objects.count() == before


def test_a_member_of_another_branch_is_not_offered_nor_accepted(client, tree, world):
    outsider = factories.member(tree.branch_b, name="李四")
    client.force_login(tree.secretary)
    page = client.get(reverse("improvement:item_create", args=[world["plan"].pk]))
    assert "李四" not in page.content.decode() and "张三" in page.content.decode()
    response = client.post(
        reverse("improvement:item_create", args=[world["plan"].pk]),
        item_post(world, responsible=str(outsider.pk)),
    )
    assert response.status_code == 200 and not world["plan"].items.filter(responsible=outsider)


def test_a_line_of_the_starting_list_fills_the_form(client, tree, world):
    from scoring.models import EventType

    event = factories.event(tree.branch_a, EventType.ABSENCE, description="未按时完成")
    client.force_login(tree.secretary)
    page = client.get(reverse("improvement:starting_list", args=[world["plan"].pk]))
    link = reverse("improvement:item_create", args=[world["plan"].pk]) + f"?event={event.pk}"
    assert link in page.content.decode()
    form = client.get(link).context["form"]
    assert "未按时完成" in form.initial["problem"] and form.initial["event"] == event.pk


def close_post(**overrides):
    data = {
        "closed_on": TODAY.isoformat(),
        "note": "已完成整改",
        "evidence": factories.upload("报告.png", factories.PNG),
    }
    data.update(overrides)
    return data


def test_the_secretary_closes_an_item_with_evidence(client, tree, world):
    client.force_login(tree.secretary)
    url = reverse("improvement:item_close", args=[world["open"].pk])
    assert client.post(url, close_post()).status_code == 302
    world["open"].refresh_from_db()
    assert (world["open"].status, world["open"].evidence_type) == ("closed", "image/png")


@pytest.mark.parametrize(
    "bad",
    [
        {"evidence": ""},
        {"evidence": factories.upload("报告.pdf", b"not a pdf")},
        {"evidence": factories.upload("报告.exe", b"MZ\x90\x00")},
        {"evidence": factories.upload("报告.pdf", factories.PNG)},
        {"closed_on": (TODAY + datetime.timedelta(days=1)).isoformat()},
        {"closed_on": "31/12/2026"},
        {"note": ""},
    ],
)
def test_bad_closing_input_is_refused_with_a_message(client, tree, world, bad):
    client.force_login(tree.secretary)
    response = client.post(
        reverse("improvement:item_close", args=[world["open"].pk]), close_post(**bad)
    )
    assert response.status_code == 200 and response.context["form"].errors
    world["open"].refresh_from_db()
    assert world["open"].status == ItemStatus.OPEN


def test_a_file_above_the_limit_is_refused(client, tree, world, settings):
    settings.UPLOAD_MAX_BYTES = {**settings.UPLOAD_MAX_BYTES, "ledger": len(factories.PNG) - 1}
    client.force_login(tree.secretary)
    response = client.post(reverse("improvement:item_close", args=[world["open"].pk]), close_post())
    assert response.status_code == 200 and "evidence" in response.context["form"].errors


def test_staff_reopen_an_item_with_a_reason(client, tree, world):
    client.force_login(tree.staff)
    url = reverse("improvement:item_reopen", args=[world["closed"].pk])
    assert client.post(url, {"reason": ""}).status_code == 200
    client.post(url, {"reason": "佐证材料不全"})
    world["closed"].refresh_from_db()
    assert (world["closed"].status, world["closed"].reopen_reason) == ("open", "佐证材料不全")


def test_the_plan_page_highlights_an_overdue_item(client, tree, world):
    LedgerItem.objects.filter(pk=world["open"].pk).update(due=TODAY - datetime.timedelta(days=2))
    response = get(client, tree.reviewer, "improvement:plan", world["plan"].pk)
    assert response.context["counts"] == {"open": 1, "closed": 1, "overdue": 1}
    assert 'class="table-danger"' in response.content.decode()


def test_the_plan_page_shows_the_actions_of_the_role(client, tree, world):
    secretary = get(client, tree.secretary, "improvement:plan", world["plan"].pk).content.decode()
    assert reverse("improvement:item_close", args=[world["open"].pk]) in secretary
    assert reverse("improvement:item_reopen", args=[world["closed"].pk]) not in secretary
    reviewer = get(client, tree.reviewer, "improvement:plan", world["plan"].pk).content.decode()
    assert reverse("improvement:item_reopen", args=[world["closed"].pk]) in reviewer
    assert reverse("improvement:plan_acknowledge", args=[world["plan"].pk]) in reviewer
    assert reverse("improvement:item_close", args=[world["open"].pk]) not in reviewer


def test_the_branch_page_links_to_the_ledger(client, tree, world, campaign):
    assessment = campaign.assessments.get(branch=tree.branch_a)
    page = get(client, tree.secretary, "scoring:assessment", assessment.pk).content.decode()
    assert reverse("improvement:branch", args=[tree.branch_a.pk]) in page


def test_the_secretary_edits_an_open_item(client, tree, world):
    client.force_login(tree.secretary)
    url = reverse("improvement:item_edit", args=[world["open"].pk])
    page = client.get(url)
    assert page.context["form"].initial["problem"] == world["open"].problem
    data = item_post(world, problem="新的问题", version=page.context["form"].initial["version"])
    del data["event"]
    assert client.post(url, data).status_code == 302
    world["open"].refresh_from_db()
    assert world["open"].problem == "新的问题"


def test_only_the_secretary_edits_an_item(client, tree, world):
    assert get(client, tree.reviewer, "improvement:item_edit", world["open"].pk).status_code == 403
    assert (
        get(client, tree.secretary_b, "improvement:item_edit", world["open"].pk).status_code == 404
    )
