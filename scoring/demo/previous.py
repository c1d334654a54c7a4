"""Last year's campaign, played through on last year's dates: from draft to recompute,
then publicity, approval and re-review (`publicity`) until it is closed."""

import datetime
from decimal import Decimal

from scoring.models import Assessment, AuditStatus, Campaign
from scoring.services import events, reviews
from scoring.services import publicity as publicity_service
from scoring.services.recompute import recompute_campaign

from .accounts import DemoUsers, reviewer_of, secretary_of
from .data import (
    DEMONSTRATION_REASON,
    EVENTS,
    GOOD,
    MEDIUM,
    RESUBMITTED_REMARK,
    SENT_BACK_REASON,
    STRONG,
    TIERS,
    WEAK,
)
from .organisations import DemoOrganisations
from .publicity import approve, publicise, rereview
from .steps import (
    Played,
    build_campaign,
    open_demo_campaign,
    review_scores,
    run_survey,
    submit_self_evaluation,
)
from .timeline import DemoClock


def record_events(
    rng, orgs: DemoOrganisations, users: DemoUsers, profiles, *, year: int, clock: DemoClock
) -> None:
    """A dozen bonus and penalty events of `year`, recorded by staff a few days after."""
    by_tier = {tier: [b for b in orgs.branches if profiles[b.pk].tier == tier] for tier in TIERS}
    pools = {
        "strong": rng.sample(by_tier[STRONG][1:], 3),
        "good": rng.sample(by_tier[GOOD], 3),
        "medium": rng.sample(by_tier[MEDIUM], 3),
        "weak": by_tier[WEAK][:1],
        "absent": [rng.choice([b for b in by_tier[STRONG][1:]])],
    }
    used = {key: 0 for key in pools}
    for key, month, day, fields in sorted(EVENTS, key=lambda e: (e[1], e[2])):
        pool = pools[key]
        branch = pool[used[key] % len(pool)]  # "absent": three times the same branch
        used[key] += 1
        date = datetime.date(year, month, day)
        clock.at(date + datetime.timedelta(days=rng.randint(1, 4)), 10)
        values = {k: (v.format(y=year) if isinstance(v, str) else v) for k, v in fields.items()}
        events.record_event(actor=users["staff"], branch=branch, date=date, **values)


def play_previous_campaign(
    rng, orgs: DemoOrganisations, users: DemoUsers, profiles, *, year: int, clock: DemoClock
) -> Campaign:
    """Last year's campaign from draft to closed, on last year's dates."""
    staff = users["staff"]
    clock.at(datetime.date(year, 3, 20))
    campaign = build_campaign(orgs, users, year=year)
    clock.at(datetime.date(year, 4, 1))
    played = open_demo_campaign(campaign, users)
    record_events(rng, orgs, users, profiles, year=year, clock=clock)

    # Declaration: every secretary submits, every branch holds its survey (May).
    for branch in orgs.branches:
        profile = profiles[branch.pk]
        secretary = secretary_of(users, orgs, branch)
        day = datetime.date(year, 5, 6) + datetime.timedelta(days=rng.randint(0, 24))
        clock.at(day, 9, rng.randint(0, 50))
        submit_self_evaluation(rng, played, branch, secretary, TIERS[profile.tier][0])
        clock.at(day + datetime.timedelta(days=rng.randint(1, 4)), 14, 30)
        played.assessments[branch.pk] = Assessment.objects.select_related(
            "branch", "campaign", "self_evaluation"
        ).get(pk=played.assessments[branch.pk].pk)
        run_survey(rng, played, branch, secretary, profile, closer=staff)

    # Superior review (June), five-star audit, recompute.
    five_star = []
    for branch in orgs.branches:
        reviewer = reviewer_of(users, orgs, branch)
        clock.at(datetime.date(year, 6, 8) + datetime.timedelta(days=rng.randint(0, 14)), 15)
        scores, remarks = review_scores(rng, played, TIERS[profiles[branch.pk].tier][1])
        review = reviews.submit_review(
            actor=reviewer,
            assessment=played.assessments[branch.pk],
            scores=scores,
            remarks=remarks,
        )
        if review.audit_status == AuditStatus.PENDING:
            five_star.append(review)
    for index, review in enumerate(five_star):
        clock.at(datetime.date(year, 6, 24), 10, index)
        if index == 0:
            reviews.audit_five_star(
                review=review,
                actor=staff,
                agree=False,
                reason=SENT_BACK_REASON,
            )
            clock.at(datetime.date(year, 6, 25), 16)
            assessment = review.assessment
            reviewer = reviewer_of(users, orgs, assessment.branch)
            criterion = played.criteria[2]
            review = reviews.submit_review(
                actor=reviewer,
                assessment=assessment,
                scores={criterion.pk: criterion.max_points - Decimal("0.5")},
                remarks={criterion.pk: RESUBMITTED_REMARK},
            )
            if review.audit_status != AuditStatus.PENDING:
                continue
            clock.at(datetime.date(year, 6, 26), 9)
        reviews.audit_five_star(review=review, actor=staff, agree=True)
    clock.at(datetime.date(year, 6, 29), 11)
    recompute_campaign(campaign=played.campaign, actor=staff)

    # Publicity, approval, re-review (July): the campaign is closed.
    publicise(played, orgs, users, year=year, clock=clock)
    approve(played, users, year=year, clock=clock)
    rereview(played, users, year=year, clock=clock)
    use_previous_results(played, orgs, users, year=year, clock=clock)
    played.campaign.refresh_from_db()
    return played.campaign


#: The day last year's results are put to use (§2.4), after the re-review closed them.
RESULTS_USED = (8, 3)


def use_previous_results(
    played: Played, orgs: DemoOrganisations, users: DemoUsers, *, year: int, clock: DemoClock
) -> None:
    """Last year's closed results put to use (docs/process.md §2.4): staff mark the first
    officially five-star branch as a demonstration site (示范点). Its certificate, and
    every other officially five-star branch's, is a PDF made on demand from the
    approved-list page (`certificates`), nothing stored."""
    clock.at(datetime.date(year, *RESULTS_USED), 10)
    five_star = publicity_service.officially_five_star(played.campaign).first()
    if five_star is not None:
        publicity_service.mark_demonstration_site(
            assessment=five_star, actor=users["staff"], reason=DEMONSTRATION_REASON
        )
