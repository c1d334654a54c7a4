"""Every upload of the product, in one module (docs/nonfunctional.md §7, *Uploads*).

The uploads are evidence of a self-evaluation (`evidence`), of a bonus or penalty event
(`events`) and of a closed ledger item (`ledger`), an objection's attachment
(`objections`) and the approval's minutes (`minutes`). Each *use* names its folder, the
kinds it accepts and its size limit (`settings.UPLOAD_MAX_BYTES`); the same rules hold
for all of them:

- **checked** (`check_upload(uploaded, use)`): size, then type by content, extension to
  match, structure of the kind (below);
- **stored** (`UploadTo`, `Stash.save`): under ``<folder>/<xx>/<uuid>.<ext>``, never the
  user's name (kept only as a display field, `display_name`), below `MEDIA_ROOT`, which
  lies outside the static root; a failed write (a full disk) leaves no file and no row,
  and the user reads why (`StorageFailed`);
- **served** (`scoring.views.downloads.stored_file`): only by permission-checked views,
  as an attachment with `X-Content-Type-Options: nosniff`.

The roster workbook (`branches.importers`) is read, never stored; it passes the same zip
container check (`starrating.archives.check_archive`).

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

import errno
import os
import re
import uuid
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from starrating.archives import ArchiveTooLarge, NotAnArchive, check_archive
from starrating.inputs import clean_text

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
_DOCUMENTS = ("pdf", "jpg", "png")


@dataclass(frozen=True)
class Use:
    """What one upload field accepts: its storage folder and the kinds of `KINDS`; its
    size limit is `settings.UPLOAD_MAX_BYTES[folder]`."""

    folder: str
    kinds: tuple[str, ...] = tuple(KINDS)

    @property
    def max_bytes(self) -> int:
        return settings.UPLOAD_MAX_BYTES[self.folder]

    @property
    def accept(self) -> str:
        """The file input's `accept` attribute."""
        return ",".join(f".{ext}" for kind in self.kinds for ext in KINDS[kind][0])


#: Every stored upload of the product, by folder.
EVIDENCE = Use("evidence")
EVENTS = Use("events")
LEDGER = Use("ledger")
OBJECTIONS = Use("objections", _DOCUMENTS)
MINUTES = Use("minutes", _DOCUMENTS)
USES = {use.folder: use for use in (EVIDENCE, EVENTS, LEDGER, OBJECTIONS, MINUTES)}

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
ONLY_DOCUMENTS = _("Only a PDF file or an image (JPG, PNG) is accepted.")


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


def check_upload(uploaded, use: Use = EVIDENCE) -> str:
    """Validate an uploaded file for `use`; return its content type or raise
    ValidationError (its message in the reader's language)."""
    limit = use.max_bytes
    if uploaded.size > limit:
        raise ValidationError(
            _("The file is too large (at most %(limit)s)."),
            code="too_large",
            params={"limit": filesizeformat(limit)},
        )
    if uploaded.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    kind = detect_kind(uploaded)
    if kind is None or kind not in use.kinds:
        message = NOT_ACCEPTED if use.kinds == tuple(KINDS) else ONLY_DOCUMENTS
        raise ValidationError(message, code="type")
    extensions, content_type = KINDS[kind]
    if extension_of(uploaded.name) not in extensions:
        raise ValidationError(
            _("The file name does not match its content (expected .%(ext)s)."),
            code="extension",
            params={"ext": extensions[0]},
        )
    _check_content(uploaded, kind)
    return content_type


def validator(use: Use):
    """`check_upload` for `use` as a form field's validator."""

    def validate(uploaded):
        check_upload(uploaded, use)

    return validate


def display_name(name: str, limit: int = 200) -> str:
    """The user's file name as shown on pages and in downloads: no folders, no invisible
    or control characters (NUL, right-to-left overrides), at most `limit` characters
    with the extension kept."""
    name = clean_text((name or "").replace("\\", "/").rsplit("/", 1)[-1], multiline=False)
    name = name.strip().lstrip(".") or "file"
    if len(name) > limit:
        stem, dot, ext = name.rpartition(".")
        ext = f".{ext}" if dot and len(ext) < 10 else ""
        name = name[: limit - len(ext)] + ext
    return name


_SAFE_EXTENSIONS = frozenset(ext for exts, _type in KINDS.values() for ext in exts)


def random_path(prefix: str, filename: str) -> str:
    """A storage path that reveals nothing of the original name: prefix/xx/uuid.ext
    (the extension only when it is one of `KINDS`)."""
    token = uuid.uuid4().hex
    ext = extension_of(filename)
    path = f"{prefix}/{token[:2]}/{token}"
    return f"{path}.{ext}" if ext in _SAFE_EXTENSIONS else path


@deconstructible
class UploadTo:
    """The one `upload_to` of every stored file: a random name in `folder`."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename):
        return random_path(self.folder, filename)

    def __eq__(self, other):
        return isinstance(other, UploadTo) and other.folder == self.folder

    def __hash__(self):
        return hash(self.folder)


# --- Storing ------------------------------------------------------------------------------


class StorageFailed(ValidationError):
    """The file could not be written (a full disk, a storage error); nothing was kept."""


_DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


class Stash:
    """The files written in one `storing()` block."""

    def __init__(self):
        self.written = []

    def save(self, field, uploaded) -> str:
        """Write `uploaded` as the file of `field` (a FieldFile, not yet saved) under a
        random name; on a failed write remove what was written and raise StorageFailed."""
        storage = field.storage
        name = field.field.generate_filename(field.instance, uploaded.name or "")
        uploaded.seek(0)
        try:
            name = storage.save(name, uploaded, max_length=field.field.max_length)
        except OSError as error:
            _remove(storage, name)
            if error.errno in _DISK_FULL:
                message = _(
                    "The file could not be stored: the server's disk is full. Nothing was "
                    "saved; please tell the system administrator and try again later."
                )
            else:
                message = _(
                    "The file could not be stored because of a storage error. Nothing was "
                    "saved; please try again later."
                )
            raise StorageFailed(message, code="storage") from None
        self.written.append((storage, name))
        field.name = name
        field._committed = True
        return name


def _remove(storage, name):
    try:
        if name and storage.exists(name):
            storage.delete(name)
    except OSError:
        pass


@contextmanager
def storing():
    """A block that writes files (`Stash.save`) and rows: when it ends by an exception
    (a refusal, a failed write, a rolled-back transaction), the files it wrote are
    removed, so no file is left without its row. Open it OUTSIDE the service's
    ``transaction.atomic()`` so that a failed commit removes them too::

        with uploads.storing() as stash, transaction.atomic():
            stash.save(evidence.file, uploaded)
            audit.save(evidence, ...)
    """
    stash = Stash()
    try:
        yield stash
    except BaseException:
        for storage, name in stash.written:
            _remove(storage, name)
        raise
