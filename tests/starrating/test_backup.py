"""backup and restore (docs/reports.md §6 *Backup and restore*).

The round trips run the commands as an operator would, in fresh processes against
databases of their own: the demo committee (every kind of row: ratings, ballots, the
history, the approved list, uploaded files) is backed up from SQLite, restored into a
new SQLite database, into PostgreSQL, and from PostgreSQL back into SQLite; every row
(as `dumpdata` shows it) and every file must come back identical. The refusals run in
this process against the test database.
"""

import datetime
import hashlib
import json
import os
import secrets
import subprocess
import sys
import uuid
import zipfile

import dj_database_url
import pytest
from django.conf import settings
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from branches.models import Organisation
from starrating import backup as backup_module

DUMP = ["dumpdata", "--natural-foreign", "-e", "contenttypes", "-e", "auth.permission"]
DUMP += ["-e", "sessions"]


def manage(*command, database, media, check=True):
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="starrating.settings.base",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=database,
        DJANGO_MEDIA_ROOT=str(media),
    )
    done = subprocess.run(
        [sys.executable, "manage.py", *command],
        env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if check:
        assert done.returncode == 0, done.stderr
    return done


def rows(database, media):
    """Every saved row, as `dumpdata` writes it, in a stable order."""
    dumped = json.loads(manage(*DUMP, database=database, media=media).stdout)
    return sorted(dumped, key=lambda row: (row["model"], str(row["pk"])))


def files(media):
    found = {}
    for folder, _dirs, names in os.walk(media):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, "rb") as file:
                found[os.path.relpath(path, media)] = hashlib.sha256(file.read()).digest()
    return found


class Copy:
    """One database and its media folder."""

    def __init__(self, database, media):
        self.database, self.media = database, media

    def run(self, *command, check=True):
        return manage(*command, database=self.database, media=self.media, check=check)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo committee on SQLite and its backup."""
    folder = tmp_path_factory.mktemp("demo")
    source = Copy(f"sqlite:///{folder / 'db.sqlite3'}", folder / "media")
    source.run("migrate", "-v", "0")
    source.run("load_demo")
    source.run("backup", str(folder / "backup.zip"))
    return source, folder / "backup.zip", rows(source.database, source.media)


def assert_same(copy, source, expected):
    assert rows(copy.database, copy.media) == expected
    assert files(copy.media) == files(source.media)
    assert files(copy.media)  # the demo has uploads: minutes, evidence, slip sheets
    approved = copy.run(
        "shell", "--no-imports", "-c",
        "from scoring.models import Approval; "
        "print(*Approval.objects.values_list('campaign_id', flat=True))",
    ).stdout.split()  # fmt: skip
    assert approved  # the demo's last year was approved: its frozen list and digest
    for campaign in approved:
        assert "matches its digest: yes" in copy.run("check_approved", campaign).stdout


def test_sqlite_round_trip_keeps_every_row_and_file(demo, tmp_path):
    source, archive, expected = demo
    copy = Copy(f"sqlite:///{tmp_path / 'restored.sqlite3'}", tmp_path / "media")
    done = copy.run("restore", str(archive))
    assert "Restored" in done.stdout or "恢复" in done.stdout
    assert_same(copy, source, expected)
    again = copy.run("restore", str(archive), check=False)
    assert again.returncode == 2
    assert "数据库不为空" in again.stderr


@pytest.fixture
def postgres_database():
    """A new PostgreSQL database beside the test database (same server)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    made = []

    def make():
        name = f"sr_restore_{uuid.uuid4().hex[:12]}"
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {name}")
        made.append(name)
        user = config.get("USER") or "postgres"
        port = config.get("PORT") or 5432
        return f"postgres://{user}@{config.get('HOST') or '127.0.0.1'}:{port}/{name}"

    yield make
    for name in made:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sqlite_to_postgresql_and_back(demo, tmp_path, postgres_database):
    source, archive, expected = demo
    moved = Copy(postgres_database(), tmp_path / "pg-media")
    moved.run("restore", str(archive))
    assert_same(moved, source, expected)
    # The sequences follow the restored ids: the next row gets a new id.
    moved.run(
        "shell", "--no-imports", "-c",
        "from branches.models import Organisation as O; "
        "p = O.objects.order_by('pk').first(); "
        "O.objects.create(name='新建支部', code='NEW-1', kind=p.kind, parent=p.parent)",
    )  # fmt: skip
    # PostgreSQL → PostgreSQL, and back to SQLite.
    moved.run("backup", str(tmp_path / "pg.zip"))
    with_new = rows(moved.database, moved.media)
    again = Copy(postgres_database(), tmp_path / "pg2-media")
    again.run("restore", str(tmp_path / "pg.zip"))
    assert rows(again.database, again.media) == with_new
    assert files(again.media) == files(source.media)
    back = Copy(f"sqlite:///{tmp_path / 'back.sqlite3'}", tmp_path / "back-media")
    back.run("restore", str(tmp_path / "pg.zip"))
    assert rows(back.database, back.media) == with_new
    assert files(back.media) == files(source.media)


@pytest.mark.django_db
@pytest.mark.parametrize("microsecond", [0, 500, 999, 1000, 123456])
def test_times_are_written_to_the_microsecond(tmp_path, tree, microsecond):
    """Django's JSON encoder keeps milliseconds only: 02:22:19.000500 was written
    "…19.000" and came back as 02:22:19, unequal to the row backed up."""
    joined = datetime.datetime(2026, 12, 2, 2, 22, 19, microsecond, tzinfo=datetime.UTC)
    user = tree.staff
    type(user).objects.filter(pk=user.pk).update(date_joined=joined)
    call_command("backup", str(tmp_path / "b.zip"))
    with zipfile.ZipFile(tmp_path / "b.zip") as archive:
        data = archive.read(f"data/{type(user)._meta.label_lower}.json").decode()
    (back,) = [r.object for r in serializers.deserialize("json", data) if r.object.pk == user.pk]
    assert back.date_joined == joined


def test_the_encoder_writes_times_as_django_reads_them():
    encode = backup_module._ExactEncoder().default
    assert encode(datetime.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=datetime.UTC)) == (
        "2026-01-02T03:04:05.000006Z"
    )
    assert encode(datetime.time(8, 30, 0, 250)) == "08:30:00.000250"
    assert encode(datetime.date(2026, 1, 2)) == "2026-01-02"
    with pytest.raises(ValueError):
        encode(datetime.time(8, 30, tzinfo=datetime.UTC))


# Refusals, in this process: exit 2 with one Chinese message, nothing written.


def restore(path):
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(path))
    assert refused.value.returncode == 2
    return str(refused.value)


def archive(path, manifest, members=()):
    with zipfile.ZipFile(path, "w") as out:
        if manifest is not None:
            out.writestr(backup_module.MANIFEST, json.dumps(manifest))
        for name, data in members:
            out.writestr(name, data)
    return path


def empty_manifest(**changes):
    manifest = {
        "format": backup_module.FORMAT,
        "migrations": backup_module.applied_migrations(),
        "models": {},
        "files": {},
    }
    manifest.update(changes)
    return manifest


@pytest.mark.django_db
def test_restore_refuses_a_database_with_rows(tmp_path, tree):
    call_command("backup", str(tmp_path / "b.zip"))
    message = restore(tmp_path / "b.zip")
    assert "数据库不为空" in message


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content, expected",
    [
        (None, "没有文件"),
        (b"PK\x03\x04 not really", "不是本系统的备份"),
        (b"%PDF-1.4", "不是本系统的备份"),
    ],
)
def test_restore_refuses_what_is_not_a_backup(tmp_path, content, expected):
    path = tmp_path / "x.zip"
    if content is not None:
        path.write_bytes(content)
    assert expected in restore(path)


@pytest.mark.django_db
def test_restore_refuses_archives_it_cannot_trust(tmp_path):
    assert "不是本系统的备份" in restore(archive(tmp_path / "a.zip", None, [("x", "y")]))
    assert "格式" in restore(archive(tmp_path / "b.zip", empty_manifest(format=99)))
    other = empty_manifest(migrations={"scoring": ["0001_initial"]})
    assert "另一版本" in restore(archive(tmp_path / "c.zip", other))
    unknown = empty_manifest(models={"nowhere.table": 1})
    assert "不认识" in restore(archive(tmp_path / "d.zip", unknown))


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["../outside.pdf", "/etc/passwd", "a/../../b", "a\\b", "a\x00b"])
def test_restore_refuses_file_names_outside_the_media_storage(tmp_path, name):
    data = b"%PDF-1.4\n%%EOF\n"
    manifest = empty_manifest(
        files={name: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}}
    )
    assert "损坏" in restore(archive(tmp_path / "a.zip", manifest, [("media/" + name, data)]))
    assert not (tmp_path.parent / "outside.pdf").exists()


@pytest.mark.django_db
def test_restore_refuses_a_tampered_file_and_writes_nothing(tmp_path):
    manifest = empty_manifest(files={"evidence/x.pdf": {"size": 3, "sha256": "0" * 64}})
    members = [("media/evidence/x.pdf", "abc")]
    assert "损坏" in restore(archive(tmp_path / "a.zip", manifest, members))
    assert not default_storage.exists("evidence/x.pdf")


@pytest.mark.django_db
def test_restore_keeps_existing_media_files(tmp_path):
    name = f"evidence/{uuid.uuid4().hex}.pdf"
    default_storage.save(name, ContentFile(b"mine"))
    data = b"theirs"
    manifest = empty_manifest(
        files={name: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}}
    )
    try:
        assert "已存在" in restore(archive(tmp_path / "a.zip", manifest, [("media/" + name, data)]))
        assert default_storage.open(name).read() == b"mine"
    finally:
        default_storage.delete(name)


@pytest.mark.django_db
def test_a_failed_load_rolls_back_rows_and_files(tmp_path):
    """A row that cannot load (a foreign key to nothing) leaves no row and no file behind."""
    data = b"%PDF-1.4\n%%EOF\n"
    name = f"evidence/{uuid.uuid4().hex}.pdf"
    user = {"model": "auth.user", "pk": 7, "fields": {"username": "x", "password": "!"}}
    broken = {
        "model": "branches.roleassignment",
        "pk": 1,
        "fields": {"user": ["nobody"], "organisation": 999, "role": "secretary"},
    }
    manifest = empty_manifest(
        models={"auth.user": 1, "branches.roleassignment": 1},
        files={name: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}},
    )
    path = archive(
        tmp_path / "a.zip",
        manifest,
        [
            ("data/auth.user.json", json.dumps([user])),
            ("data/branches.roleassignment.json", json.dumps([broken])),
            ("media/" + name, data),
        ],
    )
    assert "无法载入" in restore(path)
    from django.contrib.auth.models import User

    assert not User.objects.exists()
    assert not default_storage.exists(name)


@pytest.mark.django_db
def test_backup_holds_every_saved_table_and_file(tmp_path, tree):
    name = default_storage.save(f"evidence/{uuid.uuid4().hex}.pdf", ContentFile(b"%PDF-1.4"))
    try:
        call_command("backup", str(tmp_path / "b.zip"))
        with zipfile.ZipFile(tmp_path / "b.zip") as out:
            manifest = json.loads(out.read(backup_module.MANIFEST))
            assert out.read("media/" + name) == b"%PDF-1.4"
            tables = {m._meta.label_lower for m in backup_module.saved_models()}
            assert set(manifest["models"]) == tables
            assert {n for n in out.namelist() if n.startswith("data/")} == {
                f"data/{t}.json" for t in tables
            }
        assert manifest["models"]["branches.organisation"] == Organisation.objects.count() > 0
        assert oct(os.stat(tmp_path / "b.zip").st_mode & 0o777) == "0o600"
    finally:
        default_storage.delete(name)


@pytest.mark.django_db
def test_backup_to_a_folder_that_does_not_exist_is_refused(tmp_path):
    with pytest.raises(CommandError) as refused:
        call_command("backup", str(tmp_path / "missing" / "b.zip"))
    assert refused.value.returncode == 2
    assert not (tmp_path / "missing").exists()
