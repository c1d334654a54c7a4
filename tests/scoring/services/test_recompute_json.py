"""The recompute writes the trace's JSON itself (`recompute.note_json`, docs/nonfunctional.md
§7): it must be the very text Django's JSONField would write (`json.dumps(note.as_json())`),
or an unchanged recompute would rewrite every rating on SQLite, where JSON is compared as
text (D-7u)."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from scoring.rules import Note, rate
from scoring.rules.document import parse
from scoring.services import recompute

EXAMPLES = Path(__file__).resolve().parent.parent / "rules" / "examples"


def every_note(notes):
    for note in notes:
        yield note
        for value in note.params.values():
            if type(value) is Note:
                yield from every_note([value])


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.input.json")), ids=lambda p: p.name)
def test_every_note_of_the_examples_is_written_as_json_dumps_writes_it(path):
    document = parse(path.read_text(encoding="utf-8"))
    outcome = rate(document.branches, document.policy, document.kind)
    notes = [note for result in outcome.results for note in every_note(result.explain)]
    notes += [move.reason for move in outcome.quota.adjusted + outcome.quota.violations]
    assert notes
    for note in notes:
        assert recompute.note_json(note) == json.dumps(note.as_json())


@pytest.mark.parametrize(
    "note",
    [
        Note("plain"),
        Note("%(n)s and %(d)s", {"n": 3, "d": Decimal("2.005")}),
        Note('quotes " and \\ and 中文 and \t', {"x": '"中"\n'}),
        Note("%(rule)s", {"rule": Note("%(rate)s%%", {"rate": "59.99"}), "flag": True}),
        Note("%(label)s", {"label": Note("no params")}),
    ],
)
def test_odd_notes_are_written_as_json_dumps_writes_them(note):
    assert recompute.note_json(note) == json.dumps(note.as_json())
    assert json.loads(recompute.note_json(note)) == note.as_json()
