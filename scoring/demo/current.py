"""This year's campaign, open and part-way: a few branches have started, the rest not;
three are in the second-review sample (`second_reviews`)."""

import datetime

from branches.models import Member
from scoring.models import Campaign, SlipKind
from scoring.services import reviews

from .accounts import secretary_of
from .data import TIERS, reference_date
from .second_reviews import play_second_reviews
from .steps import (
    build_campaign,
    enter_paper_ballots,
    open_demo_campaign,
    review_scores,
    run_survey,
    submit_self_evaluation,
)


def current_deadline(year: int, today: datetime.date) -> datetime.date:
    """The current campaign's self-evaluation deadline: 5 June, or four weeks from
    `today` once 5 June is less than two weeks away (so the demo stays usable)."""
    deadline = reference_date(year)
    if today > deadline - datetime.timedelta(days=14):
        deadline = today + datetime.timedelta(days=28)
    return deadline


def play_current_campaign(rng, orgs, users, profiles, *, year, today, clock) -> Campaign:
    """This year's campaign, open: a few branches part-way, the rest untouched. The
    `secretary` account's branch has everything still to do."""
    deadline = current_deadline(year, today)
    real = today == clock.wall_today()
    start = today - datetime.timedelta(days=6)
    clock.at(start - datetime.timedelta(days=14), 10)
    campaign = build_campaign(orgs, users, year=year, self_deadline=deadline)
    clock.at(start, 9)
    played = open_demo_campaign(campaign, users)
    first_parent, second_parent = orgs.parents[0], orgs.parents[1]
    _own, submitted, drafting = orgs.branches_under(first_parent)[:3]
    direct = orgs.direct_branches[0]  # secretary2's: submitted, survey running
    other = orgs.branches_under(second_parent)[0]

    for day, branch in ((1, submitted), (2, direct), (3, other)):
        clock.at(start + datetime.timedelta(days=day), 10)
        level = TIERS[profiles[branch.pk].tier][0]
        submit_self_evaluation(rng, played, branch, secretary_of(users, orgs, branch), level)
    clock.at(start + datetime.timedelta(days=3), 15)
    submit_self_evaluation(
        rng, played, drafting, secretary_of(users, orgs, drafting), 8.5, submit=False
    )
    # A closed survey and a review draft for `submitted`; a running survey for `direct`.
    clock.at(start + datetime.timedelta(days=4), 14)
    run_survey(rng, played, submitted, secretary_of(users, orgs, submitted), profiles[submitted.pk])
    clock.at(start + datetime.timedelta(days=5), 16)
    scores, remarks = review_scores(rng, played, TIERS[profiles[submitted.pk].tier][1])
    half = dict(list(scores.items())[:5])
    reviews.save_review_draft(
        assessment=played.assessments[submitted.pk],
        actor=users["reviewer"],
        scores=half,
        remarks={k: remarks[k] for k in half},
    )
    # Second reviews: `other` compared and decided, `submitted` assigned, `drafting` waiting.
    play_second_reviews(
        rng,
        played,
        orgs,
        users,
        profiles,
        start=start,
        clock=clock,
        branches=(other, submitted, drafting),
    )
    if real:
        clock.real()
    else:
        clock.at(today, 9)
    members = Member.objects.filter(branch=direct, active=True).count()
    issued = run_survey(
        rng,
        played,
        direct,
        secretary_of(users, orgs, direct),
        profiles[direct.pk],
        voters=members // 2,
        close=False,
        render_sheet=True,
    )
    # Three paper ballots entered by two tellers, and one waiting for its second entry.
    unused = [code for kind, code in issued.codes if kind == SlipKind.MEMBER][members // 2 :]
    tellers = (secretary_of(users, orgs, direct), users["staff"])
    enter_paper_ballots(rng, played, direct, unused[:4], tellers, waiting=1)
    return played.campaign
