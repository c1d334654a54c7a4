"""Bad input to the paper ballot form: never a 500, nothing stored, a Chinese message
(docs/nonfunctional.md §7, docs/survey.md A15)."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.models import Ballot, Grade, PaperEntry, Verdict
from tests.factories import member_codes

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
CHINESE = re.compile(r"[\u4e00-\u9fff]")

BAD = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "x" * 100_000,
            "\x00",
            "ABCD\x00EFGHJK",
            "\u202eKJHG-FEDC-BA",
            "ＡＢＣＤ－ＥＦＧＨ－ＪＫ",
            "１２３",
            "-1",
            "NaN",
            "1e309",
            "<script>alert(1)</script>",
            '=HYPERLINK("http://x")',
            "+1+1",
            "@SUM(A1)",
            "\r\n\t",
            "E\x00",
        ]
    ),
    st.text(max_size=40),
)


def _valid(criteria, code):
    return {"code": code, "verdict": "satisfied", **{f"criterion_{c.pk}": "E" for c in criteria}}


def _check(client, url, data):
    response = client.post(url, data)
    assert response.status_code == 200
    assert not PaperEntry.objects.exists()
    assert not Ballot.objects.exists()
    errors = response.context["form"].errors
    assert errors
    for messages in errors.values():
        for message in messages:
            assert CHINESE.search(message), message


@pytest.fixture
def teller(tree):
    client = Client()
    client.force_login(tree.secretary)
    return client


@SETTINGS
@given(value=BAD)
def test_a_bad_code_stores_nothing(teller, assessment, survey, criteria, value):
    url = reverse("scoring:survey_paper", args=[assessment.pk])
    _check(teller, url, {**_valid(criteria, "x"), "code": value})


@SETTINGS
@given(value=BAD.filter(lambda v: v.strip() not in Grade.values))
def test_a_bad_grade_stores_nothing(teller, assessment, survey, issued, criteria, value):
    url = reverse("scoring:survey_paper", args=[assessment.pk])
    data = _valid(criteria, member_codes(issued)[0])
    data[f"criterion_{criteria[3].pk}"] = value
    _check(teller, url, data)


@SETTINGS
@given(value=BAD.filter(lambda v: v.strip() not in Verdict.values))
def test_a_bad_verdict_stores_nothing(teller, assessment, survey, issued, criteria, value):
    url = reverse("scoring:survey_paper", args=[assessment.pk])
    _check(teller, url, {**_valid(criteria, member_codes(issued)[0]), "verdict": value})
