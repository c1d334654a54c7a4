"""Campaigns built with the real services, for the declaration workflow tests."""

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from scoring.models import SelfEvaluation
from scoring.services.campaigns import create_campaign, open_campaign

YEAR = timezone.localdate().year


@pytest.fixture
def draft_campaign(tree):
    return create_campaign(
        committee=tree.committee,
        year=YEAR,
        kind="initial",
        actor=tree.staff,
        self_deadline=timezone.localdate() + datetime.timedelta(days=30),
    )


@pytest.fixture
def campaign(tree, draft_campaign):
    return open_campaign(campaign=draft_campaign, actor=tree.staff)


@pytest.fixture
def sheet(tree, campaign):
    return SelfEvaluation.objects.select_related("assessment__campaign").get(
        assessment__campaign=campaign, assessment__branch=tree.branch_a
    )


@pytest.fixture
def assessment(sheet):
    return sheet.assessment


def scores_for(campaign, value="8", remark=""):
    """{criterion id: (value, remark)} for every criterion of the campaign."""
    return {c.pk: (value, remark) for c in campaign.criteria.all()}


def post_data(campaign, value="8", star="3", action="save", version=0):
    """The sheet form as a browser posts it; `version` is the one the page was loaded at."""
    data = {f"score_{c.pk}": value for c in campaign.criteria.all()}
    data.update({f"remark_{c.pk}": "" for c in campaign.criteria.all()})
    data["self_star"] = star
    data["version"] = str(version)
    data[action] = "1"
    return data


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def zip_with(*names):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


def docx_bytes():
    return zip_with("word/document.xml")


def xlsx_bytes():
    import openpyxl

    buffer = io.BytesIO()
    book = openpyxl.Workbook()
    book.active["A1"] = "证明"
    book.save(buffer)
    return buffer.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)
