"""Nothing the database records re-links a ballot (docs/survey.md §2.1.2), on PostgreSQL.

Every PostgreSQL row carries ``xmin``, the id of the transaction that wrote it, and sits
at a physical position (``ctid``). These tests read the database the way an intruder
with read access to every table would: rows written in a transaction next to a ballot's
would tie it to a session (a user, a time) or to an address; codes kept on the server
could be cast by someone else; ballots left in casting order could be matched to the
order in which people were seen to vote.
"""

import base64
import pickle

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.urls import reverse

from scoring.models import Ballot, Survey
from scoring.services import survey as service
from tests import factories
from tests.factories import member_codes, public_codes

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BALLOT = "/v/"
#: How many transactions either side of a ballot's must hold no other row.
NEAR = 3
XIDS = 2**32  # xmin is a 32-bit transaction id


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


def _quote(name):
    return connection.ops.quote_name(name)


def _tables():
    """Every ordinary table of the database, from the catalogue (not from the models)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname, c.relname FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg_toast%%' ORDER BY 1, 2"
        )
        return [(schema, table) for schema, table in cursor.fetchall()]


def _xmins():
    """[(table, xmin)] for every row of every table."""
    rows = []
    with connection.cursor() as cursor:
        for schema, table in _tables():
            cursor.execute(f"SELECT xmin::text::bigint FROM {_quote(schema)}.{_quote(table)}")
            rows += [(table, xmin) for (xmin,) in cursor.fetchall()]
    return rows


def _next_xid() -> int:
    """The next transaction id to be assigned (64 bits), without taking one."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint")
        return cursor.fetchone()[0]


def _spend_xids(count):
    """Commit `count` empty transactions, to set the tests' own set-up writes apart."""
    with connection.cursor() as cursor:
        for _ in range(count):
            cursor.execute("SELECT pg_current_xact_id()")


def _ballot_xmins():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, xmin::text::bigint FROM {_quote(Ballot._meta.db_table)}")
        return dict(cursor.fetchall())


def _answers(criteria, grade="E", verdict="satisfied"):
    return {
        "step": "ballot",
        "verdict": verdict,
        **{f"criterion_{c.pk}": grade for c in criteria},
    }


def _enter(client, code, how):
    if how == "qr":
        return client.get(reverse("scoring:ballot_code", args=[code]))
    return client.post(BALLOT, {"step": "code", "code": service.format_code(code)})


def _vote(client, code, how, criteria):
    """A voter's whole visit: scan or type the code, read the ballot, cast it, read thanks."""
    assert _enter(client, code, how).status_code == 302
    assert client.get(BALLOT).context["form"].criteria
    response = client.post(BALLOT, _answers(criteria))
    assert response.status_code == 302
    assert response["Location"] == reverse("scoring:ballot_thanks")
    assert client.get(response["Location"]).status_code == 200


def test_nothing_is_written_next_to_a_ballot(tree, assessment, criteria):
    issued = service.open_survey(assessment=assessment, actor=tree.secretary, public_slips=4)
    codes = member_codes(issued) + public_codes(issued)
    # Logged-in voters (their session rows and log-ins are set up first, long before).
    logged_in = []
    for user in (tree.secretary, factories.user(), factories.user()):
        client = Client()
        client.force_login(user)
        logged_in.append(client)
    voters = [
        (Client(), "qr"),
        (logged_in[0], "qr"),
        (Client(), "typed"),
        (logged_in[1], "typed"),
        (Client(), "qr"),
        (logged_in[2], "qr"),
    ]
    _spend_xids(2 * NEAR + 2)

    windows = []  # per ballot: (first xid of the visit, last xid of the visit, ballot id)
    for (client, how), code in zip(voters, codes, strict=False):
        before = set(_ballot_xmins())
        first = _next_xid()
        _vote(client, code, how, criteria)
        last = _next_xid() - 1
        (ballot_id,) = set(_ballot_xmins()) - before
        windows.append((first, last, ballot_id))

    xmins = _ballot_xmins()
    assert len(xmins) == len(voters)
    tables = {table for _schema, table in _tables()}
    assert {"django_session", "starrating_cache", "axes_accesslog", "auth_user"} <= tables
    ballot_table = Ballot._meta.db_table
    neighbours = []
    for first, last, ballot_id in windows:
        # The ballot's xmin as a 64-bit id (it was assigned during the visit).
        ballot = first + (xmins[ballot_id] - first) % XIDS
        low, high = min(first, ballot - NEAR), max(last, ballot + NEAR)
        for table, xmin in _xmins():
            if table == ballot_table:
                continue
            if (xmin - low) % XIDS <= high - low:
                neighbours.append((table, xmin - ballot % XIDS))
    assert neighbours == [], "rows written next to a ballot (table, xmin − ballot's xmin)"


def _server_text():
    """Everything the server keeps that could hold a code, decoded: sessions, cache rows
    (keys and unpickled values), and every row of every table as text."""
    texts = [repr(session.get_decoded()) for session in Session.objects.all()]
    table = _quote(settings.CACHES["default"]["LOCATION"])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key, value FROM {table}")
        for key, value in cursor.fetchall():
            texts += [key, repr(pickle.loads(base64.b64decode(value.encode())))]
        for schema, name in _tables():
            cursor.execute(f"SELECT t::text FROM {_quote(schema)}.{_quote(name)} t")
            texts += [row for (row,) in cursor.fetchall()]
    return "\n".join(texts).upper()


def _assert_kept_nowhere(code):
    text = _server_text()
    for form in {code, service.normalise_code(code), service.format_code(code)}:
        assert form.upper() not in text


@pytest.mark.parametrize("how", ["qr", "typed"])
@pytest.mark.parametrize("logged_in", [False, True])
def test_a_code_is_kept_nowhere_on_the_server(tree, issued, criteria, how, logged_in):
    client = Client()
    if logged_in:
        client.force_login(tree.nobody)
    code = member_codes(issued)[0]
    assert _enter(client, code, how).status_code == 302
    _assert_kept_nowhere(code)
    assert client.get(BALLOT).context["form"].criteria
    _assert_kept_nowhere(code)
    assert client.post(BALLOT, _answers(criteria)).status_code == 302
    assert Ballot.objects.count() == 1
    _assert_kept_nowhere(code)


def _physical_order():
    """The ballots' (grades, xmin) in the order of their rows on disk."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT grades, xmin::text::bigint FROM {_quote(Ballot._meta.db_table)} ORDER BY ctid"
        )
        return cursor.fetchall()


def _grades_of(index, criteria):
    """Ballot `index`'s grades, written in base 4 over the criteria: one per ballot."""
    letters = "EGFP"
    grades = {}
    for criterion in criteria:
        index, digit = divmod(index, 4)
        grades[criterion.pk] = letters[digit]
    return grades


def _figures(survey):
    figures = service.figures_for(survey)
    return (figures.member_ballots, figures.public_ballots, figures.component)


def test_closing_rewrites_the_ballots_in_random_order_in_one_transaction(
    tree, assessment, criteria
):
    issued = service.open_survey(assessment=assessment, actor=tree.secretary, public_slips=30)
    codes = member_codes(issued) + public_codes(issued)
    cast_order = []
    for index, code in enumerate(codes):
        ballot = service.cast_ballot(
            code=code, grades=_grades_of(index, criteria), verdict="satisfied"
        )
        cast_order.append(ballot.grades)
    before = _physical_order()
    # The leak the rewrite removes: rows on disk and their xmin follow the casting order.
    assert [grades for grades, _xmin in before] == cast_order
    assert len({xmin for _grades, xmin in before}) == len(codes)
    ids_before = set(Ballot.objects.values_list("id", flat=True))
    figures_before = _figures(assessment.survey)

    service.close_survey(survey=assessment.survey, actor=tree.secretary)

    after = _physical_order()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT xmin::text::bigint FROM {_quote(Survey._meta.db_table)} WHERE id = %s",
            [assessment.survey.pk],
        )
        (closed_in,) = cursor.fetchone()
    assert {xmin for _grades, xmin in after} == {closed_in}  # one transaction: the close
    order = [grades for grades, _xmin in after]
    assert sorted(order) == sorted(cast_order)
    assert order != cast_order  # 40 ballots: a chance match is 1 in 40!
    assert not ids_before & set(Ballot.objects.values_list("id", flat=True))
    assert _figures(assessment.survey) == figures_before
