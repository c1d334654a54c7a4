"""The demo's dynamic management (scoring/demo/stars.py, docs/process.md §2.3)."""

import datetime

from scoring.demo.accounts import DemoUsers
from scoring.demo.organisations import DemoOrganisations
from scoring.demo.stars import DOWNGRADE_REASON, play_star_changes
from scoring.demo.timeline import demo_clock
from scoring.models import StarCause, StarChange
from scoring.services import stars
from starrating import clock

LAST_YEAR = clock.today().year - 1


def _demo(tree):
    orgs = DemoOrganisations(
        committee=tree.committee,
        parents=[tree.party_committee],
        branches=[tree.direct, tree.branch_a, tree.branch_b],
    )
    users = DemoUsers(by_username={"reviewer": tree.reviewer, "staff": tree.staff})
    return orgs, users


def _approved(branch, star, actor):
    stars.change_star(
        branch,
        to=star,
        cause=StarCause.APPROVAL,
        actor=actor,
        effective=datetime.date(LAST_YEAR, 7, 10),
    )


def test_last_autumn_the_parent_downgraded_one_branch_with_its_reason(tree):
    for branch, star in ((tree.branch_a, 5), (tree.branch_b, 4), (tree.direct, 3)):
        _approved(branch, star, tree.approver)
    orgs, users = _demo(tree)
    with demo_clock() as timeline:
        made = play_star_changes(orgs, users, year=LAST_YEAR, clock=timeline)
    assert len(made) == 1
    change = StarChange.objects.get(cause=StarCause.DOWNGRADE)
    assert (change.branch, change.from_star, change.to_star) == (tree.branch_b, 4, 3)
    assert (change.actor, change.reason) == (tree.reviewer, DOWNGRADE_REASON)
    assert change.effective == datetime.date(LAST_YEAR, 11, 25)
    assert change.recorded_at.date() == change.effective


def test_without_official_stars_the_demo_downgrades_nothing(tree):
    orgs, users = _demo(tree)
    with demo_clock() as timeline:
        assert play_star_changes(orgs, users, year=LAST_YEAR, clock=timeline) == []
    assert not StarChange.objects.exists()
