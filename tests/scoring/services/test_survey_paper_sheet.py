"""The slip sheet doubles as a paper ballot (docs/survey.md §2.1.2, A15)."""

import subprocess

import pytest
from django.utils import translation

from scoring.models import Criterion, Grade, Verdict
from scoring.services import survey as service


@pytest.fixture
def fast_pdf():
    """Overrides the conftest stub: these tests render the real sheet."""


def _render(survey, codes, tmp_path):
    path = tmp_path / "slips.pdf"
    with translation.override("zh-hans"):
        path.write_bytes(service.render_slip_sheet(survey, codes, "https://dj.example.org/v/"))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    count = int(next(line for line in pages.stdout.splitlines() if line.startswith("Pages:"))[6:])
    return text, count


def _codes(count):
    return [("member", service.new_code()) for _ in range(count)]


def test_each_slip_prints_its_code_the_criteria_and_boxes_for_every_grade_and_verdict(
    tree, survey, criteria, tmp_path
):
    codes = _codes(3)
    text, pages = _render(survey, codes, tmp_path)
    assert pages == 2  # two slips a page with the ten criteria of the default rubric
    for _kind, code in codes:
        assert text.count(service.format_code(code)) == 1
    with translation.override("zh-hans"):
        labels = [str(label) for _value, label in Grade.choices + Verdict.choices]
        heading = str(translation.gettext("Overall verdict"))
    for criterion in criteria:
        assert text.count(criterion.title) == 3
    for label in labels:
        assert label in text
    assert text.count(heading) == 3


def test_a_long_rubric_prints_one_slip_a_page(tree, survey, criteria, campaign, tmp_path):
    Criterion.objects.bulk_create(
        Criterion(campaign=campaign, position=10 + n, title=f"追加项{n}", max_points=1)
        for n in range(1, 4)
    )
    text, pages = _render(survey, _codes(3), tmp_path)
    assert pages == 3
    assert "追加项3" in text
