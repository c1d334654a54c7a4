"""The secretary's home (templates/partials/home_branch.html): its branch's progress, its
stored result with the trace, and its place among the branches of the same parent."""

import re

from django.urls import reverse

from scoring.models import Rating
from scoring.services.recompute import recompute_campaign
from tests import factories
from tests.factories import ready_branch
from tests.scoring.services.test_dashboard import World


def home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_secretary_sees_its_place_among_the_siblings(client, tree):
    world = World(tree)
    html = home(client, tree.secretary_b)
    assert f'data-branch="{tree.branch_b.code}"' in html
    # B (80/80) is behind A (95/80) under the same party committee; C is not rated.
    assert f"第 2 / 2（{tree.party_committee.name}已评定的党支部中）" in text(html)
    rating = Rating.objects.get(
        assessment__campaign=world.campaign, assessment__branch=tree.branch_b
    )
    assert f"<strong>{rating.score}</strong>" in html
    assert 'class="small mt-2 mb-0 trace"' in html, "the trace"


def test_provisional_results_say_so(client, tree):
    World(tree)  # branch C is incomplete: the results are provisional
    html = home(client, tree.secretary)
    assert "暂定" in html
    assert 'id="provisional-notice"' in html
    assert f"第 1 / 2（{tree.party_committee.name}" in text(html)


def test_final_results_are_not_marked_provisional(client, tree, campaign):
    ready_branch(campaign, tree.branch_a, self_total=90, review_total=90)
    ready_branch(campaign, tree.branch_b, self_total=80, review_total=80)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    html = home(client, tree.secretary)
    assert 'id="standing-result"' in html
    assert "暂定" not in html
    assert "第 1 / 2" in text(html)


def test_an_unrated_branch_shows_its_progress_and_what_is_missing(client, tree, campaign):
    factories.add_members(tree.branch_a, 10)
    made = factories.assessment(campaign, tree.branch_a)
    factories.sheet(made, 85)
    html = home(client, tree.secretary)
    progress = text(html)
    assert "已提交" in progress and "未开启" in progress and "未开始" in progress
    assert "尚未评定。" in progress and "测评未结束" in progress
    assert 'id="standing-rank"' not in html


def test_others_see_no_branch_standing(client, tree, campaign):
    ready_branch(campaign, tree.branch_a, self_total=90, review_total=90)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    for user in (tree.reviewer, tree.staff, tree.approver):
        assert "branch-standing" not in home(client, user)


def test_the_home_leads_to_the_branchs_star_history_and_ledger_and_both_open(client, tree):
    World(tree)
    html = home(client, tree.secretary_b)
    stars = reverse("scoring:branch_stars", args=[tree.branch_b.pk])
    ledger = reverse("improvement:branch", args=[tree.branch_b.pk])
    assert stars in html and ledger in html
    assert "星级历史" in text(html) and "晋位争星方案与整改台账" in text(html)
    assert client.get(stars).status_code == 200
    assert client.get(ledger).status_code == 200
