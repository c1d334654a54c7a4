import io

import pytest
from django.core.management import CommandError, call_command

from branches.models import Member, Organisation

from .workbooks import good_members, good_orgs, good_workbook, member_row, workbook


def counts():
    return Organisation.objects.count(), Member.objects.count()


@pytest.fixture
def roster_file(tmp_path):
    def write(data):
        path = tmp_path / "roster.xlsx"
        path.write_bytes(data)
        return str(path)

    return write


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_roster", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_imports_a_good_file_and_prints_counts(db, roster_file):
    out, _ = run(roster_file(good_workbook()))
    assert counts() == (6, 4)
    assert "6" in out and "4" in out


def test_command_twice_does_not_duplicate(db, roster_file):
    path = roster_file(good_workbook())
    run(path)
    run(path)
    assert counts() == (6, 4)


def test_command_dry_run_imports_nothing(db, roster_file):
    out, _ = run(roster_file(good_workbook()), "--dry-run")
    assert counts() == (0, 0)
    assert "6" in out


def test_command_with_a_bad_file_exits_2_printing_every_error(db, roster_file):
    members = good_members() + [member_row("X1", "NOPE"), member_row("X2", "ZS-01", phone="abc")]
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_roster", roster_file(workbook(good_orgs(), members)), stderr=err)
    assert caught.value.returncode == 2
    assert len(err.getvalue().strip().splitlines()) == 2
    assert counts() == (0, 0)


def test_command_with_a_missing_file_exits_2(db, tmp_path):
    with pytest.raises(CommandError) as caught:
        run(str(tmp_path / "nope.xlsx"))
    assert caught.value.returncode == 2
