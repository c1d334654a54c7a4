"""`survey_status_for_code`: what the QR link and a typed code check (docs/nonfunctional.md
§7): the status of the code's survey, from the slip and the survey alone."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from scoring.models import Survey, SurveyStatus
from scoring.services import survey as service
from tests.factories import member_codes


def test_an_unspent_code_gives_its_surveys_status(issued, survey):
    code = member_codes(issued)[0]
    assert service.survey_status_for_code(code) == SurveyStatus.OPEN
    Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.CLOSED)
    assert service.survey_status_for_code(code) == SurveyStatus.CLOSED


def test_an_unknown_malformed_or_spent_code_gives_none(issued, criteria):
    code = member_codes(issued)[0]
    assert service.survey_status_for_code("ZZZZZZZZZZ") is None
    assert service.survey_status_for_code("not a code") is None
    service.cast_ballot(code=code, grades={c.pk: "G" for c in criteria}, verdict="satisfied")
    assert service.survey_status_for_code(code) is None


def test_it_reads_the_slip_and_the_survey_only(issued):
    code = member_codes(issued)[0]
    with CaptureQueriesContext(connection) as queries:
        service.survey_status_for_code(code)
    (query,) = queries.captured_queries
    tables = {"scoring_criterion", "scoring_assessment", "scoring_campaign"}
    assert not any(table in query["sql"] for table in tables)
