"""Evidence files: type by content, matching extension, size limit, permission-checked download."""

import functools

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from scoring.models import Evidence, ScoreEvent
from scoring.services import events as event_service
from scoring.services import self_evaluation as service
from scoring.services.errors import InvalidUpload, WrongState
from starrating.archives import MAX_MEMBERS
from starrating.uploads import check_upload
from tests.archives import MiB, rebuild_with_bomb, rebuild_with_parts
from tests.factories import (
    JPG,
    PDF,
    PNG,
    docx_bytes,
    image_bytes,
    post_data,
    upload,
    xlsx_bytes,
    zip_with,
)
from tests.factories import THIS_YEAR as YEAR


@pytest.mark.parametrize(
    "name, content",
    [
        ("a.pdf", PDF),
        ("a.png", PNG),
        ("a.jpg", JPG),
        ("a.JPEG", JPG),
        ("a.docx", docx_bytes()),
        ("a.xlsx", xlsx_bytes()),
    ],
)
def test_accepted_types(name, content):
    check_upload(upload(name, content))


@pytest.mark.parametrize(
    "name, content",
    [
        ("fake.pdf", PNG),  # a PNG named .pdf
        ("a.png", PDF),
        ("a.exe", b"MZ\x90\x00" + b"\x00" * 60),
        ("a.pdf.exe", PDF),
        ("a.docx", zip_with("xl/workbook.xml")),
        ("a.xlsx", docx_bytes()),
        ("a.docx", zip_with("other.xml")),
        ("a.docx", b"PK\x03\x04 not really a zip"),
        ("a.txt", b"hello"),
        ("a.pdf", b""),
    ],
)
def test_refused_types(name, content):
    with pytest.raises(ValidationError):
        check_upload(upload(name, content))


def test_file_of_exactly_the_limit_is_accepted(settings):
    settings.UPLOAD_MAX_BYTES = {**settings.UPLOAD_MAX_BYTES, "evidence": 1000}
    check_upload(upload("a.pdf", PDF + b"\x00" * (1000 - len(PDF))))


def test_file_over_the_limit_is_refused(settings):
    settings.UPLOAD_MAX_BYTES = {**settings.UPLOAD_MAX_BYTES, "evidence": 1000}
    with pytest.raises(ValidationError):
        check_upload(upload("a.pdf", PDF + b"\x00" * (1001 - len(PDF))))


def test_ten_megabytes_plus_one_is_refused():
    big = PDF + b"\x00" * (10 * 1024 * 1024 + 1 - len(PDF))
    with pytest.raises(ValidationError):
        check_upload(upload("big.pdf", big))


def test_service_stores_evidence_under_a_random_name(tree, sheet):
    evidence = service.add_evidence(
        sheet=sheet, actor=tree.secretary, uploaded_file=upload("党员大会记录.pdf", PDF)
    )
    assert evidence.original_name == "党员大会记录.pdf"
    assert evidence.content_type == "application/pdf"
    assert "党员" not in evidence.file.name
    assert evidence.file.name.startswith("evidence/")


def test_service_refuses_a_disguised_file(tree, sheet):
    with pytest.raises(InvalidUpload):
        service.add_evidence(sheet=sheet, actor=tree.secretary, uploaded_file=upload("x.pdf", PNG))
    assert not Evidence.objects.exists()


def test_no_evidence_after_submission(tree, sheet, client):
    client.force_login(tree.secretary)
    client.post(
        reverse("scoring:self_evaluation", args=[sheet.assessment_id]),
        post_data(sheet.assessment.campaign, action="submit"),
    )
    with pytest.raises(WrongState):
        service.add_evidence(sheet=sheet, actor=tree.secretary, uploaded_file=upload("a.pdf", PDF))


def test_upload_view_refuses_wrong_type_and_saves_nothing(client, tree, sheet):
    client.force_login(tree.secretary)
    url = reverse("scoring:evidence_upload", args=[sheet.assessment_id])
    response = client.post(url, {"file": upload("x.pdf", PNG)})
    assert response.status_code == 302
    assert not Evidence.objects.exists()


def test_upload_view_accepts_docx(client, tree, sheet):
    client.force_login(tree.secretary)
    url = reverse("scoring:evidence_upload", args=[sheet.assessment_id])
    client.post(url, {"file": upload("记录.docx", docx_bytes())})
    assert Evidence.objects.get().original_name == "记录.docx"


def test_download_serves_the_file_as_attachment(client, tree, sheet):
    evidence = service.add_evidence(
        sheet=sheet, actor=tree.secretary, uploaded_file=upload("a.pdf", PDF)
    )
    client.force_login(tree.reviewer)
    response = client.get(reverse("scoring:evidence_download", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF


def test_remove_evidence(client, tree, sheet):
    evidence = service.add_evidence(
        sheet=sheet, actor=tree.secretary, uploaded_file=upload("a.pdf", PDF)
    )
    client.force_login(tree.secretary)
    client.post(reverse("scoring:evidence_delete", args=[evidence.pk]))
    assert not Evidence.objects.exists()
    assert Evidence.history.filter(history_type="-").get().history_user == tree.secretary


# --- more than the first bytes (zip bombs, disguised files) --------------------------------


@functools.cache
def docx_bomb():
    """A 1 MB .docx whose image unpacks to 1 GiB of zeros (a real, readable archive)."""
    return rebuild_with_bomb(docx_bytes(), "word/media/image1.png", 1024 * MiB)


def _refusal(name, content):
    with pytest.raises(ValidationError) as caught:
        check_upload(upload(name, content))
    return caught.value.messages


def test_a_docx_that_unpacks_to_a_gibibyte_is_refused():
    assert len(docx_bomb()) < 2 * MiB
    assert _refusal("报告.docx", docx_bomb()) == ["文件解压后过大。"]


def test_the_upload_view_stores_no_zip_bomb(client, tree, sheet):
    client.force_login(tree.secretary)
    url = reverse("scoring:evidence_upload", args=[sheet.assessment_id])
    response = client.post(url, {"file": upload("报告.docx", docx_bomb())}, follow=True)
    assert "文件解压后过大。" in response.content.decode()
    assert not Evidence.objects.exists()


def test_an_event_file_that_unpacks_too_large_is_refused(tree):
    bomb = rebuild_with_bomb(xlsx_bytes(), "xl/media/image1.png", 101 * MiB)
    with pytest.raises(InvalidUpload):
        event_service.record_event(
            actor=tree.staff,
            branch=tree.branch_a,
            date=f"{YEAR}-03-01",
            type="absence",
            uploaded_file=upload("表.xlsx", bomb),
        )
    assert not ScoreEvent.objects.exists()


def test_a_docx_of_too_many_parts_is_refused():
    messages = _refusal("a.docx", rebuild_with_parts(docx_bytes(), MAX_MEMBERS))
    assert "部分过多" in messages[0]


HTML_PAGE = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 100
PE = b"MZ\x90\x00" + b"\x00" * 56 + b"\x80\x00\x00\x00" + b"This program cannot be run in DOS mode"


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n" + HTML_PAGE,  # a web page behind a PDF header
        b"%PDF-1.7\n" + ELF,  # a program behind a PDF header
        b"%PDF-1.7\n" + PE,
        b"%PDF-1.4\n" + HTML_PAGE + b"\nstartxref\n9\n%%EOF\n",  # with a faked trailer
        PDF + ELF,  # a real PDF, a program appended
        PDF[:-60],  # cut short: no trailer
        PDF.replace(b"startxref\n", b"startxref\n99999"),  # its offset beyond the file
    ],
    ids=["html", "elf", "pe", "html-with-trailer", "pdf+elf", "truncated", "bad-offset"],
)
def test_a_file_starting_with_pdf_that_is_not_a_pdf_is_refused(content):
    _refusal("证明.pdf", content)


@pytest.mark.parametrize(
    "name, content",
    [
        ("a.png", PNG[:40]),  # a truncated image
        ("a.png", b"\x89PNG\r\n\x1a\n" + HTML_PAGE),
        ("a.jpg", b"\xff\xd8\xff\xe0" + HTML_PAGE),
        ("a.jpg", JPG[: len(JPG) // 2]),
        ("a.jpg", JPG + HTML_PAGE),  # a real image, a web page appended
        ("a.png", PNG + ELF),
    ],
    ids=["png-cut", "png-html", "jpg-html", "jpg-cut", "jpg+html", "png+elf"],
)
def test_an_image_pillow_cannot_read_or_with_a_page_inside_is_refused(name, content):
    _refusal(name, content)


def test_a_real_weasyprint_pdf_and_real_images_are_accepted():
    from weasyprint import HTML

    pdf = HTML(string="<p>党员大会记录</p>").write_pdf()
    assert check_upload(upload("记录.pdf", pdf)) == "application/pdf"
    assert check_upload(upload("照片.jpg", image_bytes("JPEG"))) == "image/jpeg"
    assert check_upload(upload("照片.png", image_bytes("PNG"))) == "image/png"


def test_a_pdf_with_bytes_after_its_end_marker_is_accepted():
    check_upload(upload("a.pdf", PDF + b"\x00" * 500))


@pytest.mark.parametrize("view", ["evidence_download", "event_evidence"])
def test_evidence_is_only_served_as_an_attachment_that_browsers_do_not_sniff(
    client, tree, sheet, view
):
    if view == "evidence_download":
        pk = service.add_evidence(
            sheet=sheet, actor=tree.secretary, uploaded_file=upload("a.pdf", PDF)
        ).pk
    else:
        pk = event_service.record_event(
            actor=tree.staff,
            branch=tree.branch_a,
            date=f"{YEAR}-03-01",
            type="absence",
            uploaded_file=upload("a.pdf", PDF),
        ).pk
    client.force_login(tree.staff)
    response = client.get(reverse(f"scoring:{view}", args=[pk]))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
