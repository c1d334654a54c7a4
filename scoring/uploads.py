"""Evidence upload checks (DESIGN §7): type by content, extension to match, size limit.

A file is accepted only when its bytes are one of PDF, JPEG, PNG, DOCX or XLSX and its
name ends with an extension of that same type; the name alone never decides.
"""

import os
import uuid
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

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


def detect_kind(fileobj) -> str | None:
    """The kind of the file's content (a key of KINDS), or None; the position is kept."""
    start = fileobj.tell() if hasattr(fileobj, "tell") else 0
    try:
        fileobj.seek(0)
        head = fileobj.read(8)
        for magic, kind in _MAGIC:
            if head.startswith(magic):
                return kind
        if head.startswith(_ZIP_MAGIC):
            fileobj.seek(0)
            try:
                with zipfile.ZipFile(fileobj) as archive:
                    names = set(archive.namelist())
            except (zipfile.BadZipFile, OSError, ValueError):
                return None
            for marker, kind in _ZIP_MARKERS:
                if marker in names:
                    return kind
        return None
    finally:
        fileobj.seek(start)


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
        raise ValidationError(
            _("Only PDF, JPG, PNG, Word (.docx) and Excel (.xlsx) files are accepted."),
            code="type",
        )
    extensions, content_type = KINDS[kind]
    if extension_of(uploaded.name) not in extensions:
        raise ValidationError(
            _("The file name does not match its content (expected .%(ext)s)."),
            code="extension",
            params={"ext": extensions[0]},
        )
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
