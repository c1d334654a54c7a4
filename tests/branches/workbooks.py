"""Roster workbooks built in code for the importer tests."""

import datetime
import io

from openpyxl import Workbook

ORG_HEADER = [
    "代码",
    "名称",
    "类型",
    "上级代码",
    "任期开始",
    "任期结束",
    "上次换届日期",
    "已批准延期",
    "在用",
]
MEMBER_HEADER = [
    "党员编号",
    "姓名",
    "所属支部代码",
    "党内职务",
    "类别",
    "入党日期",
    "手机号",
    "在册",
]


def org_row(
    code,
    kind="党支部",
    parent="",
    *,
    name=None,
    start=datetime.date(2024, 1, 1),
    end=datetime.date(2027, 1, 1),
    last=None,
    postponed="否",
    active="是",
):
    return [
        code,
        f"组织{code}" if name is None else name,
        kind,
        parent,
        start,
        end,
        last,
        postponed,
        active,
    ]


def member_row(
    code,
    branch,
    *,
    name=None,
    duty="党员",
    status="正式",
    joined=datetime.date(2015, 7, 1),
    phone="13800000000",
    active="是",
):
    return [
        code,
        f"党员{code}" if name is None else name,
        branch,
        duty,
        status,
        joined,
        phone,
        active,
    ]


def good_orgs():
    """A committee, a party committee, a general branch and three branches."""
    return [
        org_row("GW", "工委", start=None, end=None),
        org_row("JG01", "机关党委", "GW"),
        org_row("ZB01", "机关党总支", "GW"),
        org_row("JG01-01", "党支部", "JG01"),
        org_row("ZB01-01", "党支部", "ZB01"),
        org_row("ZS-01", "党支部", "GW"),
    ]


def good_members():
    return [
        member_row("M001", "JG01-01", duty="书记"),
        member_row("M002", "JG01-01", status="预备"),
        member_row("M003", "ZB01-01", duty="委员"),
        member_row("M004", "ZS-01", duty="副书记"),
    ]


def workbook(
    orgs=None,
    members=None,
    *,
    org_header=ORG_HEADER,
    member_header=MEMBER_HEADER,
    sheets=("组织", "党员"),
) -> bytes:
    """An .xlsx as bytes; `sheets` chooses which of the two sheets exist."""
    book = Workbook()
    book.remove(book.active)
    content = {"组织": (org_header, orgs or []), "党员": (member_header, members or [])}
    for title in sheets:
        sheet = book.create_sheet(title)
        header, rows = content[title]
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def good_workbook() -> bytes:
    return workbook(good_orgs(), good_members())
