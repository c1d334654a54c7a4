"""The branch rating sheet (评定表) read back: the stored figures, side by side, its
trace and events, the signature block, the font; refused before the branch is rated."""

import io
from decimal import Decimal

import pytest
from django.utils import translation

from scoring.exporters import ExportRefused, RatingSheet
from scoring.models import EventType, Rating, SelfScore
from scoring.services.recompute import recompute_campaign
from tests import factories
from tests.factories import ready_branch

from .pdf_text import embeds_cjk, fonts_of, text_of


def render(campaign, branch) -> bytes:
    out = io.BytesIO()
    with translation.override("zh-hans"):
        RatingSheet(campaign, branch=branch).render(out)
    return out.getvalue()


@pytest.fixture
def rated(campaign, tree):
    made = ready_branch(campaign, tree.branch_a, self_total=87, review_total=83)
    sheet = made.self_evaluation
    SelfScore.objects.bulk_create(
        SelfScore(self_evaluation=sheet, criterion=c, score=Decimal("8.70"), remark=f"自评说明{i}")
        for i, c in enumerate(campaign.criteria.order_by("position"))
    )
    ready_branch(campaign, tree.branch_b, review_total=70)
    factories.event(
        tree.branch_a, EventType.COMMENDATION, level="city", document_ref="市委〔2026〕8号"
    )
    recompute_campaign(campaign=campaign, actor=tree.staff)
    campaign.refresh_from_db()
    return campaign


def test_the_sheet_shows_the_stored_scores_side_by_side(rated, tree, tmp_path):
    text = text_of(render(rated, tree.branch_a), tmp_path, layout=True)
    assessment = rated.assessments.get(branch=tree.branch_a)
    lines = text.splitlines()
    for criterion in rated.criteria.order_by("position"):
        own = assessment.self_evaluation.scores.get(criterion=criterion)
        reviewed = assessment.review.scores.get(criterion=criterion)
        row = next(line for line in lines if f"{criterion.position}. {criterion.title[:4]}" in line)
        assert str(own.score) in row and str(reviewed.score) in row
    assert "87.00" in text and "83.00" in text


def test_the_sheet_shows_the_stored_rating_and_its_trace(rated, tree, tmp_path):
    text = text_of(render(rated, tree.branch_a), tmp_path)
    rating = Rating.objects.get(assessment__campaign=rated, assessment__branch=tree.branch_a)
    for figure in (rating.score, rating.base, rating.review_component, rating.self_component):
        assert str(figure) in text
    assert f"+{rating.bonus}" in text and rating.bonus > 0
    flat = text.replace("\n", "")
    with translation.override("zh-hans"):
        for note in rating.trace():
            assert note.render(translation.gettext)[:10] in flat
    assert "市委〔2026〕8号" in text


def test_the_sheet_ends_with_the_signature_block(rated, tree, tmp_path):
    text = text_of(render(rated, tree.branch_a), tmp_path)
    for label in ("支部书记（签字）", "上级党组织（盖章）", "日期"):
        assert label in text
    assert tree.branch_a.name in text and tree.party_committee.name in text


def test_the_sheet_embeds_a_chinese_font(rated, tree, tmp_path):
    assert embeds_cjk(fonts_of(render(rated, tree.branch_a), tmp_path))


def test_a_branch_not_rated_yet_is_refused(rated, tree):
    factories.assessment(rated, tree.direct)
    assert (
        RatingSheet(rated, branch=tree.direct).refusal() == "该支部尚无评定结果，请先计算评定结果。"
    )
    with pytest.raises(ExportRefused):
        render(rated, tree.direct)


def test_a_branch_outside_the_campaign_is_refused(rated, tree):
    outsider = factories.branch(tree.party_committee, name="未参评支部")
    with translation.override("zh-hans"):
        assert RatingSheet(rated, branch=outsider).refusal() == "该支部未参加本次评定活动。"


PAYLOAD = '<script>alert(1)</script>"><img src=x onerror=alert(2)>{{ 7|add:7 }}'


def test_user_text_reaches_the_pdf_html_escaped(rated, tree, monkeypatch):
    """Remarks, event texts and names are the users' own: the HTML WeasyPrint reads holds
    them escaped, never as markup (and never evaluated as a template)."""
    from scoring.exporters import pdf

    SelfScore.objects.filter(self_evaluation__assessment__branch=tree.branch_a).update(
        remark=PAYLOAD
    )
    factories.event(tree.branch_a, EventType.COMMENDATION, level="city", description=PAYLOAD)
    tree.branch_a.name = PAYLOAD[:60]
    tree.branch_a.save()
    seen = []
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html, fp=None, **kw: seen.append(html))
    render(rated, tree.branch_a)
    (html,) = seen
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7|add:7 }}" in html
