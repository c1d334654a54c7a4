"""The survey services: audit codes, the clock, the one read model (docs/survey.md §2.1.2)."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scoring.models import Assessment, Ballot, Rating, Survey
from scoring.services import recompute
from scoring.services import survey as service
from starrating import audit, clock
from tests.factories import add_members, cast, member_codes

DAY = datetime.date(2026, 4, 20)


def _actions(survey):
    return list(survey.history.order_by("history_date").values_list("history_change_reason"))


def test_each_step_of_the_survey_is_audited_with_its_action_code(tree, assessment, criteria):
    issued = service.open_survey(assessment=assessment, actor=tree.secretary, public_slips=2)
    survey = Survey.objects.get(assessment=assessment)
    service.issue_more_public_slips(survey=survey, actor=tree.secretary, count=1)
    service.reissue_slips(survey=survey, actor=tree.staff)
    for code in member_codes(service.reissue_slips(survey=survey, actor=tree.staff))[:8]:
        cast(code, criteria)
    service.close_survey(survey=survey, actor=tree.secretary)
    assert issued.codes
    assert _actions(survey) == [
        ("survey.opened",),
        ("survey.slips_issued",),
        ("survey.slips_reissued",),
        ("survey.slips_reissued",),
        ("survey.closed",),
    ]
    assert [str(audit.label(code)) for (code,) in _actions(survey)][0] == "开始测评"


def test_a_close_below_the_minimum_has_its_own_action_code(tree, issued, survey, criteria):
    cast(member_codes(issued)[0], criteria)
    service.close_survey(survey=survey, actor=tree.staff, override_reason="外派")
    assert survey.history.latest().history_change_reason == "survey.closed_below_minimum"
    assert survey.history.latest().history_user == tree.staff


def test_the_survey_takes_its_days_and_its_history_times_from_the_clock(tree, assessment, criteria):
    moment = clock.aware(DAY, 10, 30)
    with clock.frozen(moment):
        issued = service.open_survey(assessment=assessment, actor=tree.secretary, public_slips=0)
        ballots = [cast(code, criteria) for code in member_codes(issued)[:8]]
        survey = service.close_survey(
            survey=Survey.objects.get(assessment=assessment), actor=tree.secretary
        )
    assert (survey.opened_on, survey.closed_on) == (DAY, DAY)
    assert issued.sheet.created_on == DAY
    assert {ballot.cast_on for ballot in ballots} == {DAY}
    assert {record.history_date for record in survey.history.all()} == {moment}


def test_the_satisfaction_rate_reads_as_on_the_rating(tree, issued, survey, criteria):
    # 2 of 3 satisfied: 66.666…%, cut to 66.66 as the rating's trace shows it (not 66.67).
    for code, verdict in zip(
        member_codes(issued), ["satisfied", "satisfied", "dissatisfied"], strict=False
    ):
        service.cast_ballot(code=code, grades={c.pk: "E" for c in criteria}, verdict=verdict)
    figures = service.figures_for(survey)
    rating = Rating(satisfaction_num=2, satisfaction_den=3)
    assert figures.satisfaction_rate == Fraction(2, 3)
    assert figures.satisfaction_percent == rating.satisfaction_percent == "66.66"


def test_the_recompute_reads_the_surveys_own_figures(tree, issued, survey, criteria):
    for code in member_codes(issued)[:8]:
        cast(code, criteria, grade="G")
    survey = service.close_survey(survey=survey, actor=tree.secretary)
    [figures] = recompute.gather(survey.assessment.campaign, [survey.assessment])
    own = service.figures_for(survey)
    assert figures.survey_closed is own.is_closed is True
    assert figures.survey_component == own.component == Decimal("80.00")
    assert figures.satisfaction == own.satisfaction_rate == 1
    assert figures.participation == own.participation_rate == Fraction(8, 10)
    assert not figures.participation_low


def test_the_figures_of_some_branches_take_three_queries_however_many(tree, campaign):
    assessments = []
    for branch in (tree.branch_a, tree.branch_b, tree.direct):
        add_members(branch, 2)
        assessments.append(Assessment.objects.create(campaign=campaign, branch=branch))
        service.open_survey(assessment=assessments[-1], actor=tree.staff, public_slips=1)
    ids = [a.pk for a in assessments[:2]]
    with CaptureQueriesContext(connection) as queries:
        found = service.survey_figures(campaign, assessment_ids=ids)
    assert sorted(found) == sorted(ids)
    assert len(queries) == 3
    counts = []
    for some in (assessments[:1], assessments):
        with CaptureQueriesContext(connection) as queries:
            recompute.gather(campaign, some)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_participation_of_many_surveys_takes_one_query(tree, campaign):
    surveys = []
    for branch in (tree.branch_a, tree.branch_b):
        add_members(branch, 3)
        assessment = Assessment.objects.create(campaign=campaign, branch=branch)
        service.open_survey(assessment=assessment, actor=tree.staff, public_slips=0)
        surveys.append(Survey.objects.get(assessment=assessment))
    with CaptureQueriesContext(connection) as queries:
        counts = service.participation_of(surveys)
    assert len(queries) == 1
    assert {pk: c.electorate for pk, c in counts.items()} == {s.pk: 3 for s in surveys}


def _stored_order():
    """The ballots' grades in the order of their rows: ``ctid`` on PostgreSQL, ``rowid``
    on SQLite (the order a plain scan returns them in)."""
    position = "ctid" if connection.vendor == "postgresql" else "rowid"
    table = connection.ops.quote_name(Ballot._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT grades FROM {table} ORDER BY {position}")
        return [grades for (grades,) in cursor.fetchall()]


def test_closing_rewrites_the_ballots_with_new_keys_in_random_order(tree, campaign, criteria):
    add_members(tree.branch_b, 40)
    assessment = Assessment.objects.create(campaign=campaign, branch=tree.branch_b)
    issued = service.open_survey(assessment=assessment, actor=tree.staff, public_slips=0)
    letters = "EGFP"
    cast_order = []
    for index, code in enumerate(member_codes(issued)):
        # One ballot each: its index in base 4 over the criteria.
        grades = {c.pk: letters[(index // 4**n) % 4] for n, c in enumerate(criteria)}
        cast_order.append(service.cast_ballot(code=code, grades=grades, verdict="satisfied"))
    keys = {ballot.pk for ballot in cast_order}
    cast_order = [ballot.grades for ballot in cast_order]
    assert _stored_order() == cast_order  # what the rewrite removes
    service.close_survey(survey=Survey.objects.get(assessment=assessment), actor=tree.staff)
    after = _stored_order()
    assert sorted(after) == sorted(cast_order)
    assert after != cast_order  # 40 ballots: a chance match is 1 in 40!
    assert not keys & set(Ballot.objects.values_list("pk", flat=True))


def test_staff_refused_without_a_reason_read_one_chinese_sentence_after_another(
    tree, issued, survey
):
    with pytest.raises(service.ParticipationTooLow) as refused:
        service.close_survey(survey=survey, actor=tree.staff)
    message = str(refused.value)
    assert "须达到 80%。工委组织部工作人员须填写理由" in message
    assert "。 " not in message
