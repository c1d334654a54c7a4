"""Who may edit, return and extend a self-evaluation, and record events, in one place."""

import pytest

from branches.permissions import (
    may_edit_self_evaluation,
    may_extend_deadline,
    may_record_events,
    may_return_self_evaluation,
)
from scoring.models import CampaignStatus, SelfEvaluationStatus


def test_the_branchs_secretary_edits_a_draft_of_an_open_campaign(tree, sheet):
    assert may_edit_self_evaluation(tree.secretary, sheet)
    for other in (tree.secretary_b, tree.reviewer, tree.staff, tree.approver, tree.nobody):
        assert not may_edit_self_evaluation(other, sheet)


@pytest.mark.parametrize("status", [SelfEvaluationStatus.DRAFT, SelfEvaluationStatus.RETURNED])
def test_a_draft_or_returned_sheet_is_editable(tree, sheet, status):
    sheet.status = status
    assert may_edit_self_evaluation(tree.secretary, sheet)


def test_a_submitted_sheet_is_not_editable(tree, sheet):
    sheet.status = SelfEvaluationStatus.SUBMITTED
    assert not may_edit_self_evaluation(tree.secretary, sheet)


def test_a_sheet_of_a_campaign_no_longer_open_is_not_editable(tree, sheet):
    sheet.assessment.campaign.status = CampaignStatus.PUBLICITY
    assert not may_edit_self_evaluation(tree.secretary, sheet)


def test_whoever_reviews_the_branch_returns_its_sheet(tree, sheet):
    branch = sheet.assessment.branch
    assert may_return_self_evaluation(tree.reviewer, branch)
    assert not may_return_self_evaluation(tree.secretary, branch)


def test_staff_alone_extend_deadlines_and_record_events(tree):
    for predicate in (may_extend_deadline, may_record_events):
        assert predicate(tree.staff)
        for other in (tree.secretary, tree.reviewer, tree.approver, tree.rereviewer, tree.nobody):
            assert not predicate(other)
