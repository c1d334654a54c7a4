"""Shared helpers of the rules-engine tests: inputs in one line, the calculator in-process."""

import io
import json
import re
from decimal import Decimal
from pathlib import Path

from django.core.management import call_command

from scoring.rules import BranchInput, Event, Policy, rate

ROOT = Path(__file__).resolve().parents[3]
PO_FILE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
OFF = Policy(quota_mode="off")


def D(value) -> Decimal:  # noqa: N802 - reads like a literal
    return Decimal(str(value))


def branch(id="B1", *, base=None, components=None, events=(), **fields) -> BranchInput:
    """A branch with a base (default 80) or components given as plain numbers."""
    if components is None and base is None:
        base = 80
    parts = {}
    if components is not None:
        names = ("self_score", "survey_score", "review_score")
        parts = dict(zip(names, map(D, components), strict=True))
    if "satisfaction" in fields and isinstance(fields["satisfaction"], int | float | str):
        fields["satisfaction"] = D(fields["satisfaction"])
    return BranchInput(
        id,
        base=None if base is None else D(base),
        events=tuple(events),
        **parts,
        **fields,
    )


def one(policy=OFF, kind="initial", **kwargs):
    """Rate a single branch with quotas off; its result."""
    return rate([branch(**kwargs)], policy, kind).results[0]


def ev(type, count=1, **detail) -> Event:
    return Event(type, count=count, **detail)


def run(document, *args) -> tuple[int, str, str]:
    """`manage.py rate -` on *document* (a dict or text): (exit status, stdout, stderr)."""
    text = document if isinstance(document, str) else json.dumps(document)
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("rate", *(args or ("-",)), stdin=io.StringIO(text), stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def rate_json(document) -> dict:
    code, out, err = run(document)
    assert code == 0, err
    return json.loads(out)


PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")
