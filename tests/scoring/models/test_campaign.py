"""The campaign's life as the model enforces it (docs/process.md §2.5), and enrolment."""

import pytest
from django.db import IntegrityError, transaction

from scoring.models import (
    TRANSITIONS,
    Assessment,
    Campaign,
    CampaignStatus,
    IllegalTransition,
)
from starrating import clock


def _campaign(tree, status=CampaignStatus.DRAFT):
    return Campaign.objects.create(committee=tree.committee, year=2026, title="t", status=status)


def test_the_statuses_are_those_of_the_life_table():
    assert CampaignStatus.values == [
        "draft",
        "declaring",
        "publicity",
        "awaiting_approval",
        "approved",
        "closed",
    ]


def test_the_chinese_labels_are_those_of_the_life_table():
    from django.utils import translation

    with translation.override("zh-hans"):
        labels = [str(label) for label in CampaignStatus.labels]
    assert labels == ["草稿", "申报中", "公示中", "待审批", "已批准", "已完成"]


def test_the_former_name_open_is_the_declaring_status():
    assert CampaignStatus.OPEN is CampaignStatus.DECLARING
    assert CampaignStatus.OPEN == "declaring"


def test_the_transitions_are_one_chain_from_draft_to_closed():
    chain = list(CampaignStatus)
    assert set(zip(chain, chain[1:], strict=False)) <= set(TRANSITIONS)


def test_the_one_shortcut_skips_publicity_for_a_year_end_re_rating():
    chain = list(CampaignStatus)
    shortcuts = set(TRANSITIONS) - set(zip(chain, chain[1:], strict=False))
    assert shortcuts == {(CampaignStatus.DECLARING, CampaignStatus.AWAITING_APPROVAL)}


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (CampaignStatus.DRAFT, CampaignStatus.PUBLICITY),
        (CampaignStatus.DECLARING, CampaignStatus.DRAFT),
        (CampaignStatus.DECLARING, CampaignStatus.APPROVED),
        (CampaignStatus.CLOSED, CampaignStatus.DECLARING),
    ],
)
def test_saving_a_status_change_outside_the_table_is_refused(tree, start, target):
    campaign = _campaign(tree, start)
    stored = Campaign.objects.get(pk=campaign.pk)
    stored.status = target
    with pytest.raises(IllegalTransition):
        stored.save()
    assert Campaign.objects.get(pk=campaign.pk).status == start


def test_a_status_change_along_the_table_is_saved(tree):
    campaign = Campaign.objects.get(pk=_campaign(tree).pk)
    campaign.status = CampaignStatus.DECLARING
    campaign.save()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DECLARING


def test_an_unknown_status_is_refused_even_on_creation(tree):
    with pytest.raises(IllegalTransition):
        _campaign(tree, "open")
    assert not Campaign.objects.exists()


def test_a_refreshed_campaign_is_judged_from_its_stored_status(tree):
    campaign = _campaign(tree)
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.DECLARING)
    campaign.refresh_from_db()
    campaign.status = CampaignStatus.PUBLICITY  # declaring → publicity is in the table
    campaign.save()
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.PUBLICITY


def test_enrolled_leaves_out_withdrawn_assessments(tree):
    campaign = _campaign(tree, CampaignStatus.DECLARING)
    kept = Assessment.objects.create(campaign=campaign, branch=tree.branch_a)
    gone = Assessment.objects.create(
        campaign=campaign,
        branch=tree.branch_b,
        withdrawn_at=clock.now(),
        withdrawal_cause="dissolved",
    )
    assert list(Assessment.objects.enrolled()) == [kept]
    assert list(Assessment.objects.withdrawn()) == [gone]
    assert list(campaign.assessments.enrolled()) == [kept]


def test_a_withdrawal_without_a_cause_is_refused_by_the_database(tree):
    campaign = _campaign(tree, CampaignStatus.DECLARING)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(campaign=campaign, branch=tree.branch_a, withdrawn_at=clock.now())
