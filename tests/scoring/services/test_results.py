"""What the results pages read: the stored quota check with named attributes, and the
campaign's progress (docs/rules.md §4.8, docs/process.md §2.5)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from scoring.rules import Note
from scoring.services.recompute import recompute_campaign
from scoring.services.results import Progress, QuotaCheck
from tests import factories
from tests.factories import ready_branch


def test_there_is_no_quota_check_before_the_first_recompute(campaign):
    assert QuotaCheck.of(campaign) is None


def test_the_quota_check_names_its_figures_and_the_branches_it_moved(campaign, tree):
    for n in range(12):
        branch = factories.branch(tree.party_committee, name=f"支部{n:02d}")
        ready_branch(campaign, branch, self_total=95, review_total=95 - n / 10)
    recompute_campaign(campaign=campaign, actor=tree.staff)
    campaign.refresh_from_db()
    with CaptureQueriesContext(connection) as ctx:
        check = QuotaCheck.of(campaign)
    assert len(ctx.captured_queries) == 1  # the moved branches' names
    assert (check.mode, check.total, check.five_star_max, check.low_min) == ("enforce", 12, 1, 2)
    assert check.violations == ()
    cap = [move for move in check.adjusted if move.rule == "five_star_cap"]
    assert [(m.name, m.from_star, m.to_star) for m in cap[:2]] == [
        ("支部01", 5, 4),
        ("支部02", 5, 4),
    ]
    assert all(isinstance(move.reason, Note) for move in check.adjusted)
    with translation.override("zh-hans"):
        assert "由五星级降为四星级" in cap[0].reason.render(translation.gettext)
    with translation.override("en"):
        assert str(check.mode_label) == "Enforce"


def test_progress_counts_what_each_branch_lacks(campaign, tree):
    ready_branch(campaign, tree.branch_a)  # no review yet
    factories.assessment(campaign, tree.branch_b)  # nothing yet
    progress = Progress.of(campaign)
    assert progress.enrolled == 2
    assert len(progress.missing) == 2
    with translation.override("en"):
        counts = {str(label): n for label, n in progress.counts}
        labels = progress.missing[0].missing_labels
    assert counts == {
        "self-evaluation not submitted": 1,
        "survey not closed": 1,
        "review not submitted": 2,
        "five-star audit pending": 0,
    }
    assert labels == ["review not submitted"]
