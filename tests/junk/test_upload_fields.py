"""Every stored upload follows the rules of `starrating.uploads` (docs/nonfunctional.md
§7, *Uploads*): stored under a random name, the user's name kept only for display and
cleaned; a bad file (content and extension apart, too large, a zip bomb, a page or a
program inside) refused in Chinese with no row and no file left; a full disk (a write
that fails with ENOSPC part-way) refused in Chinese with no row and no partial file."""

import datetime
import errno
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils import translation

from improvement import services as improvement_service
from improvement.models import ItemStatus, LedgerItem, PlanStatus
from scoring.models import Approval, Evidence, Objection, ScoreEvent
from scoring.services import events as event_service
from scoring.services import publicity
from scoring.services import self_evaluation as sheet_service
from starrating import clock, uploads
from starrating.errors import WorkflowError
from tests import factories

from .harness import CJK, INVISIBLE, RANDOM_NAME, error_texts, media_files
from .strategies import FILES

TODAY = clock.today()
PDF = factories.PDF


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """A MEDIA_ROOT of the test's own, so that "no file left" means no file at all."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _stored_rows(kind):
    """The rows of `kind` that point at a stored file."""
    model, field = {
        "evidence": (Evidence, "file"),
        "events": (ScoreEvent, "evidence"),
        "ledger": (LedgerItem, "evidence"),
        "objections": (Objection, "attachment"),
        "minutes": (Approval, "minutes"),
    }[kind]
    return list(model.objects.exclude(**{field: ""}).values_list(field, flat=True))


@pytest.fixture(params=["evidence", "events", "ledger", "objections", "minutes"])
def store(request, tree):
    """(kind, a function that uploads a file through the kind's service and returns
    (stored path, display name))."""
    kind = request.param
    if kind == "evidence":
        sheet = request.getfixturevalue("sheet")

        def upload(uploaded):
            evidence = sheet_service.add_evidence(
                sheet=sheet, actor=tree.secretary, uploaded_file=uploaded
            )
            return evidence.file.name, evidence.original_name

    elif kind == "events":

        def upload(uploaded):
            event = event_service.record_event(
                actor=tree.staff, branch=tree.branch_a, type="absence", count=1,
                date=TODAY - datetime.timedelta(days=3), uploaded_file=uploaded,
            )  # fmt: skip
            return event.evidence.name, event.evidence_name

    elif kind == "ledger":
        campaign = request.getfixturevalue("campaign")
        plan = factories.plan(campaign, tree.branch_a, status=PlanStatus.FILED)
        item = factories.ledger_item(plan)

        def upload(uploaded):
            closed = improvement_service.close_item(
                actor=tree.secretary, item=item, closed_on=TODAY, note="完成",
                uploaded_file=uploaded,
            )  # fmt: skip
            return closed.evidence.name, closed.evidence_name

    elif kind == "objections":
        published = request.getfixturevalue("published")

        def upload(uploaded):
            with clock.frozen(factories.DURING):
                objection = publicity.file_objection(
                    assessment=factories.assessment_of(published, tree.branch_a),
                    text="不属实", attachment=uploaded,
                )  # fmt: skip
            return objection.attachment.name, uploaded.name

    else:
        published = request.getfixturevalue("published")

        def upload(uploaded):
            approval = factories.approve_in_window(published, tree.approver, minutes=uploaded)
            return approval.minutes.name, uploaded.name

    return kind, upload


def _refused(kind, upload, uploaded):
    before_rows, before_files = _stored_rows(kind), media_files()
    with translation.override("zh-hans"), pytest.raises(WorkflowError) as refusal:
        upload(uploaded)
    assert CJK.search(str(refusal.value)), str(refusal.value)
    assert _stored_rows(kind) == before_rows
    assert media_files() == before_files
    return str(refusal.value)


@pytest.mark.parametrize(
    "name", ["../../x.pdf", "..\\..\\x.pdf", "a\x00b.pdf", "\u202efdp.exe.pdf", "中" * 300 + ".pdf"]
)
def test_a_good_file_is_stored_under_a_random_name_whatever_its_name(store, name):
    kind, upload = store
    path, shown = upload(factories.upload(name, PDF))
    assert RANDOM_NAME.fullmatch(path) and path.startswith(f"{kind}/") and path.endswith(".pdf")
    assert (Path(settings.MEDIA_ROOT) / path).read_bytes() == PDF
    assert (
        Path(settings.MEDIA_ROOT).resolve() in (Path(settings.MEDIA_ROOT) / path).resolve().parents
    )
    if kind not in ("objections", "minutes"):  # they keep no name: the page names the file
        assert not INVISIBLE.search(shown) and "/" not in shown and "\\" not in shown
        assert len(shown) <= 200 and shown.endswith(".pdf")


BAD = {
    "content and extension apart": ("picture.pdf", factories.PNG),
    "truncated PDF": ("truncated.pdf", PDF[: len(PDF) // 2]),
    "polyglot": ("polyglot.pdf", dict(FILES)["polyglot.pdf"]),
    "a web page": ("page.pdf", dict(FILES)["page.pdf"]),
    "a program": ("program.exe", dict(FILES)["program.exe"]),
    "zip bomb (Word)": ("bomb.docx", dict(FILES)["bomb.docx"]),
    "zip bomb (Excel)": ("bomb.xlsx", dict(FILES)["bomb.xlsx"]),
    "too many parts": ("parts.docx", dict(FILES)["parts.docx"]),
    "empty": ("empty.pdf", b""),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_file_is_refused_in_chinese_and_nothing_is_stored(store, case):
    kind, upload = store
    _refused(kind, upload, factories.upload(*BAD[case]))


def test_a_file_past_the_limit_of_its_use_is_refused(store, settings):
    kind, upload = store
    settings.UPLOAD_MAX_BYTES = {**settings.UPLOAD_MAX_BYTES, kind: len(PDF) - 1}
    assert "文件过大" in _refused(kind, upload, factories.upload("a.pdf", PDF))


def test_each_use_has_its_limit_from_the_settings():
    assert set(uploads.USES) == set(settings.UPLOAD_MAX_BYTES)
    assert all(use.max_bytes == settings.UPLOAD_MAX_BYTES[f] for f, use in uploads.USES.items())


def _disk_full(monkeypatch):
    """A storage whose write fails with ENOSPC after writing part of the file."""

    def save(self, name, content):
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF-1.4 partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", save)


DISK_FULL = "服务器磁盘已满"


def test_a_full_disk_is_said_in_chinese_and_leaves_no_row_and_no_file(store, monkeypatch):
    kind, upload = store
    _disk_full(monkeypatch)
    assert DISK_FULL in _refused(kind, upload, factories.upload("证明.pdf", PDF))


def test_a_failure_after_the_file_was_written_removes_the_file(tree, sheet, monkeypatch):
    from starrating import audit

    def broken(*args, **kwargs):
        raise RuntimeError("the audit record could not be written")

    monkeypatch.setattr(audit, "save", broken)
    with pytest.raises(RuntimeError):
        sheet_service.add_evidence(
            sheet=sheet, actor=tree.secretary, uploaded_file=factories.upload("a.pdf", PDF)
        )
    assert not Evidence.objects.exists()
    assert not [name for name in media_files() if name.startswith("evidence/")]


# --- What the user sees on a full disk, page by page ---------------------------------------


def _page_after(client, response):
    """The errors the user reads on the page (after the redirect, if any), one text each."""
    if response.status_code == 302:
        response = client.get(response["Location"])
    assert response.status_code == 200
    return " | ".join(error_texts(response.content.decode()))


def test_a_full_disk_on_the_evidence_page(client, tree, sheet, monkeypatch):
    _disk_full(monkeypatch)
    client.force_login(tree.secretary)
    response = client.post(
        reverse("scoring:evidence_upload", args=[sheet.assessment.pk]),
        {"file": factories.upload("证明.pdf", PDF)},
    )
    assert DISK_FULL in _page_after(client, response)
    assert not Evidence.objects.exists() and not media_files()


def test_a_full_disk_on_the_objection_form(client, tree, published, monkeypatch):
    _disk_full(monkeypatch)
    with clock.frozen(factories.DURING):
        response = client.post(
            reverse("scoring:notice_objection", args=[published.pk]),
            {
                "branch": tree.branch_a.name,
                "text": "会议记录不全。",
                "attachment": factories.upload("证明.pdf", PDF),
            },
        )
        assert DISK_FULL in _page_after(client, response)
    assert not Objection.objects.exists() and not media_files()


def test_a_full_disk_on_the_approval_page(client, tree, published, monkeypatch):
    _disk_full(monkeypatch)
    client.force_login(tree.approver)
    with clock.frozen(factories.MEETING):
        response = client.post(
            reverse("scoring:campaign_approve", args=[published.pk]),
            {
                "meeting_date": factories.MEETING.isoformat(),
                "reference": "工委〔2026〕7号",
                "minutes": factories.upload("纪要.pdf", PDF),
                "confirm": "on",
            },
        )
        assert DISK_FULL in _page_after(client, response)
    assert not Approval.objects.exists() and not media_files()


def test_a_full_disk_on_the_ledger_closing_page(client, tree, campaign, monkeypatch):
    plan = factories.plan(campaign, tree.branch_a, status=PlanStatus.FILED)
    item = factories.ledger_item(plan)
    _disk_full(monkeypatch)
    client.force_login(tree.secretary)
    response = client.post(
        reverse("improvement:item_close", args=[item.pk]),
        {
            "closed_on": TODAY.isoformat(),
            "note": "已完成整改",
            "evidence": factories.upload("a.pdf", PDF),
        },
    )
    assert DISK_FULL in _page_after(client, response)
    item.refresh_from_db()
    assert (item.status, item.evidence.name) == (ItemStatus.OPEN, "") and not media_files()
