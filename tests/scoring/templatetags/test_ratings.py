"""`{% load ratings %}`: notes in the reader's language, points with their sign."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from scoring.rules import Note
from scoring.rules.labels import STAR_LABELS


def render(source, **context):
    return Template("{% load ratings %}" + source).render(Context(context))


def test_a_note_and_its_stored_form_render_alike_in_the_readers_language():
    note = Note(
        "Band: %(star)s (score %(score)s ≥ %(threshold)s)",
        {"star": STAR_LABELS[4], "score": "85.00", "threshold": "80.00"},
    )
    with translation.override("zh-hans"):
        shown = render("{{ a|note }}|{{ b|note }}", a=note, b=note.as_json())
    assert shown == "按分定星：四星级（总分 85.00 ≥ 80.00）|按分定星：四星级（总分 85.00 ≥ 80.00）"
    with translation.override("en"):
        assert render("{{ a|note }}", a=note) == "Band: four stars (score 85.00 ≥ 80.00)"


def test_a_note_is_escaped_like_any_text():
    note = Note("Base given directly: %(base)s", {"base": "<b>1</b>"})
    assert "&lt;b&gt;" in render("{{ a|note }}", a=note)


@pytest.mark.parametrize(
    ("value", "added", "deducted"),
    [
        (Decimal("0.00"), "0.00", "0.00"),
        (Decimal("-0.00"), "0.00", "0.00"),
        (Decimal("5"), "+5.00", "−5.00"),
        (None, "—", "—"),
    ],
)
def test_points_show_their_sign_but_zero_has_none(value, added, deducted):
    assert render("{{ v|addition }}|{{ v|deduction }}", v=value) == f"{added}|{deducted}"
