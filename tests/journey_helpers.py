"""Helpers of the declaration journey (tests/test_journey_declaration.py).

What a person would do in a browser is in the test module; this module holds the
plumbing: reading the home page's to-dos, voting from a phone, reading slip codes out of
the printed sheet, driving the background branches through the services, and building
the calculator's JSON document from raw database rows.
"""

import re
import subprocess
import tempfile
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

from django.test import Client
from django.urls import reverse

from scoring.models import Ballot, ReviewScore, ScoreEvent, SelfScore, Slip, Verdict
from scoring.services.survey import hash_code

#: A minimal but well-formed PDF (one empty page), as a secretary would scan evidence.
MINIMAL_PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

#: A printed code: ABCD-EFGH-JK in the slips' unambiguous alphabet.
PRINTED_CODE = re.compile(r"\b([A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{2})\b")

CENT = Decimal("0.01")
#: docs/rules.md §4.1: penalty events take an optional count; bonus events take none.
PENALTY_TYPES = {"criticism", "leader_discipline", "member_violation", "absence"}


# --- Web plumbing ------------------------------------------------------------------------


def home_todos(client) -> set[tuple[str, str]]:
    """The (role, url) of every to-do the home page shows this client's user."""
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return {(item.role, item.url) for card in response.context["cards"] for item in card.items}


def follow_ok(response):
    """A followed response: it ended on a 200 page."""
    assert response.status_code == 200, (response.status_code, response.redirect_chain)
    return response


def form_errors(response, name) -> list[str]:
    """Every error (field and non-field) of the form `name` in the page's context."""
    form = response.context[name]
    return [str(error) for errors in form.errors.values() for error in errors]


def phone(number: int, *, language: str = "zh-hans") -> Client:
    """A member's phone: its own client (cookies, session) and its own address."""
    return Client(
        REMOTE_ADDR=f"10.20.{number // 250}.{number % 250 + 1}",
        HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile",
        HTTP_ACCEPT_LANGUAGE=language,
    )


def ballot_data(criteria, grades, verdict) -> dict:
    """The ballot form's POST: one grade letter per criterion, the verdict, the step."""
    data = {f"criterion_{c.pk}": grade for c, grade in zip(criteria, grades, strict=True)}
    data.update({"verdict": verdict, "step": "ballot"})
    return data


def slip_codes_from_pdf(pdf: bytes) -> list[str]:
    """The codes printed on a slip sheet, read with poppler's pdftotext."""
    assert pdf.startswith(b"%PDF-")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "slips.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    codes = PRINTED_CODE.findall(text)
    assert len(codes) == len(set(codes)), "a code is printed twice"
    return codes


def slip_kind(code: str) -> str | None:
    """The kind of an unspent slip (member/public), or None once spent."""
    return Slip.objects.filter(code_hash=hash_code(code)).values_list("kind", flat=True).first()


def participation_plan(electorate: int, public_issued: int) -> tuple[int, int]:
    """(member ballots, public ballots): at least 80 % of the members and a total whose
    satisfaction rate is an exact decimal (a denominator of twos and fives only)."""
    least = -(-4 * electorate // 5)
    for members in range(least, electorate + 1):
        for public in range(public_issued + 1):
            total = members + public
            if _terminating(total):
                return members, public
    raise AssertionError("no plan")  # pragma: no cover


def _terminating(n: int) -> bool:
    for p in (2, 5):
        while n % p == 0:
            n //= p
    return n == 1


# --- The calculator's document, from raw rows ---------------------------------------------


def exact_decimal(value: Fraction) -> str:
    """A terminating fraction as its exact decimal text (refuses 1/3)."""
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    assert den == 1, f"{value} has no exact decimal"
    digits = max(twos, fives)
    scaled = value * 10**digits
    assert scaled.denominator == 1
    return str(Decimal(scaled.numerator).scaleb(-digits))


def half_up(value: Fraction) -> Decimal:
    hundredths = value * 100
    whole, rest = divmod(hundredths.numerator, hundredths.denominator)
    if 2 * rest >= hundredths.denominator:
        whole += 1
    return Decimal(whole).scaleb(-2).quantize(CENT)


def branch_document(assessment) -> dict:
    """One branch of the calculator's input, read from the raw rows (not the services):
    the self and review sheets' criterion scores, the ballots' points and verdicts, the
    assessment's election snapshot and the branch's events of the campaign year."""
    campaign = assessment.campaign
    self_total = sum(
        SelfScore.objects.filter(self_evaluation__assessment=assessment).values_list(
            "score", flat=True
        ),
        Decimal(0),
    )
    review_total = sum(
        ReviewScore.objects.filter(review__assessment=assessment).values_list("score", flat=True),
        Decimal(0),
    )
    ballots = list(Ballot.objects.filter(survey__assessment=assessment).values("points", "verdict"))
    assert ballots, f"{assessment.branch.code} has no ballot"
    survey = half_up(sum((Fraction(b["points"]) for b in ballots), Fraction(0)) / len(ballots))
    pleased = sum(1 for b in ballots if b["verdict"] != Verdict.DISSATISFIED)
    events = []
    for event in ScoreEvent.objects.filter(
        branch=assessment.branch, date__year=campaign.year
    ).order_by("date", "pk"):
        item = {"type": event.type}
        if event.level:
            item["level"] = event.level
        if event.issuer:
            item["by"] = event.issuer
        if event.severity:
            item["severity"] = event.severity
        if event.type in PENALTY_TYPES:
            item["count"] = event.count
        events.append(item)
    return {
        "id": assessment.branch.code,
        "components": {
            "self": RawNumber(str(self_total.quantize(CENT, rounding=ROUND_HALF_UP))),
            "survey": RawNumber(str(survey)),
            "review": RawNumber(str(review_total.quantize(CENT, rounding=ROUND_HALF_UP))),
        },
        "satisfaction": RawNumber(exact_decimal(Fraction(pleased, len(ballots)))),
        "election": assessment.election,
        "events": events,
    }


def campaign_document(campaign, assessments) -> dict:
    """The whole input document: the campaign's policy and the given branches."""

    def number(value):
        return RawNumber(format(Decimal(value).normalize(), "f"))

    return {
        "kind": campaign.kind,
        "policy": {
            "weights": {
                "self": number(campaign.weight_self),
                "survey": number(campaign.weight_survey),
                "review": number(campaign.weight_review),
            },
            "bands": [number(b) for b in campaign.bands],
            "five_star_share": number(campaign.five_star_share),
            "low_share": number(campaign.low_share),
            "quotas": campaign.quota_mode,
        },
        "branches": [branch_document(a) for a in assessments],
    }


class RawNumber(str):
    """A number written into the JSON text as it is (never through a float)."""


def to_json(value) -> str:
    """JSON text in which RawNumbers stay exact decimal literals."""
    import json

    if isinstance(value, RawNumber):
        Decimal(value)  # a number, or this raises
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {to_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(to_json(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)
