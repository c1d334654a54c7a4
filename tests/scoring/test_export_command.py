"""manage.py export KIND --campaign ID -o FILE [--branch CODE] (docs/reports.md §6)."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from scoring.models import Rating
from scoring.services.recompute import recompute_campaign
from tests.factories import ready_branch


def run(*args):
    out = io.StringIO()
    call_command("export", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def refused(*args) -> str:
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert caught.value.returncode == 2
    return str(caught.value)


@pytest.fixture
def rated(campaign, tree):
    ready_branch(campaign, tree.branch_a, review_total=90)
    ready_branch(campaign, tree.branch_b, review_total=80)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    return campaign


def test_annual_xlsx_is_written_and_holds_the_ratings(rated, tmp_path):
    target = tmp_path / "annual.xlsx"
    out = run("annual-xlsx", "--campaign", str(rated.pk), "-o", str(target))
    assert "已导出年度评定工作簿" in out
    ws = load_workbook(target)["星级名单"]
    names = [row[0] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert names == ["第一党支部", "第二党支部"]
    assert Rating.objects.filter(assessment__campaign=rated).count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["annual-csv", "--campaign", "{pk}"], "未知的导出类型 annual-csv"),
        (["annual-xlsx", "--campaign", "999999"], "没有编号为 999999 的评定活动"),
        (["annual-xlsx", "--campaign", "abc"], "没有编号为 abc 的评定活动"),
        (["rating-sheet", "--campaign", "{pk}"], "需要用 --branch 指定支部代码"),
        (["rating-sheet", "--campaign", "{pk}", "--branch", "NOPE"], "没有代码为 NOPE 的支部"),
        (["annual-xlsx", "--campaign", "{pk}", "--branch", "X"], "只有 certificates, rating-sheet"),
        (["certificates", "--campaign", "{pk}"], "尚未审批"),
    ],
)
def test_bad_arguments_exit_2_with_one_chinese_message(rated, tmp_path, args, message):
    target = tmp_path / "out.xlsx"
    args = [a.format(pk=rated.pk) for a in args]
    assert message in refused(*args, "-o", str(target))
    assert not target.exists()


def test_a_campaign_without_results_is_refused(campaign, tmp_path):
    target = tmp_path / "out.xlsx"
    assert "尚无结果" in refused("annual-xlsx", "--campaign", str(campaign.pk), "-o", str(target))
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_an_unwritable_target_is_refused_and_leaves_nothing(rated, tmp_path):
    target = tmp_path / "missing" / "out.xlsx"
    assert "无法写入" in refused("annual-xlsx", "--campaign", str(rated.pk), "-o", str(target))
    assert list(tmp_path.iterdir()) == []
