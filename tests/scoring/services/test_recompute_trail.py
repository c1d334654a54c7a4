"""Recompute: refused as `NotAllowed`, recorded as `campaign.recomputed`, timed by the
clock, and the stored quota report in the one form `rules.output.quota_dict` writes."""

import datetime

import pytest

from scoring.models import Rating
from scoring.rules import Note
from scoring.rules.output import quota_dict
from scoring.services.recompute import recompute_campaign
from starrating import clock
from starrating.errors import NotAllowed
from tests import factories
from tests.factories import YEAR, ready_branch


def five_stars(campaign, parent, n):
    """`n` five-star branches, no two tied: the cap keeps ⌊n/10⌋ of them at five stars."""
    for i in range(n):
        ready_branch(campaign, factories.branch(parent), self_total=95, review_total=99 - i / 4)


@pytest.mark.parametrize("name", ["reviewer", "approver", "secretary", "nobody"])
def test_recompute_is_refused_to_all_but_staff_with_not_allowed(campaign, tree, name):
    five_stars(campaign, tree.party_committee, 2)
    with pytest.raises(NotAllowed) as refused:
        recompute_campaign(campaign=campaign, actor=tree.users_by_role()[name])
    assert str(refused.value)
    assert not Rating.objects.exists()


def test_recompute_is_recorded_with_its_code_and_the_clock_time(campaign, tree):
    five_stars(campaign, tree.party_committee, 2)
    moment = clock.aware(datetime.date(YEAR, 6, 29), 11)
    with clock.frozen(moment):
        recompute_campaign(campaign=campaign, actor=tree.staff)
    campaign.refresh_from_db()
    record = campaign.history.get(history_change_reason="campaign.recomputed")
    assert record.history_user == tree.staff
    assert campaign.recomputed_at == moment == record.history_date
    assert {r.computed_at for r in Rating.objects.all()} == {moment}


def test_the_stored_quota_report_is_the_calculators_with_notes_and_rules(campaign, tree):
    five_stars(campaign, tree.party_committee, 12)
    outcome = recompute_campaign(campaign=campaign, actor=tree.staff)
    campaign.refresh_from_db()
    stored = campaign.quota_report
    assert stored == quota_dict(outcome.quota, stored=True)
    printed = quota_dict(outcome.quota)
    assert len(stored["adjusted"]) == len(printed["adjusted"]) > 11
    assert {move["rule"] for move in stored["adjusted"]} == {"five_star_cap", "low_floor"}
    for kept, shown in zip(stored["adjusted"], printed["adjusted"], strict=True):
        assert "rule" not in shown  # the calculator's output contract is unchanged
        assert (kept["id"], kept["from"], kept["to"]) == (shown["id"], shown["from"], shown["to"])
        assert Note.from_json(kept["reason"]).render() == shown["reason"]
