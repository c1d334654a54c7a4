"""Backup and restore of the whole product: every table and every uploaded file in one
archive (docs/reports.md §6 *Backup and restore*).

The archive is a zip file:

- `manifest.json`: the format, when and from which engine it was made, the migrations
  applied, the number of rows of each model and the size and SHA-256 of each file;
- `data/<app_label>.<model>.json`: the rows of one model in Django's JSON serialisation,
  with natural foreign keys, so that rows pointing at content types and permissions find
  them again in a database that made its own (those two tables are left out, rebuilt by
  `migrate`; sessions are left out too: logins do not survive a restore);
- `media/<name>`: each file of the default storage, under its stored name.

The rows are engine-neutral: a SQLite backup restores into PostgreSQL and back, which a
database's own dump cannot do (D-6ac). Primary keys are kept, so every reference, the
ratings, the ballots and the history come back identical; `loaddata` resets the
PostgreSQL sequences afterwards. Times are written to the microsecond (`_ExactEncoder`):
Django's encoder cuts them to the millisecond, which would restore every time a little
earlier than it was.

A restore goes only into an empty database of the same schema: it migrates a database
that has no tables yet, then refuses one that holds any row, or whose migrations differ
from the archive's. It checks every file's hash before it writes anything, loads the rows
in one transaction, checks the row counts, and writes the files; a failure rolls the
rows back and removes the files it wrote.
"""

import datetime
import hashlib
import json
import os
import posixpath
import tempfile
import zipfile

from django.apps import apps
from django.core import serializers
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
#: Rebuilt by `migrate` (content types, permissions) or not worth keeping (sessions).
LEFT_OUT = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
_CHUNK = 2000


class BackupError(Exception):
    """A backup or restore refused, with a message for the person running it."""


def saved_models():
    """The models whose rows go into the archive, in a stable order."""
    return sorted(
        (
            model
            for model in apps.get_models()
            if model._meta.managed
            and not model._meta.proxy
            and model._meta.label_lower not in LEFT_OUT
        ),
        key=lambda model: model._meta.label_lower,
    )


def stored_files(storage=default_storage, path=""):
    """Every file name in the storage, walked from its root."""
    try:
        folders, files = storage.listdir(path)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield posixpath.join(path, name) if path else name
    for folder in sorted(folders):
        yield from stored_files(storage, posixpath.join(path, folder) if path else folder)


def applied_migrations():
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return {}
    applied = {}
    for app, name in sorted(recorder.applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


class _Counted:
    """An iterator that counts what passes through it."""

    def __init__(self, iterable):
        self.iterable, self.count = iterable, 0

    def __iter__(self):
        for item in self.iterable:
            self.count += 1
            yield item


def _snapshot(outermost):
    """One consistent view of every table for the length of the backup (a transaction
    already open, as in a test, keeps its own)."""
    if outermost and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")


def backup(path, *, storage=default_storage):
    """Write the archive to `path` (aside first, then moved into place); return the manifest."""
    folder = os.path.dirname(os.path.abspath(path))
    handle, aside = tempfile.mkstemp(prefix=".backup-", suffix=".zip", dir=folder)
    os.close(handle)
    os.chmod(aside, 0o600)  # it holds every row, the unspent slips' sheets included
    try:
        with zipfile.ZipFile(aside, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            outermost = not connection.in_atomic_block
            with transaction.atomic():
                _snapshot(outermost)
                counts = _write_rows(archive)
            files = _write_files(archive, storage)
            manifest = {
                "format": FORMAT,
                "created": timezone.now().isoformat(),
                "engine": connection.vendor,
                "migrations": applied_migrations(),
                "models": counts,
                "files": files,
            }
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        os.replace(aside, path)
    except BaseException:
        os.unlink(aside)
        raise
    return manifest


def _write_rows(archive):
    counts = {}
    for model in saved_models():
        label = model._meta.label_lower
        rows = _Counted(model._base_manager.order_by("pk").iterator(chunk_size=_CHUNK))
        with archive.open(f"data/{label}.json", "w", force_zip64=True) as member:
            serializers.serialize(
                "json", rows, stream=_Text(member), use_natural_foreign_keys=True, cls=_ExactEncoder
            )
        counts[label] = rows.count
    return counts


class _ExactEncoder(DjangoJSONEncoder):
    """Django's JSON encoder, with datetimes and times to the microsecond (its own keeps
    the milliseconds only); as before, UTC is written "Z" and an aware time refused."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time) and not timezone.is_aware(o):
            return o.isoformat()
        return super().default(o)


class _Text:
    """A text stream over a binary zip member (the serialiser writes str)."""

    def __init__(self, binary):
        self.binary = binary

    def write(self, text):
        self.binary.write(text.encode())


def _write_files(archive, storage):
    files = {}
    for name in stored_files(storage):
        digest, size = hashlib.sha256(), 0
        with (
            storage.open(name, "rb") as source,
            archive.open("media/" + name, "w", force_zip64=True) as member,
        ):
            for chunk in iter(lambda: source.read(1 << 20), b""):
                digest.update(chunk)
                size += len(chunk)
                member.write(chunk)
        files[name] = {"size": size, "sha256": digest.hexdigest()}
    return files


def restore(path, *, storage=default_storage):
    """Load the archive at `path` into this empty database and storage; return its manifest."""
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise BackupError(_("No file %(file)s.") % {"file": path}) from None
    except (zipfile.BadZipFile, OSError):
        raise BackupError(_("%(file)s is not a backup of this product.") % {"file": path}) from None
    with archive:
        manifest = _manifest(archive, path)
        _require_schema(manifest)
        _require_empty_database()
        _check_files(archive, manifest, storage)
        written = []
        try:
            with transaction.atomic():
                _load_rows(archive, manifest)
                _load_files(archive, manifest, storage, written)
        except BaseException:
            for name in written:
                storage.delete(name)
            raise
    return manifest


def _manifest(archive, path):
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except (KeyError, ValueError, zipfile.BadZipFile):
        raise BackupError(_("%(file)s is not a backup of this product.") % {"file": path}) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(
            _("%(file)s is a backup in a format this version cannot read.") % {"file": path}
        )
    for key in ("migrations", "models", "files"):
        if not isinstance(manifest.get(key), dict):
            raise BackupError(_("%(file)s is not a backup of this product.") % {"file": path})
    return manifest


def _require_schema(manifest):
    if not applied_migrations():
        call_command("migrate", interactive=False, verbosity=0)
    here = applied_migrations()
    theirs = {app: sorted(names) for app, names in manifest["migrations"].items()}
    if here != theirs:
        differ = sorted(set(here) ^ set(theirs) | {a for a in here if here[a] != theirs.get(a)})
        raise BackupError(
            _(
                "The backup was made by another version of the product (the migrations of "
                "%(apps)s differ); restore it with the version that made it."
            )
            % {"apps": ", ".join(differ)}
        )


def _require_empty_database():
    for model in saved_models():
        if model._base_manager.exists():
            raise BackupError(
                _(
                    "The database is not empty (the table %(table)s has rows); a backup "
                    "is restored only into an empty database."
                )
                % {"table": model._meta.db_table}
            )


def _safe_name(name):
    parts = name.split("/")
    return (
        name
        and "\\" not in name
        and "\x00" not in name
        and not name.startswith("/")
        and all(part not in ("", ".", "..") for part in parts)
    )


def _check_files(archive, manifest, storage):
    members = {info.filename: info for info in archive.infolist()}
    for name, meta in manifest["files"].items():
        info = members.get("media/" + name)
        if not _safe_name(name) or info is None or info.file_size != meta.get("size"):
            raise BackupError(_("The backup's file %(name)s is damaged.") % {"name": name})
        digest = hashlib.sha256()
        with archive.open(info) as member:
            for chunk in iter(lambda: member.read(1 << 20), b""):
                digest.update(chunk)
        if digest.hexdigest() != meta.get("sha256"):
            raise BackupError(_("The backup's file %(name)s is damaged.") % {"name": name})
        if storage.exists(name):
            raise BackupError(
                _(
                    "The file %(name)s already exists in the media storage; a backup is "
                    "restored only into an empty one."
                )
                % {"name": name}
            )


def _load_rows(archive, manifest):
    known = {model._meta.label_lower for model in saved_models()}
    unknown = set(manifest["models"]) - known
    if unknown:
        raise BackupError(
            _("The backup holds tables this version does not know: %(tables)s.")
            % {"tables": ", ".join(sorted(unknown))}
        )
    with tempfile.TemporaryDirectory(prefix="restore-") as folder:
        fixtures = []
        for label, count in manifest["models"].items():
            if not count:
                continue
            target = os.path.join(folder, f"{label}.json")
            try:
                with archive.open(f"data/{label}.json") as member, open(target, "wb") as out:
                    for chunk in iter(lambda m=member: m.read(1 << 20), b""):
                        out.write(chunk)
            except KeyError:
                raise BackupError(
                    _("The backup's table %(table)s is missing.") % {"table": label}
                ) from None
            fixtures.append(target)
        if fixtures:
            try:
                call_command("loaddata", *fixtures, verbosity=0, database=DEFAULT_DB_ALIAS)
            except Exception as error:
                raise BackupError(
                    _("The backup's rows could not be loaded: %(error)s") % {"error": error}
                ) from error
    for model in saved_models():
        label = model._meta.label_lower
        expected = manifest["models"].get(label, 0)
        if model._base_manager.count() != expected:
            raise BackupError(
                _("The backup's table %(table)s did not load completely.") % {"table": label}
            )


def _load_files(archive, manifest, storage, written):
    for name in manifest["files"]:
        with archive.open("media/" + name) as member:
            saved = storage.save(name, File(member, name=name))
        written.append(saved)
        if saved != name:
            raise BackupError(
                _("The file %(name)s could not be restored under its name.") % {"name": name}
            )
