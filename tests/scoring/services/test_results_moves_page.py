"""The results page reads one page of the stored quota check's moves and their counts in
one query (`results.read_moves`; on PostgreSQL one decompression of the report): the same
moves, in the same order, as slicing the decoded report (docs/nonfunctional.md §7)."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scoring.models import Campaign
from scoring.services.results import PER_PAGE, QuotaCheck, read_moves
from tests import factories

HEAD = {"mode": "enforce", "total": 300, "five_star_max": 30, "low_min": 15}


def move(i, kind):
    """A stored move of branch `X{i}` (the form `quota_dict(…, stored=True)` writes)."""
    reason = ["Five stars capped at %(max)s.", {"max": 30}]
    return {"id": f"X{i:04d}", "from": 5, "to": 4, "rule": kind, "reason": reason}


def store(campaign, adjusted=0, violations=0, mode="enforce"):
    report = {**HEAD, "mode": mode}
    report["adjusted"] = [move(i, "five_star_cap") for i in range(adjusted)]
    report["violations"] = [move(10_000 + i, "low_floor") for i in range(violations)]
    Campaign.objects.filter(pk=campaign.pk).update(quota_report=report)
    campaign.refresh_from_db()
    return report["adjusted"] + report["violations"]


@pytest.mark.parametrize(
    ("adjusted", "violations"),
    [(137, 0), (0, 137), (40, 70)],  # enforce, warn, and both kinds across a page's edge
)
@pytest.mark.parametrize(("start", "stop"), [(0, 50), (50, 100), (100, 150), (200, 250)])
def test_a_window_of_moves_is_the_slice_of_the_report(campaign, adjusted, violations, start, stop):
    every = store(campaign, adjusted, violations)
    with CaptureQueriesContext(connection) as ctx:
        head, n_adjusted, n_violations, shown = read_moves(campaign.pk, start, stop)
    assert len(ctx.captured_queries) == 1
    assert head == HEAD
    assert (n_adjusted, n_violations) == (adjusted, violations)
    assert [m for _kind, m in shown] == every[start:stop]
    kinds = ["adjusted"] * adjusted + ["violations"] * violations
    assert [kind for kind, _m in shown] == kinds[start:stop]


def test_before_the_first_recompute_there_is_no_head(campaign):
    assert read_moves(campaign.pk, 0, PER_PAGE) == (None, 0, 0, [])


def codes(moves):
    return [m.code for m in moves]


@pytest.mark.parametrize("warn", [False, True])
@pytest.mark.parametrize(
    ("asked", "number"),
    [(1, 1), ("2", 2), ("3", 3), (3, 3), ("99", 3), ("0", 3), ("-4", 3), ("x", 1), ("", 1)],
)
def test_the_page_of_moves_is_the_page_of_the_whole_check(campaign, warn, asked, number):
    """Page 1, a middle page and the last (137 moves: 50, 50, 37), and `get_page`'s
    answer to a page number that is not one; violations are paged the same way."""
    store(campaign, *((0, 137) if warn else (137, 0)), mode="warn" if warn else "enforce")
    whole = QuotaCheck.of(campaign)
    key = "violations" if warn else "adjusted"
    expected = Paginator(getattr(whole, key), PER_PAGE).get_page(asked)
    read = Campaign.objects.defer("quota_report").get()
    with CaptureQueriesContext(connection) as ctx:
        check = QuotaCheck.of(read, page=asked)
    # The moves and their counts, then the moved branches' names (none exist here); a
    # second read of the moves only when the number asked is not a page.
    reread = str(asked) in ("99", "0", "-4")
    assert len(ctx.captured_queries) == (3 if reread else 2)
    assert check.moves_page.number == expected.number == number
    assert check.moves_page.paginator.num_pages == 3
    assert codes(getattr(check, key)) == codes(expected.object_list)
    assert getattr(check, "adjusted" if warn else "violations") == ()
    assert (check.adjusted_count, check.violations_count) == ((0, 137) if warn else (137, 0))
    assert (check.mode, check.total, check.five_star_max, check.low_min) == (
        "warn" if warn else "enforce",
        300,
        30,
        15,
    )


def test_the_moved_branches_are_named(campaign, tree):
    factories.branch(tree.party_committee, name="第一支部", code="X0051")
    store(campaign, 137)
    check = QuotaCheck.of(campaign, page=2)
    assert [(m.code, m.name) for m in check.adjusted[:2]] == [
        ("X0050", "X0050"),
        ("X0051", "第一支部"),
    ]


def test_a_page_number_past_any_index_is_the_last_page(campaign):
    store(campaign, 137)
    check = QuotaCheck.of(campaign, page="9" * 400)
    assert check.moves_page.number == 3
    assert codes(check.adjusted) == [f"X{i:04d}" for i in range(100, 137)]


def test_no_moves_give_an_empty_first_page(campaign):
    store(campaign)
    check = QuotaCheck.of(campaign, page=5)
    assert (check.moves_page.number, len(check.moves_page)) == (1, 0)
    assert check.adjusted == check.violations == ()


def test_the_results_page_decodes_no_whole_report_on_postgresql(
    client, campaign, tree, monkeypatch
):
    """The page's campaign comes without its report; on PostgreSQL the moves' query
    sends one page of moves, so no whole report is decoded in Python (on SQLite,
    `read_moves` decodes it once)."""
    store(campaign, 137)
    field = Campaign._meta.get_field("quota_report")
    decoded = []
    original = field.from_db_value

    def counting(value, expression, connection):
        if isinstance(value, str) and "adjusted" in value:  # a whole report
            decoded.append(value)
        return original(value, expression, connection)

    monkeypatch.setattr(field, "from_db_value", counting)
    client.force_login(tree.staff)
    url = reverse("scoring:campaign_results", args=[campaign.pk])
    response = client.get(url, {"moves": 3})
    assert codes(response.context["quota"].adjusted) == [f"X{i:04d}" for i in range(100, 137)]
    assert len(decoded) == (0 if connection.vendor == "postgresql" else 1)
