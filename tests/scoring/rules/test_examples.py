"""The shared rating examples (docs/rules.md §4.1) reproduced through `manage.py rate`."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from .helpers import run

SHARED = Path(settings.BASE_DIR).parent / "shared" / "docs" / "rating-examples"
COPIES = Path(__file__).resolve().parent / "examples"  # for a checkout without shared/
FOLDER = SHARED if SHARED.is_dir() else COPIES


def project(output, expected):
    """*output* cut down to the keys *expected* names (expected files give a subset)."""
    if isinstance(expected, dict) and isinstance(output, dict):
        return {
            key: project(output.get(key, "<missing>"), value) for key, value in expected.items()
        }
    if isinstance(expected, list) and isinstance(output, list) and len(output) == len(expected):
        return [project(o, e) for o, e in zip(output, expected, strict=True)]
    return output


@pytest.mark.parametrize(
    "name", sorted(p.name.removesuffix(".input.json") for p in FOLDER.glob("*.input.json"))
)
def test_the_calculator_reproduces_the_example(name):
    document = (FOLDER / f"{name}.input.json").read_text(encoding="utf-8")
    expected = json.loads((FOLDER / f"{name}.expected.json").read_text(encoding="utf-8"))
    code, out, err = run(document)
    assert code == 0, err
    assert project(json.loads(out), expected) == expected


def test_the_example_copies_match_the_shared_examples():
    if not SHARED.is_dir():
        pytest.skip("shared/ is not beside this checkout")
    shared = {p.name: p.read_bytes() for p in SHARED.glob("*.json")}
    copies = {p.name: p.read_bytes() for p in COPIES.glob("*.json")}
    assert copies == shared
