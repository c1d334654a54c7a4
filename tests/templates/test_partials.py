"""The shared partials: star badge and score table."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.utils import translation


@pytest.mark.parametrize("star, filled", [(1, 1), (3, 3), (5, 5)])
def test_star_badge_shows_filled_and_empty_stars(star, filled):
    html = render_to_string("partials/stars.html", {"star": star})
    assert html.count("★") == filled
    assert html.count("☆") == 5 - filled


def test_star_badge_fills_the_first_marks_and_dims_the_rest():
    html = render_to_string("partials/stars.html", {"star": 2})
    empty = '<span class="text-body-tertiary">☆</span>'
    assert f'<span class="stars" aria-hidden="true">★★{empty * 3}</span>' in html


def test_star_badge_for_no_star_says_so():
    with translation.override("en"):
        html = render_to_string("partials/stars.html", {"star": 0})
    assert "No star rating" in html
    assert "★" not in html


def test_star_badge_for_none_is_a_dash():
    assert render_to_string("partials/stars.html", {"star": None}).strip().endswith("—</span>")


def test_score_table_escapes_remarks_and_shows_total():
    criterion = SimpleNamespace(position=1, title="组织健全", max_points=Decimal("10"))
    score = SimpleNamespace(score=Decimal("8.50"), remark="<script>x</script>")
    html = render_to_string(
        "partials/score_table.html",
        {"score_rows": [(criterion, score)], "total": Decimal("8.50"), "total_max": 100},
    )
    assert "&lt;script&gt;" in html
    assert "<script>" not in html
    assert html.count("8.50") == 2
