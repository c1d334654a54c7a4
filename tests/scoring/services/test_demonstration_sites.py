"""Officially five-star branches and demonstration sites (示范点, docs/process.md §2.4):
`officially_five_star`, `five_star_refusal`, `mark_demonstration_site`,
`unmark_demonstration_site` and their refusals."""

import pytest
from django.db import IntegrityError, transaction

from scoring.models import DemonstrationSite
from scoring.services import publicity
from scoring.services.errors import NotAllowed, WrongState
from starrating import clock
from tests.factories import REREVIEWED
from tests.factories import assessment_of as _assessment


def _rereview(tree, campaign, *, confirmed):
    fields = {} if confirmed else {"star": 4, "reason": "材料不实"}
    with clock.frozen(REREVIEWED):
        return publicity.rereview(
            assessment=_assessment(campaign, tree.branch_a),
            actor=tree.rereviewer,
            confirmed=confirmed,
            **fields,
        )


@pytest.fixture
def confirmed(tree, approved):
    _rereview(tree, approved.campaign, confirmed=True)
    return approved.campaign


def _mark(tree, campaign, branch=None, reason="基层治理示范"):
    return publicity.mark_demonstration_site(
        assessment=_assessment(campaign, branch or tree.branch_a), actor=tree.staff, reason=reason
    )


# --- officially five-star -----------------------------------------------------------------


def test_a_confirmed_five_star_branch_is_officially_five_star(tree, confirmed):
    assert [a.branch for a in publicity.officially_five_star(confirmed)] == [tree.branch_a]
    assert publicity.five_star_refusal(confirmed, tree.branch_a) is None
    assert publicity.five_star_refusal(confirmed) is None


def test_five_stars_waiting_for_the_re_review_are_not_official(tree, approved):
    assert not publicity.officially_five_star(approved.campaign).exists()
    assert "尚待市委组织部复审" in publicity.five_star_refusal(approved.campaign, tree.branch_a)


def test_five_stars_the_re_review_declined_are_not_official(tree, approved):
    _rereview(tree, approved.campaign, confirmed=False)
    assert not publicity.officially_five_star(approved.campaign).exists()
    assert "复审未确认" in publicity.five_star_refusal(approved.campaign, tree.branch_a)


def test_nothing_is_officially_five_star_before_approval(tree, published):
    assert not publicity.officially_five_star(published).exists()
    assert "尚未审批" in publicity.five_star_refusal(published, tree.branch_a)


# --- marking ------------------------------------------------------------------------------


def test_staff_mark_an_officially_five_star_branch_with_who_when_and_why(tree, confirmed):
    with clock.frozen(REREVIEWED):
        site = _mark(tree, confirmed)
    assert site.is_current
    assert (site.reason, site.marked_by) == ("基层治理示范", tree.staff)
    assert site.marked_at == clock.aware(REREVIEWED, 9)
    assert site.history.first().history_change_reason == "demonstration_site.marked"
    assert list(publicity.demonstration_sites()) == [site]


def test_a_four_star_branch_cannot_be_marked(tree, confirmed):
    with pytest.raises(WrongState, match="不是五星级"):
        _mark(tree, confirmed, tree.branch_b)
    assert not DemonstrationSite.objects.exists()


def test_a_declined_five_star_branch_cannot_be_marked(tree, approved):
    _rereview(tree, approved.campaign, confirmed=False)
    with pytest.raises(WrongState, match="复审未确认"):
        _mark(tree, approved.campaign)
    assert not DemonstrationSite.objects.exists()


def test_a_branch_before_its_re_review_cannot_be_marked(tree, approved):
    with pytest.raises(WrongState, match="只有经复审确认的五星级党组织才能确定为示范点"):
        _mark(tree, approved.campaign)
    assert not DemonstrationSite.objects.exists()


def test_marking_needs_a_reason(tree, confirmed):
    with pytest.raises(WrongState, match="请填写确定示范点的理由"):
        _mark(tree, confirmed, reason="   ")
    assert not DemonstrationSite.objects.exists()


def test_a_branch_is_marked_once_in_a_campaign(tree, confirmed):
    _mark(tree, confirmed)
    with pytest.raises(WrongState, match="已是本次评定的示范点"):
        _mark(tree, confirmed)
    assert DemonstrationSite.objects.count() == 1


def test_the_database_refuses_two_current_sites_of_one_branch(tree, confirmed):
    site = _mark(tree, confirmed)
    with pytest.raises(IntegrityError), transaction.atomic():
        DemonstrationSite.objects.create(
            assessment=site.assessment, reason="再来", marked_at=clock.now()
        )


@pytest.mark.parametrize("role", ["secretary", "reviewer", "approver", "rereviewer", "nobody"])
def test_only_staff_mark(tree, confirmed, role):
    with pytest.raises(NotAllowed):
        publicity.mark_demonstration_site(
            assessment=_assessment(confirmed, tree.branch_a),
            actor=tree.users_by_role()[role],
            reason="理由",
        )
    assert not DemonstrationSite.objects.exists()


# --- unmarking ----------------------------------------------------------------------------


def test_staff_unmark_with_a_reason_and_the_row_is_kept(tree, confirmed):
    site = _mark(tree, confirmed)
    unmarked = publicity.unmark_demonstration_site(site=site, actor=tree.staff, reason="已撤并")
    assert not unmarked.is_current
    assert (unmarked.unmarked_reason, unmarked.unmarked_by) == ("已撤并", tree.staff)
    assert unmarked.history.first().history_change_reason == "demonstration_site.unmarked"
    assert not publicity.demonstration_sites().exists()
    assert DemonstrationSite.objects.count() == 1


def test_an_unmarked_branch_may_be_marked_again(tree, confirmed):
    site = _mark(tree, confirmed)
    publicity.unmark_demonstration_site(site=site, actor=tree.staff, reason="暂停")
    again = _mark(tree, confirmed, reason="恢复")
    assert list(publicity.demonstration_sites()) == [again]
    assert DemonstrationSite.objects.count() == 2


def test_unmarking_needs_a_reason_and_changes_nothing_without(tree, confirmed):
    site = _mark(tree, confirmed)
    with pytest.raises(WrongState, match="请填写取消示范点的理由"):
        publicity.unmark_demonstration_site(site=site, actor=tree.staff, reason="")
    site.refresh_from_db()
    assert site.is_current


def test_unmarking_twice_is_refused(tree, confirmed):
    site = _mark(tree, confirmed)
    publicity.unmark_demonstration_site(site=site, actor=tree.staff, reason="暂停")
    with pytest.raises(WrongState, match="已经取消"):
        publicity.unmark_demonstration_site(site=site, actor=tree.staff, reason="再次")


def test_only_staff_unmark(tree, confirmed):
    site = _mark(tree, confirmed)
    with pytest.raises(NotAllowed):
        publicity.unmark_demonstration_site(site=site, actor=tree.approver, reason="理由")
    site.refresh_from_db()
    assert site.is_current


def test_the_candidates_are_the_officially_five_star_not_marked_now(tree, confirmed):
    assert [a.branch for a in publicity.demonstration_site_candidates()] == [tree.branch_a]
    site = _mark(tree, confirmed)
    assert not publicity.demonstration_site_candidates().exists()
    publicity.unmark_demonstration_site(site=site, actor=tree.staff, reason="暂停")
    assert [a.branch for a in publicity.demonstration_site_candidates()] == [tree.branch_a]
