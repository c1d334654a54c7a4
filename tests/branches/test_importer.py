import datetime
import io

import pytest
from django.utils import translation

from branches.importers import (
    MAX_BYTES,
    RosterImportError,
    import_roster,
    read_workbook,
    roster_template,
)
from branches.models import Duty, Member, MemberStatus, Organisation, OrgKind
from starrating.archives import MAX_MEMBERS
from tests import factories
from tests.archives import MiB, rebuild_with_bomb, rebuild_with_parts

from .workbooks import (
    MEMBER_HEADER,
    ORG_HEADER,
    good_members,
    good_orgs,
    good_workbook,
    member_row,
    org_row,
    workbook,
)


def counts():
    return Organisation.objects.count(), Member.objects.count()


def errors_of(data):
    with pytest.raises(RosterImportError) as caught:
        import_roster(data)
    return caught.value.errors


def places(errors):
    return {(e.sheet, e.row, e.column) for e in errors}


# --- a good file -------------------------------------------------------------------------


def test_good_file_creates_the_tree(db):
    report = import_roster(good_workbook())
    assert (report.organisations_created, report.members_created) == (6, 4)
    branch = Organisation.objects.get(code="JG01-01")
    assert branch.kind == OrgKind.BRANCH
    assert branch.parent.code == "JG01"
    assert branch.parent.parent.code == "GW"
    assert Organisation.objects.get(code="GW").parent is None


def test_good_file_stores_every_member_field(db):
    import_roster(good_workbook())
    member = Member.objects.get(code="M001")
    assert member.branch.code == "JG01-01"
    assert member.duty == Duty.SECRETARY
    assert member.status == MemberStatus.FULL
    assert member.joined == datetime.date(2015, 7, 1)
    assert member.phone == "13800000000"
    assert member.active
    assert Member.objects.get(code="M002").status == MemberStatus.PROBATIONARY


def test_good_file_stores_terms_and_election_fields(db):
    rows = [
        org_row("GW", "工委", start=None, end=None),
        org_row(
            "B1",
            "党支部",
            "GW",
            start=datetime.date(2020, 1, 1),
            end=datetime.date(2023, 1, 1),
            last=datetime.date(2023, 2, 1),
            postponed="是",
            active="否",
        ),
    ]
    import_roster(workbook(rows, []))
    branch = Organisation.objects.get(code="B1")
    assert branch.term_start == datetime.date(2020, 1, 1)
    assert branch.term_end == datetime.date(2023, 1, 1)
    assert branch.last_election == datetime.date(2023, 2, 1)
    assert branch.postponement_approved
    assert not branch.active


def test_children_may_come_before_their_parents_in_the_file(db):
    import_roster(workbook(list(reversed(good_orgs())), good_members()))
    assert Organisation.objects.get(code="JG01-01").parent.code == "JG01"


def test_parent_may_already_be_in_the_database(tree):
    rows = [org_row("NEW-1", "党支部", tree.party_committee.code)]
    import_roster(workbook(rows, [member_row("X1", "NEW-1")]))
    assert Organisation.objects.get(code="NEW-1").parent == tree.party_committee


def test_member_may_join_a_branch_already_in_the_database(tree):
    import_roster(workbook([], [member_row("X1", tree.branch_b.code)]))
    assert Member.objects.get(code="X1").branch == tree.branch_b


def test_english_kind_codes_are_accepted(db):
    rows = [org_row("GW", "committee", start=None, end=None), org_row("B1", "branch", "GW")]
    import_roster(workbook(rows, []))
    assert Organisation.objects.get(code="B1").kind == OrgKind.BRANCH


@pytest.mark.parametrize("text", ["2024-03-05", "2024/03/05", "2024/3/5", " 2024-03-05 "])
def test_dates_may_be_text(db, text):
    rows = [org_row("GW", "工委", start=None, end=None), org_row("B1", "党支部", "GW", start=text)]
    import_roster(workbook(rows, []))
    assert Organisation.objects.get(code="B1").term_start == datetime.date(2024, 3, 5)


def test_codes_and_phones_typed_as_numbers_are_read_as_text(db):
    rows = [org_row("GW", "工委", start=None, end=None), org_row(1001, "党支部", "GW")]
    import_roster(workbook(rows, [member_row(7, 1001, phone=13800000000)]))
    member = Member.objects.get(code="7")
    assert member.branch.code == "1001"
    assert member.phone == "13800000000"


def test_empty_optional_cells_take_defaults(db):
    rows = [
        org_row("GW", "工委", start=None, end=None, postponed=None, active=None),
        org_row("B1", "党支部", "GW"),
    ]
    members = [member_row("M1", "B1", duty=None, status=None, joined=None, phone=None, active=None)]
    import_roster(workbook(rows, members))
    member = Member.objects.get(code="M1")
    assert (member.duty, member.status, member.active) == (Duty.MEMBER, MemberStatus.FULL, True)
    assert Organisation.objects.get(code="GW").active


def test_blank_rows_are_skipped(db):
    rows = [org_row("GW", "工委", start=None, end=None), [None] * 9, org_row("B1", "党支部", "GW")]
    report = import_roster(workbook(rows, []))
    assert report.organisations_created == 2


def test_columns_may_come_in_any_order_with_extra_columns(db):
    header = list(reversed(ORG_HEADER)) + ["备注"]
    rows = [list(reversed(r)) + ["x"] for r in good_orgs()]
    import_roster(workbook(rows, [], org_header=header))
    assert Organisation.objects.get(code="ZS-01").parent.code == "GW"


def test_import_records_history_with_actor_and_reason(tree):
    import_roster(good_workbook(), actor=tree.staff)
    branch_record = Organisation.objects.get(code="JG01-01").history.get()
    member_record = Member.objects.get(code="M001").history.get()
    assert branch_record.history_user == tree.staff
    assert member_record.history_user == tree.staff
    assert member_record.history_change_reason == "roster.imported"


# --- importing again ---------------------------------------------------------------------


def test_importing_the_same_file_twice_changes_nothing(db):
    import_roster(good_workbook())
    before = counts()
    report = import_roster(good_workbook())
    assert counts() == before
    assert report.organisations_created == report.organisations_updated == 0
    assert report.members_created == report.members_updated == 0
    assert (report.organisations_unchanged, report.members_unchanged) == (6, 4)


def test_importing_again_updates_changed_fields(db):
    import_roster(good_workbook())
    orgs, members = good_orgs(), good_members()
    orgs[3] = org_row("JG01-01", "党支部", "ZB01", name="新名称")
    members[0] = member_row("M001", "ZS-01", duty="党员", active="否")
    report = import_roster(workbook(orgs, members))
    assert (report.organisations_updated, report.members_updated) == (1, 1)
    branch = Organisation.objects.get(code="JG01-01")
    assert (branch.name, branch.parent.code) == ("新名称", "ZB01")
    member = Member.objects.get(code="M001")
    assert (member.branch.code, member.duty, member.active) == ("ZS-01", Duty.MEMBER, False)
    assert counts() == (6, 4)


def test_reimport_keeps_a_members_user_account(tree):
    import_roster(good_workbook())
    Member.objects.filter(code="M001").update(user=tree.secretary)
    members = good_members()
    members[0] = member_row("M001", "JG01-01", name="改名")
    import_roster(workbook(good_orgs(), members))
    assert Member.objects.get(code="M001").user == tree.secretary


def test_unchanged_rows_write_no_history(db):
    import_roster(good_workbook())
    import_roster(good_workbook())
    assert Organisation.history.count() == 6
    assert Member.history.count() == 4


def test_dry_run_counts_but_imports_nothing(db):
    report = import_roster(good_workbook(), dry_run=True)
    assert (report.organisations_created, report.members_created) == (6, 4)
    assert counts() == (0, 0)


# --- bad rows: every error reported, nothing imported -----------------------------------


def replace_org(index, row):
    def change(orgs, members):
        orgs[index] = row

    return change


def replace_member(index, row):
    def change(orgs, members):
        members[index] = row

    return change


def append_org(row):
    return lambda orgs, members: orgs.append(row)


def append_member(row):
    return lambda orgs, members: members.append(row)


ORG, MEMBER = "组织", "党员"
BAD_ROWS = {
    "missing parent": (replace_org(3, org_row("JG01-01", "党支部", "")), (ORG, 5, "上级代码")),
    "unknown parent": (replace_org(3, org_row("JG01-01", "党支部", "NOPE")), (ORG, 5, "上级代码")),
    "duplicate org code": (append_org(org_row("JG01", "党支部", "GW")), (ORG, 8, "代码")),
    "unknown kind": (replace_org(3, org_row("JG01-01", "党小组", "JG01")), (ORG, 5, "类型")),
    "kind not allowed under parent": (
        replace_org(3, org_row("JG01-01", "机关党委", "JG01")),
        (ORG, 5, "上级代码"),
    ),
    "branch under a branch": (append_org(org_row("X1", "党支部", "ZS-01")), (ORG, 8, "上级代码")),
    "own parent": (append_org(org_row("X1", "党支部", "X1")), (ORG, 8, "上级代码")),
    "committee with a parent": (append_org(org_row("X1", "工委", "GW")), (ORG, 8, "上级代码")),
    "circular parents": (
        lambda orgs, members: orgs.extend(
            [org_row("C1", "党支部", "C2"), org_row("C2", "党支部", "C1")]
        ),
        (ORG, 8, "上级代码"),
    ),
    "impossible date": (
        replace_org(3, org_row("JG01-01", "党支部", "JG01", start="2024-13-01")),
        (ORG, 5, "任期开始"),
    ),
    "date in another format": (
        replace_org(3, org_row("JG01-01", "党支部", "JG01", last="01.02.2024")),
        (ORG, 5, "上次换届日期"),
    ),
    "number for a date": (
        replace_org(3, org_row("JG01-01", "党支部", "JG01", end=45000)),
        (ORG, 5, "任期结束"),
    ),
    "term end before start": (
        replace_org(
            3,
            org_row(
                "JG01-01",
                "党支部",
                "JG01",
                start=datetime.date(2024, 1, 1),
                end=datetime.date(2023, 1, 1),
            ),
        ),
        (ORG, 5, "任期结束"),
    ),
    "term end on start": (
        replace_org(
            3,
            org_row("JG01-01", "党支部", "JG01", start=datetime.date(2024, 1, 1), end="2024-01-01"),
        ),
        (ORG, 5, "任期结束"),
    ),
    "empty name": (
        replace_org(3, org_row("JG01-01", "党支部", "JG01", name=" ")),
        (ORG, 5, "名称"),
    ),
    "empty code": (append_org(org_row(None, "党支部", "GW")), (ORG, 8, "代码")),
    "code too long": (append_org(org_row("X" * 33, "党支部", "GW")), (ORG, 8, "代码")),
    "bad postponement yes/no": (
        replace_org(3, org_row("JG01-01", "党支部", "JG01", postponed="也许")),
        (ORG, 5, "已批准延期"),
    ),
    "bad active yes/no": (
        replace_org(3, org_row("JG01-01", "党支部", "JG01", active="maybe")),
        (ORG, 5, "在用"),
    ),
    "member branch unknown": (
        replace_member(1, member_row("M002", "NOPE")),
        (MEMBER, 3, "所属支部代码"),
    ),
    "member branch not a branch": (
        replace_member(1, member_row("M002", "JG01")),
        (MEMBER, 3, "所属支部代码"),
    ),
    "member branch empty": (
        replace_member(1, member_row("M002", None)),
        (MEMBER, 3, "所属支部代码"),
    ),
    "duplicate member code": (append_member(member_row("M001", "ZS-01")), (MEMBER, 6, "党员编号")),
    "empty member code": (append_member(member_row("", "ZS-01")), (MEMBER, 6, "党员编号")),
    "empty member name": (
        replace_member(1, member_row("M002", "JG01-01", name="")),
        (MEMBER, 3, "姓名"),
    ),
    "unknown duty": (
        replace_member(1, member_row("M002", "JG01-01", duty="组长")),
        (MEMBER, 3, "党内职务"),
    ),
    "unknown status": (
        replace_member(1, member_row("M002", "JG01-01", status="发展对象")),
        (MEMBER, 3, "类别"),
    ),
    "bad joined date": (
        replace_member(1, member_row("M002", "JG01-01", joined="yesterday")),
        (MEMBER, 3, "入党日期"),
    ),
    "bad member yes/no": (
        replace_member(1, member_row("M002", "JG01-01", active="不在")),
        (MEMBER, 3, "在册"),
    ),
    "phone with letters": (
        replace_member(1, member_row("M002", "JG01-01", phone="138-abc")),
        (MEMBER, 3, "手机号"),
    ),
}


@pytest.mark.parametrize("change, place", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_bad_row_is_reported_at_its_place_and_nothing_is_imported(tree, change, place):
    orgs, members = good_orgs(), good_members()
    change(orgs, members)
    before = counts()
    errors = errors_of(workbook(orgs, members))
    assert place in places(errors)
    assert counts() == before


@pytest.mark.parametrize("change, place", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_bad_row_does_not_stop_an_update_from_being_refused(db, change, place):
    import_roster(good_workbook())
    orgs, members = good_orgs(), good_members()
    orgs[5] = org_row("ZS-01", "党支部", "GW", name="改过的名称")
    change(orgs, members)
    errors_of(workbook(orgs, members))
    assert Organisation.objects.get(code="ZS-01").name == "组织ZS-01"


def test_one_bad_row_among_many_imports_nothing(db):
    members = [member_row(f"M{n:04d}", "ZS-01") for n in range(200)]
    members[150] = member_row("M0150", "ZS-01", phone="call me")
    errors = errors_of(workbook(good_orgs(), members))
    assert places(errors) == {("党员", 152, "手机号")}
    assert counts() == (0, 0)


def test_every_error_of_the_file_is_reported(db):
    orgs, members = good_orgs(), good_members()
    orgs[1] = org_row("JG01", "机关党委", "GW", start="bad")
    members[0] = member_row("M001", "JG01-01", duty="组长", phone="x")
    members[3] = member_row("M004", "NOPE")
    errors = errors_of(workbook(orgs, members))
    assert places(errors) == {
        ("组织", 3, "任期开始"),
        ("党员", 2, "党内职务"),
        ("党员", 2, "手机号"),
        ("党员", 5, "所属支部代码"),
    }


def test_errors_come_in_sheet_and_row_order(db):
    orgs, members = good_orgs(), good_members()
    members[2] = member_row("M003", "NOPE")
    orgs[4] = org_row("ZB01-01", "党小组", "ZB01")
    members[0] = member_row("M001", "NOPE")
    errors = errors_of(workbook(orgs, members))
    assert [(e.sheet, e.row) for e in errors] == [("组织", 6), ("党员", 2), ("党员", 4)]


def test_error_messages_name_sheet_row_and_column(db):
    orgs = good_orgs()
    orgs[3] = org_row("JG01-01", "党支部", "NOPE")
    with translation.override("en"):
        (error,) = errors_of(workbook(orgs, good_members()))
        assert str(error).startswith("组织, row 5, column 上级代码: ")
        assert "NOPE" in error.message


def test_changing_a_kind_that_leaves_children_misplaced_is_refused(tree):
    rows = [org_row(tree.party_committee.code, "党支部", tree.committee.code)]
    errors = errors_of(workbook(rows, []))
    assert places(errors) == {("组织", 2, "类型")}
    assert Organisation.objects.get(pk=tree.party_committee.pk).kind == OrgKind.PARTY_COMMITTEE


def test_a_branch_with_members_must_stay_a_branch(tree):
    factories.member(tree.direct)
    rows = [org_row(tree.direct.code, "机关党总支", tree.committee.code)]
    errors = errors_of(workbook(rows, []))
    assert ("组织", 2, "类型") in places(errors)


# --- bad files ---------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["组织", "党员"])
def test_missing_sheet_is_reported(db, missing):
    present = tuple(s for s in ("组织", "党员") if s != missing)
    errors = errors_of(workbook(good_orgs(), good_members(), sheets=present))
    assert (missing, None, "") in places(errors)
    assert counts() == (0, 0)


def test_missing_header_is_reported(db):
    header = [h for h in MEMBER_HEADER if h != "类别"]
    members = [row[:4] + row[5:] for row in good_members()]
    errors = errors_of(workbook(good_orgs(), members, member_header=header))
    assert places(errors) == {("党员", 1, "类别")}
    assert counts() == (0, 0)


def test_empty_sheet_reports_every_header_missing(db):
    errors = errors_of(workbook(good_orgs(), [], member_header=[]))
    assert {e.column for e in errors} == set(MEMBER_HEADER)


@pytest.mark.parametrize(
    "data",
    [b"", b"not a spreadsheet at all", b"PK\x03\x04 broken zip", "代码,名称\n".encode()],
    ids=["empty", "text", "broken zip", "csv"],
)
def test_a_file_that_is_not_xlsx_is_refused(db, data):
    errors = errors_of(data)
    assert len(errors) == 1
    assert counts() == (0, 0)


def test_a_zip_that_is_not_a_workbook_is_refused(db):
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert len(errors_of(out.getvalue())) == 1


def rewrite_part(data, name, content):
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, content if info.filename == name else source.read(info))
    return out.getvalue()


def test_a_workbook_with_a_damaged_sheet_is_refused(db):
    data = rewrite_part(good_workbook(), "xl/worksheets/sheet2.xml", b"<worksheet><oops")
    assert len(errors_of(data)) == 1
    assert counts() == (0, 0)


def test_a_workbook_that_unpacks_to_a_gibibyte_is_refused_unread(db):
    bomb = rebuild_with_bomb(good_workbook(), "xl/media/image1.png", 1024 * MiB)
    assert len(bomb) < 2 * MiB
    errors = errors_of(bomb)
    assert [e.message for e in errors] == ["文件解压后过大。"]
    assert counts() == (0, 0)


def test_a_workbook_of_too_many_parts_is_refused_unread(db):
    errors = errors_of(rebuild_with_parts(good_workbook(), MAX_MEMBERS))
    assert len(errors) == 1 and "部分过多" in errors[0].message
    assert counts() == (0, 0)


def test_a_file_over_5_mb_is_refused(db):
    errors = errors_of(good_workbook() + b"\0" * (MAX_BYTES + 1))
    assert len(errors) == 1
    assert counts() == (0, 0)


def test_a_file_of_exactly_5_mb_is_read(db):
    # Zip readers find the directory at the end, so padding in front still reads.
    data = good_workbook()
    report = import_roster(b"\0" * (MAX_BYTES - len(data)) + data)
    assert report.organisations_created == 6


def test_source_may_be_a_path_or_a_file(db, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(good_workbook())
    assert import_roster(path).organisations_created == 6
    assert import_roster(io.BytesIO(good_workbook())).organisations_unchanged == 6


# --- the template ------------------------------------------------------------------------


def test_template_has_both_sheets_notes_and_styled_headers():
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(roster_template()))
    assert book.sheetnames == ["组织", "党员", "说明"]
    orgs, members = book["组织"], book["党员"]
    assert [c.value for c in orgs[1]] == ORG_HEADER
    assert [c.value for c in members[1]] == MEMBER_HEADER
    assert all(c.font.bold for c in orgs[1])
    assert orgs.freeze_panes == members.freeze_panes == "A2"
    assert orgs.column_dimensions["B"].width > 20
    assert book["说明"].max_row > len(ORG_HEADER) + len(MEMBER_HEADER)


def test_the_unmodified_template_is_refused_row_by_row(db):
    errors = errors_of(roster_template())
    assert places(errors) == {
        (ORG, 2, "名称"),
        (ORG, 3, "名称"),
        (ORG, 4, "名称"),
        (MEMBER, 2, "姓名"),
    }
    assert all("模板中的示例行" in e.message for e in errors)
    assert counts() == (0, 0)


def test_the_template_refused_even_beside_an_existing_committee(tree):
    before = counts()
    errors = errors_of(roster_template())
    assert (ORG, 2, "名称") in places(errors)
    assert counts() == before
    assert Organisation.objects.filter(kind=OrgKind.COMMITTEE).count() == 1


def _filled_template(replace=lambda value: value):
    """The template with its example names made real (its columns are what we check)."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(roster_template()))
    for sheet in ("组织", "党员"):
        for row in book[sheet].iter_rows(min_row=2, max_col=2):
            row[1].value = replace(row[1].value.replace("（示例）", ""))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_template_with_its_examples_replaced_imports_cleanly(db):
    org_rows, member_rows, errors = read_workbook(_filled_template())
    assert errors == []
    report = import_roster(_filled_template())
    assert report.organisations_created == len(org_rows) == 3
    assert report.members_created == len(member_rows) == 1


@pytest.mark.parametrize("mark", ["（示例）", "(示例)", "（ 示例 ）"])
def test_an_example_mark_anywhere_in_a_name_is_refused(db, mark):
    orgs = good_orgs()
    orgs[1] = org_row("JG01", "机关党委", "GW", name=f"某局{mark}机关党委")
    assert places(errors_of(workbook(orgs, good_members()))) == {(ORG, 3, "名称")}


def test_a_second_work_committee_is_refused(tree):
    rows = [org_row("GW2", "工委", start=None, end=None), org_row("B9", "党支部", "GW2")]
    errors = errors_of(workbook(rows, []))
    assert places(errors) == {(ORG, 2, "类型")}
    assert tree.committee.code in errors[0].message
    assert Organisation.objects.filter(kind=OrgKind.COMMITTEE).count() == 1


def test_two_work_committees_in_one_file_are_refused(db):
    orgs = [*good_orgs(), org_row("GW2", "工委", start=None, end=None)]
    assert places(errors_of(workbook(orgs, good_members()))) == {(ORG, len(orgs) + 1, "类型")}
    assert counts() == (0, 0)


def test_the_committee_may_be_imported_again(db):
    import_roster(good_workbook())
    assert import_roster(good_workbook()).organisations_unchanged == 6


def test_names_lose_invisible_characters_and_line_breaks(db):
    orgs = good_orgs()
    orgs[1] = org_row("JG01", "机关党委", "GW", name="某局\u202e机关\u2066党委\x85\n第二行")
    members = good_members()
    members[0] = member_row("M001", "JG01-01", name="张\u202d三\t")
    import_roster(workbook(orgs, members))
    assert Organisation.objects.get(code="JG01").name == "某局机关党委 第二行"
    assert Member.objects.get(code="M001").name == "张三"


def test_errors_of_one_row_come_in_column_order(db):
    members = good_members()
    members[0] = member_row("M001", "NOPE", phone="abc")
    errors = errors_of(workbook(good_orgs(), members))
    assert [e.column for e in errors] == ["所属支部代码", "手机号"]
