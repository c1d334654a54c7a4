"""The policy simulator (docs/rules.md, "The policy simulator"): the same engine on the
same figures, another policy, nothing written; it equals the calculator given the same inputs."""

import copy
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from branches.permissions import is_staff
from scoring.models import Campaign, EventType, Rating
from scoring.services.campaigns import validate_policy
from scoring.services.errors import InvalidPolicy
from scoring.services.recompute import recompute_campaign
from scoring.services.simulator import Trial, simulate
from tests import factories
from tests.factories import event, ready_branch
from tests.scoring.services.test_recompute import (
    Raw,
    build_key_campaign,
    calculator_document,
    to_json,
)

POLICY = (
    "weight_self",
    "weight_survey",
    "weight_review",
    "band_5",
    "band_4",
    "band_3",
    "band_2",
    "band_1",
    "five_star_share",
    "low_share",
    "quota_mode",
)


def own_policy(campaign):
    return {name: getattr(campaign, name) for name in POLICY}


def trial(campaign, off=(), **changes):
    return Trial.of({**own_policy(campaign), **changes}, off)


def calculator(document, tmp_path) -> dict:
    path = tmp_path / "campaign.json"
    path.write_text(to_json(document), encoding="utf-8")
    out = io.StringIO()
    call_command("rate", str(path), stdout=out)
    return json.loads(out.getvalue())


def figures(result) -> tuple:
    return (str(result.score), result.band, result.star, list(result.limits))


def output_figures(result) -> tuple:
    return (result["score"], result["band"], result["star"], result["limits"])


@pytest.fixture
def rated(campaign, tree):
    build_key_campaign(campaign, tree)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    campaign.refresh_from_db()
    return campaign


def test_the_campaigns_own_policy_moves_no_branch_and_gives_the_stored_ratings(rated, tree):
    simulation = simulate(campaign=rated, trial=trial(rated), actor=tree.staff)
    assert simulation.moves == []
    assert simulation.rescored == 0
    stored = {
        r.assessment.branch.code: r
        for r in Rating.objects.filter(assessment__campaign=rated).select_related(
            "assessment__branch"
        )
    }
    assert simulation.rated == len(stored) == 12
    for side in (simulation.real, simulation.tried):
        assert {r.id for r in side.results} == set(stored)
        for result in side.results:
            rating = stored[result.id]
            assert figures(result) == (str(rating.score), rating.band, rating.star, rating.limits)
            assert [n.as_json() for n in result.explain] == rating.explain
    report = rated.quota_report
    assert (simulation.tried.quota.five_star_max, simulation.tried.quota.low_min) == (
        report["five_star_max"],
        report["low_min"],
    )
    assert simulation.real.counts == simulation.tried.counts


def test_lower_bands_move_branches_up_with_the_band_line_that_moved_them(rated, tree):
    simulation = simulate(
        campaign=rated,
        trial=trial(rated, quota_mode="off", band_5=Decimal(85), band_4=Decimal(75)),
        actor=tree.staff,
    )
    assert simulation.moves
    assert simulation.up == len(simulation.moves)
    for move in simulation.moves:
        assert move.to_star > move.from_star
        assert move.delta == 0  # the bands change stars, not scores
        assert move.line.msgid.startswith(("Band:", "Limit:"))
    assert sum(simulation.tried.counts.values()) == sum(simulation.real.counts.values()) == 12


def test_a_quota_move_is_the_line_that_moved_a_branch(rated, tree):
    simulation = simulate(
        campaign=rated, trial=trial(rated, low_share=Decimal("0.5")), actor=tree.staff
    )
    floored = [m for m in simulation.moves if m.to_star == 1]
    assert floored
    assert all(m.line.msgid.startswith("Low-star floor") for m in floored)
    assert simulation.tried.quota.low_min == 6


def test_switching_a_penalty_off_leaves_its_events_out(campaign, tree):
    branch = factories.branch(tree.party_committee)
    ready_branch(campaign, branch, self_total=92, review_total=92)
    event(branch, "criticism", issuer="municipal_committee", count=2)
    plain = simulate(campaign=campaign, trial=trial(campaign, quota_mode="off"), actor=tree.staff)
    off = simulate(
        campaign=campaign,
        trial=trial(campaign, quota_mode="off", off=[EventType.CRITICISM]),
        actor=tree.staff,
    )
    (before,) = plain.tried.results
    (after,) = off.tried.results
    assert before.penalty == 10 and after.penalty == 0
    assert after.score == before.score + 10
    assert not any("criticism" in n.render() for n in after.explain)
    assert off.rescored == 1


def test_an_unknown_event_type_is_refused(campaign):
    with pytest.raises(InvalidPolicy):
        trial(campaign, off=["riots"])


def test_the_simulator_writes_nothing(rated, tree):
    is_staff(tree.staff)
    before = (Rating.objects.count(), Campaign.history.count(), dict(rated.quota_report))
    with CaptureQueriesContext(connection) as ctx:
        simulate(
            campaign=rated,
            trial=trial(rated, weight_self=Decimal("0.4"), weight_review=Decimal("0.3")),
            actor=tree.staff,
        )
    written = [
        q["sql"]
        for q in ctx.captured_queries
        if not q["sql"].lstrip().upper().startswith(("SELECT", "SAVEPOINT", "RELEASE"))
    ]
    assert written == []
    rated.refresh_from_db()
    assert before == (Rating.objects.count(), Campaign.history.count(), rated.quota_report)


def test_the_simulator_is_for_staff_only(rated, tree):
    for user in (tree.reviewer, tree.approver, tree.rereviewer, tree.secretary, tree.nobody):
        with pytest.raises(PermissionDenied):
            simulate(campaign=rated, trial=trial(rated), actor=user)


def test_the_query_count_does_not_grow_with_branches(campaign, tree):
    def queries():
        is_staff(tree.staff)
        with CaptureQueriesContext(connection) as ctx:
            simulate(campaign=campaign, trial=trial(campaign), actor=tree.staff)
        return len(ctx.captured_queries)

    for i in range(5):
        ready_branch(campaign, factories.branch(tree.party_committee), review_total=70 + i)
    small = queries()
    for i in range(20):
        ready_branch(campaign, factories.branch(tree.party_committee), review_total=60 + i)
    assert queries() == small <= 10


# --- the simulator equals the calculator ------------------------------------------------

percent = st.integers(min_value=0, max_value=100)


@st.composite
def policies(draw):
    """A policy the campaign form accepts: weights summing to 100 %, falling bands."""
    w_self = draw(percent)
    w_survey = draw(st.integers(min_value=0, max_value=100 - w_self))
    bands = sorted(draw(st.sets(st.integers(min_value=0, max_value=100), min_size=5, max_size=5)))
    return {
        "weight_self": Decimal(w_self) / 100,
        "weight_survey": Decimal(w_survey) / 100,
        "weight_review": Decimal(100 - w_self - w_survey) / 100,
        **{f"band_{5 - i}": Decimal(b) for i, b in enumerate(reversed(bands))},
        "five_star_share": Decimal(draw(percent)) / 100,
        "low_share": Decimal(draw(percent)) / 100,
        "quota_mode": draw(st.sampled_from(["enforce", "warn", "off"])),
    }


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=policies(), off=st.sets(st.sampled_from(EventType.values), max_size=3))
def test_the_simulator_equals_the_calculator_for_the_same_inputs(
    rated, tree, tmp_path, values, off
):
    values = validate_policy(values, previous_mode=values["quota_mode"])
    simulation = simulate(campaign=rated, trial=Trial.of(values, off), actor=tree.staff)

    real = calculator(calculator_document(rated), tmp_path)
    document = copy.deepcopy(calculator_document(rated))
    document["policy"] = {
        "weights": {
            "self": Raw(str(values["weight_self"])),
            "survey": Raw(str(values["weight_survey"])),
            "review": Raw(str(values["weight_review"])),
        },
        "bands": [Raw(str(values[f"band_{star}"])) for star in (5, 4, 3, 2, 1)],
        "five_star_share": Raw(str(values["five_star_share"])),
        "low_share": Raw(str(values["low_share"])),
        "quotas": values["quota_mode"],
    }
    for branch in document["branches"]:
        branch["events"] = [e for e in branch["events"] if e["type"] not in off]
    tried = calculator(document, tmp_path)

    by_id = {r.id: r for r in simulation.tried.results}
    assert len(by_id) == len(tried["results"])
    for result in tried["results"]:
        assert figures(by_id[result["id"]]) == output_figures(result), result["id"]
    quota = simulation.tried.quota
    assert (quota.total, quota.five_star_max, quota.low_min) == (
        tried["quota"]["total"],
        tried["quota"]["five_star_max"],
        tried["quota"]["low_min"],
    )
    stars_now = {r["id"]: r["star"] for r in real["results"]}
    expected = {
        (r["id"], stars_now[r["id"]], r["star"])
        for r in tried["results"]
        if r["star"] != stars_now[r["id"]]
    }
    assert {(m.code, m.from_star, m.to_star) for m in simulation.moves} == expected
