"""The annual PDF report read back: its font, every branch named, the appendix of traces
(or none), the comparison with the previous campaign, progress, bounded queries."""

import io

import pytest
from django.utils import translation

from scoring.exporters import AnnualPdf, ExportRefused
from scoring.exporters.pdf import html_to_pdf
from scoring.models import Rating
from scoring.rules import Note
from scoring.services.recompute import recompute_campaign
from tests import factories
from tests.factories import ready_branch

from .pdf_text import embeds_cjk, fonts_of, text_of


def rate(campaign, tree, n, *, prefix="支部"):
    for i in range(n):
        branch = factories.branch(tree.party_committee, name=f"{prefix}{i:03d}")
        ready_branch(campaign, branch, self_total=95 - i % 7, review_total=90 - i % 11)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    campaign.refresh_from_db()
    return campaign


def render(campaign, progress=None, **options) -> bytes:
    out = io.BytesIO()
    with translation.override("zh-hans"):
        AnnualPdf(campaign, **options).render(out, progress=progress)
    return out.getvalue()


@pytest.fixture
def rated(campaign, tree):
    ready_branch(campaign, tree.direct, self_total=99, review_total=99)
    return rate(campaign, tree, 6)


def test_the_report_embeds_a_chinese_font(rated, tmp_path):
    assert embeds_cjk(fonts_of(render(rated), tmp_path))


def test_the_report_names_every_rated_branch_and_its_parent(rated, tmp_path):
    text = text_of(render(rated), tmp_path)
    names = Rating.objects.filter(assessment__campaign=rated).values_list(
        "assessment__branch__name", "assessment__branch__parent__name"
    )
    assert len(names) == 7
    for name, parent in names:
        assert name in text and parent in text
    assert "汇总" in text and "星级名单" in text


def test_the_appendix_holds_each_branch_trace_as_the_pages_render_it(rated, tmp_path):
    text = text_of(render(rated), tmp_path).replace("\n", "")
    assert "附录：各支部评定过程" in text
    with translation.override("zh-hans"):
        for explain in Rating.objects.filter(assessment__campaign=rated).values_list(
            "explain", flat=True
        ):
            first = Note.from_json(explain[0]).render(translation.gettext)
            assert first[:12] in text


def test_without_the_appendix_there_is_no_trace(rated, tmp_path):
    text = text_of(render(rated, appendix=False), tmp_path)
    assert "附录" not in text
    assert "支部005" in text


def test_the_previous_campaign_of_the_committee_is_compared_when_there_is_one(
    rated, tree, tmp_path
):
    assert "对比" not in text_of(render(rated), tmp_path)
    earlier = factories.campaign(tree.committee, year=rated.year - 1, title="上一年度评定")
    rate(earlier, tree, 3, prefix="旧支部")
    text = text_of(render(rated, appendix=False), tmp_path, layout=True)
    assert f"与{earlier.year}年度对比" in text
    assert "上一年度评定" in text


def test_progress_rises_to_100_and_by_at_most_5_percent_until_the_layout(rated):
    seen = []
    render(rated, progress=seen.append)
    assert seen[-1] == 100 and seen == sorted(seen)
    before_layout = [value for value in seen if value <= 15]
    steps = [b - a for a, b in zip([0, *before_layout], before_layout, strict=False)]
    assert max(steps) <= 5, seen


def test_the_layout_moves_the_progress_page_by_page():
    """WeasyPrint's log lines, one per page laid out, spread the layout's share over the
    pages expected: 40 pages move the bar by less than 5 % at a time."""
    html = "<html><body>" + "<p style='break-after: page'>页</p>" * 40 + "</body></html>"
    seen = []
    html_to_pdf(html, io.BytesIO(), progress=seen.append, pages=40, span=(15, 100))
    assert seen[0] == 15 and seen[-1] >= 95
    steps = [b - a for a, b in zip(seen, seen[1:], strict=False)]
    assert len(seen) > 40 and max(steps) <= 5, seen


def test_a_campaign_without_results_is_refused(campaign):
    assert "尚无结果" in AnnualPdf(campaign).refusal()
    with pytest.raises(ExportRefused):
        render(campaign)


@pytest.mark.parametrize("size", [3, 20])
def test_the_report_reads_a_fixed_number_of_queries(
    campaign, tree, size, django_assert_max_num_queries
):
    rate(campaign, tree, size)
    with django_assert_max_num_queries(8):
        render(campaign)


def test_branch_names_reach_the_pdf_html_escaped(rated, tree, monkeypatch):
    from scoring.exporters import pdf

    payload = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    tree.branch_a.name = payload
    tree.branch_a.save()
    ready_branch(rated, tree.branch_a, review_total=90)
    recompute_campaign(campaign=rated, actor=tree.staff)
    rated.refresh_from_db()
    seen = []
    # Written in parts (D-6y): every part's HTML, as WeasyPrint is given it.
    monkeypatch.setattr(
        pdf, "write_joined", lambda parts, fp=None, **kw: seen.extend(h() for h, _ in parts)
    )
    render(rated)
    html = "".join(seen)
    assert payload[:8] not in html and len(seen) >= 2
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
