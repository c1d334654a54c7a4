"""Dynamic management of a branch's current star (docs/process.md §2.3, §2.6)."""

import datetime

import pytest

from branches.models import OrgKind, Role
from scoring.models import StarCause, StarChange
from scoring.services import publicity, stars
from scoring.services.errors import NotAllowed, WrongState
from starrating import clock
from tests import factories

TODAY = clock.today()
APPROVED_ON = TODAY - datetime.timedelta(days=60)


def _approved(branch, star, *, actor, on=APPROVED_ON):
    """The branch's star as the committee's approval set it (the history's first row)."""
    return stars.change_star(
        branch,
        to=star,
        cause=StarCause.APPROVAL,
        actor=actor,
        reason="工委〔2026〕7号",
        effective=on,
    )


@pytest.fixture
def four_stars(tree):
    _approved(tree.branch_a, 4, actor=tree.approver)
    return tree.branch_a


def _downgrade(tree, branch, to, **fields):
    fields.setdefault("actor", tree.reviewer)
    fields.setdefault("reason", "组织生活不正常")
    return stars.downgrade_star(branch=branch, to=to, **fields)


# --- Downgrade ---------------------------------------------------------------------------------


def test_the_parents_reviewer_downgrades_a_branch_with_a_reason(tree, four_stars):
    change = _downgrade(tree, four_stars, 2, effective=TODAY)
    assert (change.from_star, change.to_star, change.cause) == (4, 2, StarCause.DOWNGRADE)
    assert (change.reason, change.actor, change.effective) == (
        "组织生活不正常",
        tree.reviewer,
        TODAY,
    )
    assert stars.current_star(four_stars) == 2
    assert publicity.current_star(four_stars) == 2  # the former home still answers
    row = StarChange.history.get(id=change.pk)
    assert (row.history_change_reason, row.history_user) == ("star.downgraded", tree.reviewer)


def test_the_effective_date_is_today_unless_given(tree, four_stars):
    assert _downgrade(tree, four_stars, 3).effective == TODAY


def test_a_downgrade_to_no_star_is_allowed(tree, four_stars):
    assert _downgrade(tree, four_stars, 0).to_star == 0


def test_a_downgrade_without_a_reason_is_refused(tree, four_stars):
    with pytest.raises(WrongState, match="reason|原因"):
        _downgrade(tree, four_stars, 3, reason="  ")
    assert stars.current_star(four_stars) == 4


def test_a_downgrade_below_no_star_is_refused(tree, four_stars):
    with pytest.raises(WrongState, match="below no star|不能低于"):
        _downgrade(tree, four_stars, -1)
    assert StarChange.objects.filter(branch=four_stars).count() == 1


def test_a_downgrade_that_does_not_lower_the_star_is_refused(tree, four_stars):
    for to in (4, 5):
        with pytest.raises(WrongState):
            _downgrade(tree, four_stars, to)
    assert stars.current_star(four_stars) == 4


def test_a_branch_with_no_current_star_is_refused(tree):
    with pytest.raises(WrongState, match="no current star|尚无现星级"):
        _downgrade(tree, tree.branch_b, 0)
    assert not StarChange.objects.exists()


def test_another_parents_reviewer_may_not_downgrade(tree, four_stars):
    other = factories.org(OrgKind.PARTY_COMMITTEE, parent=tree.committee, name="机关党委乙")
    outsider = factories.user("reviewer_2", role=Role.REVIEWER, organisation=other)
    with pytest.raises(NotAllowed):
        _downgrade(tree, four_stars, 3, actor=outsider)
    assert stars.current_star(four_stars) == 4


@pytest.mark.parametrize("role", ["secretary", "approver", "rereviewer", "nobody"])
def test_a_secretary_or_another_role_may_not_downgrade(tree, four_stars, role):
    with pytest.raises(NotAllowed):
        _downgrade(tree, four_stars, 3, actor=tree.users_by_role()[role])
    assert stars.current_star(four_stars) == 4


def test_a_reviewer_who_belongs_to_the_branch_recuses(tree, four_stars, member_of):
    member_of(tree.reviewer, four_stars)
    with pytest.raises(NotAllowed):
        _downgrade(tree, four_stars, 3)


def test_staff_downgrade_a_directly_managed_branch_its_reviewers_cannot(tree):
    _approved(tree.direct, 3, actor=tree.approver)
    with pytest.raises(NotAllowed):
        _downgrade(tree, tree.direct, 2)
    assert _downgrade(tree, tree.direct, 2, actor=tree.staff).actor == tree.staff


def test_an_effective_date_in_the_future_is_refused(tree, four_stars):
    with pytest.raises(WrongState, match="future|未来"):
        _downgrade(tree, four_stars, 3, effective=TODAY + datetime.timedelta(days=1))
    assert stars.current_star(four_stars) == 4


def test_an_effective_date_before_the_last_change_is_refused(tree, four_stars):
    with pytest.raises(WrongState):
        _downgrade(tree, four_stars, 3, effective=APPROVED_ON - datetime.timedelta(days=1))
    assert _downgrade(tree, four_stars, 3, effective=APPROVED_ON).effective == APPROVED_ON


def test_a_downgrade_waits_while_the_committee_is_deciding_the_star(tree, published):
    _approved(tree.branch_a, 4, actor=tree.approver)
    with pytest.raises(WrongState, match="publicity|公示"):
        _downgrade(tree, tree.branch_a, 3)
    assert stars.current_star(tree.branch_a) == 4


def test_a_downgrade_is_allowed_during_declaration(tree, rated):
    _approved(tree.branch_a, 4, actor=tree.approver)
    assert _downgrade(tree, tree.branch_a, 3).to_star == 3


# --- Restore -----------------------------------------------------------------------------------


def _restore(tree, branch, to, **fields):
    fields.setdefault("actor", tree.reviewer)
    fields.setdefault("reason", "整改到位")
    return stars.restore_star(branch=branch, to=to, **fields)


def test_a_restore_gives_back_the_star_before_the_downgrades(tree, four_stars):
    _downgrade(tree, four_stars, 3)
    _downgrade(tree, four_stars, 1)
    change = _restore(tree, four_stars, 4, actor=tree.staff)
    assert (change.from_star, change.to_star, change.cause) == (1, 4, StarCause.RESTORE)
    assert StarChange.history.get(id=change.pk).history_change_reason == "star.restored"


def test_a_restore_may_stop_below_the_star_before_the_downgrades(tree, four_stars):
    _downgrade(tree, four_stars, 1)
    _restore(tree, four_stars, 2)
    assert _restore(tree, four_stars, 4).from_star == 2


def test_a_restore_above_the_previous_star_is_refused(tree, four_stars):
    _downgrade(tree, four_stars, 2)
    with pytest.raises(WrongState, match="at most|最多"):
        _restore(tree, four_stars, 5)
    assert stars.current_star(four_stars) == 2


def test_a_restore_without_a_downgrade_is_refused(tree, four_stars):
    with pytest.raises(WrongState, match="Nothing to restore|无可恢复"):
        _restore(tree, four_stars, 5)


def test_a_restore_that_does_not_raise_the_star_is_refused(tree, four_stars):
    _downgrade(tree, four_stars, 2)
    with pytest.raises(WrongState):
        _restore(tree, four_stars, 1)


def test_a_restore_needs_a_reason_and_the_right_to_manage(tree, four_stars):
    _downgrade(tree, four_stars, 2)
    with pytest.raises(WrongState):
        _restore(tree, four_stars, 3, reason="")
    with pytest.raises(NotAllowed):
        _restore(tree, four_stars, 3, actor=tree.secretary)
    assert stars.current_star(four_stars) == 2


def test_the_rereviews_star_is_the_most_a_restore_gives_back(tree):
    _approved(tree.branch_a, 5, actor=tree.approver)
    stars.change_star(tree.branch_a, to=4, cause=StarCause.REREVIEW, actor=tree.rereviewer)
    _downgrade(tree, tree.branch_a, 2)
    with pytest.raises(WrongState):
        _restore(tree, tree.branch_a, 5)
    assert _restore(tree, tree.branch_a, 4).to_star == 4


def test_the_forms_choices_follow_the_rules(tree, four_stars):
    assert stars.choices(four_stars)["downgrade"] == [3, 2, 1, 0]
    assert stars.choices(four_stars)["restore"] == []
    _downgrade(tree, four_stars, 1)
    assert stars.choices(four_stars)["restore"] == [4, 3, 2]
    assert stars.choices(tree.branch_b) == {
        "current": None,
        "official": None,
        "downgrade": [],
        "restore": [],
    }


# --- Reads -------------------------------------------------------------------------------------


def test_the_current_stars_of_many_branches_take_one_query(
    tree, four_stars, django_assert_num_queries
):
    _approved(tree.branch_b, 2, actor=tree.approver)
    _downgrade(tree, four_stars, 3)
    ids = [tree.branch_a.pk, tree.branch_b.pk, tree.direct.pk]
    with django_assert_num_queries(1):
        found = stars.current_stars(ids)
    assert found == {tree.branch_a.pk: 3, tree.branch_b.pk: 2, tree.direct.pk: None}


def test_the_history_chart_is_an_svg_image(tree, four_stars):
    import base64

    _downgrade(tree, four_stars, 2)
    chart = stars.history_chart(stars.history(four_stars))
    assert chart.startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(chart.split(",", 1)[1]).decode()
    assert "<svg" in svg and APPROVED_ON.isoformat() in svg and TODAY.isoformat() in svg
    assert stars.history_chart([]) is None
