"""The PDFs of publicity and approval (docs/reports.md §6): the notice (`notice-pdf`), the
approved list (`approved-pdf`) and the five-star certificates (`certificates`) — read
back with poppler's `pdftotext` and `pdffonts`, and their refusals."""

import io
import subprocess

import pytest

from scoring import exporters
from scoring.exporters import ExportRefused
from scoring.exporters.publicity import certificate_number
from scoring.models import Rating
from scoring.services import publicity
from starrating import clock
from tests import factories
from tests.factories import DURING, REREVIEWED
from tests.factories import assessment_of as _assessment


def render(kind, campaign, tmp_path, **options) -> tuple[str, str, bytes]:
    """The PDF of `kind` written to a file: (its text, its fonts listing, its bytes)."""
    out = io.BytesIO()
    exporters.get(kind)(campaign, **options).render(out)
    path = tmp_path / f"{kind}.pdf"
    path.write_bytes(out.getvalue())
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return text, fonts, out.getvalue()


def pages(pdf: bytes, tmp_path) -> int:
    path = tmp_path / "counted.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])


def assert_cjk_embedded(fonts):
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk, fonts
    assert all(" yes " in line.split("CJK", 1)[1] for line in cjk), fonts


def refusal(kind, campaign, **options) -> str:
    exporter = exporters.get(kind)(campaign, **options)
    reason = exporter.refusal()
    assert reason
    with pytest.raises(ExportRefused):
        exporter.render(io.BytesIO())
    return reason


@pytest.fixture
def confirmed(tree, approved):
    """The re-reviewer confirmed branch A's five stars (the only five-star row)."""
    with clock.frozen(REREVIEWED):
        publicity.rereview(
            assessment=_assessment(approved.campaign, tree.branch_a),
            actor=tree.rereviewer,
            confirmed=True,
        )
    return approved.campaign


@pytest.fixture
def declined(tree, approved):
    with clock.frozen(REREVIEWED):
        publicity.rereview(
            assessment=_assessment(approved.campaign, tree.branch_a),
            actor=tree.rereviewer,
            confirmed=False,
            star=4,
            reason="材料不实",
        )
    return approved.campaign


# --- the notice --------------------------------------------------------------------------


def test_the_notice_pdf_holds_title_issuer_every_branch_and_the_cjk_font(tree, published, tmp_path):
    with clock.frozen(DURING):
        text, fonts, _pdf = render("notice-pdf", published, tmp_path)
    assert f"关于{published.year}年度党支部星级评定结果的公示" in text
    assert tree.committee.name in text
    for branch in (tree.branch_a, tree.branch_b, tree.direct):
        assert branch.name in text
    assert tree.party_committee.name in text
    assert "五星级" in text
    assert "电话 1" in text  # the contact line
    assert "异议" in text and f"/notice/{published.pk}/objection/" in text
    assert published.publicity_start.strftime("%Y-%m-%d") in text
    assert_cjk_embedded(fonts)


def test_the_notice_pdf_marks_a_revised_entry_with_its_date(tree, published, tmp_path):
    objection = factories.file_objection(published, tree.branch_b)
    with clock.frozen(DURING):
        publicity.uphold_objection(objection=objection, actor=tree.staff, reason="属实")
        text, _fonts, _pdf = render("notice-pdf", published, tmp_path)
    line = next(line for line in text.splitlines() if tree.branch_b.name in line)
    assert f"{DURING:%Y-%m-%d}" in line


def test_the_notice_pdf_after_the_window_says_objections_are_closed(tree, published, tmp_path):
    with clock.frozen(factories.AFTER):
        text, _fonts, _pdf = render("notice-pdf", published, tmp_path)
    assert "公示期已结束" in text
    assert "/objection/" not in text


def test_the_notice_pdf_of_a_campaign_never_published_is_refused(rated):
    assert "尚未公示" in refusal("notice-pdf", rated)


# --- the approved list -------------------------------------------------------------------


def test_the_approved_pdf_holds_every_branch_the_meeting_reference_and_digest(
    tree, approved, tmp_path
):
    text, fonts, _pdf = render("approved-pdf", approved.campaign, tmp_path)
    for row in publicity.approved_list_rows(approved):
        assert row["branch"] in text and row["code"] in text and row["score"] in text
    assert approved.digest in text.replace(" ", "").replace("\n", "")
    assert approved.reference in text
    assert f"{approved.meeting_date:%Y-%m-%d}" in text
    assert tree.committee.name in text
    assert_cjk_embedded(fonts)


def test_the_approved_pdf_prints_the_frozen_list_not_the_names_of_today(tree, approved, tmp_path):
    renamed = type(tree.branch_b).objects.get(pk=tree.branch_b.pk)
    renamed.name = "改名后的支部"
    renamed.save()
    text, _fonts, _pdf = render("approved-pdf", approved.campaign, tmp_path)
    assert tree.branch_b.name in text
    assert "改名后的支部" not in text


def test_the_approved_pdf_before_approval_is_refused(published):
    assert "尚未审批" in refusal("approved-pdf", published)


# --- the certificates --------------------------------------------------------------------


def test_a_certificate_names_the_branch_the_year_the_committee_and_its_number(
    tree, confirmed, tmp_path
):
    text, fonts, pdf = render("certificates", confirmed, tmp_path, branch=tree.branch_a)
    flat = text.replace(" ", "")
    assert "五星级服务型党组织" in flat
    assert tree.branch_a.name in flat
    assert f"{confirmed.year}年度" in flat
    assert tree.committee.name in flat
    assert certificate_number(confirmed, tree.branch_a) in flat
    assert f"{REREVIEWED:%Y-%m-%d}" in flat
    assert_cjk_embedded(fonts)
    assert pages(pdf, tmp_path) == 1


def test_all_certificates_hold_one_page_per_officially_five_star_branch(tree, confirmed, tmp_path):
    text, _fonts, pdf = render("certificates", confirmed, tmp_path)
    assert tree.branch_a.name in text.replace(" ", "")
    assert tree.branch_b.name not in text.replace(" ", "")
    assert pages(pdf, tmp_path) == 1


def test_the_certificate_number_is_the_same_every_time(tree, confirmed):
    assert certificate_number(confirmed, tree.branch_a) == (
        f"GW-{confirmed.year}-{confirmed.pk}-{tree.branch_a.code}"
    )


def test_no_certificate_for_a_four_star_branch(tree, confirmed):
    star = Rating.objects.get(assessment__branch=tree.branch_b).star
    assert star < 5
    assert "不是五星级" in refusal("certificates", confirmed, branch=tree.branch_b)


def test_no_certificate_before_the_re_review(tree, approved):
    assert "尚待市委组织部复审" in refusal("certificates", approved.campaign, branch=tree.branch_a)
    assert "尚无经复审确认的五星级" in refusal("certificates", approved.campaign)


def test_no_certificate_for_five_stars_the_re_review_declined(tree, declined):
    assert "复审未确认" in refusal("certificates", declined, branch=tree.branch_a)
    assert "尚无经复审确认的五星级" in refusal("certificates", declined)


def test_no_certificate_before_approval(tree, published):
    assert "尚未审批" in refusal("certificates", published, branch=tree.branch_a)
    assert "尚未审批" in refusal("certificates", published)
