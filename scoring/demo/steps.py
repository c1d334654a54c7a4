"""The steps of a campaign as the demo plays them, each through the real services:
create and open the campaign, fill in and submit a sheet, run a survey with the issued
codes, score a review."""

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import translation

from scoring.models import Assessment, Campaign, CampaignKind, SlipKind
from scoring.services import self_evaluation, survey
from scoring.services.campaigns import create_campaign, open_campaign

from .accounts import DemoUsers
from .data import (
    GRADES,
    LOW_TURNOUT_REASON,
    REVIEW_REMARKS,
    REVIEW_SHORTFALL,
    SELF_REMARKS,
    TIERS,
    VERDICTS,
    reference_date,
)
from .organisations import DemoOrganisations
from .profiles import Profile, criterion_scores, self_star_for, verdicts_for


@dataclass
class Played:
    """Handles on the campaign's objects for the later steps."""

    campaign: Campaign
    assessments: dict[int, Assessment]  # branch id → assessment
    criteria: list


def build_campaign(
    orgs: DemoOrganisations,
    users: DemoUsers,
    *,
    year: int,
    self_deadline: datetime.date | None = None,
    review_deadline: datetime.date | None = None,
) -> Campaign:
    """A declaration campaign of `year`, still a draft, created by staff through the
    campaign service (the first one gets the default rubric, later ones copy it)."""
    self_deadline = self_deadline or reference_date(year)
    # The stored rubric is in the site's language, as staff would have typed it.
    with translation.override(settings.LANGUAGE_CODE):
        return create_campaign(
            committee=orgs.committee,
            year=year,
            kind=CampaignKind.INITIAL,
            actor=users["staff"],
            title=f"{year}年度基层服务型党组织星级创建",
            self_deadline=self_deadline,
            review_deadline=review_deadline or self_deadline + datetime.timedelta(days=25),
        )


def open_demo_campaign(campaign: Campaign, users: DemoUsers) -> Played:
    campaign = open_campaign(campaign=campaign, actor=users["staff"])
    assessments = {
        a.branch_id: a
        for a in Assessment.objects.filter(campaign=campaign).select_related(
            "branch", "campaign", "self_evaluation"
        )
    }
    return Played(campaign, assessments, list(campaign.criteria.order_by("position")))


def submit_self_evaluation(rng, played: Played, branch, actor, level: float, *, submit=True):
    """Fill in the branch's sheet (scores and remarks) and submit it, or save a draft."""
    sheet = played.assessments[branch.pk].self_evaluation
    values = criterion_scores(rng, played.criteria, level)
    scores = {}
    for criterion, value, (strong, weak) in zip(
        played.criteria, values, SELF_REMARKS, strict=False
    ):
        scores[criterion.pk] = (value, strong if value >= criterion.max_points * 9 / 10 else weak)
    total = sum(values, Decimal(0))
    if submit:
        return self_evaluation.submit(
            sheet=sheet, actor=actor, scores=scores, self_star=self_star_for(total)
        )
    return self_evaluation.save_draft(sheet=sheet, actor=actor, scores=scores)


def run_survey(
    rng,
    played: Played,
    branch,
    actor,
    profile: Profile,
    *,
    voters=None,
    close=True,
    closer=None,
    render_sheet=False,
):
    """Open the branch's survey, cast ballots with the issued codes, close it."""
    issued = survey.open_survey(
        assessment=played.assessments[branch.pk],
        actor=actor,
        public_slips=rng.randint(3, 8),
        render_sheet=render_sheet,
    )
    members = [code for kind, code in issued.codes if kind == SlipKind.MEMBER]
    public = [code for kind, code in issued.codes if kind == SlipKind.PUBLIC]
    if voters is None:
        voters = max(math.ceil(len(members) * 0.8), round(len(members) * profile.participation))
        if profile.override:
            voters = math.ceil(len(members) * profile.participation)
            while voters * 5 >= len(members) * 4:  # stays below 80 %
                voters -= 1
    codes = members[:voters] + public[: max(0, len(public) - rng.randint(0, 2))]
    weights = TIERS[profile.tier][2]
    for code, verdict in zip(codes, verdicts_for(rng, len(codes), profile), strict=True):
        grades = {c.pk: rng.choices(GRADES, weights=weights)[0] for c in played.criteria}
        survey.cast_ballot(code=code, grades=grades, verdict=verdict)
    if not close:
        return issued
    if profile.override:
        survey.close_survey(
            survey=played.assessments[branch.pk].survey,
            actor=closer,
            override_reason=LOW_TURNOUT_REASON,
        )
    else:
        survey.close_survey(survey=played.assessments[branch.pk].survey, actor=actor)
    return issued


def enter_paper_ballots(rng, played: Played, branch, codes, tellers, *, waiting=0):
    """Two tellers enter the paper ballots of `codes` (docs/survey.md A15): each counts
    once both entries match; the last `waiting` get only their first entry."""
    running = played.assessments[branch.pk].survey
    for index, code in enumerate(codes):
        grades = {c.pk: rng.choices(GRADES, weights=(5, 3, 1, 1))[0] for c in played.criteria}
        verdict = rng.choices(VERDICTS, weights=(6, 3, 1))[0]
        for teller in tellers[:1] if index >= len(codes) - waiting else tellers:
            survey.enter_paper_ballot(
                survey=running, actor=teller, code=code, grades=grades, verdict=verdict
            )


def review_scores(rng, played: Played, level: float) -> tuple[dict, dict]:
    values = criterion_scores(rng, played.criteria, level)
    scores, remarks = {}, {}
    for criterion, value, remark in zip(played.criteria, values, REVIEW_REMARKS, strict=False):
        scores[criterion.pk] = value
        remarks[criterion.pk] = (
            remark if value >= criterion.max_points * 8 / 10 else REVIEW_SHORTFALL
        )
    return scores, remarks
