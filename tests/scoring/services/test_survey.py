"""Open, cast and close (docs/survey.md §2.1.2)."""

import uuid
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import translation

from scoring.models import Ballot, Slip, Survey
from scoring.services import survey as service
from scoring.services.errors import NotAllowed, WrongState
from starrating.todos import survey_todos
from tests import factories
from tests.factories import all_grades, cast, member_codes, public_codes


def test_opening_freezes_the_electorate_of_active_members(survey):
    assert survey.status == "open"
    assert survey.electorate == 10
    assert survey.member_slips_issued == 10
    assert survey.public_slips_issued == 4


def test_opening_issues_one_slip_per_member_and_the_public_slips(issued, survey):
    assert Slip.objects.filter(survey=survey, kind="member").count() == 10
    assert Slip.objects.filter(survey=survey, kind="public").count() == 4
    assert len(issued.codes) == 14


def test_members_added_after_opening_do_not_change_the_electorate(tree, survey):
    factories.member(tree.branch_a)
    survey.refresh_from_db()
    assert survey.electorate == 10
    assert service.participation(survey).electorate == 10


def test_codes_use_the_unambiguous_alphabet(issued):
    for _kind, code in issued.codes:
        assert len(code) == 10
        assert not set(code) & set("0O1IL")


def test_slips_store_only_the_keyed_hash(issued):
    code = issued.codes[0][1]
    assert not Slip.objects.filter(code_hash=code).exists()
    assert Slip.objects.filter(code_hash=service.hash_code(code)).exists()


def test_the_sheet_is_stored_for_download(issued, survey):
    assert issued.sheet.survey == survey
    assert issued.sheet.member_slips == 10 and issued.sheet.public_slips == 4
    assert issued.sheet.file.read().startswith(b"%PDF")


def test_opening_is_audited(tree, survey):
    record = survey.history.latest()
    assert record.history_user == tree.secretary
    assert record.electorate == 10


def test_secretary_of_another_branch_cannot_open(tree, assessment):
    with pytest.raises(NotAllowed):
        service.open_survey(assessment=assessment, actor=tree.secretary_b, public_slips=0)
    assert not Survey.objects.filter(status="open").exists()


def test_reviewer_cannot_open(tree, assessment):
    with pytest.raises(NotAllowed):
        service.open_survey(assessment=assessment, actor=tree.reviewer, public_slips=0)


def test_staff_may_open(tree, assessment):
    service.open_survey(assessment=assessment, actor=tree.staff, public_slips=0)
    assert Survey.objects.get(assessment=assessment).status == "open"


def test_survey_needs_an_open_campaign(tree):
    from scoring.models import Assessment

    draft = factories.campaign(tree.committee, status="draft", year=2027)
    factories.member(tree.branch_b)
    assessment = Assessment.objects.create(campaign=draft, branch=tree.branch_b)
    with pytest.raises(WrongState):
        service.open_survey(assessment=assessment, actor=tree.secretary_b, public_slips=0)


def test_survey_opens_once(tree, survey):
    with pytest.raises(WrongState):
        service.open_survey(assessment=survey.assessment, actor=tree.secretary, public_slips=0)
    assert Slip.objects.count() == 14


def test_a_code_casts_one_ballot(issued, survey, criteria):
    ballot = cast(member_codes(issued)[0], criteria)
    assert Ballot.objects.filter(survey=survey).count() == 1
    assert ballot.kind == "member"
    assert ballot.points == Decimal("100")
    assert ballot.grades == "E" * 10
    assert isinstance(ballot.pk, uuid.UUID)


def test_a_printed_code_with_dashes_and_lower_case_works(issued, criteria):
    code = public_codes(issued)[0]
    ballot = cast(service.format_code(code).lower(), criteria)
    assert ballot.kind == "public"


def test_a_spent_code_gets_the_same_message_as_an_unknown_one(issued, criteria):
    code = member_codes(issued)[0]
    cast(code, criteria)
    with translation.override("en"), pytest.raises(service.SlipInvalid) as spent:
        cast(code, criteria)
    with translation.override("en"), pytest.raises(service.SlipInvalid) as unknown:
        cast("ABCDEFGHJK", criteria)
    assert str(spent.value) == str(unknown.value)
    assert Ballot.objects.count() == 1


def test_casting_deletes_the_slip_and_touches_nothing_else(issued, survey, criteria):
    history_before = survey.history.count()
    cast(member_codes(issued)[0], criteria)
    assert Slip.objects.filter(survey=survey).count() == 13
    assert survey.history.count() == history_before


def test_points_follow_the_grade_factors(issued, criteria):
    grades = all_grades(criteria, "G")
    grades[criteria[0].pk] = "P"
    grades[criteria[1].pk] = "fair"  # the engine's code is accepted too
    ballot = service.cast_ballot(code=member_codes(issued)[0], grades=grades, verdict="satisfied")
    assert ballot.points == Decimal("0") + Decimal("6") + 8 * Decimal("8")
    assert ballot.grades == "PF" + "G" * 8


def test_ballot_keys_are_not_sequential(issued, criteria):
    ids = [cast(code, criteria).pk for code in member_codes(issued)[:3]]
    assert all(isinstance(i, uuid.UUID) and i.version == 4 for i in ids)
    assert len(set(ids)) == 3


def test_a_closed_survey_refuses_ballots_with_its_own_message(tree, issued, survey, criteria):
    for code in member_codes(issued)[:8]:
        cast(code, criteria)
    service.close_survey(survey=survey, actor=tree.secretary)
    with translation.override("en"):
        with pytest.raises(service.SurveyClosed) as closed:
            cast(member_codes(issued)[9], criteria)
        assert "closed" in str(closed.value)
    assert Ballot.objects.count() == 8


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda g, c: g.pop(c[3].pk), id="missing grade"),
        pytest.param(lambda g, c: g.__setitem__(c[3].pk, "X"), id="invalid grade"),
        pytest.param(lambda g, c: g.__setitem__(999999, "E"), id="unknown criterion"),
    ],
)
def test_a_bad_ballot_stores_nothing_and_keeps_the_slip(issued, survey, criteria, change):
    grades = all_grades(criteria)
    change(grades, criteria)
    with pytest.raises(service.BallotInvalid):
        service.cast_ballot(code=member_codes(issued)[0], grades=grades, verdict="satisfied")
    assert Ballot.objects.count() == 0
    assert Slip.objects.filter(survey=survey).count() == 14


def test_an_unknown_verdict_stores_nothing(issued, criteria):
    with pytest.raises(service.BallotInvalid):
        service.cast_ballot(
            code=member_codes(issued)[0], grades=all_grades(criteria), verdict="maybe"
        )
    assert Ballot.objects.count() == 0
    assert Slip.objects.count() == 14


def test_participation_is_issued_minus_left(issued, survey, criteria):
    for code in member_codes(issued)[:7]:
        cast(code, criteria)
    cast(public_codes(issued)[0], criteria)
    counts = service.participation(survey)
    assert (counts.members_voted, counts.public_voted) == (7, 1)
    assert counts.rate == Fraction(7, 10)
    assert service.participation_rate(survey) == Fraction(7, 10)
    assert not counts.enough


def test_secretary_cannot_close_below_80_percent(tree, issued, survey, criteria):
    for code in member_codes(issued)[:7]:
        cast(code, criteria)
    with translation.override("en"), pytest.raises(service.ParticipationTooLow) as refused:
        service.close_survey(survey=survey, actor=tree.secretary, override_reason="busy")
    assert "7 of 10" in str(refused.value) and "70%" in str(refused.value)
    survey.refresh_from_db()
    assert survey.status == "open"


def test_secretary_may_close_at_80_percent(tree, issued, survey, criteria):
    for code in member_codes(issued)[:8]:
        cast(code, criteria)
    service.close_survey(survey=survey, actor=tree.secretary)
    survey.refresh_from_db()
    assert survey.status == "closed"
    assert survey.closed_by == tree.secretary
    assert survey.close_override_reason == ""


def test_staff_may_close_below_80_percent_with_a_recorded_reason(tree, issued, survey, criteria):
    for code in member_codes(issued)[:5]:
        cast(code, criteria)
    service.close_survey(survey=survey, actor=tree.staff, override_reason="五名党员外派")
    survey.refresh_from_db()
    assert survey.status == "closed"
    assert survey.close_override_reason == "五名党员外派"
    record = survey.history.latest()
    assert record.history_user == tree.staff
    assert record.close_override_reason == "五名党员外派"
    assert record.history_change_reason == "survey.closed_below_minimum"


def test_staff_cannot_close_below_80_percent_without_a_reason(tree, issued, survey, criteria):
    cast(member_codes(issued)[0], criteria)
    with pytest.raises(service.ParticipationTooLow):
        service.close_survey(survey=survey, actor=tree.staff, override_reason="  ")
    survey.refresh_from_db()
    assert survey.status == "open"


def test_closing_deletes_the_stored_sheets(
    tree, issued, survey, criteria, django_capture_on_commit_callbacks
):
    storage = issued.sheet.file.storage
    name = issued.sheet.file.name
    for code in member_codes(issued)[:8]:
        cast(code, criteria)
    with django_capture_on_commit_callbacks(execute=True):
        service.close_survey(survey=survey, actor=tree.secretary)
    assert not survey.slip_sheets.exists()
    assert not storage.exists(name)


def test_more_public_slips_are_counted_and_audited(tree, survey):
    more = service.issue_more_public_slips(survey=survey, actor=tree.secretary, count=3)
    survey.refresh_from_db()
    assert survey.public_slips_issued == 7
    assert len(more.codes) == 3 and all(kind == "public" for kind, _c in more.codes)
    assert survey.slip_sheets.count() == 2
    assert survey.history.latest().public_slips_issued == 7


def test_reissue_replaces_unused_codes_and_keeps_participation(tree, issued, survey, criteria):
    cast(member_codes(issued)[0], criteria)
    new = service.reissue_slips(survey=survey, actor=tree.secretary)
    assert len(new.codes) == 13
    with pytest.raises(service.SlipInvalid):
        cast(member_codes(issued)[1], criteria)
    cast([c for k, c in new.codes if k == "member"][0], criteria)
    counts = service.participation(survey)
    assert counts.members_voted == 2
    assert list(survey.slip_sheets.filter(void=False)) == [new.sheet]


def test_secretary_todos_follow_the_survey(tree, assessment, criteria):
    [todo] = survey_todos(tree.secretary)
    assert todo.url.endswith(f"/survey/{assessment.pk}/")
    issued = service.open_survey(assessment=assessment, actor=tree.secretary, public_slips=0)
    for code in member_codes(issued)[:8]:
        cast(code, criteria)
    [todo] = survey_todos(tree.secretary)
    assert todo.count == 8
    assert survey_todos(tree.reviewer) == []
