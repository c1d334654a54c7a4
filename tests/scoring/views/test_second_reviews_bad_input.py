"""Bad input on every second-review form (docs/nonfunctional.md §7): huge and empty
strings, control characters and NUL, an RTL override, full-width digits, negative
numbers, NaN, 1e309, HTML and script, spreadsheet formulas. Never a 500; nothing saved
on an error; the message in Chinese."""

import re
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from branches.models import OrgKind, Role
from scoring.models import Decision, QuotaMode, SecondReview, SecondReviewScore
from tests import factories

BAD = [
    "",
    "   ",
    "9" * 100_000,
    "x" * 100_000,
    "\x00",
    "1\x00",
    "\x07\x1b\x85",
    "\u202e12",
    "１２",
    "٣",
    "-1",
    "-5.5",
    "NaN",
    "nan",
    "Infinity",
    "1e309",
    "-1e309",
    "1e3",
    "0x10",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "=SUM(A1:A9)",
    "@cmd",
    "=1+1",
    "9" * 40,
    "12.5.1",
]
bad = st.one_of(st.sampled_from(BAD), st.text(max_size=30).filter(lambda t: not t.isascii()))
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CHINESE_ERROR = re.compile(
    r'class="[^"]*(invalid-feedback|alert-danger|errorlist)[^"]*"[^>]*>(\s*<[^>]+>)*\s*[^<]*[\u4e00-\u9fff]'
)


def assert_refused_in_chinese(response):
    assert response.status_code == 200
    assert CHINESE_ERROR.search(response.content.decode()), "no error message in Chinese"


@pytest.fixture
def world(tree):
    parent = factories.org(OrgKind.PARTY_COMMITTEE, parent=tree.committee, name="机关党委乙")
    other = factories.user("reviewer_other", role=Role.REVIEWER, organisation=parent)
    campaign = factories.campaign(tree.committee, quota_mode=QuotaMode.OFF)
    a = factories.ready_branch(campaign, tree.branch_a)
    factories.review(a, 80, reviewer=tree.reviewer)
    factories.ready_branch(campaign, tree.branch_b)
    second = SecondReview.objects.create(assessment=a, reviewer=other)
    staff = Client()
    staff.force_login(tree.staff)
    mine = Client()
    mine.force_login(other)
    return SimpleNamespace(campaign=campaign, second=second, staff=staff, other=other, mine=mine)


def _unchanged(world):
    assert SecondReview.objects.count() == 1
    row = SecondReview.objects.get()
    assert row.reviewer == world.other and row.decision == Decision.UNDECIDED
    assert row.version == 0
    assert not SecondReviewScore.objects.exists()


@SETTINGS
@given(value=bad, field=st.sampled_from(["count", "percent"]))
def test_the_draw_refuses_bad_numbers(world, value, field):
    url = reverse("scoring:second_reviews_draw", args=[world.campaign.pk])
    assert_refused_in_chinese(world.staff.post(url, {field: value}))
    _unchanged(world)


@SETTINGS
@given(value=bad)
def test_the_hand_pick_refuses_bad_ids(world, value):
    url = reverse("scoring:second_reviews_pick", args=[world.campaign.pk])
    assert_refused_in_chinese(world.staff.post(url, {"assessments": [value]}))
    _unchanged(world)


@SETTINGS
@given(value=bad, field=st.sampled_from(["reviewer", "version"]))
def test_the_assignment_refuses_bad_values(world, value, field):
    url = reverse("scoring:second_review_assign", args=[world.second.pk])
    data = {"reviewer": str(world.other.pk), "version": "0", field: value}
    assert_refused_in_chinese(world.staff.post(url, data))
    _unchanged(world)


@SETTINGS
@given(value=bad, field=st.sampled_from(["decision", "version"]))
def test_the_decision_refuses_bad_values(world, value, field):
    url = reverse("scoring:second_review_decide", args=[world.second.pk])
    data = {"decision": "use_second", "reason": "理由", "version": "0", field: value}
    assert_refused_in_chinese(world.staff.post(url, data))
    _unchanged(world)


@SETTINGS
@given(reason=st.sampled_from(["", "   ", "\x00", "\u202e", "x" * 100_000]))
def test_the_decision_refuses_an_empty_or_huge_reason(world, reason):
    """The second review is a draft here, so even a good reason is refused: the point is
    that an empty, invisible or over-long reason is a form error, never a 500."""
    url = reverse("scoring:second_review_decide", args=[world.second.pk])
    data = {"decision": "use_second", "reason": reason, "version": "0"}
    assert_refused_in_chinese(world.staff.post(url, data))
    _unchanged(world)


@SETTINGS
@given(value=bad)
def test_the_margin_refuses_bad_numbers_and_keeps_the_default(world, value):
    if value == "" or value.strip() == "":
        return  # an empty margin is the default, not an error
    url = reverse("scoring:second_review_disagreement", args=[world.campaign.pk])
    response = world.staff.get(url, {"margin": value})
    assert_refused_in_chinese(response)
    assert response.context["figures"].margin_percent == 20


@SETTINGS
@given(value=bad, action=st.sampled_from(["save", "submit"]))
def test_the_second_review_sheet_refuses_bad_scores(world, value, action):
    if value == "" or value.strip() == "":
        value = "-1"  # an empty score is a partial draft, not an error
    criteria = list(world.campaign.criteria.all())
    data = {"version": "0", "action": action, "confirm": "on"}
    for c in criteria:
        data[f"score_{c.pk}"] = "5"
    data[f"score_{criteria[0].pk}"] = value
    url = reverse("scoring:second_review", args=[world.second.pk])
    assert_refused_in_chinese(world.mine.post(url, data))
    _unchanged(world)
