"""Trace lines and messages as Notes: rendered in any language, stored as JSON."""

import ast
import json
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from scoring.rules import N_, InvalidInput, Note, render_all

from .helpers import PLACEHOLDER, PO_FILE, ROOT, one

SOURCES = [
    *sorted((ROOT / "scoring" / "rules").glob("*.py")),
    ROOT / "scoring" / "management" / "commands" / "rate.py",
]


def marked_msgids() -> set[str]:
    """Every string literal passed to N_() in the engine and the command."""
    found = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "N_":
                found.add(ast.literal_eval(node.args[0]))
    return found


def test_a_note_renders_its_params_into_the_translated_msgid():
    note = Note("%(who)s scored %(score)s", {"who": "B1", "score": Decimal("91.6")})
    assert note.render() == "B1 scored 91.60"
    assert (
        note.render({"%(who)s scored %(score)s": "%(who)s 得分 %(score)s"}.get) == "B1 得分 91.60"
    )


def test_decimal_params_show_two_decimals_half_up():
    assert Note("%(x)s", {"x": Decimal("89.995")}).render() == "90.00"


def test_nested_notes_are_rendered_in_the_same_language():
    label = Note("five stars")
    note = Note("Band: %(star)s", {"star": label})
    zh = {"Band: %(star)s": "按分定星：%(star)s", "five stars": "五星级"}.get
    assert note.render(zh) == "按分定星：五星级"


def test_a_literal_percent_sign_is_written_twice_in_every_msgid():
    assert Note("below 60%%").render() == "below 60%"
    assert Note("%(rate)s%% is below 60%%", {"rate": "59.99"}).render() == "59.99% is below 60%"
    assert Note("x: %(n)s", {"n": Note("50%%")}).render() == "x: 50%"


def test_a_note_survives_json_and_renders_the_same(chinese):
    for line in one(base=95, satisfaction="0.45", election="overdue").explain:
        stored = json.loads(json.dumps(line.as_json(), ensure_ascii=False))
        assert Note.from_json(stored).render(chinese) == line.render(chinese)


def test_note_json_is_the_msgid_and_its_params():
    note = Note("Band: %(star)s (%(score)s)", {"star": Note("four stars"), "score": Decimal(85)})
    assert note.as_json() == [
        "Band: %(star)s (%(score)s)",
        {"star": ["four stars", {}], "score": "85.00"},
    ]


def test_str_of_a_note_is_its_english_text():
    assert str(Note("one star")) == "one star"


def test_invalid_input_names_branch_and_field():
    error = InvalidInput(Note("must be a list"), branch="B7", field="events")
    assert str(error) == "Branch B7, field events: must be a list"
    assert (error.branch, error.field) == ("B7", "events")


def test_the_marker_returns_its_argument():
    assert N_("Penalty = %(penalty)s") == "Penalty = %(penalty)s"


def test_the_chinese_catalogue_keeps_every_placeholder(chinese):
    for msgid in marked_msgids():
        translated = chinese(msgid)
        assert sorted(PLACEHOLDER.findall(translated)) == sorted(PLACEHOLDER.findall(msgid)), msgid


def test_the_chinese_catalogue_compiles():
    assert shutil.which("msgfmt"), "gettext is missing: make setup installs it"
    done = subprocess.run(
        ["msgfmt", "--check-format", "-o", "/dev/null", str(PO_FILE)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def test_every_trace_line_is_a_marked_msgid():
    msgids = marked_msgids()
    lines = one(base=99, satisfaction="0.3", election="overdue_over_1y").explain
    assert {note.msgid for note in lines} <= msgids
    assert all(isinstance(n, Note) for n in lines)


def test_the_engine_imports_no_django():
    code = (
        "import sys, scoring.rules, scoring.rules.document, scoring.rules.output, "
        "scoring.rules.components\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_engine_sources_do_not_mention_django_imports():
    pattern = re.compile(r"^\s*(from|import)\s+django", re.MULTILINE)
    for path in (ROOT / "scoring" / "rules").glob("*.py"):
        assert not pattern.search(path.read_text(encoding="utf-8")), path


def test_english_rendering_needs_no_catalogue():
    lines = render_all(one(base=80).explain)
    assert lines[0] == "Base given directly: 80.00"
    assert all(isinstance(line, str) for line in lines)


def test_the_app_catalogue_translates_every_marked_msgid():
    from django.conf import settings
    from django.utils import translation

    compiled = Path(settings.BASE_DIR) / "locale/zh_Hans/LC_MESSAGES/django.mo"
    assert compiled.exists(), "make setup compiles the catalogue"
    with translation.override("zh-hans"):
        untranslated_ = sorted(m for m in marked_msgids() if translation.gettext(m) == m)
    assert not untranslated_
