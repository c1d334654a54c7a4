"""The self-evaluation services record every change under its action code, take the time
from the product's clock, list missing criteria one by one, and own the deadline
extension (docs/process.md §2.1.1)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from scoring.models import Evidence, SelfScore
from scoring.services import self_evaluation as service
from scoring.services.errors import DeadlinePassed, IncompleteSheet, WrongState
from starrating import clock
from starrating.errors import NotAllowed
from tests import factories


def _scores(sheet, value="8"):
    return factories.scores_for(sheet.assessment.campaign, value)


def _reasons(records):
    return {r.history_change_reason for r in records}


def test_a_saved_draft_is_recorded_as_such_with_each_score(tree, sheet):
    service.save_draft(sheet=sheet, actor=tree.secretary, scores=_scores(sheet), self_star=3)
    assert sheet.history.latest().history_change_reason == "self_evaluation.draft_saved"
    scores = SelfScore.history.filter(self_evaluation_id=sheet.pk)
    assert _reasons(scores) == {"self_evaluation.score_saved"}


def test_a_submission_is_recorded_as_submitted_at_the_clocks_time(tree, sheet):
    service.save_draft(sheet=sheet, actor=tree.secretary, scores=_scores(sheet), self_star=3)
    moment = clock.now() + datetime.timedelta(days=1)
    with clock.frozen(moment):
        submitted = service.submit(sheet=sheet, actor=tree.secretary)
    assert submitted.submitted_at == moment
    record = sheet.history.latest()
    assert (record.history_change_reason, record.history_date) == (
        "self_evaluation.submitted",
        moment,
    )


def test_submitting_with_the_forms_values_records_the_submission_last(tree, sheet):
    # The draft and the submission are written in one request, even under a frozen clock:
    # the submission is the sheet's latest record.
    with clock.frozen(clock.now() + datetime.timedelta(days=1)):
        service.submit(sheet=sheet, actor=tree.secretary, scores=_scores(sheet), self_star=4)
    latest = sheet.history.order_by("-history_date", "-history_id").first()
    assert latest.history_change_reason == "self_evaluation.submitted"


def test_the_deadline_is_the_clocks(tree, sheet):
    after = sheet.assessment.campaign.self_deadline + datetime.timedelta(days=1)
    with clock.frozen(after), pytest.raises(DeadlinePassed) as refused:
        service.save_draft(sheet=sheet, actor=tree.secretary, scores=_scores(sheet))
    deadline = sheet.assessment.campaign.self_deadline
    with translation.override("zh-hans"):
        assert f"{deadline.year}年{deadline.month}月{deadline.day}日" in str(refused.value)


def test_an_incomplete_submission_lists_each_missing_criterion_on_its_own_line(tree, sheet):
    criteria = list(sheet.assessment.campaign.criteria.order_by("position"))
    criteria[1].title = "制度完善、落实"  # criterion titles contain the list separator 、
    criteria[1].save()
    scored = {criteria[0].pk: ("8", "")}
    with pytest.raises(service.MissingScores) as refused:
        service.submit(sheet=sheet, actor=tree.secretary, scores=scored, self_star=3)
    assert isinstance(refused.value, IncompleteSheet)
    assert refused.value.criteria == criteria[1:]
    lines = str(refused.value).splitlines()
    assert lines[1:] == [f"{c.position}. {c.title}" for c in criteria[1:]]
    assert not sheet.scores.exists()  # a refused submission saves nothing


def test_returning_is_recorded_as_returned(tree, sheet):
    service.submit(sheet=sheet, actor=tree.secretary, scores=_scores(sheet), self_star=3)
    service.return_sheet(sheet=sheet, actor=tree.reviewer, reason="请补充佐证")
    assert sheet.history.latest().history_change_reason == "self_evaluation.returned"


def test_staff_extend_the_deadline_and_reopen_a_submitted_sheet(tree, sheet):
    service.submit(sheet=sheet, actor=tree.secretary, scores=_scores(sheet), self_star=3)
    until = clock.today() + datetime.timedelta(days=40)
    extended = service.extend_deadline(sheet=sheet, actor=tree.staff, until=until, reason="病假")
    assert (extended.status, extended.deadline, extended.return_reason) == (
        "returned",
        until,
        "病假",
    )
    assert sheet.history.latest().history_change_reason == "self_evaluation.deadline_extended"


def test_only_staff_extend_a_deadline(tree, sheet):
    until = clock.today() + datetime.timedelta(days=40)
    for actor in (tree.secretary, tree.reviewer):
        with pytest.raises(NotAllowed):
            service.extend_deadline(sheet=sheet, actor=actor, until=until, reason="x")


def test_an_extension_into_the_clocks_past_is_refused(tree, sheet):
    later = clock.today() + datetime.timedelta(days=10)
    with clock.frozen(later), pytest.raises(WrongState):
        service.extend_deadline(
            sheet=sheet, actor=tree.staff, until=later - datetime.timedelta(days=1), reason="x"
        )


def test_evidence_is_recorded_when_added_and_when_removed(tree, sheet):
    pdf = SimpleUploadedFile("记录.pdf", factories.pdf_bytes(), "application/pdf")
    evidence = service.add_evidence(sheet=sheet, actor=tree.secretary, uploaded_file=pdf)
    service.remove_evidence(evidence=evidence, actor=tree.secretary)
    records = Evidence.history.filter(self_evaluation_id=sheet.pk)
    assert _reasons(records) == {"evidence.added", "evidence.removed"}
    assert {r.history_user for r in records} == {tree.secretary}
