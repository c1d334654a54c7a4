"""The December re-rating (复检核星, docs/process.md §2.3, §2.5)."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from scoring.models import (
    Campaign,
    CampaignKind,
    CampaignStatus,
    EventType,
    QuotaMode,
    StarCause,
    StarChange,
)
from scoring.services import publicity, recompute, stars, year_end
from scoring.services.errors import NotAllowed, WrongState
from starrating import clock
from tests import factories
from tests.factories import MEETING, REREVIEWED


def _create(source, actor, **fields):
    with clock.frozen(REREVIEWED):
        return year_end.create_year_end_campaign(source=source, actor=actor, **fields)


@pytest.fixture
def source(approved):
    """The year's declaration, approved: A five stars, B and the direct branch fewer."""
    return Campaign.objects.get(pk=approved.campaign_id)


def test_the_re_rating_copies_rubric_policy_and_branches_and_opens(tree, source):
    source.criteria.filter(position=1).update(title="组织健全（年终）")
    made = _create(source, tree.staff)
    assert (made.kind, made.year, made.status) == (
        CampaignKind.YEAR_END,
        source.year,
        CampaignStatus.DECLARING,
    )
    assert made.with_publicity
    assert list(made.criteria.values_list("title", "max_points")) == list(
        source.criteria.values_list("title", "max_points")
    )
    assert (made.weight_review, made.quota_mode) == (source.weight_review, QuotaMode.OFF)
    assert set(made.assessments.values_list("branch", flat=True)) == {
        tree.branch_a.pk,
        tree.branch_b.pk,
        tree.direct.pk,
    }
    assert made.assessments.filter(self_evaluation__isnull=False).count() == 3
    assert made.self_deadline == datetime.date(source.year, 12, 20)
    assert made.history.filter(history_change_reason="campaign.opened").exists()


def test_a_branch_withdrawn_from_the_declaration_is_not_enrolled(tree, source):
    source.assessments.filter(branch=tree.direct).update(
        withdrawn_at=clock.now(), withdrawal_cause="dissolved", withdrawal_reason="已撤销"
    )
    made = _create(source, tree.staff)
    assert tree.direct.pk not in set(made.assessments.values_list("branch", flat=True))


def test_without_an_approved_declaration_the_re_rating_is_refused(tree, rated):
    with pytest.raises(WrongState, match="approved|审批"):
        _create(rated, tree.staff)
    assert not Campaign.objects.filter(kind=CampaignKind.YEAR_END).exists()


def test_a_second_re_rating_of_the_year_is_refused(tree, source):
    _create(source, tree.staff)
    with pytest.raises(WrongState, match="already|已有"):
        _create(source, tree.staff)
    assert Campaign.objects.filter(kind=CampaignKind.YEAR_END).count() == 1


def test_a_re_rating_is_not_made_from_a_re_rating(tree, source):
    made = _create(source, tree.staff)
    assert year_end.refusal(made) is not None


@pytest.mark.parametrize("role", ["secretary", "reviewer", "approver"])
def test_only_staff_create_the_re_rating(tree, source, role):
    with pytest.raises(NotAllowed):
        _create(source, tree.users_by_role()[role])


def test_a_deadline_in_the_past_is_refused(tree, source):
    with pytest.raises(WrongState):
        _create(source, tree.staff, self_deadline=REREVIEWED - datetime.timedelta(days=1))


def test_only_a_year_end_re_rating_may_go_without_publicity(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.campaign(tree.committee, with_publicity=False)


# --- Without publicity --------------------------------------------------------------------------


def _complete(campaign, tree, totals):
    """Every enrolled branch complete (sheet, closed survey, review) and recomputed."""
    for assessment in campaign.assessments.select_related("branch"):
        assessment.self_evaluation.delete()
        total = totals[assessment.branch_id]
        factories.sheet(assessment, total)
        factories.survey(assessment, factories.ballots(total, 10))
        factories.review(assessment, total)
    with clock.frozen(REREVIEWED):
        recompute.recompute_campaign(campaign=campaign, actor=tree.staff)
    campaign.refresh_from_db()
    return campaign


def test_without_publicity_the_campaign_goes_straight_to_awaiting_approval(tree, source):
    made = _create(source, tree.staff, with_publicity=False)
    _complete(made, tree, {tree.branch_a.pk: 95, tree.branch_b.pk: 80, tree.direct.pk: 70})
    with pytest.raises(WrongState, match="without publicity|不经公示"):
        publicity.publish_campaign(campaign=made, actor=tree.staff)
    with clock.frozen(REREVIEWED):
        year_end.submit_for_approval(campaign=made, actor=tree.staff)
    made.refresh_from_db()
    assert made.status == CampaignStatus.AWAITING_APPROVAL
    assert made.publicity_start is None
    assert made.history.filter(history_change_reason="campaign.submitted").exists()


def test_submitting_an_incomplete_re_rating_is_refused(tree, source):
    made = _create(source, tree.staff, with_publicity=False)
    with pytest.raises(WrongState, match=tree.branch_a.name):
        year_end.submit_for_approval(campaign=made, actor=tree.staff)
    made.refresh_from_db()
    assert made.status == CampaignStatus.DECLARING


def test_a_campaign_with_publicity_is_not_submitted_directly(tree, source):
    made = _create(source, tree.staff)
    declaring = factories.campaign(tree.committee, year=source.year + 1)
    for campaign in (made, declaring):
        with pytest.raises(WrongState):
            year_end.submit_for_approval(campaign=campaign, actor=tree.staff)
        campaign.refresh_from_db()
        assert campaign.status == CampaignStatus.DECLARING


def test_a_secretary_may_not_submit(tree, source):
    made = _create(source, tree.staff, with_publicity=False)
    with pytest.raises(NotAllowed):
        year_end.submit_for_approval(campaign=made, actor=tree.secretary)


# --- Approval: only the stars that move ------------------------------------------------------


@pytest.fixture
def submitted(tree, source):
    """A re-rating without publicity, complete and awaiting approval: A stays at five,
    B goes from four to three, the direct branch from three to four."""
    made = _create(source, tree.staff, with_publicity=False)
    before = stars.current_stars([tree.branch_a.pk, tree.branch_b.pk, tree.direct.pk])
    assert before == {tree.branch_a.pk: 5, tree.branch_b.pk: 4, tree.direct.pk: 3}
    _complete(made, tree, {tree.branch_a.pk: 95, tree.branch_b.pk: 75, tree.direct.pk: 85})
    with clock.frozen(REREVIEWED):
        return year_end.submit_for_approval(campaign=made, actor=tree.staff)


def test_the_approval_lists_the_stars_going_up_or_down(tree, submitted):
    moves = year_end.star_moves(submitted)
    assert [(m.branch, m.current, m.proposed, m.up) for m in moves] == sorted(
        [(tree.branch_b.name, 4, 3, False), (tree.direct.name, 3, 4, True)],
        key=lambda row: [b.code for b in (tree.branch_b, tree.direct) if b.name == row[0]],
    )


def test_approving_changes_exactly_the_stars_that_moved(tree, submitted):
    day = REREVIEWED + datetime.timedelta(days=1)
    factories.approve_in_window(submitted, tree.approver, today=day, meeting_date=day)
    made = StarChange.objects.filter(campaign=submitted)
    assert {(c.branch_id, c.from_star, c.to_star, c.cause) for c in made} == {
        (tree.branch_b.pk, 4, 3, StarCause.APPROVAL),
        (tree.direct.pk, 3, 4, StarCause.APPROVAL),
    }
    assert stars.current_star(tree.branch_a) == 5
    assert StarChange.objects.filter(branch=tree.branch_a).count() == 1
    submitted.refresh_from_db()
    assert submitted.status == CampaignStatus.APPROVED


def test_the_declarations_approval_changes_every_star(tree, approved):
    assert StarChange.objects.filter(campaign=approved.campaign).count() == 3
    assert set(StarChange.objects.values_list("effective", flat=True)) == {MEETING}


def test_the_re_rating_applies_the_year_end_absence_rule(tree, source):
    made = _create(source, tree.staff, with_publicity=False)
    factories.event(tree.branch_a, EventType.ABSENCE, date=datetime.date(made.year, 3, 1), count=3)
    _complete(made, tree, {tree.branch_a.pk: 95, tree.branch_b.pk: 80, tree.direct.pk: 70})
    rating = made.assessments.get(branch=tree.branch_a).rating
    assert (rating.band, rating.star) == (4, 3)  # three absences: one star lower at year end
    assert "absences_year_end" in rating.limits
