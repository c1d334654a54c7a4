"""The annual PDF written in parts (docs/reports.md §6, D-6x, D-6y): progress at most 5 %
apart with the appendix, page numbers n / N continuing over the parts, every branch once
and in order, the ratings table's six cells holding every figure."""

import io
import re
import subprocess

import pytest
from django.utils import translation

from branches.models import OrgKind
from scoring.exporters import AnnualPdf, annual_pdf
from scoring.exporters.pdf import write_joined
from scoring.models import Rating
from scoring.services.recompute import recompute_campaign
from tests import factories
from tests.factories import ready_branch

from .pdf_text import embeds_cjk, fonts_of, text_of


@pytest.fixture
def small_parts(monkeypatch):
    """Parts of about two table rows or one branch's trace each, so that a campaign of a
    few dozen branches is written in dozens of parts."""
    monkeypatch.setattr(AnnualPdf, "PART_PAGES", 1)
    monkeypatch.setattr(annual_pdf, "ROWS_PER_PAGE", 2)
    monkeypatch.setattr(annual_pdf, "TRACE_LINES_PER_PAGE", 8)


@pytest.fixture
def two_parents(campaign, tree):
    """14 branches under the party committee, 6 under a second one, all rated."""
    other = factories.org(
        OrgKind.PARTY_COMMITTEE, parent=tree.committee, name="第二党委", code="P-2"
    )
    for parent, prefix, count in ((tree.party_committee, "甲支部", 14), (other, "乙支部", 6)):
        for i in range(count):
            branch = factories.branch(parent, name=f"{prefix}{i:02d}")
            ready_branch(campaign, branch, self_total=95 - i % 7, review_total=90 - i % 11)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    campaign.refresh_from_db()
    return campaign


def render(campaign, progress=None, **options) -> bytes:
    out = io.BytesIO()
    with translation.override("zh-hans"):
        AnnualPdf(campaign, **options).render(out, progress=progress)
    return out.getvalue()


def page_texts(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "parts.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]  # pdftotext ends every page with a form feed


def test_the_appendix_report_moves_the_progress_at_most_5_percent_at_a_time(
    two_parents, small_parts
):
    seen = []
    with translation.override("zh-hans"):
        context = AnnualPdf(two_parents)._context(None)
        parts = AnnualPdf(two_parents).parts(context)
    assert len(parts) >= 20  # so that few parts are more than 5 % of the work
    render(two_parents, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 100
    steps = [b - a for a, b in zip(seen, seen[1:], strict=False)]
    assert max(steps) <= 5, seen
    assert len(set(seen)) >= 40  # the layout and the drawing both report, page by page


def test_pages_are_numbered_n_of_n_over_every_part_and_the_cover_bears_none(
    two_parents, small_parts, tmp_path
):
    pdf = render(two_parents)
    pages = page_texts(pdf, tmp_path)
    total = len(pages)
    assert total > 20
    numbers = [re.findall(r"(\d+) / (\d+)\s*$", page.rstrip()) for page in pages]
    assert numbers[0] == []  # the cover
    for number, found in enumerate(numbers[1:], start=2):
        assert found == [(str(number), str(total))], (number, pages[number - 1][-200:])
    # The running head on every page but the cover, the CJK font embedded.
    head = two_parents.title
    assert all(head in page for page in pages[1:])  # the appendix's pages name it nowhere else
    assert embeds_cjk(fonts_of(pdf, tmp_path))


def test_every_branch_is_in_the_tables_and_the_appendix_once_in_order(
    two_parents, small_parts, tmp_path
):
    text = text_of(render(two_parents), tmp_path)
    front, rest = text.split("星级名单")
    ratings, appendix = rest.split("附录：各支部评定过程")
    names = [f"甲支部{i:02d}" for i in range(14)] + [f"乙支部{i:02d}" for i in range(6)]
    for name in names:
        assert ratings.count(name) == 1 and appendix.count(name) == 1, name
    assert text.count("附录：各支部评定过程") == 1 and "汇总" in front
    # A parent's table longer than a part goes on under its heading marked 续.
    assert "（14）（续）" in ratings and "（6）" in ratings
    codes = list(
        Rating.objects.filter(assessment__campaign=two_parents)
        .order_by("assessment__branch__code")
        .values_list("assessment__branch__code", flat=True)
    )
    positions = [appendix.index(f"（{code}）") for code in codes]
    assert positions == sorted(positions)


def test_the_ratings_table_has_six_cells_a_row_and_every_figure(two_parents, tmp_path):
    with translation.override("zh-hans"):
        html = AnnualPdf(two_parents, appendix=False).html()
    body = html.split("<tbody>")[-1]
    rows = re.findall(r"<tr>(.*?)</tr>", html.split("星级名单")[-1], re.S)
    assert rows and all(row.count("<td") == 6 for row in rows if "<td" in row), body[:300]
    text = text_of(render(two_parents, appendix=False), tmp_path, layout=True).split("星级名单")[1]
    for r in Rating.objects.filter(assessment__campaign=two_parents).select_related(
        "assessment__branch"
    ):
        line = next(line for line in text.splitlines() if r.assessment.branch.code in line)
        parts = f"{r.self_component} / {r.survey_component} / {r.review_component}"
        assert parts in line and f"{r.base}" in line and f"{r.score}" in line, line
        assert "★" * r.star in line


def test_joined_documents_keep_their_pages_and_number_them_all(tmp_path):
    page = (
        '{% extends "pdf/base.html" %}{% block body %}'
        '{% for i in "abc" %}<p class="page-break">{{ i }}</p>{% endfor %}{% endblock %}'
    )
    from django.template import engines

    html = engines["django"].from_string(page).render({"numbered_apart": True})
    out = io.BytesIO()
    seen = []
    write_joined([(lambda: html, 3)] * 3, out, progress=seen.append)
    pages = page_texts(out.getvalue(), tmp_path)
    assert len(pages) == 9
    assert [p.split()[-1].replace(" ", "") for p in pages] == [f"{n}/9" for n in range(1, 10)]
    assert (
        seen[0] == 0
        and seen[-1] == 97  # the writing of the file reported at its last step
        and max(b - a for a, b in zip(seen, seen[1:], strict=False)) <= 12
    )
