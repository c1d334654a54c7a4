"""Campaign results, recompute and a branch's rating, as their readers see them."""

import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from scoring.models import Rating
from scoring.services import recompute
from scoring.services.recompute import recompute_campaign
from tests import factories
from tests.factories import event, ready_branch


@pytest.fixture
def rated(campaign, tree):
    """Twelve branches, eleven over 90 points (the cap keeps one), one penalised."""
    assessments = []
    for i in range(12):
        branch = factories.branch(tree.party_committee, name=f"支部{i:02d}")
        assessments.append(
            ready_branch(campaign, branch, self_total=95, review_total=Decimal(99) - i)
        )
    event(assessments[-1].branch, "criticism", issuer="work_committee")
    recompute_campaign(campaign=campaign, actor=tree.staff)
    campaign.refresh_from_db()
    return assessments


def results(client, tree, campaign):
    client.force_login(tree.staff)
    response = client.get(reverse("scoring:campaign_results", args=[campaign.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_results_page_names_stars_in_words_in_the_quota_check(client, tree, campaign, rated):
    html = results(client, tree, campaign)
    quota = html.split('id="quota-check"', 1)[1].split("</section>", 1)[0]
    assert "支部01</strong>（" in quota  # the branch, its code in full-width brackets
    assert "五星级 → 四星级" in quota
    assert "五星级名额为 1 个" in quota  # the reason, rendered from its stored note
    assert not re.search(r"\d → \d", quota)


def test_the_results_page_explains_the_differs_badge(client, tree, campaign, rated):
    html = results(client, tree, campaign)
    assert "≠" in html
    assert 'id="ranking-legend"' in html and "最终星级与按分定星" in html


def test_no_page_shows_a_negative_zero(client, tree, campaign, rated):
    pages = [results(client, tree, campaign)]
    for assessment in rated[:2]:
        pages.append(client.get(reverse("scoring:rating", args=[assessment.pk])).content.decode())
    assert not any("−0.00" in html or "-0.00" in html for html in pages)
    penalised = client.get(reverse("scoring:rating", args=[rated[-1].pk])).content.decode()
    assert "−3.00" in penalised


def test_the_rating_page_shows_the_trace_in_chinese_with_stars_in_words(
    client, tree, campaign, rated
):
    client.force_login(tree.staff)
    html = client.get(reverse("scoring:rating", args=[rated[1].pk])).content.decode()
    trace = html.split('class="small mt-2 mb-0 trace"', 1)[1].split("</ol>", 1)[0]
    assert "按分定星：五星级" in trace
    assert "按分数为五星级（未计星级限制和名额调整）" in html
    assert "satisfaction" not in trace.lower()  # rendered, not the stored msgids


def test_recompute_reports_through_a_message_and_lands_on_the_results(client, tree, campaign):
    ready_branch(campaign, tree.branch_a, review_total=80)
    client.force_login(tree.staff)
    response = client.post(reverse("scoring:recompute", args=[campaign.pk]))
    assert response["Location"] == reverse("scoring:campaign_results", args=[campaign.pk])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "重新计算完成：已评定 1 个党支部。"
    ]
    assert Rating.objects.count() == 1


def test_a_refused_recompute_is_a_message_and_writes_nothing(client, tree, campaign, monkeypatch):
    ready_branch(campaign, tree.branch_a, review_total=80)

    def refuse(**kwargs):
        raise recompute.RecomputeError("无法计算")

    monkeypatch.setattr(recompute, "recompute_campaign", refuse)
    client.force_login(tree.staff)
    response = client.post(reverse("scoring:recompute", args=[campaign.pk]))
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["无法计算"]
    assert not Rating.objects.exists()
