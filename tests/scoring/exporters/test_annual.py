"""The annual workbook read back with openpyxl: every sheet equals what is stored."""

import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from scoring.exporters import AnnualWorkbook, ExportRefused
from scoring.models import LIMIT_LABELS, CampaignStatus, EventType, Rating
from scoring.services.recompute import recompute_campaign
from tests import factories
from tests.factories import ready_branch


def rated_campaign(campaign, tree, n):
    """`n` rated branches under the party committee, one with two events."""
    for i in range(n):
        branch = factories.branch(tree.party_committee, name=f"支部{i:03d}")
        ready_branch(campaign, branch, self_total=95 - i % 7, review_total=90 - i % 11)
    return campaign


def export(campaign):
    out = io.BytesIO()
    with translation.override("zh-hans"):
        AnnualWorkbook(campaign).render(out)
    return load_workbook(io.BytesIO(out.getvalue()))


def body(ws, start=2):
    return [list(row) for row in ws.iter_rows(min_row=start, values_only=True)]


def number(value):
    return None if value is None else float(value)


@pytest.fixture
def rated(campaign, tree):
    rated_campaign(campaign, tree, 12)
    ready_branch(campaign, tree.branch_a, self_total=99, review_total=99)
    factories.event(tree.branch_a, EventType.COMMENDATION, level="city", document_ref="=1+1")
    factories.event(tree.branch_a, EventType.ABSENCE, count=3)
    factories.assessment(campaign, tree.branch_b)  # enrolled, nothing handed in
    recompute_campaign(campaign=campaign, actor=tree.staff)
    campaign.refresh_from_db()
    return campaign


def test_the_sheets_are_the_five_of_the_spec(rated):
    assert export(rated).sheetnames == ["汇总", "星级名单", "加减分明细", "测评统计", "整改台账"]


def test_the_rating_list_equals_the_stored_ratings_row_by_row(rated):
    ws = export(rated)["星级名单"]
    assert [c.value for c in ws[1]][:3] == ["组织", "代码", "上级组织"]
    stored = Rating.objects.filter(assessment__campaign=rated).select_related(
        "assessment__branch__parent"
    )
    expected = [
        [
            r.assessment.branch.name,
            r.assessment.branch.code,
            r.assessment.branch.parent.name,
            *(
                number(v)
                for v in (
                    r.self_component,
                    r.survey_component,
                    r.review_component,
                    r.base,
                    r.bonus,
                    r.penalty,
                    r.score,
                )
            ),
            r.band,
            "★" * r.star if r.star else "不定星级",
            r.star,
        ]
        for r in sorted(stored, key=lambda r: (-r.score, r.assessment.branch.code))
    ]
    rows = body(ws)
    assert [row[:13] for row in rows] == expected
    assert len(rows) == 13
    by_name = {row[0]: row for row in rows}
    with translation.override("zh-hans"):
        assert by_name["第一党支部"][13] == str(LIMIT_LABELS["absences"])  # three absences
    assert any(row[14] for row in rows)  # the five-star cap moved some (13 branches: 1 max)
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:O14"
    assert ws["J2"].number_format == "0.00"


def test_the_summary_gives_counts_quota_status_and_provisional(rated):
    rows = dict(body(export(rated)["汇总"], start=2))
    stars = Rating.objects.filter(assessment__campaign=rated)
    assert rows["五星级"] == stars.filter(star=5).count()
    assert rows["四星级"] == stars.filter(star=4).count()
    assert rows["状态"] == "申报中"
    assert rows["结果"] == "暂定"
    assert rows["尚有缺项的支部"] == 1
    assert rows["参评支部"] == 14
    assert rows["五星级名额上限"] == 1


def test_events_and_survey_statistics(rated, tree):
    book = export(rated)
    events = body(book["加减分明细"])
    assert [(e[0], e[3], e[8], e[10]) for e in events] == [
        ("第一党支部", "加分", 1, "=1+1"),
        ("第一党支部", "减分", 3, None),
    ]
    surveys = {row[1]: row for row in body(book["测评统计"])}
    assert len(surveys) == 14
    a = surveys[tree.branch_a.code]
    assert a[3:9] == ["已结束", 10, 10, 0, 10, 100]
    assert a[9:14] == [10, 0, 0, 100, 90]
    assert surveys[tree.branch_b.code][3] == "未开启"


def test_the_ledger_sheet_has_its_headers_and_the_years_items(rated):
    """The rows themselves: tests/improvement/test_exporter.py (one rows generator)."""
    ws = export(rated)["整改台账"]
    assert [c.value for c in ws[1]][:4] == ["组织", "代码", "上级组织", "问题"]
    assert body(ws) == []


def test_a_campaign_without_results_is_refused(campaign):
    with pytest.raises(ExportRefused):
        AnnualWorkbook(campaign).render(io.BytesIO())
    campaign.status = CampaignStatus.DRAFT
    assert AnnualWorkbook(campaign).refusal()


@pytest.mark.parametrize("size", [5, 40])
def test_the_workbook_reads_in_a_fixed_number_of_queries(
    campaign, tree, size, django_assert_max_num_queries
):
    rated_campaign(campaign, tree, size)
    for branch in list(tree.party_committee.children.all())[:3]:
        factories.event(branch, EventType.ABSENCE)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    campaign.refresh_from_db()
    with django_assert_max_num_queries(10) as captured:
        AnnualWorkbook(campaign).render(io.BytesIO())
    # completeness, quota names, star counts, ratings, events, survey figures (3), branches,
    # the ledger's items
    assert len(captured) == 10


def test_formula_like_branch_names_are_kept_as_text(campaign, tree):
    names = ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(A1)", "\t支部"]
    for name in names:
        ready_branch(campaign, factories.branch(tree.party_committee, name=name), review_total=90)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    campaign.refresh_from_db()
    book = export(campaign)
    for title in ("星级名单", "测评统计"):
        cells = [row[0] for row in book[title].iter_rows(min_row=2)]
        assert sorted(c.value for c in cells) == sorted(names)
        assert all(c.data_type == "s" and c.quotePrefix for c in cells)
