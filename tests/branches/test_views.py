import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from branches.models import Member, Organisation

from .workbooks import good_members, good_orgs, good_workbook, member_row, workbook

IMPORT_URL = reverse("branches:roster_import")
TEMPLATE_URL = reverse("branches:roster_template")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(data, name="roster.xlsx"):
    return SimpleUploadedFile(name, data, content_type=XLSX)


def counts():
    return Organisation.objects.count(), Member.objects.count()


@pytest.mark.parametrize("url", [IMPORT_URL, TEMPLATE_URL])
def test_anonymous_is_sent_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("url", [IMPORT_URL, TEMPLATE_URL])
@pytest.mark.parametrize("name", ["secretary", "reviewer", "approver", "rereviewer", "nobody"])
def test_roles_other_than_staff_are_refused(client, tree, url, name):
    client.force_login(tree.users_by_role()[name])
    assert client.get(url).status_code == 403


def test_non_staff_upload_is_refused_and_imports_nothing(client, tree):
    client.force_login(tree.approver)
    before = counts()
    response = client.post(IMPORT_URL, {"file": upload(good_workbook())})
    assert response.status_code == 403
    assert counts() == before


def test_staff_sees_the_upload_form_and_template_link(client, tree):
    client.force_login(tree.staff)
    response = client.get(IMPORT_URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert TEMPLATE_URL in content
    assert 'accept=".xlsx' in content
    assert 'enctype="multipart/form-data"' in content


def test_good_upload_imports_and_redirects_with_counts(client, tree):
    client.force_login(tree.staff)
    before_orgs, before_members = counts()
    response = client.post(IMPORT_URL, {"file": upload(good_workbook())})
    assert response.status_code == 302
    assert response.url == IMPORT_URL
    # The file's work committee GW is the tree's own (tests/factories.py, Tree).
    assert counts() == (before_orgs + 5, before_members + 4)
    (message,) = get_messages(response.wsgi_request)
    assert message.level_tag == "success"
    assert "5" in str(message)


def test_good_upload_records_the_staff_user_in_history(client, tree):
    client.force_login(tree.staff)
    client.post(IMPORT_URL, {"file": upload(good_workbook())})
    assert Organisation.objects.get(code="JG01").history.get().history_user == tree.staff


def test_bad_upload_lists_every_error_and_imports_nothing(client, tree):
    client.force_login(tree.staff)
    members = good_members() + [member_row("X1", "NOPE"), member_row("X2", "ZS-01", duty="?")]
    before = counts()
    response = client.post(IMPORT_URL, {"file": upload(workbook(good_orgs(), members))})
    assert response.status_code == 200
    assert counts() == before
    errors = response.context["errors"]
    assert [(e.sheet, e.row, e.column) for e in errors] == [
        ("党员", 6, "所属支部代码"),
        ("党员", 7, "党内职务"),
    ]
    assert 'id="import-errors"' in response.content.decode()


def test_upload_that_is_not_xlsx_is_reported(client, tree):
    client.force_login(tree.staff)
    response = client.post(IMPORT_URL, {"file": upload(b"hello", name="roster.xlsx")})
    assert response.status_code == 200
    assert len(response.context["errors"]) == 1


def test_post_without_file_re_renders_the_form(client, tree):
    client.force_login(tree.staff)
    response = client.post(IMPORT_URL, {})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_dry_run_upload_imports_nothing(client, tree):
    client.force_login(tree.staff)
    before = counts()
    response = client.post(IMPORT_URL, {"file": upload(good_workbook()), "dry_run": "on"})
    assert response.status_code == 302
    assert counts() == before
    (message,) = get_messages(response.wsgi_request)
    assert message.level_tag == "info"


def test_user_text_in_errors_is_escaped(client, tree):
    client.force_login(tree.staff)
    members = [member_row("X1", "<script>x</script>")]
    response = client.post(IMPORT_URL, {"file": upload(workbook(good_orgs(), members))})
    assert "<script>x</script>" not in response.content.decode()


def test_template_download_is_an_xlsx_attachment(client, tree):
    client.force_login(tree.staff)
    response = client.get(TEMPLATE_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["组织", "党员", "说明"]


def test_the_downloaded_template_uploaded_unchanged_imports_nothing(client, tree):
    client.force_login(tree.staff)
    data = b"".join(client.get(TEMPLATE_URL).streaming_content)
    before = counts()
    response = client.post(IMPORT_URL, {"file": upload(data)})
    assert response.status_code == 200
    rows = {(e.sheet, e.row, e.column) for e in response.context["errors"]}
    assert rows == {
        ("组织", 2, "名称"),
        ("组织", 3, "名称"),
        ("组织", 4, "名称"),
        ("党员", 2, "姓名"),
    }
    assert "这是模板中的示例行" in response.content.decode()
    assert counts() == before
