"""Demo data: a realistic work committee, one account per role, and a living product:
last year's campaign played through to closed, this year's open and part-way.

Everything after the organisation tree and the accounts is done through the real
service functions (create and open the campaign, self-evaluations, surveys with
ballots cast from the issued codes, bonus/penalty events, reviews, the five-star
audit, the recompute, publicity with its objections, the approval with its minutes, the
re-review), so loading the demo also proves the workflow fits together.
While the demo is built, `starrating.clock` reads the demo's advancing clock
(`timeline.DemoClock`), so last year's campaign runs on last year's dates (its history
reads as it would have happened).

Deterministic: one `random.Random(SEED)` drives every choice and every date is
derived from the campaign year and `today`, so two runs on empty databases on the
same day give the same organisations, members, accounts, scores and ratings (only
the random slip codes and ballot keys differ, as they must).

The package, in the order `build_demo` uses it:

- `data` — the fixed content: names, tiers, remarks, last year's events, the calendar;
- `organisations` — the tree and its members (`build_organisations`);
- `accounts` — the demo accounts (`build_users`, `demo_accounts`, `PASSWORD`) and who
  acts for a branch;
- `profiles` — each branch's tier, and the scores, grades and verdicts a tier gives;
- `timeline` — the demo clock;
- `steps` — one campaign step through the services (open, sheet, survey, review);
- `previous`, `current` — last year's campaign played through, this year's part-way;
- `publicity` — last year's publicity, objections, approval and re-review.
- `stars` — last autumn's downgrade of one branch (dynamic management).
- `improvement` — last year's improvement plans and rectification ledgers.
"""

import datetime
import random
from dataclasses import dataclass

from django.db import transaction

from scoring.models import Campaign
from starrating import clock

from .accounts import PASSWORD, DemoUsers, build_users, demo_accounts
from .current import current_deadline, play_current_campaign
from .data import SEED
from .improvement import give_plans_and_ledgers
from .organisations import DemoOrganisations, build_organisations
from .previous import play_previous_campaign
from .profiles import branch_profiles
from .stars import play_star_changes
from .timeline import demo_clock

__all__ = [
    "PASSWORD",
    "SEED",
    "Demo",
    "build_demo",
    "build_organisations",
    "build_users",
    "demo_accounts",
]


@dataclass
class Demo:
    organisations: DemoOrganisations
    users: DemoUsers
    campaign: Campaign  # this year's, open
    previous: Campaign  # last year's, played through to closed


def build_demo(
    *, year: int | None = None, seed: int = SEED, today: datetime.date | None = None
) -> Demo:
    """Fill an empty database with the whole demo, in one transaction.

    `today` (default: the site's date) is the day the demo is built as of: this year's
    campaign is open then, last year's campaign was played through on last year's dates.
    """
    today = today or clock.today()
    year = year or today.year
    rng = random.Random(seed)
    with transaction.atomic(), demo_clock() as timeline:
        orgs = build_organisations(rng, year=year, reference=current_deadline(year, today))
        timeline.at(datetime.date(year - 1, 3, 1), 8)
        users = build_users(orgs, every_branch=True)
        profiles = branch_profiles(rng, orgs)
        previous = play_previous_campaign(rng, orgs, users, profiles, year=year - 1, clock=timeline)
        give_plans_and_ledgers(orgs, users, previous, today=today, clock=timeline)
        play_star_changes(orgs, users, year=year - 1, clock=timeline)
        campaign = play_current_campaign(
            rng, orgs, users, profiles, year=year, today=today, clock=timeline
        )
    return Demo(organisations=orgs, users=users, campaign=campaign, previous=previous)
