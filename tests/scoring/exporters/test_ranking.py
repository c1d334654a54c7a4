"""The dashboard's ranking workbook read back with openpyxl: the rows it was given, in
their order, each equal to what is stored; text that looks like a formula stays text."""

import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from scoring.exporters.ranking import RankingWorkbook
from scoring.models import Rating
from scoring.services import dashboard
from scoring.services.recompute import recompute_campaign
from tests import factories
from tests.factories import ready_branch


def export(campaign, actor, filters=()):
    """The workbook of the actor's whole ranking (no filter), as its job makes it."""
    out = io.BytesIO()
    with translation.override("zh-hans"):
        RankingWorkbook(campaign, actor=actor, shown=[list(f) for f in filters]).render(out)
    return load_workbook(io.BytesIO(out.getvalue()))


def rated(campaign, tree, n):
    for i in range(n):
        branch = factories.branch(tree.party_committee, name=f"支部{i:03d}")
        ready_branch(campaign, branch, self_total=95 - i % 7, review_total=90 - i % 11)
    factories.assessment(campaign, tree.branch_b)  # enrolled, nothing handed in
    recompute_campaign(campaign=campaign, actor=tree.staff)
    campaign.refresh_from_db()


def test_each_row_equals_the_stored_rating_in_the_rankings_order(tree, campaign):
    rated(campaign, tree, 8)
    rows = dashboard.ranking(dashboard.scope(tree.staff, campaign))
    book = export(campaign, tree.staff)
    assert book.sheetnames == ["排名", "条件"]
    header, *lines = book["排名"].iter_rows(values_only=True)
    assert header == (
        "名次", "组织", "代码", "上级组织", "自评得分", "测评得分", "考评得分", "总分",
        "星级", "星级（数字）", "状态", "尚缺",
    )  # fmt: skip
    assert [line[2] for line in lines] == [a.branch.code for a in rows]
    for line, assessment in zip(lines[:-1], rows, strict=False):
        rating = Rating.objects.get(assessment=assessment)
        assert line[0] == lines.index(line) + 1
        assert [float(v) for v in line[4:8]] == [
            float(rating.self_component),
            float(rating.survey_component),
            float(rating.review_component),
            float(rating.score),
        ]
        assert line[9] == rating.star and line[10] == "已评定"
    last = lines[-1]
    assert last[2] == tree.branch_b.code
    assert last[0] is None and last[7] is None and last[10] == "材料未齐"
    assert "自评未提交" in last[11]


def test_the_conditions_sheet_names_the_filters_and_finality(tree, campaign):
    rated(campaign, tree, 2)
    book = export(campaign, tree.staff, [("星级", "四星级")])
    conditions = dict(book["条件"].iter_rows(values_only=True))
    assert conditions["评定活动"] == campaign.title
    assert conditions["结果"] == "暂定", "branch B is incomplete"
    assert conditions["星级"] == "四星级"


def test_formula_like_names_are_written_as_text(tree, campaign):
    branch = factories.branch(tree.party_committee, name="=HYPERLINK(1)")
    ready_branch(campaign, branch, review_total=80)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    book = export(campaign, tree.staff)
    cell = book["排名"]["B2"]
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"


def test_the_query_count_does_not_grow_with_the_rows(tree, campaign):
    def count():
        with CaptureQueriesContext(connection) as queries:
            export(campaign, tree.staff)
        return len(queries)

    rated(campaign, tree, 3)
    small = count()
    for i in range(30):
        ready_branch(campaign, factories.branch(tree.party_committee), review_total=60 + i)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    assert count() == small <= 3
