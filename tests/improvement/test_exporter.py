"""The ledger workbook (`ledger-xlsx`, docs/reports.md §6) read back with openpyxl: equal
to the stored items, formula-like texts kept as text; the annual workbook's 整改台账 sheet
holds the same rows; `manage.py export` serves it."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from improvement.models import ItemStatus, PlanStatus
from scoring.exporters import EXPORTERS, AnnualWorkbook, ExportRefused, LedgerWorkbook
from scoring.models import CampaignStatus
from scoring.services.recompute import recompute_campaign
from starrating import clock
from tests import factories
from tests.factories import ready_branch

TODAY = clock.today()
FORMULAS = ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(A1)"]


@pytest.fixture
def ledger(tree, campaign):
    """Branch A: two items (one closed, one overdue); branch B: formula-like texts;
    a plan of another year that must not appear."""
    a = factories.plan(campaign, tree.branch_a, status=PlanStatus.ACKNOWLEDGED, target_star=4)
    zhang = factories.member(tree.branch_a, name="张三")
    criterion = campaign.criteria.get(position=3)
    factories.ledger_item(
        a,
        responsible=zhang,
        problem="学习不深入",
        measures="每周学习",
        due=datetime.date(2026, 12, 20),
        status=ItemStatus.CLOSED,
        closed_on=datetime.date(2026, 11, 30),
        closing_note="已完成",
        criterion=criterion,
    )
    factories.ledger_item(
        a,
        responsible=zhang,
        problem="台账不全",
        measures="补齐",
        due=TODAY - datetime.timedelta(days=1),
        reopen_reason="佐证不足",
    )
    b = factories.plan(campaign, tree.branch_b, status=PlanStatus.FILED, measures=FORMULAS[0])
    for text in FORMULAS:
        factories.ledger_item(
            b, responsible=factories.member(tree.branch_b, name=text), problem=text, measures=text
        )
    older = factories.campaign(tree.committee, year=factories.YEAR - 1)
    factories.ledger_item(factories.plan(older, tree.branch_a), problem="去年的问题")
    return campaign


def export(exporter):
    out = io.BytesIO()
    with translation.override("zh-hans"):
        exporter.render(out)
    return load_workbook(io.BytesIO(out.getvalue()))


def body(ws):
    return [list(row) for row in ws.iter_rows(min_row=2, values_only=True)]


def test_ledger_xlsx_is_a_built_exporter():
    assert EXPORTERS["ledger-xlsx"] is LedgerWorkbook


def test_the_sheets_are_the_ledger_and_the_plans(ledger):
    assert export(LedgerWorkbook(ledger)).sheetnames == ["整改台账", "晋位争星方案"]


def test_the_ledger_sheet_equals_the_stored_items(ledger, tree):
    ws = export(LedgerWorkbook(ledger))["整改台账"]
    header = [c.value for c in ws[1]]
    assert header[:9] == [
        "组织",
        "代码",
        "上级组织",
        "问题",
        "整改措施",
        "责任人",
        "整改时限",
        "状态",
        "是否逾期",
    ]
    rows = [r for r in body(ws) if r[1] == tree.branch_a.code]
    assert [r[3] for r in rows] == ["台账不全", "学习不深入"]  # in due order
    overdue, closed = rows
    assert overdue[5:9] == [
        "张三",
        datetime.datetime.combine(TODAY - datetime.timedelta(days=1), datetime.time()),
        "未销账",
        "是",
    ]
    assert overdue[11] == "佐证不足"
    assert closed[7:13] == [
        "已销账",
        "否",
        datetime.datetime(2026, 11, 30),
        "已完成",
        None,
        ledger.criteria.get(position=3).title,
    ]
    assert closed[13:16] == ["集中整顿", 4, "已备案"]
    assert "去年的问题" not in {r[3] for r in body(ws)}
    assert len(body(ws)) == 6


def test_the_category_is_written_in_words(ledger, tree):
    ws = export(LedgerWorkbook(ledger))["整改台账"]
    assert {r[13] for r in body(ws)} == {"集中整顿"}


def test_formula_like_texts_are_kept_as_text(ledger, tree):
    ws = export(LedgerWorkbook(ledger))["整改台账"]
    cells = [row for row in ws.iter_rows(min_row=2) if row[1].value == tree.branch_b.code]
    for column in (3, 4, 5):
        assert sorted(row[column].value for row in cells) == sorted(FORMULAS)
        assert all(row[column].data_type == "s" and row[column].quotePrefix for row in cells)
    plans = export(LedgerWorkbook(ledger))["晋位争星方案"]
    measures = [row[7] for row in plans.iter_rows(min_row=2) if row[1].value == tree.branch_b.code]
    assert measures[0].value == FORMULAS[0] and measures[0].quotePrefix


def test_the_plans_sheet_equals_the_stored_plans(ledger, tree):
    rows = body(export(LedgerWorkbook(ledger))["晋位争星方案"])
    assert [(r[1], r[5], r[6]) for r in rows] == [
        (tree.branch_a.code, 4, "已备案"),
        (tree.branch_b.code, 3, "已报备待备案"),
    ]


def test_the_annual_workbook_holds_the_same_ledger_rows(ledger, tree):
    ready_branch(ledger, tree.branch_a, review_total=90)
    recompute_campaign(campaign=ledger, actor=tree.staff)
    ledger.refresh_from_db()
    annual = body(export(AnnualWorkbook(ledger))["整改台账"])
    assert annual == body(export(LedgerWorkbook(ledger))["整改台账"])


def test_a_draft_campaign_is_refused(tree):
    draft = factories.campaign(tree.committee, year=2027, status=CampaignStatus.DRAFT)
    with pytest.raises(ExportRefused):
        LedgerWorkbook(draft).render(io.BytesIO())


@pytest.mark.parametrize("size", [3, 30])
def test_the_workbook_reads_in_a_fixed_number_of_queries(
    tree, campaign, size, django_assert_max_num_queries
):
    for _ in range(size):
        branch = factories.branch(tree.party_committee)
        plan = factories.plan(campaign, branch)
        factories.ledger_item(plan)
        factories.ledger_item(plan, status=ItemStatus.CLOSED)
    with django_assert_max_num_queries(2):
        LedgerWorkbook(campaign).render(io.BytesIO())


def test_the_export_command_writes_the_ledger(ledger, tmp_path):
    target = tmp_path / "ledger.xlsx"
    call_command(
        "export",
        "ledger-xlsx",
        "--campaign",
        str(ledger.pk),
        "-o",
        str(target),
        stdout=io.StringIO(),
    )
    assert len(body(load_workbook(target)["整改台账"])) == 6


def test_the_export_command_refuses_a_draft_campaign(tree, tmp_path):
    draft = factories.campaign(tree.committee, year=2027, status=CampaignStatus.DRAFT)
    target = tmp_path / "ledger.xlsx"
    with pytest.raises(CommandError) as caught:
        call_command(
            "export",
            "ledger-xlsx",
            "--campaign",
            str(draft.pk),
            "-o",
            str(target),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert caught.value.returncode == 2 and not target.exists()


def test_staff_make_the_ledger_from_the_oversight_page(
    client, tree, ledger, django_capture_on_commit_callbacks
):
    from scoring.models import ExportJob

    client.force_login(tree.staff)
    page = client.get(reverse("improvement:overview")).content.decode()
    url = reverse("scoring:export_start", args=[ledger.pk, "ledger-xlsx"])
    assert url in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and job.kind == "ledger-xlsx"
    download = client.get(reverse("scoring:export_download", args=[job.pk]))
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert len(body(book["整改台账"])) == 6


def test_a_reviewer_has_no_ledger_download(client, tree, ledger):
    from scoring.models import ExportJob

    client.force_login(tree.reviewer)
    url = reverse("scoring:export_start", args=[ledger.pk, "ledger-xlsx"])
    assert url not in client.get(reverse("improvement:overview")).content.decode()
    assert client.post(url).status_code == 403
    assert not ExportJob.objects.exists()
