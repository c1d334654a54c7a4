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
    if action == "submit":
        data["confirm"] = "on"  # the box that confirms a submission
    return data


def pdf_bytes():
    """A minimal well-formed PDF: one empty page, a cross-reference table, the trailer."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def image_bytes(format):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format=format)
    return buffer.getvalue()


PNG = image_bytes("PNG")
PDF = pdf_bytes()
JPG = image_bytes("JPEG")


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
