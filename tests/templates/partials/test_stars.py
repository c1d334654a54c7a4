"""The star partial: the one way a star is shown, as ★ marks and the star's name."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation


@pytest.mark.parametrize(("star", "name"), [(5, "五星级"), (3, "三星级"), (1, "一星级")])
def test_a_star_shows_its_marks_and_its_name(star, name):
    with translation.override("zh-hans"):
        html = render_to_string("partials/stars.html", {"star": star})
    assert html.count("★") == star
    assert name in html


def test_the_name_follows_the_readers_language():
    with translation.override("en"):
        html = render_to_string("partials/stars.html", {"star": 4})
    assert "four stars" in html
