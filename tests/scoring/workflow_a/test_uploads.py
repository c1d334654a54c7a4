"""Evidence files: type by content, matching extension, size limit, permission-checked download."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from scoring.models import Evidence
from scoring.services import self_evaluation as service
from scoring.services.errors import InvalidUpload, WrongState
from scoring.uploads import check_upload

from .conftest import JPG, PDF, PNG, docx_bytes, post_data, upload, xlsx_bytes, zip_with


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
    settings.EVIDENCE_MAX_BYTES = 1000
    check_upload(upload("a.pdf", PDF + b"\x00" * (1000 - len(PDF))))


def test_file_over_the_limit_is_refused(settings):
    settings.EVIDENCE_MAX_BYTES = 1000
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
