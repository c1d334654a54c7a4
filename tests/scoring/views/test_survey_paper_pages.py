"""The tellers' paper ballot page and what its requests write (docs/survey.md A15, A16)."""

import logging

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scoring.models import Ballot, PaperEntry, Slip
from scoring.services import survey as service
from tests import factories
from tests.factories import cast, member_codes

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _url(assessment, name="survey_paper"):
    return reverse(f"scoring:{name}", args=[assessment.pk])


def _post(criteria, code, grade="E", verdict="satisfied"):
    return {
        "code": service.format_code(code).lower(),
        "verdict": verdict,
        **{f"criterion_{c.pk}": grade for c in criteria},
    }


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _writes(queries):
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


# --- Who may use the page ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("secretary", 200),
        ("staff", 200),
        ("secretary_b", 404),
        ("reviewer", 403),
        ("approver", 403),
        ("rereviewer", 403),
        ("nobody", 403),
    ],
)
def test_only_the_survey_runners_reach_the_paper_page(
    tree, assessment, survey, issued, criteria, who, status
):
    client = _client(getattr(tree, who))
    assert client.get(_url(assessment)).status_code == status
    response = client.post(_url(assessment), _post(criteria, member_codes(issued)[0]))
    assert response.status_code == status
    assert PaperEntry.objects.count() == (1 if status == 200 else 0)


def test_another_parents_reviewer_is_refused(tree, assessment, survey, issued, criteria):
    from branches.models import OrgKind, Role

    other = factories.org(OrgKind.PARTY_COMMITTEE, parent=tree.committee, name="机关党委乙")
    reviewer = factories.user(role=Role.REVIEWER, organisation=other)
    client = _client(reviewer)
    assert client.get(_url(assessment)).status_code == 404
    assert client.post(_url(assessment), _post(criteria, member_codes(issued)[0])).status_code
    assert not PaperEntry.objects.exists()


def test_anonymous_is_sent_to_log_in(assessment, survey):
    response = Client().get(_url(assessment))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_survey_never_opened_has_no_paper_page(client, tree, assessment):
    client.force_login(tree.secretary)
    assert client.get(_url(assessment)).status_code == 404


def test_the_page_refuses_other_methods(client, tree, assessment, survey):
    client.force_login(tree.secretary)
    assert client.put(_url(assessment)).status_code == 405


# --- Two tellers ---------------------------------------------------------------------------


def test_two_tellers_enter_a_paper_ballot_and_it_counts(
    tree, assessment, survey, issued, criteria, chinese
):
    code = member_codes(issued)[0]
    first = _client(tree.secretary).post(_url(assessment), _post(criteria, code))
    assert first.status_code == 200
    assert (
        chinese(
            "First entry stored. Another teller must enter this paper ballot too before it counts."
        )
        in first.content.decode()
    )
    assert Ballot.objects.count() == 0
    second = _client(tree.staff).post(_url(assessment), _post(criteria, code))
    assert chinese("The two entries match: the paper ballot is counted.") in second.content.decode()
    assert list(Ballot.objects.values_list("channel", flat=True)) == ["paper"]
    assert not PaperEntry.objects.exists()
    # The form is empty again for the next paper ballot.
    assert not second.context["form"].is_bound


def test_a_mismatch_is_shown_to_both_tellers_without_the_other_entry(
    tree, assessment, survey, issued, criteria, chinese
):
    code = member_codes(issued)[0]
    secretary, staff = _client(tree.secretary), _client(tree.staff)
    secretary.post(_url(assessment), _post(criteria, code, grade="G"))
    response = staff.post(_url(assessment), _post(criteria, code, grade="F"))
    page = response.content.decode()
    assert chinese("The two entries differ.") in page
    assert "1, 2, 3, 4, 5, 6, 7, 8, 9, 10" in page
    assert response.context["counts"].differed == 1
    # The first teller's page shows it too, as a count (no code, no grades).
    first_page = secretary.get(_url(assessment))
    assert first_page.context["counts"].differed == 1
    assert service.format_code(code) not in first_page.content.decode()
    assert Ballot.objects.count() == 0


def test_the_same_teller_twice_is_refused_on_the_code(
    tree, assessment, survey, issued, criteria, chinese
):
    code = member_codes(issued)[0]
    client = _client(tree.secretary)
    client.post(_url(assessment), _post(criteria, code))
    response = client.post(_url(assessment), _post(criteria, code))
    assert response.context["form"].errors["code"] == [
        chinese(str(service.SameTeller.default_message))
    ]
    assert Ballot.objects.count() == 0 and PaperEntry.objects.count() == 1


def test_a_spent_slip_is_refused_and_the_ticks_are_kept(
    tree, assessment, survey, issued, criteria, chinese
):
    code = member_codes(issued)[0]
    cast(code, criteria)
    response = _client(tree.secretary).post(_url(assessment), _post(criteria, code, grade="G"))
    form = response.context["form"]
    assert form.errors["code"] == [chinese("This code is not valid or has already been used.")]
    assert form[f"criterion_{criteria[0].pk}"].value() == "G"
    assert not PaperEntry.objects.exists() and Ballot.objects.count() == 1


def test_a_closed_survey_shows_the_counts_and_takes_no_entry(
    tree, assessment, survey, issued, criteria, chinese
):
    codes = member_codes(issued)
    for code in codes[:8]:
        cast(code, criteria)
    service.close_survey(survey=survey, actor=tree.secretary)
    client = _client(tree.secretary)
    page = client.get(_url(assessment))
    assert page.status_code == 200 and "form" not in page.context
    response = client.post(_url(assessment), _post(criteria, codes[8]))
    assert response.status_code == 200
    assert chinese(str(service.SurveyClosed.default_message)) in response.content.decode()
    assert not PaperEntry.objects.exists()


# --- What the requests write (A8 for the tellers) ----------------------------------------


def test_a_first_entry_writes_only_the_entry_and_the_second_only_the_cast(
    tree, assessment, survey, issued, criteria
):
    code = member_codes(issued)[0]
    quote = connection.ops.quote_name
    secretary, staff = _client(tree.secretary), _client(tree.staff)
    with CaptureQueriesContext(connection) as queries:
        secretary.post(_url(assessment), _post(criteria, code))
    writes = _writes(queries)
    assert len(writes) == 1, writes
    assert writes[0].startswith(f"INSERT INTO {quote(PaperEntry._meta.db_table)} ")
    with CaptureQueriesContext(connection) as queries:
        staff.post(_url(assessment), _post(criteria, code))
    writes = _writes(queries)
    assert len(writes) == 3, writes
    assert writes[0].startswith(f"DELETE FROM {quote(Slip._meta.db_table)} ")
    assert writes[1].startswith(f"INSERT INTO {quote(Ballot._meta.db_table)} ")
    assert writes[2].startswith(f"DELETE FROM {quote(PaperEntry._meta.db_table)} ")


def test_the_tellers_sessions_and_messages_are_left_untouched(
    tree, assessment, survey, issued, criteria
):
    code = member_codes(issued)[0]
    secretary, staff = _client(tree.secretary), _client(tree.staff)
    session = staff.session
    session["_messages"] = '[["__json_message",0,25,"left from another page"]]'
    session.save()
    sessions = list(Session.objects.values_list("session_key", "session_data", "expire_date"))
    responses = [
        secretary.get(_url(assessment)),
        secretary.post(_url(assessment), _post(criteria, code)),
        staff.post(_url(assessment), _post(criteria, code)),
    ]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert Ballot.objects.count() == 1
    assert (
        list(Session.objects.values_list("session_key", "session_data", "expire_date")) == sessions
    )
    for response in responses:
        assert settings.SESSION_COOKIE_NAME not in response.cookies
        assert "no-store" in response["Cache-Control"]
        assert "left from another page" not in response.content.decode()


def test_paper_entries_log_nothing(tree, assessment, survey, issued, criteria, caplog):
    code = member_codes(issued)[0]
    with caplog.at_level(logging.DEBUG):
        _client(tree.secretary).post(_url(assessment), _post(criteria, code))
        _client(tree.staff).post(_url(assessment), _post(criteria, code, grade="P"))
        _client(tree.staff).post(_url(assessment), _post(criteria, code))
        _client(tree.secretary).post(_url(assessment), _post(criteria, code))
    assert Ballot.objects.count() == 1
    records = [r for r in caplog.records if not r.name.startswith("django.db")]
    assert records == []


# --- The survey page ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["secretary", "staff", "reviewer", "approver", "rereviewer"])
def test_the_survey_page_shows_paper_and_phone_counts(
    tree, assessment, survey, issued, criteria, who, django_assert_max_num_queries
):
    codes = member_codes(issued)
    for code in codes[:3]:
        cast(code, criteria)
    for code in codes[3:5]:
        service.enter_paper_ballot(
            survey=survey,
            actor=tree.secretary,
            code=code,
            grades=factories.all_grades(criteria),
            verdict="satisfied",
        )
        service.enter_paper_ballot(
            survey=survey,
            actor=tree.staff,
            code=code,
            grades=factories.all_grades(criteria),
            verdict="satisfied",
        )
    client = _client(getattr(tree, who))
    with django_assert_max_num_queries(20):
        response = client.get(_url(assessment, "survey"))
    counts = response.context["paper_counts"]
    assert (counts.paper, counts.phone) == (2, 3)
    page = response.content.decode()
    link = _url(assessment)
    assert (link in page) == (who in ("secretary", "staff"))
