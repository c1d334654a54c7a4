"""The dashboard's selectors (scoring/services/dashboard.py): every figure equals what the
stored data of a known campaign says, over the branches the reader may count."""

import datetime
from decimal import Decimal

import pytest

from branches.models import OrgKind
from scoring.models import QuotaMode, Rating, Slip, SlipKind, Survey, SurveyStatus
from scoring.services import dashboard
from scoring.services.recompute import MISSING_LABELS, recompute_campaign
from tests import factories
from tests.factories import ready_branch


def _open_survey(assessment, *, electorate, unspent):
    """An open survey of `electorate` members, every member slip issued, `unspent` left."""
    survey = Survey.objects.create(
        assessment=assessment,
        status=SurveyStatus.OPEN,
        opened_on=datetime.date(factories.YEAR, 5, 1),
        electorate=electorate,
        member_slips_issued=electorate,
    )
    Slip.objects.bulk_create(
        Slip(survey=survey, kind=SlipKind.MEMBER, code_hash=f"{survey.pk}-{i}")
        for i in range(unspent)
    )
    return survey


class World:
    """Two parent organisations and a directly managed branch, one campaign recomputed
    (quotas off) and last year's for the trend.

    Under the tree's party committee (P1, the reviewer's): A (self 95, review 80: a gap
    of 15), B (80/80), C (sheet submitted at 85, survey open with 6 of 10 voted, no
    review). Under P2: D (70/70), E (90/79.5: a gap of 10.5). The direct branch (70/70)
    under the committee. Last year: A and D rated."""

    def __init__(self, tree):
        self.tree = tree
        self.p2 = factories.org(OrgKind.PARTY_COMMITTEE, parent=tree.committee, name="机关党委乙")
        self.c = factories.branch(tree.party_committee, name="第三党支部")
        self.d = factories.branch(self.p2, name="第四党支部")
        self.e = factories.branch(self.p2, name="第五党支部")
        last = factories.campaign(tree.committee, year=factories.YEAR - 1, quota_mode=QuotaMode.OFF)
        ready_branch(last, tree.branch_a, self_total=90, review_total=92)
        ready_branch(last, self.d, self_total=60, review_total=61)
        recompute_campaign(campaign=last, actor=tree.staff)
        self.last = last
        campaign = factories.campaign(tree.committee, quota_mode=QuotaMode.OFF)
        ready_branch(campaign, tree.branch_a, self_total=95, review_total=80)
        ready_branch(campaign, tree.branch_b, self_total=80, review_total=80)
        c = factories.assessment(campaign, self.c)
        factories.sheet(c, 85)
        _open_survey(c, electorate=10, unspent=4)
        ready_branch(campaign, self.d, self_total=70, review_total=70)
        ready_branch(campaign, self.e, self_total=90, review_total=Decimal("79.5"))
        ready_branch(campaign, tree.direct, self_total=70, review_total=70)
        recompute_campaign(campaign=campaign, actor=tree.staff)
        campaign.refresh_from_db()
        self.campaign = campaign


@pytest.fixture
def world(tree):
    return World(tree)


def rows_of(user, world):
    return {row.code: row for row in dashboard.parent_rows(dashboard.scope(user, world.campaign))}


def test_progress_per_parent_counts_what_each_branch_handed_in(tree, world):
    rows = rows_of(tree.staff, world)
    assert list(rows) == sorted(rows), "ordered by the parent's code"
    p1 = rows[tree.party_committee.code]
    assert (p1.enrolled, p1.self_submitted, p1.survey_open, p1.survey_closed) == (3, 3, 1, 2)
    assert (p1.reviews_submitted, p1.complete, p1.rated) == (2, 2, 2)
    assert p1.blocking == [(str(MISSING_LABELS["survey"]), 1), (str(MISSING_LABELS["review"]), 1)]
    p2 = rows[world.p2.code]
    assert (p2.enrolled, p2.complete, p2.incomplete, p2.blocking) == (2, 2, 0, [])
    direct = rows[tree.committee.code]
    assert direct.direct and not p1.direct
    assert direct.enrolled == 1


def test_participation_is_members_voted_over_the_electorate_of_opened_surveys(tree, world):
    p1 = rows_of(tree.staff, world)[tree.party_committee.code]
    # A and B: ten of ten each (closed); C: six of ten (four slips unspent).
    assert (p1.members_voted, p1.electorate) == (26, 30)
    assert p1.participation_percent == 86


def test_comparison_figures_equal_the_stored_ratings(tree, world):
    rows = rows_of(tree.staff, world)
    for parent in (tree.party_committee, world.p2, tree.committee):
        stored = Rating.objects.filter(
            assessment__campaign=world.campaign, assessment__branch__parent=parent
        )
        row = rows[parent.code]
        scores = [r.score for r in stored]
        assert row.rated == len(scores)
        assert row.high == sum(1 for r in stored if r.star >= 4)
        mean = (sum(scores) / len(scores)).quantize(Decimal("0.01"))
        assert row.mean_score == mean


def test_totals_add_up_the_parents(tree, world):
    rows = dashboard.parent_rows(dashboard.scope(tree.staff, world.campaign))
    total = dashboard.totals(rows)
    assert total.enrolled == 6
    assert total.rated == Rating.objects.filter(assessment__campaign=world.campaign).count() == 5
    assert total.missing == {"self": 0, "survey": 1, "review": 1, "audit": 0}


def test_star_counts_and_the_trend_equal_the_stored_ratings(tree, world):
    scope = dashboard.scope(tree.staff, world.campaign)
    stored = list(Rating.objects.filter(assessment__campaign=world.campaign))
    counts = dashboard.star_counts(scope)
    assert sum(counts.values()) == len(stored) == 5
    for star, n in counts.items():
        assert n == sum(1 for r in stored if r.star == star)
    trend = dashboard.star_trend(tree.staff, world.campaign)
    assert list(trend) == [factories.YEAR - 1, factories.YEAR]
    assert trend[factories.YEAR] == counts
    assert sum(trend[factories.YEAR - 1].values()) == 2


def test_a_reviewer_counts_only_the_branches_under_its_organisation(tree, world):
    rows = rows_of(tree.reviewer, world)
    assert list(rows) == [tree.party_committee.code]
    scope = dashboard.scope(tree.reviewer, world.campaign)
    codes = {a.branch.code for a in dashboard.ranking(scope)}
    assert codes == {tree.branch_a.code, tree.branch_b.code, world.c.code}
    trend = dashboard.star_trend(tree.reviewer, world.campaign)
    assert sum(trend[factories.YEAR - 1].values()) == 1, "last year: A only (D is P2's)"
    assert [a.branch for a in dashboard.gaps(scope)] == [tree.branch_a]


def test_the_ranking_puts_rated_branches_best_first_then_the_others(tree, world):
    rows = list(dashboard.ranking(dashboard.scope(tree.staff, world.campaign)))
    rated = [a for a in rows if a.part("rating")]
    assert [a.rating.score for a in rated] == sorted((a.rating.score for a in rated), reverse=True)
    assert rows[-1].branch == world.c
    assert dashboard.status_of(rows[-1]) == dashboard.INCOMPLETE
    assert dashboard.missing_of(rows[-1]) == [
        str(MISSING_LABELS["survey"]),
        str(MISSING_LABELS["review"]),
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status": dashboard.INCOMPLETE}, ["c"]),
        ({"status": dashboard.RATED}, ["a", "b", "d", "e", "direct"]),
        ({"status": dashboard.TO_RECOMPUTE}, []),
        ({"search": "第四"}, ["d"]),
        ({"parent": "p2"}, ["d", "e"]),
    ],
)
def test_the_ranking_filters(tree, world, filters, expected):
    names = {
        "a": tree.branch_a,
        "b": tree.branch_b,
        "c": world.c,
        "d": world.d,
        "e": world.e,
        "direct": tree.direct,
    }
    if filters.get("parent") == "p2":
        filters = {"parent": world.p2}
    rows = dashboard.ranking(dashboard.scope(tree.staff, world.campaign), **filters)
    assert {a.branch for a in rows} == {names[key] for key in expected}


def test_the_ranking_filters_by_star_and_searches_codes(tree, world):
    scope = dashboard.scope(tree.staff, world.campaign)
    star = Rating.objects.get(assessment__branch=world.d, assessment__campaign=world.campaign).star
    by_star = dashboard.ranking(scope, star=star)
    assert world.d in {a.branch for a in by_star}
    assert all(a.rating.star == star for a in by_star)
    assert [a.branch for a in dashboard.ranking(scope, search=world.e.code.lower())] == [world.e]


def test_a_complete_branch_not_yet_recomputed_is_to_recompute(tree, world):
    survey = world.campaign.assessments.get(branch=world.c).survey
    Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.CLOSED)
    factories.review(world.campaign.assessments.get(branch=world.c), 85)
    rows = dashboard.ranking(
        dashboard.scope(tree.staff, world.campaign), status=dashboard.TO_RECOMPUTE
    )
    assert [a.branch for a in rows] == [world.c]


def test_the_gap_list_holds_self_above_review_by_more_than_the_margin(tree, world):
    scope = dashboard.scope(tree.staff, world.campaign)
    assert [a.branch for a in dashboard.gaps(scope)] == [tree.branch_a, world.e]
    assert [a.branch for a in dashboard.gaps(scope, margin=Decimal("10.5"))] == [tree.branch_a]
    assert [a.branch for a in dashboard.gaps(scope, margin=Decimal("10.49"))] == [
        tree.branch_a,
        world.e,
    ]
    assert [a.branch for a in dashboard.gaps(scope, margin=Decimal(15))] == []


def test_a_gap_exactly_at_the_margin_is_not_listed_despite_binary_floats(tree, campaign):
    # 90.1 − 80.1 is 10.000000000000014 in binary floating point (SQLite's arithmetic).
    made = ready_branch(campaign, tree.branch_a, self_total="90.1", review_total="80.1")
    scope = dashboard.scope(tree.staff, campaign)
    assert list(dashboard.gaps(scope)) == []
    assert list(dashboard.gaps(scope, margin=Decimal("9.99"))) == [made]


def test_the_secretary_sees_its_place_among_the_siblings(tree, world):
    (standing,) = dashboard.branch_standings([tree.branch_b])
    assert standing.campaign == world.campaign
    siblings = Rating.objects.filter(
        assessment__campaign=world.campaign, assessment__branch__parent=tree.party_committee
    )
    better = sum(1 for r in siblings if r.score > standing.rating.score)
    assert (standing.rank, standing.siblings) == (better + 1, siblings.count()) == (2, 2)
    (best,) = dashboard.branch_standings([tree.branch_a])
    assert (best.rank, best.siblings) == (1, 2)


def test_equal_scores_share_a_place(tree, campaign):
    for branch in (tree.branch_a, tree.branch_b):
        ready_branch(campaign, branch, self_total=80, review_total=80)
    third = factories.branch(tree.party_committee)
    ready_branch(campaign, third, self_total=60, review_total=60)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    places = [
        (s.rank, s.siblings)
        for s in dashboard.branch_standings([tree.branch_a, tree.branch_b, third])
    ]
    assert places == [(1, 3), (1, 3), (3, 3)]


def test_an_unrated_branch_has_its_progress_and_no_place(tree, world):
    (standing,) = dashboard.branch_standings([world.c])
    assert standing.rating is None and standing.rank is None
    assert standing.survey.members_voted == 6 and standing.survey.participation_percent == 60
    assert len(standing.missing) == 2


def test_a_branch_in_no_opened_campaign_has_no_standing(tree):
    assert dashboard.branch_standings([tree.branch_a]) == []
