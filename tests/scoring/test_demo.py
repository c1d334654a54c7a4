"""The demo data command: a realistic committee and a living product (last year's
campaign rated, this year's open), deterministic, only into an empty database.

Building the demo takes a few seconds, so the tests that only read it share one build:
class `TestDemo`, whose `demo` is built inside a transaction rolled back when the class
ends (each test runs in a savepoint inside it).
"""

import datetime
import math
from collections import Counter
from fractions import Fraction
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from branches.models import Duty, ElectionStatus, Member, Organisation, OrgKind, RoleAssignment
from scoring.demo import PASSWORD, build_demo, demo_accounts
from scoring.models import (
    Assessment,
    AuditStatus,
    Ballot,
    Campaign,
    CampaignStatus,
    Rating,
    Review,
    ReviewStatus,
    ScoreEvent,
    SelfEvaluation,
    SelfEvaluationStatus,
    SlipSheet,
    Survey,
    SurveyStatus,
)
from scoring.services import survey as survey_service
from scoring.services.survey import SurveyFigures, survey_figures
from tests import factories

YEAR = 2026
TODAY = datetime.date(YEAR, 5, 12)  # the day the demo is built as of


@pytest.fixture(scope="class")
def built(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), pytest.raises(Rollback), transaction.atomic():
        yield build_demo(year=YEAR, today=TODAY)
        raise Rollback


@pytest.fixture
def demo(built, db):
    return built


def snapshot():
    """Everything the random generator decides, in a comparable form."""
    return (
        list(
            Organisation.objects.values_list(
                "code", "name", "parent__code", "term_start", "term_end", "postponement_approved"
            )
        ),
        list(Member.objects.values_list("code", "name", "duty", "status", "joined")),
        list(
            RoleAssignment.objects.order_by("user__username").values_list(
                "user__username",
                "user__last_name",
                "user__first_name",
                "role",
                "organisation__code",
            )
        ),
    )


class Rollback(Exception):
    pass


def ratings_snapshot():
    return list(
        Rating.objects.order_by("assessment__branch__code").values_list(
            "assessment__branch__code", "score", "star"
        )
    )


def committee():
    return factories.committee()


class TestDemo:
    """Everything that only reads the demo, in one class: one build for all of them."""

    # --- The tree and the accounts ---

    def test_demo_has_a_committee_and_four_parent_organisations(self, demo):
        assert Organisation.objects.filter(kind=OrgKind.COMMITTEE).count() == 1
        assert Organisation.objects.filter(kind=OrgKind.PARTY_COMMITTEE).count() == 3
        assert Organisation.objects.filter(kind=OrgKind.GENERAL_BRANCH).count() == 1

    def test_demo_has_about_forty_branches_some_directly_managed(self, demo):
        branches = Organisation.objects.branches()
        assert 35 <= branches.count() <= 45
        assert branches.filter(parent__kind=OrgKind.COMMITTEE).count() == 6

    def test_every_branch_has_exactly_one_secretary_member(self, demo):
        secretaries = Counter(
            Member.objects.filter(duty=Duty.SECRETARY).values_list("branch_id", flat=True)
        )
        branch_ids = set(Organisation.objects.branches().values_list("pk", flat=True))
        assert set(secretaries) == branch_ids
        assert set(secretaries.values()) == {1}

    def test_every_branch_secretary_has_an_account(self, demo):
        linked = Member.objects.filter(duty=Duty.SECRETARY, user__isnull=False)
        assert linked.count() == len(demo.organisations.branches)

    def test_every_branch_has_8_to_25_members(self, demo):
        counts = Counter(Member.objects.values_list("branch_id", flat=True))
        assert len(counts) == len(demo.organisations.branches)
        assert all(8 <= n <= 25 for n in counts.values())

    def test_demo_has_probationary_members_and_committee_members(self, demo):
        assert Member.objects.filter(status="probationary").exists()
        assert Member.objects.filter(duty=Duty.COMMITTEE_MEMBER).count() >= 2 * 40 * 0.8

    def test_demo_election_statuses_include_overdue_and_postponed(self, demo):
        day = demo.campaign.reference_date
        statuses = Counter(b.election_status(day) for b in Organisation.objects.branches())
        assert statuses[ElectionStatus.OVERDUE] == 3
        assert statuses[ElectionStatus.OVERDUE_OVER_1Y] == 1
        assert Organisation.objects.branches().filter(postponement_approved=True).count() == 1

    def test_demo_secretary_account_is_linked_to_its_member(self, demo):
        secretary = demo.users["secretary"]
        member = Member.objects.get(user=secretary)
        assert member.duty == Duty.SECRETARY
        assert member.branch.parent == demo.organisations.parents[0]
        assert member.name == secretary.last_name + secretary.first_name

    def test_demo_reviewer_belongs_to_no_branch(self, demo):
        assert not Member.objects.filter(user=demo.users["reviewer"]).exists()

    @pytest.mark.parametrize("account", demo_accounts(), ids=lambda a: a.username)
    def test_every_demo_account_logs_in_and_sees_its_role(self, client, demo, account):
        response = client.post(
            reverse("login"), {"username": account.username, "password": PASSWORD}, follow=True
        )
        assert response.status_code == 200
        assert response.context["user"].username == account.username
        roles = [card.role for card in response.context["cards"]]
        assert roles == ([account.role] if account.role else [])
        if account.role:
            assert f'data-role="{account.role}"' in response.content.decode()

    # --- Last year's campaign, played through the services (up to closing: see
    # tests/scoring/test_demo_publicity.py) ---

    def test_previous_campaign_is_last_years_with_every_branch_enrolled(self, demo):
        previous = demo.previous
        assert previous.year == YEAR - 1
        assert previous.status == CampaignStatus.CLOSED
        assert previous.recomputed_at is not None
        assert previous.assessments.count() == len(demo.organisations.branches)

    def test_every_branch_of_the_previous_campaign_is_rated(self, demo):
        """Every branch went through every step, so every one is rated (none missing)."""
        assessments = set(demo.previous.assessments.values_list("pk", flat=True))
        rated = set(
            Rating.objects.filter(assessment__campaign=demo.previous).values_list(
                "assessment_id", flat=True
            )
        )
        assert rated == assessments

    def test_every_rating_carries_its_trace(self, demo):
        ratings = Rating.objects.filter(assessment__campaign=demo.previous)
        assert all(rating.explain for rating in ratings)

    def test_stored_stars_respect_the_five_star_cap_that_was_exceeded(self, demo):
        previous = demo.previous
        ratings = Rating.objects.filter(assessment__campaign=previous)
        cap = math.floor(previous.five_star_share * ratings.count())
        assert 0 < ratings.filter(star=5).count() <= cap
        report = previous.quota_report
        capped = [a for a in report["adjusted"] if a["rule"] == "five_star_cap"]
        assert capped and all((a["from"], a["to"]) == (5, 4) for a in capped)
        assert ratings.filter(band=5).count() > cap

    def test_stored_stars_meet_the_low_floor(self, demo):
        previous = demo.previous
        ratings = Rating.objects.filter(assessment__campaign=previous)
        floor = math.ceil(previous.low_share * ratings.count())
        assert ratings.filter(star__lte=1).count() >= floor

    def test_stars_are_spread_over_the_bands(self, demo):
        stars = set(
            Rating.objects.filter(assessment__campaign=demo.previous).values_list("star", flat=True)
        )
        assert {0, 1, 3, 4, 5} <= stars

    def test_every_self_evaluation_was_submitted_by_the_branch_secretary(self, demo):
        for assessment in demo.previous.assessments.select_related("self_evaluation"):
            sheet = assessment.self_evaluation
            assert sheet.status == SelfEvaluationStatus.SUBMITTED
            assert RoleAssignment.objects.filter(
                user=sheet.submitted_by, organisation=assessment.branch_id, role="secretary"
            ).exists()
            assert sheet.submitted_at.year == YEAR - 1

    def test_surveys_closed_with_participation_of_80_percent_but_one(self, demo):
        figures = survey_figures(demo.previous)
        assert len(figures) == len(demo.organisations.branches)
        assert all(f.status == SurveyStatus.CLOSED for f in figures.values())
        low = [f for f in figures.values() if f.participation_rate < Fraction(4, 5)]
        assert len(low) == 1
        survey = Survey.objects.get(pk=low[0].survey_id)
        assert survey.close_override_reason
        assert survey.closed_by == demo.users["staff"]

    def test_one_branch_below_60_and_one_below_50_percent_satisfaction(self, demo):
        figures: list[SurveyFigures] = list(survey_figures(demo.previous).values())
        rates = sorted(f.satisfaction_rate for f in figures)
        assert Fraction(1, 2) <= rates[1] < Fraction(3, 5)
        assert rates[0] < Fraction(1, 2)
        assert rates[2] >= Fraction(3, 5)

    def test_ballots_were_cast_on_last_years_dates(self, demo):
        days = Ballot.objects.filter(survey__assessment__campaign=demo.previous).values_list(
            "cast_on", flat=True
        )
        assert {day.year for day in days} == {YEAR - 1}

    def test_reviews_by_the_party_committees_reviewers_and_by_staff(self, demo):
        orgs, users = demo.organisations, demo.users
        reviews = Review.objects.filter(assessment__campaign=demo.previous).select_related(
            "assessment__branch"
        )
        assert all(r.status == ReviewStatus.SUBMITTED for r in reviews)
        by_parent = {r.assessment.branch.parent_id: r.reviewer for r in reviews}
        assert by_parent[orgs.parents[0].pk] == users["reviewer"]
        assert by_parent[orgs.parents[1].pk] == users["reviewer2"]
        assert by_parent[orgs.parents[3].pk] == users["staff"]  # general branch: no reviewer
        assert by_parent[orgs.committee.pk] == users["staff"]

    def test_five_star_proposals_were_audited_one_sent_back_first(self, demo):
        reviews = Review.objects.filter(assessment__campaign=demo.previous)
        assert reviews.filter(audit_status=AuditStatus.AGREED).count() >= 5
        assert not reviews.filter(audit_status=AuditStatus.PENDING).exists()
        sent_back = Review.history.filter(
            assessment__campaign=demo.previous, audit_status=AuditStatus.RETURNED
        )
        assert sent_back.count() == 1
        review = Review.objects.get(pk=sent_back.get().id)
        assert review.audit_status == AuditStatus.AGREED

    def test_everything_last_years_campaign_recorded_is_dated_last_year(self, demo):
        """The services and the history read the demo's clock, not the wall clock."""
        previous = demo.previous
        in_campaign = {"assessment__campaign": previous}
        moments = [previous.opened_at, previous.recomputed_at]
        for model in (SelfEvaluation, Review):
            moments += model.objects.filter(**in_campaign).values_list("submitted_at", flat=True)
        moments += (
            Review.objects.filter(**in_campaign)
            .exclude(audited_at=None)
            .values_list("audited_at", flat=True)
        )
        moments += Rating.objects.filter(**in_campaign).values_list("computed_at", flat=True)
        moments += ScoreEvent.objects.filter(date__year=YEAR - 1).values_list(
            "recorded_on", flat=True
        )
        histories = [
            Campaign.history.filter(id=previous.pk),
            Assessment.history.filter(campaign=previous),
            *(m.history.filter(**in_campaign) for m in (SelfEvaluation, Survey, Review)),
        ]
        for history in histories:
            assert history.exists()
            moments += history.values_list("history_date", flat=True)
        days = Survey.objects.filter(**in_campaign).values_list("opened_on", "closed_on")
        years = {timezone.localtime(moment).year for moment in moments}
        years |= {day.year for pair in days for day in pair}
        assert years == {YEAR - 1}

    def test_a_dozen_events_in_the_previous_year_one_branch_absent_three_times(self, demo):
        events = ScoreEvent.objects.filter(date__year=YEAR - 1)
        assert events.count() >= 12
        assert {"commendation", "innovation", "criticism", "leader_discipline"} <= set(
            events.values_list("type", flat=True)
        )
        absences = Counter(events.filter(type="absence").values_list("branch_id", flat=True))
        assert 3 in absences.values()
        assert all(e.history.first().history_user == demo.users["staff"] for e in events)

    # --- This year's campaign: open, a few branches part-way ---

    def test_current_campaign_is_open_with_assessments(self, demo):
        campaign = Campaign.objects.get(year=YEAR)
        assert campaign == demo.campaign
        assert campaign.status == CampaignStatus.OPEN
        assert campaign.assessments.count() == len(demo.organisations.branches)
        assert list(campaign.criteria.values_list("position", flat=True)) == list(range(1, 11))
        assert sum(c.max_points for c in campaign.criteria.all()) == 100

    def test_current_deadline_lies_after_the_day_the_demo_was_built(self, demo):
        assert demo.campaign.self_deadline >= TODAY

    def test_a_few_branches_are_part_way(self, demo):
        sheets = Counter(
            demo.campaign.assessments.values_list("self_evaluation__status", flat=True)
        )
        assert 2 <= sheets[SelfEvaluationStatus.SUBMITTED] <= 4
        surveys = Survey.objects.filter(assessment__campaign=demo.campaign)
        running = surveys.get(status=SurveyStatus.OPEN)
        assert running.ballots.exists()
        assert SlipSheet.objects.filter(survey=running).count() == 1
        drafts = Review.objects.filter(
            assessment__campaign=demo.campaign, status=ReviewStatus.DRAFT
        )
        assert drafts.count() == 1
        assert not Rating.objects.filter(assessment__campaign=demo.campaign).exists()

    def test_secretary_has_the_self_evaluation_to_fill_in_on_the_home_page(self, client, demo):
        secretary = demo.users["secretary"]
        branch = demo.organisations.branches_under(demo.organisations.parents[0])[0]
        assessment = Assessment.objects.get(campaign=demo.campaign, branch=branch)
        assert assessment.self_evaluation.status == SelfEvaluationStatus.DRAFT
        assert not assessment.self_evaluation.scores.exists()
        client.force_login(secretary)
        response = client.get(reverse("home"))
        urls = [item.url for card in response.context["cards"] for item in card.items]
        assert reverse("scoring:self_evaluation", args=[assessment.pk]) in urls


def test_demo_is_deterministic(db):
    with pytest.raises(Rollback), transaction.atomic():
        build_demo(year=YEAR, today=TODAY)
        first = snapshot(), ratings_snapshot()
        raise Rollback
    assert not Organisation.objects.exists()
    build_demo(year=YEAR, today=TODAY)
    assert (snapshot(), ratings_snapshot()) == first


def test_open_survey_without_a_sheet_issues_the_codes_only(tree):
    from scoring.services.campaigns import create_campaign, open_campaign

    campaign = create_campaign(
        committee=tree.committee, year=YEAR, kind="initial", actor=tree.staff
    )
    open_campaign(campaign=campaign, actor=tree.staff)
    assessment = Assessment.objects.get(campaign=campaign, branch=tree.branch_a)
    factories.member(tree.branch_a)
    factories.member(tree.branch_a)
    issued = survey_service.open_survey(
        assessment=assessment, actor=tree.secretary, public_slips=2, render_sheet=False
    )
    assert issued.sheet is None
    assert len(issued.codes) == Survey.objects.get(assessment=assessment).member_slips_issued + 2
    assert not SlipSheet.objects.exists()


def test_load_demo_prints_the_accounts(db):
    out = StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    assert sorted(Campaign.objects.values_list("status", flat=True)) == [
        CampaignStatus.CLOSED,
        CampaignStatus.DECLARING,
    ]
    for account in demo_accounts():
        assert account.username in text
    assert PASSWORD in text


def test_load_demo_if_empty_does_nothing_when_organisations_exist(db):
    committee()
    out = StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    assert Organisation.objects.count() == 1
    assert not Campaign.objects.exists()
    assert "secretary2" in out.getvalue()


def test_load_demo_refuses_a_database_that_holds_data(db):
    committee()
    with pytest.raises(CommandError):
        call_command("load_demo", stdout=StringIO())
    assert Organisation.objects.count() == 1


class TestDemoImprovement:
    """Last year's plans and ledgers (scoring/demo/improvement.py, docs/process.md §2.2)."""

    def test_every_branch_of_last_year_has_a_plan_in_every_state(self, demo):
        from improvement.models import ImprovementPlan

        plans = ImprovementPlan.objects.filter(year=YEAR - 1)
        assert plans.count() == len(demo.organisations.branches)
        assert set(plans.values_list("status", flat=True)) == {"filed", "acknowledged", "returned"}

    def test_items_are_open_closed_with_evidence_and_one_overdue(self, demo):
        from improvement.models import LedgerItem

        items = LedgerItem.objects.filter(plan__year=YEAR - 1)
        closed = items.filter(status="closed")
        assert closed.exists() and not closed.filter(evidence="").exists()
        assert items.filter(status="open", due__lt=TODAY).count() == 1
        assert items.filter(event__isnull=False).exists()
        assert items.filter(criterion__isnull=False).exists()

    def test_the_ledgers_history_is_dated_last_year(self, demo):
        from improvement.models import ImprovementPlan, LedgerItem

        for model in (ImprovementPlan, LedgerItem):
            years = {d.year for d in model.history.values_list("history_date", flat=True)}
            assert years == {YEAR - 1}
