"""Migration 0003: campaigns stored as "open" become "declaring" (docs/process.md §2.5)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("scoring", "0002_version_of_drafts")]
AFTER = [("scoring", "0003_campaign_life_and_withdrawal")]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_open_campaigns_and_their_history_become_declaring():
    try:
        apps = _migrate(BEFORE)
        Organisation = apps.get_model("branches", "Organisation")
        Campaign = apps.get_model("scoring", "Campaign")
        HistoricalCampaign = apps.get_model("scoring", "HistoricalCampaign")
        committee = Organisation.objects.create(kind="committee", name="工委", code="GW")
        for year, status in ((2025, "open"), (2026, "draft")):
            campaign = Campaign.objects.create(
                committee=committee, year=year, title=str(year), status=status
            )
            HistoricalCampaign.objects.create(
                id=campaign.pk,
                committee_id=committee.pk,
                year=year,
                kind="initial",
                title=str(year),
                status=status,
                history_date="2025-03-01T00:00:00Z",
                history_type="~",
            )
        apps = _migrate(AFTER)
        Campaign = apps.get_model("scoring", "Campaign")
        HistoricalCampaign = apps.get_model("scoring", "HistoricalCampaign")
        stored = dict(Campaign.objects.values_list("year", "status"))
        history = dict(HistoricalCampaign.objects.values_list("year", "status"))
        assert stored == history == {2025: "declaring", 2026: "draft"}
    finally:  # back to the latest schema for the tests that follow
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
