"""Campaigns, sheets, surveys, events and reviews built with the ORM directly, so these
tests do not depend on the other areas' services."""

import datetime
from decimal import Decimal

import pytest

from scoring.models import (
    Assessment,
    AuditStatus,
    Ballot,
    Campaign,
    CampaignStatus,
    Criterion,
    Review,
    ReviewScore,
    ReviewStatus,
    ScoreEvent,
    SelfEvaluation,
    SelfEvaluationStatus,
    SlipKind,
    Survey,
    SurveyStatus,
    Verdict,
)
from tests import factories

YEAR = 2026


def make_campaign(committee, *, criteria=10, **fields):
    fields.setdefault("title", f"{YEAR} 星级评定")
    fields.setdefault("status", CampaignStatus.OPEN)
    fields.setdefault("self_deadline", datetime.date(YEAR, 6, 5))
    campaign = Campaign.objects.create(year=YEAR, committee=committee, **fields)
    for position in range(1, criteria + 1):
        Criterion.objects.create(
            campaign=campaign,
            position=position,
            title=f"标准{position}",
            max_points=Decimal(100) / criteria,
        )
    return campaign


def make_assessment(campaign, branch):
    return Assessment.objects.create(campaign=campaign, branch=branch)


def submit_self(assessment, total, *, status=SelfEvaluationStatus.SUBMITTED):
    return SelfEvaluation.objects.create(
        assessment=assessment, status=status, total=Decimal(total), self_star=4
    )


def close_survey(assessment, ballots, *, status=SurveyStatus.CLOSED, electorate=None):
    """`ballots`: a list of (points, verdict); every ballot is a member's."""
    count = len(ballots)
    electorate = count if electorate is None else electorate
    survey = Survey.objects.create(
        assessment=assessment,
        status=status,
        electorate=electorate,
        member_slips_issued=count,
    )
    Ballot.objects.bulk_create(
        Ballot(
            survey=survey,
            kind=SlipKind.MEMBER,
            cast_on=datetime.date(YEAR, 5, 1),
            grades="E" * 10,
            verdict=verdict,
            points=Decimal(points),
        )
        for points, verdict in ballots
    )
    return survey


def ballots(points, satisfied, basically=0, dissatisfied=0):
    """Ballots all worth `points`, with the given verdict counts."""
    return (
        [(points, Verdict.SATISFIED)] * satisfied
        + [(points, Verdict.BASICALLY_SATISFIED)] * basically
        + [(points, Verdict.DISSATISFIED)] * dissatisfied
    )


def make_review(
    assessment, total, *, reviewer=None, status=ReviewStatus.SUBMITTED, audit=AuditStatus.NOT_NEEDED
):
    """A review whose criterion scores share `total` evenly (all criteria scored)."""
    criteria = list(assessment.campaign.criteria.all())
    total = Decimal(total)
    share = (total / len(criteria)).quantize(Decimal("0.01"))
    review = Review.objects.create(
        assessment=assessment, reviewer=reviewer, status=status, total=total, audit_status=audit
    )
    scores = [share] * (len(criteria) - 1)
    scores.append(total - sum(scores))
    pairs = zip(criteria, scores, strict=True)
    ReviewScore.objects.bulk_create(
        ReviewScore(review=review, criterion=c, score=s) for c, s in pairs
    )
    return review


def event(branch, type, *, date=None, **fields):
    return ScoreEvent.objects.create(
        branch=branch, type=type, date=date or datetime.date(YEAR, 3, 1), **fields
    )


def ready_branch(
    campaign,
    branch,
    *,
    self_total=90,
    survey_points=90,
    satisfied=10,
    basically=0,
    dissatisfied=0,
    review_total=None,
    audit=AuditStatus.NOT_NEEDED,
):
    """An assessment with a submitted sheet, a closed survey and (optionally) a review."""
    assessment = make_assessment(campaign, branch)
    submit_self(assessment, self_total)
    close_survey(assessment, ballots(survey_points, satisfied, basically, dissatisfied))
    if review_total is not None:
        make_review(assessment, review_total, audit=audit)
    return assessment


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.committee)


@pytest.fixture
def ready(campaign, tree):
    """branch_a ready for review: sheet submitted, survey closed, no review yet."""
    return ready_branch(campaign, tree.branch_a)


@pytest.fixture
def member_of(db):
    def make(user, branch):
        return factories.member(branch, user=user)

    return make
