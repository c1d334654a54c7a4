"""Evidence upload checks (docs/nonfunctional.md §7).

Type by content, extension to match, size limit.

A file is accepted only when its bytes are one of PDF, JPEG, PNG, DOCX or XLSX and its
name ends with an extension of that same type; the name alone never decides. The first
bytes alone do not decide either: a PDF must end as PDFs end (`%%EOF` in its last
kilobyte; a `startxref` offset there must lie inside the file), an image must be one
Pillow can read, a Word or Excel file must pass the zip container check (size once
unpacked, number of parts), and no file may carry the marks of a web page or a program
(HTML tags, ELF or PE headers).

What a crafted file could still hide is harmless as served: evidence is only ever sent
by permission-checked views, as an attachment (never shown inline), with the content
type found here and `X-Content-Type-Options: nosniff`, so no browser renders it as a page
or runs it as a script on our origin.
"""

import os
import re
import uuid
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from starrating.archives import ArchiveTooLarge, NotAnArchive, check_archive

#: kind → (extensions, content type)
KINDS = {
    "pdf": (("pdf",), "application/pdf"),
    "jpg": (("jpg", "jpeg"), "image/jpeg"),
    "png": (("png",), "image/png"),
    "docx": (
        ("docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": (("xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
ACCEPT = ",".join(f".{ext}" for exts, _type in KINDS.values() for ext in exts)

_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
)
_ZIP_MAGIC = b"PK\x03\x04"
_ZIP_MARKERS = (("word/document.xml", "docx"), ("xl/workbook.xml", "xlsx"))
_PILLOW_FORMATS = {"jpg": "JPEG", "png": "PNG"}

#: A PDF's end (ISO 32000-1 §7.5.5): `%%EOF` within the last 1024 bytes (where readers
#: look for it), usually after `startxref` and the offset of the last cross-reference
#: section; readers rebuild a missing cross-reference, so only a given offset is checked.
_PDF_TAIL = 1024
_STARTXREF = re.compile(rb"startxref\s+(\d+)")
#: Marks of a web page or a program anywhere in the bytes. Long enough that compressed
#: data (deflate streams, JPEG scans) does not contain them by chance.
_FOREIGN = re.compile(
    rb"<(?:script|iframe|object|embed)[\s>/]|<html[\s>]|<body[\s>]|<!doctype\s+html"
    rb"|\x7fELF[\x01\x02][\x01\x02]\x01"
    rb"|This program cannot be run in DOS mode|PE\x00\x00(?:\x4c\x01|\x64\x86|\x64\xaa)",
    re.IGNORECASE,
)

NOT_ACCEPTED = _("Only PDF, JPG, PNG, Word (.docx) and Excel (.xlsx) files are accepted.")


def detect_kind(fileobj) -> str | None:
    """The kind of the file's content (a key of KINDS), or None; the position is kept.

    A zip container is first checked (`starrating.archives.check_archive`): one that
    unpacks too large or holds too many parts raises ValidationError.
    """
    start = fileobj.tell() if hasattr(fileobj, "tell") else 0
    try:
        fileobj.seek(0)
        head = fileobj.read(8)
        for magic, kind in _MAGIC:
            if head.startswith(magic):
                return kind
        if head.startswith(_ZIP_MAGIC):
            try:
                names = check_archive(fileobj)
            except NotAnArchive:
                return None
            except ArchiveTooLarge as error:
                raise ValidationError(error.message, code="archive") from None
            for marker, kind in _ZIP_MARKERS:
                if marker in names:
                    return kind
        return None
    finally:
        fileobj.seek(start)


def _is_pdf(data: bytes) -> bool:
    tail = data[-_PDF_TAIL:]
    if b"%%EOF" not in tail:
        return False
    return all(int(offset) < len(data) for offset in _STARTXREF.findall(tail))


def _is_image(fileobj, kind: str) -> bool:
    """Pillow reads the image: `verify` checks a PNG's chunks; a JPEG, whose `verify`
    checks nothing, is decoded at an eighth of its size (every scan read, little memory)."""
    from PIL import Image

    fileobj.seek(0)
    try:
        with warnings.catch_warnings():
            # An image of more pixels than Pillow's limit is refused too (a pixel bomb).
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(fileobj) as image:
                if image.format != _PILLOW_FORMATS[kind]:
                    return False
                image.verify()
            if kind == "jpg":
                fileobj.seek(0)
                with Image.open(fileobj) as image:
                    image.draft(image.mode, (1, 1))
                    image.load()
    except Exception:
        # Pillow raises many kinds of errors on a damaged file; each means "not an image".
        return False
    finally:
        fileobj.seek(0)
    return True


def _check_content(uploaded, kind: str) -> None:
    """More than the first bytes: the structure of the kind, and nothing foreign."""
    uploaded.seek(0)
    data = uploaded.read()
    uploaded.seek(0)
    if _FOREIGN.search(data):
        raise ValidationError(
            _("The file contains a web page or a program; it cannot be accepted."),
            code="foreign",
        )
    if kind == "pdf" and not _is_pdf(data):
        raise ValidationError(_("The file is not a complete PDF document."), code="pdf")
    if kind in _PILLOW_FORMATS and not _is_image(uploaded, kind):
        raise ValidationError(
            _("The file is not a readable %(kind)s image.") % {"kind": kind.upper()},
            code="image",
        )


def extension_of(name: str) -> str:
    return os.path.splitext(name or "")[1].lower().lstrip(".")


def check_upload(uploaded) -> str:
    """Validate an uploaded file; return its content type or raise ValidationError."""
    limit = settings.EVIDENCE_MAX_BYTES
    if uploaded.size > limit:
        raise ValidationError(
            _("The file is too large (at most %(limit)s)."),
            code="too_large",
            params={"limit": filesizeformat(limit)},
        )
    if uploaded.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    kind = detect_kind(uploaded)
    if kind is None:
        raise ValidationError(NOT_ACCEPTED, code="type")
    extensions, content_type = KINDS[kind]
    if extension_of(uploaded.name) not in extensions:
        raise ValidationError(
            _("The file name does not match its content (expected .%(ext)s)."),
            code="extension",
            params={"ext": extensions[0]},
        )
    _check_content(uploaded, kind)
    return content_type


def random_path(prefix: str, filename: str) -> str:
    """A storage path that reveals nothing of the original name: prefix/xx/uuid.ext."""
    token = uuid.uuid4().hex
    ext = extension_of(filename)
    return f"{prefix}/{token[:2]}/{token}.{ext}" if ext else f"{prefix}/{token[:2]}/{token}"


def evidence_upload_to(instance, filename):
    return random_path("evidence", filename)


def event_upload_to(instance, filename):
    return random_path("events", filename)
