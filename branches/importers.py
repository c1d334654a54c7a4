"""Roster import: an .xlsx of organisations and members → validated rows → one transaction.

The workbook has two sheets, "组织" (organisations) and "党员" (members); the headers
of the first row name the columns (any order, extra columns ignored). Import runs in
three steps:

1. parse: every cell through its column's parse function (COLUMNS below);
2. validate: rows against each other and against the database (codes, parents, the
   kinds allowed under a parent, the branch of each member), collecting every error as
   (sheet, row, column, message);
3. apply: only when there is no error at all, in one transaction, upserting
   organisations by code in tree order (parents first) and members by member number.

Importing the same file twice changes nothing the second time. Members or
organisations missing from the file are left as they are (deactivate them with 在用/在册 = 否).
"""

from __future__ import annotations

import datetime
import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from starrating import audit
from starrating.archives import ArchiveTooLarge, NotAnArchive, check_archive
from starrating.inputs import clean_text

from .models import ALLOWED_PARENT_KINDS, Duty, Member, MemberStatus, Organisation, OrgKind

MAX_BYTES = 5 * 1024 * 1024
ORG_SHEET = "组织"
MEMBER_SHEET = "党员"
HELP_SHEET = "说明"
ROSTER_IMPORTED = "roster.imported"  # the audit action code (starrating.audit)

KIND_LABELS = {
    "工委": OrgKind.COMMITTEE,
    "机关党委": OrgKind.PARTY_COMMITTEE,
    "机关党总支": OrgKind.GENERAL_BRANCH,
    "党支部": OrgKind.BRANCH,
}
DUTY_LABELS = {
    "书记": Duty.SECRETARY,
    "副书记": Duty.DEPUTY,
    "委员": Duty.COMMITTEE_MEMBER,
    "党员": Duty.MEMBER,
}
STATUS_LABELS = {"正式": MemberStatus.FULL, "预备": MemberStatus.PROBATIONARY}
YES = {"是", "y", "yes", "true", "1"}
NO = {"否", "n", "no", "false", "0"}
PHONE_RE = re.compile(r"^[0-9+\-]+$")
#: The template's example rows carry this mark in their names (名称, 姓名): a file that
#: still holds one is the unfilled template, and its examples must not become real.
EXAMPLE_MARK = "（示例）"
EXAMPLE_RE = re.compile(r"[（(]\s*示例\s*[）)]")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d")


# --- errors and report -------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem in the file; `row` is the spreadsheet row number (header = 1)."""

    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self):
        if self.row is None and not self.column:
            where = self.sheet
        elif self.row is None:
            where = _("%(sheet)s, column %(column)s") % {"sheet": self.sheet, "column": self.column}
        else:
            where = _("%(sheet)s, row %(row)s, column %(column)s") % {
                "sheet": self.sheet,
                "row": self.row,
                "column": self.column,
            }
        return f"{where}: {self.message}" if where else self.message


class RosterImportError(Exception):
    """The file was refused; `errors` lists every problem found. Nothing was imported."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


@dataclass
class ImportReport:
    organisations_created: int = 0
    organisations_updated: int = 0
    organisations_unchanged: int = 0
    members_created: int = 0
    members_updated: int = 0
    members_unchanged: int = 0
    dry_run: bool = False

    def __str__(self):
        return _(
            "Organisations: %(oc)s created, %(ou)s updated, %(on)s unchanged. "
            "Members: %(mc)s created, %(mu)s updated, %(mn)s unchanged."
        ) % {
            "oc": self.organisations_created,
            "ou": self.organisations_updated,
            "on": self.organisations_unchanged,
            "mc": self.members_created,
            "mu": self.members_updated,
            "mn": self.members_unchanged,
        }


# --- cell parsers: value → Python value, or CellError ------------------------------------


class CellError(ValueError):
    pass


def _text(value) -> str:
    """A cell as stripped single-line text, without invisible control characters
    (`starrating.inputs.clean_text`); whole numbers typed as numbers lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(str(value), multiline=False).strip()


def text(max_length: int) -> Callable[[Any], str]:
    def parse(value):
        result = _text(value)
        if len(result) > max_length:
            raise CellError(
                _("At most %(limit)s characters (this has %(count)s).")
                % {"limit": max_length, "count": len(result)}
            )
        return result

    return parse


def required_text(max_length: int) -> Callable[[Any], str]:
    parse_text = text(max_length)

    def parse(value):
        result = parse_text(value)
        if not result:
            raise CellError(_("This cell must not be empty."))
        return result

    return parse


def real_name(max_length: int) -> Callable[[Any], str]:
    """A required name that is not one of the template's examples."""
    parse_text = required_text(max_length)

    def parse(value):
        result = parse_text(value)
        if EXAMPLE_RE.search(result):
            raise CellError(
                _(
                    "This is an example row of the template (%(mark)s); replace it with "
                    "your own data or delete the row."
                )
                % {"mark": EXAMPLE_MARK}
            )
        return result

    return parse


def choice(labels: dict[str, str], default: str | None = None) -> Callable[[Any], str]:
    """A Chinese label (e.g. 党支部) or the English code (e.g. branch)."""
    codes = {str(code) for code in labels.values()}

    def parse(value):
        result = _text(value)
        if not result and default is not None:
            return default
        if result in labels:
            return str(labels[result])
        if result.lower() in codes:
            return result.lower()
        raise CellError(
            _("Unknown value “%(value)s”; use one of: %(allowed)s.")
            % {"value": result, "allowed": " / ".join(labels)}
        )

    return parse


def date(value) -> datetime.date | None:
    """An Excel date, or text YYYY-MM-DD / YYYY/MM/DD; empty means none."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        for fmt in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(value.strip(), fmt).date()
            except ValueError:
                continue
    raise CellError(
        _("“%(value)s” is not a date; enter a date or text such as 2025-06-30.")
        % {"value": _text(value)}
    )


def yes_no(default: bool) -> Callable[[Any], bool]:
    def parse(value):
        if isinstance(value, bool):
            return value
        result = _text(value).lower()
        if not result:
            return default
        if result in YES:
            return True
        if result in NO:
            return False
        raise CellError(_("“%(value)s” is not 是 or 否.") % {"value": _text(value)})

    return parse


def phone(value) -> str:
    result = text(20)(value)
    if result and not PHONE_RE.match(result):
        raise CellError(
            _("“%(value)s” is not a phone number (digits, + and - only).") % {"value": result}
        )
    return result


# --- the sheets, declared ----------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    parse: Callable[[Any], Any]
    help: str = ""
    example: tuple = ()
    width: int = 14


ORG_COLUMNS = (
    Column(
        "代码",
        "code",
        required_text(32),
        gettext_lazy("Required. Unique code of the organisation; rows are matched on it."),
        ("GW", "JG01", "JG01-01"),
        12,
    ),
    Column(
        "名称",
        "name",
        real_name(120),
        gettext_lazy("Required. Full name."),
        ("市直机关工委（示例）", "某局机关党委（示例）", "某局第一党支部（示例）"),
        30,
    ),
    Column(
        "类型",
        "kind",
        choice(KIND_LABELS),
        gettext_lazy("Required. 工委, 机关党委, 机关党总支 or 党支部."),
        ("工委", "机关党委", "党支部"),
        12,
    ),
    Column(
        "上级代码",
        "parent_code",
        text(32),
        gettext_lazy(
            "Code of the organisation directly above, in this file or already imported. "
            "Empty for the work committee only."
        ),
        ("", "GW", "JG01"),
        12,
    ),
    Column(
        "任期开始",
        "term_start",
        date,
        gettext_lazy("Date the current term started (a date, or text YYYY-MM-DD)."),
        (None, datetime.date(2023, 3, 1), datetime.date(2024, 1, 15)),
    ),
    Column(
        "任期结束",
        "term_end",
        date,
        gettext_lazy("Date the current term ends; must be after the start."),
        (None, datetime.date(2028, 3, 1), datetime.date(2027, 1, 15)),
    ),
    Column(
        "上次换届日期",
        "last_election",
        date,
        gettext_lazy("Date of the last election, if any."),
        (None, datetime.date(2023, 3, 1), datetime.date(2024, 1, 15)),
    ),
    Column(
        "已批准延期",
        "postponement_approved",
        yes_no(default=False),
        gettext_lazy("是 if postponing the election was approved; empty means 否."),
        ("否", "否", "否"),
        12,
    ),
    Column(
        "在用",
        "active",
        yes_no(default=True),
        gettext_lazy("否 for an organisation that no longer exists; empty means 是."),
        ("是", "是", "是"),
        8,
    ),
)

MEMBER_COLUMNS = (
    Column(
        "党员编号",
        "code",
        required_text(32),
        gettext_lazy("Required. Unique member number; rows are matched on it."),
        ("M0001",),
        12,
    ),
    Column("姓名", "name", real_name(60), gettext_lazy("Required."), ("张三（示例）",), 14),
    Column(
        "所属支部代码",
        "branch_code",
        required_text(32),
        gettext_lazy("Required. Code of the member's branch (类型 党支部)."),
        ("JG01-01",),
        14,
    ),
    Column(
        "党内职务",
        "duty",
        choice(DUTY_LABELS, default=Duty.MEMBER),
        gettext_lazy("书记, 副书记, 委员 or 党员; empty means 党员."),
        ("书记",),
        10,
    ),
    Column(
        "类别",
        "status",
        choice(STATUS_LABELS, default=MemberStatus.FULL),
        gettext_lazy("正式 or 预备; empty means 正式."),
        ("正式",),
        8,
    ),
    Column(
        "入党日期",
        "joined",
        date,
        gettext_lazy("Date of joining the Party (a date, or text YYYY-MM-DD)."),
        (datetime.date(2010, 7, 1),),
    ),
    Column(
        "手机号",
        "phone",
        phone,
        gettext_lazy("Digits, + and - only."),
        ("13800000000",),
        16,
    ),
    Column(
        "在册",
        "active",
        yes_no(default=True),
        gettext_lazy("否 for a member who left the branch; empty means 是."),
        ("是",),
        8,
    ),
)

SHEETS = ((ORG_SHEET, ORG_COLUMNS), (MEMBER_SHEET, MEMBER_COLUMNS))
ORG_FIELDS = [c.field for c in ORG_COLUMNS if c.field not in ("code", "parent_code")]
MEMBER_FIELDS = [c.field for c in MEMBER_COLUMNS if c.field not in ("code", "branch_code")]


@dataclass
class Row:
    number: int
    values: dict[str, Any] = field(default_factory=dict)


# --- step 1: read and parse --------------------------------------------------------------


def _open(source) -> tuple[io.BytesIO | None, list[RowError]]:
    """Bytes of the upload (path, bytes or binary file), refusing big files."""
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    elif isinstance(source, bytes | bytearray):
        data = bytes(source)
    else:
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        message = _("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)}
        return None, [RowError("", None, "", message)]
    return io.BytesIO(data), []


def _read_sheet(workbook, sheet: str, columns) -> tuple[list[Row], list[RowError]]:
    if sheet not in workbook.sheetnames:
        return [], [
            RowError(sheet, None, "", _("The sheet “%(sheet)s” is missing.") % {"sheet": sheet})
        ]
    rows = workbook[sheet].iter_rows(values_only=True)
    header = [_text(cell) for cell in next(rows, ())]
    missing = [c.header for c in columns if c.header not in header]
    if missing:
        return [], [RowError(sheet, 1, name, _("This column is missing.")) for name in missing]
    positions = {c.field: header.index(c.header) for c in columns}
    parsed, errors = [], []
    for number, cells in enumerate(rows, start=2):
        if all(_text(cell) == "" for cell in cells):
            continue
        row = Row(number)
        for column in columns:
            position = positions[column.field]
            value = cells[position] if position < len(cells) else None
            try:
                row.values[column.field] = column.parse(value)
            except CellError as error:
                errors.append(RowError(sheet, number, column.header, str(error)))
                row.values[column.field] = None
        parsed.append(row)
    return parsed, errors


def read_workbook(source) -> tuple[list[Row], list[Row], list[RowError]]:
    """Organisation rows, member rows and every parse error."""
    data, errors = _open(source)
    if errors:
        return [], [], errors
    not_xlsx = [RowError("", None, "", _("This is not an Excel .xlsx file."))]
    try:
        # A small upload that inflates to gigabytes (a "zip bomb") is refused unread.
        check_archive(data)
    except NotAnArchive:
        return [], [], not_xlsx
    except ArchiveTooLarge as error:
        return [], [], [RowError("", None, "", str(error.message))]
    try:
        workbook = load_workbook(data, read_only=True, data_only=True)
        try:
            org_rows, org_errors = _read_sheet(workbook, ORG_SHEET, ORG_COLUMNS)
            member_rows, member_errors = _read_sheet(workbook, MEMBER_SHEET, MEMBER_COLUMNS)
        finally:
            workbook.close()
    except Exception:
        # Rows are parsed lazily: a damaged part of the archive may fail with any
        # parser error while reading. Whatever it is, the upload is not a workbook.
        return [], [], not_xlsx
    return org_rows, member_rows, org_errors + member_errors


# --- step 2: validate across rows and against the database --------------------------------


def _header(columns, field_name):
    return next(c.header for c in columns if c.field == field_name)


def _duplicates(rows, sheet, columns, errors) -> dict[str, Row]:
    """Rows by code; a repeated code is an error on every later row."""
    by_code: dict[str, Row] = {}
    for row in rows:
        code = row.values.get("code")
        if not code:
            continue
        if code in by_code:
            errors.append(
                RowError(
                    sheet,
                    row.number,
                    _header(columns, "code"),
                    _("The code %(code)s already appears in row %(row)s.")
                    % {"code": code, "row": by_code[code].number},
                )
            )
        else:
            by_code[code] = row
    return by_code


def _parent_problem(code, kind, parent_code, kind_of, parent_of) -> str | None:
    """Why `parent_code` cannot stand above this organisation, or None.

    `kind_of` and `parent_of` describe the tree after the import (file over database).
    """
    if kind == OrgKind.COMMITTEE:
        return _("The work committee has no parent; leave this empty.") if parent_code else None
    if not parent_code:
        return _("Enter the code of the organisation above.")
    if parent_code not in kind_of:
        return _("No organisation has the code %(code)s, in this file or already imported.") % {
            "code": parent_code
        }
    if _in_cycle(code, parent_of):
        return _("The parents of this organisation form a loop.")
    parent_kind = kind_of[parent_code]
    if parent_kind and parent_kind not in ALLOWED_PARENT_KINDS[kind]:
        return _("A %(kind)s cannot sit under a %(parent)s.") % {
            "kind": OrgKind(kind).label,
            "parent": OrgKind(parent_kind).label,
        }
    return None


def _in_cycle(code: str, parent_of: dict[str, str | None]) -> bool:
    seen = {code}
    current = parent_of.get(code)
    while current:
        if current in seen:
            return True
        seen.add(current)
        current = parent_of.get(current)
    return False


def _validate_organisations(rows: list[Row], existing: dict[str, dict]) -> list[RowError]:
    errors: list[RowError] = []
    in_file = _duplicates(rows, ORG_SHEET, ORG_COLUMNS, errors)
    kind_of = {code: org["kind"] for code, org in existing.items()}
    parent_of = {code: org["parent_code"] for code, org in existing.items()}
    for code, row in in_file.items():
        kind_of[code] = row.values["kind"]
        parent_of[code] = row.values["parent_code"]

    def error(row, field_name, message):
        errors.append(RowError(ORG_SHEET, row.number, _header(ORG_COLUMNS, field_name), message))

    for row in rows:
        values = row.values
        start, end = values["term_start"], values["term_end"]
        if start and end and end <= start:
            error(row, "term_end", _("The term must end after it starts."))
        if values["kind"] is None or in_file.get(values["code"]) is not row:
            continue  # the kind or the code is wrong already, and reported
        problem = _parent_problem(
            values["code"], values["kind"], values["parent_code"], kind_of, parent_of
        )
        if problem:
            error(row, "parent_code", problem)

    # One work committee: the one already imported, else the file's first.
    committees = [code for code, kind in kind_of.items() if kind == OrgKind.COMMITTEE]
    if len(committees) > 1:
        kept = next(
            (
                code
                for code in committees
                if existing.get(code, {}).get("kind") == OrgKind.COMMITTEE
            ),
            committees[0],
        )
        for row in rows:
            code = row.values["code"]
            if (
                row.values["kind"] == OrgKind.COMMITTEE
                and in_file.get(code) is row
                and code != kept
            ):
                error(
                    row,
                    "kind",
                    _("There is one work committee only, and %(code)s is already it.")
                    % {"code": kept},
                )

    # Organisations already imported but not in the file must still fit under a changed kind.
    for child_code, child in existing.items():
        row = in_file.get(child["parent_code"])
        if child_code in in_file or row is None or row.values["kind"] is None:
            continue
        new_kind = row.values["kind"]
        if new_kind not in ALLOWED_PARENT_KINDS[child["kind"]]:
            message = _(
                "%(child)s (%(code)s) sits under this organisation and cannot sit under a %(kind)s."
            ) % {"child": child["name"], "code": child_code, "kind": OrgKind(new_kind).label}
            error(row, "kind", message)
    return errors


def _validate_branches_keep_members(
    org_rows: list[Row], member_rows: list[Row], existing: dict[str, dict]
) -> list[RowError]:
    """A branch that becomes another kind must lose its members in the same file."""
    errors = []
    moved = {row.values["code"] for row in member_rows if row.values["code"]}
    for row in org_rows:
        code, kind = row.values["code"], row.values["kind"]
        if (
            code not in existing
            or existing[code]["kind"] != OrgKind.BRANCH
            or kind in (None, OrgKind.BRANCH)
        ):
            continue
        if Member.objects.filter(branch__code=code).exclude(code__in=moved).exists():
            errors.append(
                RowError(
                    ORG_SHEET,
                    row.number,
                    _header(ORG_COLUMNS, "kind"),
                    _("This branch has members, so it must stay a party branch (党支部)."),
                )
            )
    return errors


def _branch_kinds(org_rows: list[Row], existing: dict[str, dict]) -> dict[str, str]:
    kinds = {code: org["kind"] for code, org in existing.items()}
    kinds.update({row.values["code"]: row.values["kind"] for row in org_rows if row.values["code"]})
    return kinds


def _validate_members(rows: list[Row], kinds: dict[str, str]) -> list[RowError]:
    errors: list[RowError] = []
    _duplicates(rows, MEMBER_SHEET, MEMBER_COLUMNS, errors)
    column = _header(MEMBER_COLUMNS, "branch_code")
    for row in rows:
        branch_code = row.values["branch_code"]
        if not branch_code:
            continue
        if branch_code not in kinds:
            message = _("No organisation has the code %(code)s, in this file or already imported.")
        elif kinds[branch_code] != OrgKind.BRANCH:
            message = _("%(code)s is not a party branch (党支部).")
        else:
            continue
        errors.append(RowError(MEMBER_SHEET, row.number, column, message % {"code": branch_code}))
    return errors


def _existing_organisations() -> dict[str, dict]:
    return {
        row["code"]: row
        for row in Organisation.objects.values(
            "code", "name", "kind", parent_code=F("parent__code")
        )
    }


# --- step 3: apply -----------------------------------------------------------------------


def _tree_order(rows: list[Row]) -> list[Row]:
    """Parents before children among the file's rows (validated: no cycles)."""
    by_code = {row.values["code"]: row for row in rows}

    def depth(row):
        level, parent = 0, row.values["parent_code"]
        while parent in by_code:
            level, parent = level + 1, by_code[parent].values["parent_code"]
        return level

    return sorted(rows, key=depth)


def _apply_organisations(rows: list[Row], report: ImportReport, actor) -> None:
    current = {org.code: org for org in Organisation.objects.select_for_update()}
    for row in _tree_order(rows):
        values = row.values
        parent = current.get(values["parent_code"]) if values["parent_code"] else None
        org = current.get(values["code"])
        if org is None:
            org = Organisation(code=values["code"])
            report.organisations_created += 1
        elif org.parent_id == (parent.pk if parent else None) and all(
            getattr(org, name) == values[name] for name in ORG_FIELDS
        ):
            report.organisations_unchanged += 1
            continue
        else:
            report.organisations_updated += 1
        for name in ORG_FIELDS:
            setattr(org, name, values[name])
        org.parent = parent
        audit.save(org, actor=actor, action=ROSTER_IMPORTED)
        current[org.code] = org


def _apply_members(rows: list[Row], report: ImportReport, actor) -> None:
    branches = dict(Organisation.objects.branches().values_list("code", "id"))
    current = {m.code: m for m in Member.objects.select_for_update()}
    new, changed = [], []
    for row in rows:
        values = row.values
        branch_id = branches[values["branch_code"]]
        member = current.get(values["code"])
        if member is None:
            member = Member(code=values["code"], branch_id=branch_id)
            new.append(member)
        elif member.branch_id == branch_id and all(
            getattr(member, name) == values[name] for name in MEMBER_FIELDS
        ):
            report.members_unchanged += 1
            continue
        else:
            member.branch_id = branch_id
            changed.append(member)
        for name in MEMBER_FIELDS:
            setattr(member, name, values[name])
    history = {**audit.bulk_options(actor=actor, action=ROSTER_IMPORTED), "batch_size": 500}
    if new:
        bulk_create_with_history(new, Member, **history)
    if changed:
        bulk_update_with_history(changed, Member, ["branch", *MEMBER_FIELDS], **history)
    report.members_created += len(new)
    report.members_updated += len(changed)


def _position(error: RowError):
    """Sort key: sheet, row, then column as declared."""
    for sheet_index, (sheet, columns) in enumerate(SHEETS):
        if error.sheet == sheet:
            headers = [c.header for c in columns]
            column = headers.index(error.column) if error.column in headers else -1
            return sheet_index, error.row or 0, column
    return -1, 0, 0


class _DryRun(Exception):
    pass


def import_roster(source, *, actor=None, dry_run: bool = False) -> ImportReport:
    """Import the roster workbook `source` (a path, bytes or binary file).

    Raises RosterImportError with every problem found, importing nothing; otherwise
    applies all rows in one transaction and returns the counts. With `dry_run` the
    changes are made and rolled back, so the counts are exact.
    """
    org_rows, member_rows, errors = read_workbook(source)
    if errors and not (org_rows or member_rows):
        raise RosterImportError(errors)
    existing = _existing_organisations()
    errors += _validate_organisations(org_rows, existing)
    errors += _validate_branches_keep_members(org_rows, member_rows, existing)
    errors += _validate_members(member_rows, _branch_kinds(org_rows, existing))
    if errors:
        raise RosterImportError(sorted(errors, key=_position))

    report = ImportReport(dry_run=dry_run)
    try:
        with transaction.atomic():
            _apply_organisations(org_rows, report, actor)
            _apply_members(member_rows, report, actor)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except IntegrityError as error:
        # Only a concurrent change between validation and writing gets here.
        message = _("The roster changed while importing; nothing was imported. Try again.")
        raise RosterImportError([RowError("", None, "", message)]) from error
    return report


# --- the template ------------------------------------------------------------------------


def roster_template() -> bytes:
    """An empty roster workbook: both sheets with example rows, and a sheet of notes."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    choices = {
        "kind": ",".join(KIND_LABELS),
        "duty": ",".join(DUTY_LABELS),
        "status": ",".join(STATUS_LABELS),
        "postponement_approved": "是,否",
        "active": "是,否",
    }
    for sheet, columns in SHEETS:
        ws = workbook.create_sheet(sheet)
        ws.append([c.header for c in columns])
        for cell in ws[1]:
            cell.font, cell.fill = bold, fill
        for index in range(len(columns[0].example)):
            ws.append([c.example[index] for c in columns])
        for position, column in enumerate(columns, start=1):
            letter = get_column_letter(position)
            ws.column_dimensions[letter].width = column.width
            if column.parse is date:
                for (cell,) in ws.iter_rows(min_row=2, min_col=position, max_col=position):
                    cell.number_format = "yyyy-mm-dd"
            if column.field in choices:
                validation = DataValidation(type="list", formula1=f'"{choices[column.field]}"')
                validation.add(f"{letter}2:{letter}5000")
                ws.add_data_validation(validation)
        ws.freeze_panes = "A2"

    notes = workbook.create_sheet(HELP_SHEET)
    notes.append([_("Sheet"), _("Column"), _("How to fill it in")])
    for cell in notes[1]:
        cell.font, cell.fill = bold, fill
    for sheet, columns in SHEETS:
        for column in columns:
            notes.append([sheet, column.header, str(column.help)])
    notes.append(
        [
            "",
            "",
            _(
                "Replace the example rows with your own (a row whose name still says "
                "（示例） is refused). Rows are matched on their code: importing a file again "
                "updates what changed and creates nothing twice. A file with any error "
                "imports nothing."
            ),
        ]
    )
    notes.column_dimensions["A"].width = 8
    notes.column_dimensions["B"].width = 14
    notes.column_dimensions["C"].width = 80
    for (cell,) in notes.iter_rows(min_col=3, max_col=3):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    notes.freeze_panes = "A2"

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
