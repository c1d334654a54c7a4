"""This year's second reviews (docs/process.md §2.1.3): three branches in the sample —
one scored a second time with a large disagreement and decided by staff, one assigned
and not started, one waiting for its second reviewer."""

import datetime
from decimal import Decimal

from scoring.services import reviews, second_reviews

from .accounts import secretary_of
from .data import TIERS
from .steps import review_scores, run_survey

#: Points the second reviewer takes off each of the first five criteria: a large
#: disagreement (above the page's default margin of 2 points on a 10-point criterion).
SECOND_LOWER = Decimal(3)
DECISION_REASON = (
    "复核考评与首次考评在前五项差距较大；经核对佐证材料，复核评分更符合实际，采用复核考评。"
)


def play_second_reviews(rng, played, orgs, users, profiles, *, start, clock, branches):
    """`branches`: (compared, assigned, waiting) of this year's campaign; `compared` has
    its self-evaluation submitted and is under the second parent organisation."""
    compared, assigned, waiting = branches
    staff = users["staff"]
    assessment = played.assessments[compared.pk]
    clock.at(start + datetime.timedelta(days=4), 17)
    run_survey(rng, played, compared, secretary_of(users, orgs, compared), profiles[compared.pk])
    clock.at(start + datetime.timedelta(days=5), 17)
    scores, remarks = review_scores(rng, played, TIERS[profiles[compared.pk].tier][1])
    reviews.submit_review(
        actor=users["reviewer2"], assessment=assessment, scores=scores, remarks=remarks
    )
    clock.at(start + datetime.timedelta(days=5), 17, 20)
    rows = second_reviews.pick_branches(
        campaign=played.campaign,
        actor=staff,
        assessments=[played.assessments[b.pk] for b in (compared, assigned, waiting)],
    )
    by_branch = {row.assessment.branch_id: row for row in rows}
    second_reviews.assign_reviewer(
        second=by_branch[compared.pk], actor=staff, reviewer=users["reviewer"]
    )
    second_reviews.assign_reviewer(
        second=by_branch[assigned.pk], actor=staff, reviewer=users["reviewer3"]
    )
    clock.at(start + datetime.timedelta(days=5), 17, 40)
    lower = {
        pk: max(Decimal(0), value - SECOND_LOWER) if index < 5 else value
        for index, (pk, value) in enumerate(scores.items())
    }
    second = second_reviews.submit_second_review(
        second=by_branch[compared.pk],
        actor=users["reviewer"],
        scores=lower,
        remarks={pk: "会议记录不完整，佐证不足。" for pk in list(lower)[:5]},
    )
    clock.at(start + datetime.timedelta(days=5), 18)
    second_reviews.decide(second=second, actor=staff, use_second=True, reason=DECISION_REASON)
