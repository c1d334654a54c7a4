"""The demo's dynamic management (docs/process.md §2.3): last autumn a party committee's
reviewer downgraded one of its branches whose work had slipped, with the reason, through
the real service on the demo clock. The branch page and the star ledger then show a
history with more than the approval in it.

Called once last year's campaign is played through; it needs the official stars that
campaign's approval sets, and does nothing while no branch has one.
"""

import datetime

from scoring.services import stars

from .accounts import DemoUsers, reviewer_of
from .organisations import DemoOrganisations
from .timeline import DemoClock

#: A downgrade's reason as a reviewer writes it after an inspection.
DOWNGRADE_REASON = (
    "11月督查发现：组织生活会未按期召开，“三会一课”记录不全，支部战斗堡垒作用发挥减弱，"
    "经机关党委研究决定降低一个星级，限期整改。"
)


def play_star_changes(
    orgs: DemoOrganisations, users: DemoUsers, *, year: int, clock: DemoClock
) -> list:
    """Downgrade by one star the second branch (in code order) of the first party
    committee that holds three stars or more, in November of `year`; the changes made."""
    candidates = orgs.branches_under(orgs.parents[0])[1:]
    current = stars.current_stars(b.pk for b in candidates)
    branch = next((b for b in candidates if (current[b.pk] or 0) >= 3), None)
    if branch is None:
        return []
    latest = stars.history(branch)[-1].effective
    day = max(datetime.date(year, 11, 25), latest + datetime.timedelta(days=14))
    clock.at(day, 10)
    change = stars.downgrade_star(
        branch=branch,
        actor=reviewer_of(users, orgs, branch),
        to=current[branch.pk] - 1,
        reason=DOWNGRADE_REASON,
        effective=day,
    )
    return [change]
