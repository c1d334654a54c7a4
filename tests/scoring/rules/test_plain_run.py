"""A plain `manage.py rate [FILE|-]` runs without the app registry (starrating/calculator.py,
D-7r2): the same bytes, messages and exit status as the Django command gives."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from starrating.calculator import catalogue, plain_run

from .test_examples import FOLDER
from .test_notes import marked_msgids

MANAGE = Path(settings.BASE_DIR) / "manage.py"


def manage(*args, stdin: str = "") -> tuple[int, bytes, bytes]:
    done = subprocess.run(
        [sys.executable, str(MANAGE), *args],
        input=stdin.encode(),
        capture_output=True,
        cwd=settings.BASE_DIR,
        timeout=60,
    )
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        (["manage.py", "rate"], "-"),
        (["manage.py", "rate", "-"], "-"),
        (["manage.py", "rate", "campaign.json"], "campaign.json"),
        (["manage.py", "rate", "--help"], None),
        (["manage.py", "rate", "--no-color", "campaign.json"], None),
        (["manage.py", "rate", "a.json", "b.json"], None),
        (["manage.py", "migrate"], None),
        (["manage.py"], None),
    ],
)
def test_only_a_plain_run_skips_django(argv, name):
    assert plain_run(argv) == name


@pytest.mark.parametrize("path", sorted(FOLDER.glob("*.input.json")), ids=lambda p: p.name)
def test_a_plain_run_prints_what_the_django_command_prints(path):
    plain = manage("rate", str(path))
    django = manage("rate", "--no-color", str(path))  # an option: Django runs the command
    assert plain[0] == 0, plain[2]
    assert plain == django


@pytest.mark.parametrize(
    "document",
    [
        '{"branches": [{"id": "B1", "base": "90"}]}',
        "{not json",
        '{"branches": [{"id": "B1", "base": 90}, {"id": "B1", "base": 80}]}',
    ],
)
def test_bad_input_gives_the_same_message_and_status_both_ways(document):
    plain = manage("rate", stdin=document)
    django = manage("rate", "--no-color", "-", stdin=document)
    assert plain[:2] == (2, b"")
    assert plain == django


def test_a_missing_file_is_named_alike_both_ways(tmp_path):
    missing = str(tmp_path / "missing.json")
    plain = manage("rate", missing)
    assert plain[0] == 2 and missing.encode() in plain[2]
    assert plain == manage("rate", "--no-color", missing)


@pytest.mark.parametrize("language", [settings.LANGUAGE_CODE, "en"])
def test_the_plain_catalogue_translates_every_engine_msgid_as_django_does(language):
    plain = catalogue(language, settings.LOCALE_PATHS)
    with translation.override(language):
        differ = [m for m in sorted(marked_msgids()) if plain(m) != translation.gettext(m)]
    assert differ == []


def test_a_plain_run_loads_no_app():
    document = '{"branches": [{"id": "A", "base": 80}]}'
    code = (
        "import io, sys\n"
        f"sys.stdin = io.TextIOWrapper(io.BytesIO({document.encode()!r}))\n"
        "from starrating.calculator import main\n"
        "status = main('-')\n"
        "from django.apps import apps\n"
        "assert status == 0 and not apps.ready, 'the app registry was set up'\n"
        "assert 'scoring.models' not in sys.modules\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["results"][0]["id"] == "A"
