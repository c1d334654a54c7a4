"""Bonus/penalty events: validation per type, year of counting, one-query selector."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from scoring.models import ScoreEvent
from scoring.rules.model import Event as EngineEvent
from scoring.services import events as service
from scoring.services.errors import InvalidEvent, NotAllowed
from starrating import clock
from tests.factories import PDF, PNG, upload
from tests.factories import THIS_YEAR as YEAR

DAY = datetime.date(YEAR, 3, 1)


@pytest.fixture(autouse=True)
def end_of_year():
    """On the last day of the year, DAY and every other date of the year have passed."""
    with clock.frozen(datetime.date(YEAR, 12, 31)):
        yield


@pytest.mark.parametrize(
    "fields",
    [
        {"type": "commendation", "level": "city"},
        {"type": "media_article", "level": "province"},
        {"type": "innovation", "level": "national"},
        {"type": "criticism", "issuer": "work_committee", "count": 2},
        {"type": "leader_discipline", "severity": "removal", "count": 1},
        {"type": "member_violation", "count": 3},
        {"type": "absence"},
    ],
)
def test_valid_events_are_recorded(tree, fields):
    event = service.record_event(actor=tree.staff, branch=tree.branch_a, date=DAY, **fields)
    assert event.pk and event.recorded_by == tree.staff


@pytest.mark.parametrize(
    "fields",
    [
        {"type": "commendation"},
        {"type": "innovation", "level": "national", "count": 2},
        {"type": "criticism"},
        {"type": "leader_discipline"},
        {"type": "absence", "count": 0},
        {"type": "absence", "count": "x"},
        {"type": "nonsense"},
    ],
)
def test_invalid_events_are_refused(tree, fields):
    with pytest.raises(InvalidEvent):
        service.record_event(actor=tree.staff, branch=tree.branch_a, date=DAY, **fields)
    assert not ScoreEvent.objects.exists()


def test_fields_of_another_type_are_cleared(tree):
    event = service.record_event(
        actor=tree.staff, branch=tree.branch_a, date=DAY, type="absence", level="city"
    )
    assert event.level == ""


def test_database_refuses_a_bonus_without_level(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoreEvent.objects.create(branch=tree.branch_a, type="commendation", date=DAY)


def test_only_staff_record_events(tree):
    with pytest.raises(NotAllowed):
        service.record_event(actor=tree.reviewer, branch=tree.branch_a, date=DAY, type="absence")


def test_event_evidence_is_checked_by_content(tree):
    from scoring.services.errors import InvalidUpload

    with pytest.raises(InvalidUpload):
        service.record_event(
            actor=tree.staff,
            branch=tree.branch_a,
            date=DAY,
            type="absence",
            uploaded_file=upload("x.pdf", PNG),
        )
    event = service.record_event(
        actor=tree.staff,
        branch=tree.branch_a,
        date=DAY,
        type="absence",
        uploaded_file=upload("通报.pdf", PDF),
    )
    assert event.evidence_name == "通报.pdf"


def test_events_count_in_the_campaign_of_their_year(tree, enrolled, django_assert_num_queries):
    for date in (DAY, datetime.date(YEAR, 12, 31)):
        service.record_event(actor=tree.staff, branch=tree.branch_a, date=date, type="absence")
    ScoreEvent.objects.create(
        branch=tree.branch_a, date=datetime.date(YEAR - 1, 12, 31), type="absence"
    )
    service.record_event(
        actor=tree.staff, branch=tree.branch_b, date=DAY, type="commendation", level="city"
    )
    with django_assert_num_queries(1):
        found = service.events_for_campaign(enrolled)
    assert {k: len(v) for k, v in found.items()} == {tree.branch_a.pk: 2, tree.branch_b.pk: 1}


def test_events_of_branches_outside_the_campaign_are_left_out(tree, enrolled):
    from tests import factories

    late = factories.branch(tree.party_committee)
    service.record_event(actor=tree.staff, branch=late, date=DAY, type="absence")
    assert service.events_for_campaign(enrolled) == {}


def test_event_converts_to_the_engine_event(tree):
    event = service.record_event(
        actor=tree.staff,
        branch=tree.branch_a,
        date=DAY,
        type="criticism",
        issuer="municipal_committee",
        count=2,
    )
    assert event.as_engine_event() == EngineEvent(
        type="criticism", by="municipal_committee", count=2
    )


def test_editing_keeps_history_with_the_user(tree):
    event = service.record_event(actor=tree.staff, branch=tree.branch_a, date=DAY, type="absence")
    service.update_event(event=event, actor=tree.staff, count=2)
    records = list(event.history.order_by("history_date"))
    assert [r.count for r in records] == [1, 2]
    assert records[-1].history_user == tree.staff


def test_update_revalidates_the_combination(tree):
    event = service.record_event(actor=tree.staff, branch=tree.branch_a, date=DAY, type="absence")
    with pytest.raises(InvalidEvent):
        service.update_event(event=event, actor=tree.staff, type="commendation")
    event.refresh_from_db()
    assert event.type == "absence"


def test_form_posts_record_an_event(client, tree):
    client.force_login(tree.staff)
    response = client.post(
        reverse("scoring:event_create"),
        {
            "branch": tree.branch_a.pk,
            "type": "criticism",
            "issuer": "work_committee",
            "count": "1",
            "date": DAY.isoformat(),
            "document_ref": "工委通〔2026〕1号",
            "description": "",
        },
    )
    assert response.status_code == 302
    assert ScoreEvent.objects.get().issuer == "work_committee"


def test_form_with_bad_combination_saves_nothing(client, tree):
    client.force_login(tree.staff)
    response = client.post(
        reverse("scoring:event_create"),
        {"branch": tree.branch_a.pk, "type": "criticism", "count": "1", "date": DAY.isoformat()},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not ScoreEvent.objects.exists()


def test_list_filters_by_year_and_type(client, tree):
    service.record_event(actor=tree.staff, branch=tree.branch_a, date=DAY, type="absence")
    ScoreEvent.objects.create(branch=tree.branch_a, date=DAY.replace(year=YEAR - 1), type="absence")
    service.record_event(
        actor=tree.staff, branch=tree.branch_b, date=DAY, type="commendation", level="city"
    )
    client.force_login(tree.staff)
    response = client.get(reverse("scoring:event_list"), {"year": YEAR, "type": "absence"})
    assert len(response.context["page"].object_list) == 1


def test_secretary_sees_only_own_branch_events(client, tree):
    service.record_event(actor=tree.staff, branch=tree.branch_a, date=DAY, type="absence")
    service.record_event(actor=tree.staff, branch=tree.branch_b, date=DAY, type="absence")
    client.force_login(tree.secretary)
    response = client.get(reverse("scoring:event_list"))
    assert [e.branch for e in response.context["page"].object_list] == [tree.branch_a]


def test_event_list_query_count_is_pinned(client, tree, django_assert_max_num_queries):
    for _ in range(30):
        service.record_event(actor=tree.staff, branch=tree.branch_a, date=DAY, type="absence")
    client.force_login(tree.staff)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("scoring:event_list"))
    assert response.status_code == 200
