"""Nothing about the ratings changes once a campaign is published, except through an
upheld objection (docs/process.md §2.1.4, D-2.1.4e, D-2.5c): events are frozen but for a
branch reopened for staff to correct them, the recompute is refused but after an upheld
objection (and for good once approved), and sheets, surveys, reviews and audits stay
locked but for the reopened branch's review."""

import datetime

import pytest

from scoring.models import (
    AuditStatus,
    CampaignStatus,
    Correction,
    EventType,
    ObjectionState,
    ReviewStatus,
    ScoreEvent,
)
from scoring.services import events, publicity, recompute, reviews, self_evaluation, survey
from scoring.services.errors import InvalidEvent, WorkflowError, WrongState
from starrating import clock
from tests import factories
from tests.factories import AFTER, DURING, MEETING, PUBLISHED, YEAR
from tests.factories import approve_in_window as _approve
from tests.factories import assessment_of as _assessment
from tests.factories import file_objection as _file

DAY = datetime.date(YEAR, 3, 1)
ABSENCE = {"type": EventType.ABSENCE, "description": "缺席例会"}


def _record(tree, branch, **fields):
    with clock.frozen(DURING):
        return events.record_event(actor=tree.staff, branch=branch, date=DAY, **ABSENCE, **fields)


def _uphold(tree, campaign, branch, *, return_review):
    objection = _file(campaign, branch)
    with clock.frozen(DURING):
        return publicity.uphold_objection(
            objection=objection, actor=tree.staff, reason="属实", return_review=return_review
        )


# --- events -------------------------------------------------------------------------------


def test_events_are_frozen_in_publicity(tree, published):
    with pytest.raises(InvalidEvent, match="冻结"):
        _record(tree, tree.branch_a)
    assert not ScoreEvent.objects.exists()


def test_events_are_frozen_while_awaiting_approval(tree, published):
    with clock.frozen(AFTER):
        publicity.end_publicity_if_due(published)
        with pytest.raises(InvalidEvent, match=tree.branch_b.name):
            events.record_event(actor=tree.staff, branch=tree.branch_b, date=DAY, **ABSENCE)
    published.refresh_from_db()
    assert published.status == CampaignStatus.AWAITING_APPROVAL


def test_an_event_recorded_before_publishing_can_be_neither_changed_nor_deleted(tree, rated):
    event = events.record_event(actor=tree.staff, branch=tree.branch_b, date=DAY, **ABSENCE)
    recompute.recompute_campaign(campaign=rated, actor=tree.staff)
    with clock.frozen(PUBLISHED):
        publicity.publish_campaign(campaign=rated, actor=tree.staff)
    with clock.frozen(DURING):
        with pytest.raises(InvalidEvent):
            events.update_event(event=event, actor=tree.staff, description="改")
        with pytest.raises(InvalidEvent):
            events.delete_event(event=event, actor=tree.staff)
    event.refresh_from_db()
    assert event.description == "缺席例会"


def test_staff_correct_the_events_of_a_branch_upheld_for_it(tree, published):
    upheld = _uphold(tree, published, tree.branch_b, return_review=False)
    assert upheld.correction == Correction.EVENTS
    event = _record(tree, tree.branch_b)
    with clock.frozen(DURING):
        events.update_event(event=event, actor=tree.staff, description="核实后更正")
        assert ScoreEvent.objects.get().description == "核实后更正"
        events.delete_event(event=event, actor=tree.staff)
    assert not ScoreEvent.objects.exists()
    # The other branches stay frozen.
    with pytest.raises(InvalidEvent):
        _record(tree, tree.branch_a)


def test_an_event_cannot_be_moved_from_the_reopened_branch_to_a_frozen_one(tree, published):
    _uphold(tree, published, tree.branch_b, return_review=False)
    event = _record(tree, tree.branch_b)
    with clock.frozen(DURING), pytest.raises(InvalidEvent, match=tree.branch_a.name):
        events.update_event(event=event, actor=tree.staff, branch=tree.branch_a)
    assert ScoreEvent.objects.get().branch == tree.branch_b


def test_upholding_with_the_review_returned_does_not_open_the_events(tree, published):
    upheld = _uphold(tree, published, tree.branch_b, return_review=True)
    assert upheld.correction == Correction.REVIEW
    with pytest.raises(InvalidEvent):
        _record(tree, tree.branch_b)


def test_a_dismissed_objection_opens_nothing(tree, published):
    objection = _file(published, tree.branch_b)
    with clock.frozen(DURING):
        dismissed = publicity.dismiss_objection(objection=objection, actor=tree.staff, reason="否")
    assert dismissed.correction == ""
    with pytest.raises(InvalidEvent):
        _record(tree, tree.branch_b)


def test_events_of_another_year_or_a_branch_not_enrolled_are_not_frozen(tree, published):
    other = factories.branch(tree.party_committee, name="第三党支部")
    assert _record(tree, other).pk
    assert events.frozen_by(tree.branch_a, YEAR - 1) is None
    assert events.frozen_by(tree.branch_a, YEAR) == published


# --- recompute ----------------------------------------------------------------------------


def test_recompute_is_refused_in_publicity_without_an_upheld_objection(tree, published):
    before = published.recomputed_at
    with pytest.raises(WrongState, match="公示"):
        recompute.recompute_campaign(campaign=published, actor=tree.staff)
    published.refresh_from_db()
    assert published.recomputed_at == before


def test_recompute_is_refused_while_awaiting_approval_after_a_dismissed_objection(tree, published):
    objection = _file(published, tree.branch_a)
    with clock.frozen(DURING):
        publicity.dismiss_objection(objection=objection, actor=tree.staff, reason="否")
    with clock.frozen(AFTER):
        publicity.end_publicity_if_due(published)
        with pytest.raises(WrongState):
            recompute.recompute_campaign(campaign=published, actor=tree.staff)


def test_recompute_is_allowed_after_an_upheld_objection(tree, published):
    before = published.recomputed_at
    _uphold(tree, published, tree.branch_b, return_review=False)
    assert recompute.refusal(published) is None
    with clock.frozen(DURING):
        recompute.recompute_campaign(campaign=published, actor=tree.staff)
    published.refresh_from_db()
    assert published.recomputed_at > before
    assert not publicity.needs_recompute(published)


def test_recompute_is_refused_once_approved_and_closed(tree, approved):
    campaign = approved.campaign
    with pytest.raises(WrongState, match="批准"):
        recompute.recompute_campaign(campaign=campaign, actor=tree.staff)
    assert publicity.check_approved(campaign).ok


def test_recompute_is_allowed_while_declaring(tree, rated):
    assert recompute.refusal(rated) is None


# --- the other inputs stay locked ---------------------------------------------------------


def test_the_self_evaluation_is_locked_in_publicity(tree, published):
    sheet = _assessment(published, tree.branch_a).self_evaluation
    assert not sheet.accepts_edits
    with clock.frozen(DURING), pytest.raises(WorkflowError):
        self_evaluation.save_draft(sheet=sheet, actor=tree.secretary, scores={}, self_star=3)
    with clock.frozen(DURING), pytest.raises(WorkflowError):
        self_evaluation.return_sheet(sheet=sheet, actor=tree.reviewer, reason="重做")
    sheet.refresh_from_db()
    assert sheet.status == "submitted"


def test_the_survey_cannot_be_reopened_in_publicity(tree, published):
    assessment = _assessment(published, tree.branch_a)
    with clock.frozen(DURING), pytest.raises(WorkflowError):
        survey.open_survey(assessment=assessment, actor=tree.secretary, public_slips=5)


def test_a_review_and_its_audit_are_locked_in_publicity_but_for_the_reopened_branch(
    tree, published
):
    locked = _assessment(published, tree.branch_a).review
    with clock.frozen(DURING):
        with pytest.raises(WorkflowError):
            reviews.return_review(review=locked, actor=tree.staff, reason="重审")
        _uphold(tree, published, tree.branch_b, return_review=True)
        reopened = _assessment(published, tree.branch_b).review
        assert reopened.status == ReviewStatus.RETURNED
        again = reviews.submit_review(
            actor=tree.reviewer, review=reopened, version=reopened.version
        )
    assert again.status == ReviewStatus.SUBMITTED
    locked.refresh_from_db()
    assert (locked.status, locked.audit_status) == (ReviewStatus.SUBMITTED, AuditStatus.AGREED)


def test_an_audit_is_refused_after_declaration(tree, published):
    review = _assessment(published, tree.branch_a).review
    review.audit_status = AuditStatus.PENDING  # as if it were still waiting
    review.save()
    with clock.frozen(DURING), pytest.raises(reviews.CampaignNotOpen):
        reviews.audit_five_star(review=review, actor=tree.staff, agree=False, reason="再议")
    review.refresh_from_db()
    assert review.audit_status == AuditStatus.PENDING


def test_a_reopened_branchs_five_star_proposal_is_audited_in_publicity(tree, published):
    _uphold(tree, published, tree.branch_a, return_review=True)
    review = _assessment(published, tree.branch_a).review
    with clock.frozen(DURING):
        again = reviews.submit_review(actor=tree.reviewer, review=review, version=review.version)
        assert again.audit_status == AuditStatus.PENDING
        agreed = reviews.audit_five_star(review=again, actor=tree.staff, agree=True)
    assert agreed.audit_status == AuditStatus.AGREED


def test_the_correction_is_shown_in_the_objections_history(tree, published):
    upheld = _uphold(tree, published, tree.branch_b, return_review=False)
    assert upheld.state == ObjectionState.UPHELD
    assert upheld.history.first().correction == Correction.EVENTS
    with clock.frozen(MEETING), pytest.raises(WrongState):
        _approve(published, tree.approver)  # a recompute is needed first
