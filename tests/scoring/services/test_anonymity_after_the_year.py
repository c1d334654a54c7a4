"""The anonymity test at the end of the road (docs/survey.md §2.1.2), on PostgreSQL.

Voters cast through the web, from their own addresses, some logged in; the survey
closes; the branch is rated; the annual workbook is exported through a background job
and the rating sheet from the command line. Then nothing links a ballot to a slip, a
member, a user, an address or a time — read the way an intruder would: every row of
every table by live queries, a `pg_dump` of the whole database, every log record of
the run, every file in the media storage and every exported file.
"""

import io
import logging
import re
import subprocess
import zipfile

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test import Client

from scoring.models import Ballot
from scoring.services import exports, recompute
from scoring.services import survey as service
from starrating.backup import stored_files
from tests import factories
from tests.factories import member_codes, public_codes
from tests.scoring.exporters.pdf_text import text_of
from tests.scoring.services.test_survey_linkability import (
    BALLOT,
    _enter,
    _grades_of,
    _physical_order,
    _quote,
    _tables,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


def _answers(criteria, index):
    grades = _grades_of(index, criteria)
    verdict = ("satisfied", "basically_satisfied", "dissatisfied")[index % 3]
    return {"step": "ballot", "verdict": verdict, **{f"criterion_{c.pk}": g for c, g in (
        (c, grades[c.pk]) for c in criteria
    )}}  # fmt: skip


def _every_row_as_text():
    texts = []
    with connection.cursor() as cursor:
        for schema, name in _tables():
            if name == Ballot._meta.db_table:
                continue
            cursor.execute(f"SELECT t::text FROM {_quote(schema)}.{_quote(name)} t")
            texts += [f"{name}: {row}" for (row,) in cursor.fetchall()]
    return texts


def _dump():
    settings = connection.settings_dict
    command = ["pg_dump", "--data-only", "-d", settings["NAME"]]
    command += ["-h", settings["HOST"] or "127.0.0.1", "-U", settings["USER"] or "postgres"]
    if settings["PORT"]:
        command += ["-p", str(settings["PORT"])]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def _ballot_copy_rows(dump):
    """The data lines of the ballot table's COPY block, in the dump's order."""
    table = Ballot._meta.db_table
    block = re.search(rf"COPY public\.{table} \(([^)]*)\) FROM stdin;\n(.*?)\n\\\.\n", dump, re.S)
    assert block, "the dump holds the ballots"
    return block.group(1).split(", "), block.group(2).splitlines()


def test_nothing_links_a_ballot_after_casting_closing_and_exporting(
    tree, assessment, criteria, caplog, tmp_path
):
    caplog.set_level(logging.DEBUG)
    issued = service.open_survey(assessment=assessment, actor=tree.secretary, public_slips=4)
    codes = member_codes(issued) + public_codes(issued)
    users = [tree.secretary, factories.user(), factories.user()]
    addresses = [f"10.77.{index}.{index + 10}" for index in range(len(codes))]
    cast_order = []
    for index, code in enumerate(codes):
        client = Client(REMOTE_ADDR=addresses[index])
        if index % 4 == 1:
            client.force_login(users[index % 3])
        assert _enter(client, code, "qr" if index % 2 else "typed").status_code == 302
        assert client.get(BALLOT).status_code == 200
        before = set(Ballot.objects.values_list("pk", flat=True))
        assert client.post(BALLOT, _answers(criteria, index)).status_code == 302
        (new,) = Ballot.objects.exclude(pk__in=before)
        cast_order.append(new.grades)
    service.close_survey(survey=assessment.survey, actor=tree.secretary)
    assessment.refresh_from_db()
    factories.sheet(assessment, 90)
    factories.review(assessment, 88)
    campaign = assessment.campaign
    recompute.recompute_campaign(campaign=campaign, actor=tree.staff)
    campaign.refresh_from_db()
    job = exports.request_export(kind="annual-xlsx", campaign=campaign, actor=tree.staff)
    job.refresh_from_db()
    assert job.file, job.status
    sheet = tmp_path / "sheet.pdf"
    call_command(
        "export", "rating-sheet", "--campaign", str(campaign.pk), "--branch",
        tree.branch_a.code, "-o", str(sheet),
    )  # fmt: skip

    ballots = {str(b.pk): b for b in Ballot.objects.all()}
    assert len(ballots) == len(codes)
    # What would link: a code in any form, a voter's address, a ballot's key elsewhere.
    secrets = {"code": set(), "address": set(addresses), "ballot key": set(ballots)}
    for code in codes:
        secrets["code"] |= {code, service.normalise_code(code), service.format_code(code)}

    def leaks(where, text):
        found = []
        upper = text.upper()
        for kind, values in secrets.items():
            found += [(where, kind, v) for v in values if v.upper() in upper]
        return found

    found = []
    # 1. Every row of every table other than the ballots', by live queries.
    for row in _every_row_as_text():
        found += leaks("table row", row)
    # 2. The whole database as a dump: outside the ballots' own block, nothing of them.
    dump = _dump()
    columns, rows = _ballot_copy_rows(dump)
    outside = dump.replace("\n".join(rows), "")
    found += leaks("pg_dump", outside)
    # 3. Every log record of the whole run.
    for record in caplog.records:
        found += leaks(f"log {record.name}", record.getMessage() + repr(record.__dict__))
    # 4. Every file kept in the media storage, and every exported file.
    for name in stored_files():
        with default_storage.open(name) as file:
            data = file.read()
        found += leaks(f"media {name}", _readable(name, data, tmp_path))
    found += leaks("rating sheet", text_of(sheet.read_bytes(), tmp_path))
    assert found == []

    # The ballots themselves: no time but the day, no person, no address, no slip; all
    # rewritten by the close in one transaction, in an order that is not the casting's.
    assert not {"user_id", "slip_id", "member_id", "address", "created_at"} & set(columns)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s",
            [Ballot._meta.db_table],
        )
        types = dict(cursor.fetchall())
    assert not [c for c, t in types.items() if "timestamp" in t or "time " in t]
    assert len({b.cast_on for b in ballots.values()}) == 1
    on_disk = [grades for grades, _xmin in _physical_order()]
    assert len({xmin for _grades, xmin in _physical_order()}) == 1
    assert sorted(on_disk) == sorted(cast_order)
    assert on_disk != cast_order  # 14 ballots: a chance match is 1 in 14!
    dumped = [row.split("\t")[columns.index("grades")] for row in rows]
    assert sorted(dumped) == sorted(cast_order) and dumped != cast_order


def _readable(name, data, tmp_path):
    """A stored file as text: a workbook's cells, a PDF's text, anything else raw."""
    if name.endswith(".xlsx"):
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        cells = [
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            cells += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
        return "\n".join(cells)
    if name.endswith(".pdf"):
        try:
            return text_of(data, tmp_path)
        except subprocess.CalledProcessError:  # not a PDF after all (another test's stand-in)
            pass
    return data.decode("utf-8", "replace")
