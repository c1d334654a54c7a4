"""The home page's publicity to-dos and the secretary's stars (docs/process.md §2.1.4,
§2.1.5, §2.6): staff see open objections (how many named, handled first), a recompute
after an upheld objection and campaigns ready to publish; the approver sees each
campaign awaiting approval, ready or blocked with why; the re-reviewer the re-reviews
waiting; the secretary the branch's published star and its official current star."""

import datetime

import pytest
from django.urls import reverse

from scoring.services import publicity, recompute
from starrating import clock
from starrating.todos import todos
from tests import factories
from tests.factories import AFTER, DURING, MEETING, REREVIEWED
from tests.factories import file_objection as _file

LATER = AFTER + datetime.timedelta(days=1)


def _home(client, user, when):
    client.force_login(user)
    with clock.frozen(when):
        return client.get(reverse("home"))


def _card(response, role):
    return next(card for card in response.context["cards"] if card.role == role)


def _titles(user, when):
    with clock.frozen(when):
        return {item.title: item for item in todos(user)}


def test_staff_see_open_objections_with_how_many_are_named(tree, published):
    _file(published, tree.branch_a, name="王某")
    _file(published, tree.branch_b)
    item = _titles(tree.staff, DURING)["处理异议"]
    assert item.count == 2
    assert "其中 1 件实名，优先处理" in item.detail
    assert item.url == reverse("scoring:objections", args=[published.pk])


def test_staff_are_told_to_recompute_after_an_upheld_objection(tree, published):
    objection = _file(published, tree.branch_b)
    with clock.frozen(DURING):
        publicity.uphold_objection(
            objection=objection, actor=tree.staff, reason="属实", return_review=False
        )
    item = _titles(tree.staff, DURING)["异议成立后重新计算评定结果"]
    assert item.url == reverse("scoring:campaign_results", args=[published.pk])
    assert "处理异议" not in _titles(tree.staff, DURING)
    with clock.frozen(DURING):
        recompute.recompute_campaign(campaign=published, actor=tree.staff)
    assert "异议成立后重新计算评定结果" not in _titles(tree.staff, DURING)


def test_staff_see_a_complete_campaign_to_publish(tree, rated):
    item = _titles(tree.staff, clock.today())["发布公示"]
    assert item.url == reverse("scoring:campaign_publish", args=[rated.pk])


def test_the_approver_sees_a_campaign_ready_for_approval(tree, published):
    item = _titles(tree.approver, LATER)["登记工委审批"]
    assert item.url == reverse("scoring:campaign_approve", args=[published.pk])
    assert item.detail == str(published)


def test_the_approver_sees_a_campaign_blocked_by_an_open_objection_and_why(tree, published):
    _file(published, tree.branch_a)
    titles = _titles(tree.approver, LATER)
    assert "登记工委审批" not in titles
    item = titles["待审批，暂不能审批"]
    assert "尚有 1 件异议未处理。" in item.detail


def test_the_approver_sees_a_campaign_blocked_by_a_recompute_needed(tree, published):
    objection = _file(published, tree.branch_b)
    with clock.frozen(DURING):
        publicity.uphold_objection(
            objection=objection, actor=tree.staff, reason="属实", return_review=False
        )
    item = _titles(tree.approver, LATER)["待审批，暂不能审批"]
    assert "须先重新计算结果。" in item.detail
    assert "异议" not in item.detail


def test_the_approver_has_nothing_during_the_window(tree, published):
    assert _titles(tree.approver, DURING) == {}


def test_the_rereviewer_sees_the_five_star_results_waiting(tree, approved):
    item = _titles(tree.rereviewer, REREVIEWED)["五星复审"]
    assert item.count == 1
    assert item.url == reverse("scoring:rereviews")


# --- the secretary's stars ----------------------------------------------------------------


def test_the_secretary_sees_no_star_before_any_approval(client, tree, rated):
    response = _home(client, tree.secretary, clock.today())
    (row,) = _card(response, "secretary").stars
    assert row.branch == tree.branch_a and row.proposed is None and row.current is None
    assert "暂无：尚无经批准的评定结果。" in response.content.decode()


def test_the_secretary_sees_the_published_star_during_publicity(client, tree, published):
    response = _home(client, tree.secretary, DURING)
    (row,) = _card(response, "secretary").stars
    assert row.proposed.star == 5
    page = response.content.decode()
    assert "公示星级" in page and "拟定，尚未批准" in page
    assert f'id="published-star-{tree.branch_a.pk}"' in page


def test_the_secretary_sees_the_official_star_once_approved(client, tree, approved):
    response = _home(client, tree.secretary, MEETING)
    (row,) = _card(response, "secretary").stars
    assert row.proposed is None
    assert row.current.to_star == 5
    page = response.content.decode()
    assert "现星级" in page and "工委" in page
    assert "公示星级" not in page


def test_the_current_star_follows_the_rereview(client, tree, approved):
    with clock.frozen(REREVIEWED):
        publicity.rereview(
            assessment=factories.assessment_of(approved.campaign, tree.branch_a),
            actor=tree.rereviewer,
            confirmed=False,
            star=4,
            reason="材料不全",
        )
    response = _home(client, tree.secretary, REREVIEWED)
    (row,) = _card(response, "secretary").stars
    assert row.current.to_star == 4 == publicity.current_star(tree.branch_a)


# --- the query count ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "approver", "rereviewer", "secretary"])
def test_the_home_pages_query_count_does_not_grow_with_objections_or_branches(
    client, tree, published, django_assert_max_num_queries, role
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = tree.users_by_role()[role]
    client.force_login(user)
    with clock.frozen(DURING):
        client.get(reverse("home"))  # warm the session
    with clock.frozen(DURING), CaptureQueriesContext(connection) as small:
        client.get(reverse("home"))
    for branch in (tree.branch_a, tree.branch_b, tree.direct):
        _file(published, branch, name="某")
    for number in range(5):
        extra = factories.branch(tree.party_committee, name=f"新党支部{number}")
        factories.assessment(published, extra)
    with clock.frozen(DURING), django_assert_max_num_queries(HOME_QUERIES[role]) as large:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    assert len(large) == len(small), "the count grows with objections or branches"


#: The home page's queries per role with a campaign in publicity (measured; pinned): the
#: secretary's home reads its to-dos, its branch's standing among its siblings, its stars
#: and its plans (starrating/todos.py, scoring.services.dashboard.branch_standings); staff
#: read the campaigns in publicity for the window's days left (one query), and count the
#: second reviews assigned to them (docs/process.md §2.1.3). Staff's reviews to do decide
#: recusal in the database (D-7qc): four small queries (their own branches, the
#: reviewers, the reviewers' branches, the waiting reviews' keys) where one read every
#: branch of the committee into Python.
HOME_QUERIES = {"staff": 20, "approver": 7, "rereviewer": 7, "secretary": 18}
