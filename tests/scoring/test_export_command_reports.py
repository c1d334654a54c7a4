"""manage.py export for the PDF reports: annual-pdf [--no-appendix] and rating-sheet
--branch CODE (docs/reports.md §6)."""

import io

import pytest
from django.core.management import CommandError, call_command

from scoring.services.recompute import recompute_campaign
from tests import factories
from tests.factories import ready_branch

from .exporters.pdf_text import text_of


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


def test_annual_pdf_is_written_with_and_without_the_appendix(rated, tmp_path):
    full, summary = tmp_path / "full.pdf", tmp_path / "summary.pdf"
    assert "已导出年度评定报告（PDF）" in run(
        "annual-pdf", "--campaign", str(rated.pk), "-o", str(full)
    )
    run("annual-pdf", "--campaign", str(rated.pk), "--no-appendix", "-o", str(summary))
    with_appendix = text_of(full.read_bytes(), tmp_path)
    without = text_of(summary.read_bytes(), tmp_path)
    assert "附录" in with_appendix and "附录" not in without
    assert "第一党支部" in without and "第二党支部" in without


def test_rating_sheet_is_written_for_the_branch(rated, tree, tmp_path):
    target = tmp_path / "sheet.pdf"
    run(
        "rating-sheet",
        "--campaign",
        str(rated.pk),
        "--branch",
        tree.branch_a.code,
        "-o",
        str(target),
    )
    text = text_of(target.read_bytes(), tmp_path)
    assert "支部评定表" in text and tree.branch_a.name in text and tree.branch_b.name not in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["annual-xlsx", "--campaign", "{pk}", "--no-appendix"],
            "只有 annual-pdf 可以使用 --no-appendix",
        ),
        (
            ["rating-sheet", "--campaign", "{pk}", "--branch", "{code}", "--no-appendix"],
            "--no-appendix",
        ),
        (
            ["annual-pdf", "--campaign", "{pk}", "--branch", "{code}"],
            "只有 certificates, rating-sheet",
        ),
        (["rating-sheet", "--campaign", "{pk}"], "需要用 --branch 指定支部代码"),
        (["rating-sheet", "--campaign", "{pk}", "--branch", "{direct}"], "没有代码为"),
        (["rating-sheet", "--campaign", "{pk}", "--branch", "{unrated}"], "该支部尚无评定结果"),
    ],
)
def test_bad_arguments_exit_2_with_one_chinese_message(rated, tree, tmp_path, args, message):
    unrated = factories.branch(tree.party_committee, name="未评支部")
    factories.assessment(rated, unrated)
    values = {
        "pk": rated.pk,
        "code": tree.branch_a.code,
        "direct": tree.direct.code,
        "unrated": unrated.code,
    }
    target = tmp_path / "out.pdf"
    assert message in refused(*[a.format(**values) for a in args], "-o", str(target))
    assert list(tmp_path.iterdir()) == []


def test_a_draft_campaign_has_no_annual_pdf(tree, tmp_path):
    draft = factories.campaign(tree.committee, status="draft")
    assert "尚未开启" in refused(
        "annual-pdf", "--campaign", str(draft.pk), "-o", str(tmp_path / "x.pdf")
    )
