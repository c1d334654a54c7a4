"""Recompute: one engine run over the rated branches, one bulk write.

See docs/rules.md §4, docs/nonfunctional.md §7.
"""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q, Sum
from django.test.utils import CaptureQueriesContext

from branches.permissions import is_staff
from scoring.models import (
    AuditStatus,
    Ballot,
    Rating,
    Review,
    ScoreEvent,
    SelfEvaluation,
    Verdict,
)
from scoring.services.recompute import MISSING_AUDIT, MISSING_SELF, gather, recompute_campaign
from tests import factories
from tests.factories import event, ready_branch


def populate(campaign, parent, n):
    for i in range(n):
        branch = factories.branch(parent)
        ready_branch(campaign, branch, self_total=80 + i % 10, review_total=70 + i % 20)
        if i % 3 == 0:
            event(branch, "criticism", issuer="work_committee", count=2)


def recompute_queries(campaign, staff):
    is_staff(staff)  # the role cache is per request; count the recompute alone
    with CaptureQueriesContext(connection) as ctx:
        recompute_campaign(campaign=campaign, actor=staff)
    return len(ctx.captured_queries)


def test_recompute_writes_one_rating_per_rated_branch(campaign, tree):
    populate(campaign, tree.party_committee, 5)
    unrated = factories.assessment(campaign, tree.branch_b)
    factories.sheet(unrated, 90, status="draft")
    outcome = recompute_campaign(campaign=campaign, actor=tree.staff)
    assert Rating.objects.count() == 5 == len(outcome.results)
    assert not Rating.objects.filter(assessment=unrated).exists()
    campaign.refresh_from_db()
    assert campaign.quota_report["total"] == 5
    assert campaign.recomputed_at is not None
    record = campaign.history.first()
    assert record.history_change_reason == "campaign.recomputed"
    assert record.history_user == tree.staff


def test_recompute_query_count_does_not_grow_with_branches(campaign, tree):
    populate(campaign, tree.party_committee, 10)
    small = recompute_queries(campaign, tree.staff)
    populate(campaign, tree.party_committee, 30)
    large = recompute_queries(campaign, tree.staff)
    assert Rating.objects.count() == 40
    assert large == small
    assert large <= 20


def test_recompute_is_staff_only(campaign, tree):
    for user in (tree.reviewer, tree.approver, tree.secretary, tree.nobody):
        with pytest.raises(PermissionDenied):
            recompute_campaign(campaign=campaign, actor=user)


def test_recompute_replaces_ratings_of_branches_no_longer_rated(campaign, tree):
    a = ready_branch(campaign, tree.branch_a, review_total=80)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    assert Rating.objects.filter(assessment=a).exists()
    Review.objects.filter(assessment=a).update(status="returned")
    recompute_campaign(campaign=campaign, actor=tree.staff)
    assert not Rating.objects.filter(assessment=a).exists()


def test_pending_five_star_audit_keeps_a_branch_unrated(campaign, tree):
    a = ready_branch(campaign, tree.branch_a, review_total=99, audit=AuditStatus.PENDING)
    (figures,) = gather(campaign, [a])
    assert figures.missing == [MISSING_AUDIT]
    recompute_campaign(campaign=campaign, actor=tree.staff)
    assert not Rating.objects.exists()


def test_missing_lists_what_each_branch_lacks(campaign, tree):
    a = factories.assessment(campaign, tree.branch_a)
    (figures,) = gather(campaign, [a])
    assert figures.missing[0] == MISSING_SELF
    assert len(figures.missing) == 3


def test_satisfaction_is_stored_exactly(campaign, tree):
    a = ready_branch(campaign, tree.branch_a, satisfied=2, dissatisfied=1, review_total=80)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    rating = Rating.objects.get(assessment=a)
    assert (rating.satisfaction_num, rating.satisfaction_den) == (2, 3)


# --- The key test: the stored ratings equal the calculator's output ------------------------


def build_key_campaign(campaign, tree):
    """Twelve rated branches with varied numbers, plus two unrated ones."""
    pc = tree.party_committee
    overdue = {"term_start": datetime.date(2022, 1, 1), "term_end": datetime.date(2026, 1, 1)}
    overdue_long = {"term_start": datetime.date(2020, 1, 1), "term_end": datetime.date(2025, 1, 1)}
    specs = [
        # (branch fields, self, survey points, satisfied, basic, dissatisfied, review, audit)
        ({}, 98, 98, 10, 0, 0, 98, "agreed"),
        ({}, 97, 96, 9, 1, 0, 97, "agreed"),
        ({}, 95, 95, 8, 2, 0, 96, "agreed"),
        ({}, 94, "92.5", 10, 0, 0, 95, "agreed"),
        (overdue, 92, 90, 10, 0, 0, 92, "not_needed"),
        ({}, 85, 85, 7, 2, 1, 85, "not_needed"),
        ({}, 80, 78, 10, 0, 0, "80.5", "not_needed"),
        ({}, 75, 70, 5, 0, 5, 76, "not_needed"),
        ({}, 85, 80, 2, 2, 6, 84, "not_needed"),
        (overdue_long, 90, 90, 10, 0, 0, 95, "not_needed"),
        ({}, 90, 90, 4, 0, 0, 91, "not_needed"),
        ({}, 65, 62, 10, 0, 0, 64, "not_needed"),
    ]
    branches = []
    for fields, s, v, sat, basic, dis, r, audit in specs:
        branch = factories.branch(pc, **fields)
        ready_branch(
            campaign,
            branch,
            self_total=s,
            survey_points=v,
            satisfied=sat,
            basically=basic,
            dissatisfied=dis,
            review_total=r,
            audit=audit,
        )
        branches.append(branch)
    event(branches[3], "commendation", level="city")
    event(branches[3], "media_article", level="province")
    event(branches[10], "innovation", level="province")
    event(branches[10], "member_violation", count=2)
    event(branches[6], "criticism", issuer="work_committee", count=2)
    event(branches[6], "leader_discipline", severity="removal")
    event(branches[9], "absence", count=3)
    event(branches[5], "criticism", issuer="municipal_committee")
    # An event of another year does not count.
    event(branches[0], "criticism", issuer="municipal_committee", date=datetime.date(2025, 5, 1))
    # Unrated: a draft sheet; a five-star proposal waiting for audit.
    draft = factories.assessment(campaign, factories.branch(pc))
    factories.sheet(draft, 90, status="draft")
    ready_branch(campaign, factories.branch(pc), review_total=99, audit="pending")


class Raw(str):
    """A number's decimal text, written into the JSON as a bare number."""


def to_json(document) -> str:
    marker = "\x00"

    def default(value):
        raise TypeError(value)

    def mark(value):
        if isinstance(value, Raw):
            return marker + value + marker
        if isinstance(value, dict):
            return {k: mark(v) for k, v in value.items()}
        if isinstance(value, list):
            return [mark(v) for v in value]
        return value

    text = json.dumps(mark(document), default=default)
    return text.replace('"\\u0000', "").replace('\\u0000"', "")


def calculator_document(campaign):
    """The calculator's input for the campaign's rated branches, read from the database
    independently of the recompute service."""
    rated = Rating.objects.filter(assessment__campaign=campaign).select_related(
        "assessment__branch"
    )
    branches = []
    for rating in rated.order_by("assessment__branch__code"):
        assessment = rating.assessment
        sheet = SelfEvaluation.objects.get(assessment=assessment)
        review = Review.objects.get(assessment=assessment)
        ballots = Ballot.objects.filter(survey__assessment=assessment).aggregate(
            n=Count("pk"),
            points=Sum("points"),
            ok=Count("pk", filter=Q(verdict__in=[Verdict.SATISFIED, Verdict.BASICALLY_SATISFIED])),
        )
        mean = (ballots["points"] / ballots["n"]).normalize()
        satisfaction = Decimal(ballots["ok"]) / Decimal(ballots["n"])
        events = []
        for e in ScoreEvent.objects.filter(branch=assessment.branch, date__year=campaign.year):
            item = {"type": e.type}
            if e.level:
                item["level"] = e.level
            if e.issuer:
                item["by"] = e.issuer
            if e.severity:
                item["severity"] = e.severity
            if not e.is_bonus:
                item["count"] = e.count
            events.append(item)
        branches.append(
            {
                "id": assessment.branch.code,
                "components": {
                    "self": Raw(str(sheet.total)),
                    "survey": Raw(format(mean, "f")),
                    "review": Raw(str(review.total)),
                },
                "satisfaction": Raw(format(satisfaction, "f")),
                "election": assessment.branch.election_status(campaign.reference_date),
                "events": events,
            }
        )
    return {
        "kind": campaign.kind,
        "policy": {
            "weights": {
                "self": Raw(str(campaign.weight_self)),
                "survey": Raw(str(campaign.weight_survey)),
                "review": Raw(str(campaign.weight_review)),
            },
            "bands": [Raw(str(b)) for b in campaign.bands],
            "five_star_share": Raw(str(campaign.five_star_share)),
            "low_share": Raw(str(campaign.low_share)),
            "quotas": campaign.quota_mode,
        },
        "branches": branches,
    }


def test_stored_ratings_equal_the_rate_commands_output(campaign, tree, tmp_path):
    build_key_campaign(campaign, tree)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    assert Rating.objects.count() == 12

    path = tmp_path / "campaign.json"
    path.write_text(to_json(calculator_document(campaign)), encoding="utf-8")
    out = io.StringIO()
    call_command("rate", str(path), stdout=out)
    output = json.loads(out.getvalue())

    stored = {
        r.assessment.branch.code: r for r in Rating.objects.select_related("assessment__branch")
    }
    assert len(output["results"]) == len(stored)
    for result in output["results"]:
        rating = stored[result["id"]]
        assert (
            str(rating.base),
            str(rating.bonus),
            str(rating.penalty),
            str(rating.score),
            rating.band,
            rating.star,
            rating.limits,
        ) == (
            result["base"],
            result["bonus"],
            result["penalty"],
            result["score"],
            result["band"],
            result["star"],
            result["limits"],
        ), result["id"]
    campaign.refresh_from_db()
    report = campaign.quota_report
    assert (report["total"], report["five_star_max"], report["low_min"]) == (12, 1, 2)
    expected_moves = [(a["id"], a["from"], a["to"]) for a in output["quota"]["adjusted"]]
    assert [(a["id"], a["from"], a["to"]) for a in report["adjusted"]] == expected_moves
    # The campaign was built to exercise the cap, the floor and the limits.
    assert any(move[1:] == (5, 4) for move in expected_moves)
    assert any(move[2] == 1 for move in expected_moves)
    assert Rating.objects.exclude(limits=[]).count() >= 3


def test_staff_are_asked_to_recompute_when_inputs_changed(campaign, tree):
    from starrating.todos import review_todos as todos

    a = ready_branch(campaign, tree.branch_a, review_total=80)

    def asked():
        return any(t.url.endswith(f"/campaigns/{campaign.pk}/results/") for t in todos(tree.staff))

    assert asked()
    recompute_campaign(campaign=campaign, actor=tree.staff)
    campaign.refresh_from_db()
    assert not asked()
    review = Review.objects.get(assessment=a)
    review.total = Decimal("81")
    review.save()
    assert asked()
