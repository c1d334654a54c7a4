"""An event's date must be one a campaign can count (D-4.3a): not in the future, and not in
a past year whose campaigns no longer take declarations; every change is recorded."""

import datetime

import pytest
from django.utils import translation

from scoring.models import ScoreEvent
from scoring.services import events as service
from scoring.services.campaigns import create_campaign, open_campaign
from scoring.services.errors import InvalidEvent
from starrating import clock

TODAY = datetime.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def mid_june():
    with clock.frozen(TODAY):
        yield


def _record(tree, date, **fields):
    return service.record_event(
        actor=tree.staff, branch=tree.branch_a, date=date, type="absence", **fields
    )


def test_an_event_of_today_is_recorded(tree):
    assert _record(tree, TODAY).date == TODAY


def test_an_event_dated_tomorrow_is_refused_in_chinese(tree):
    with translation.override("zh-hans"), pytest.raises(InvalidEvent) as refused:
        _record(tree, TODAY + datetime.timedelta(days=1))
    assert str(refused.value) == "日期 2026年6月16日 尚未到来：请在事项发生后再登记。"
    assert not ScoreEvent.objects.exists()


def test_an_event_a_year_ahead_is_refused(tree):
    with pytest.raises(InvalidEvent):
        _record(tree, TODAY.replace(year=2027))


def test_an_event_of_a_past_year_without_an_open_campaign_is_refused(tree):
    with pytest.raises(InvalidEvent) as refused:
        _record(tree, datetime.date(2016, 6, 1))  # 2026 mistyped
    assert "2016" in str(refused.value)


def test_an_event_of_last_year_counts_while_last_years_campaign_is_open(tree):
    last_year = create_campaign(
        committee=tree.committee,
        year=2025,
        kind="initial",
        actor=tree.staff,
        self_deadline=TODAY + datetime.timedelta(days=30),
    )
    open_campaign(campaign=last_year, actor=tree.staff)
    assert _record(tree, datetime.date(2025, 12, 1)).date.year == 2025


def test_an_edit_to_a_future_date_is_refused_and_changes_nothing(tree):
    event = _record(tree, TODAY)
    with pytest.raises(InvalidEvent):
        service.update_event(event=event, actor=tree.staff, date=TODAY.replace(month=12))
    event.refresh_from_db()
    assert event.date == TODAY


def test_a_date_given_as_text_is_checked_as_a_date(tree):
    _record(tree, "2026-03-01")
    with pytest.raises(InvalidEvent):
        _record(tree, "2026-07-01")
    assert ScoreEvent.objects.get().date == datetime.date(2026, 3, 1)


def test_recording_editing_and_deleting_are_each_recorded(tree):
    event = _record(tree, TODAY)
    service.update_event(event=event, actor=tree.staff, description="补记")
    service.delete_event(event=event, actor=tree.staff)
    records = ScoreEvent.history.filter(id=event.pk).order_by("history_date")
    assert [r.history_change_reason for r in records] == [
        "event.recorded",
        "event.edited",
        "event.deleted",
    ]
    assert {r.history_user for r in records} == {tree.staff}
