"""Campaign pages, the branch page with its audit trail, pinned query counts."""

from decimal import Decimal

from django.urls import reverse

from scoring.models import Campaign, CampaignStatus, ScoreEvent
from scoring.services import events as event_service
from scoring.services import self_evaluation as sheet_service
from starrating import clock
from tests import factories
from tests.factories import THIS_YEAR as YEAR
from tests.factories import scores_for


def test_staff_create_a_campaign_through_the_form(client, tree):
    client.force_login(tree.staff)
    response = client.post(
        reverse("scoring:campaign_create"),
        factories.policy_form(
            year=YEAR, kind="initial", title="", self_deadline=f"{YEAR}-06-05", review_deadline=""
        ),
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert campaign.criteria.count() == 10


def test_create_form_refuses_weights_not_summing_to_one(client, tree):
    client.force_login(tree.staff)
    response = client.post(
        reverse("scoring:campaign_create"),
        factories.policy_form(
            year=YEAR, kind="initial", weight_self="0.3", self_deadline=f"{YEAR}-06-05"
        ),
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Campaign.objects.exists()


def _rubric_post(campaign, points):
    data = factories.policy_form(
        title=campaign.title, self_deadline=campaign.self_deadline.isoformat()
    )
    criteria = list(campaign.criteria.order_by("position"))
    data.update(
        {
            "rubric-TOTAL_FORMS": str(len(criteria) + 1),
            "rubric-INITIAL_FORMS": str(len(criteria)),
            "rubric-MIN_NUM_FORMS": "0",
            "rubric-MAX_NUM_FORMS": "1000",
        }
    )
    for i, criterion in enumerate(criteria):
        data[f"rubric-{i}-id"] = str(criterion.pk)
        data[f"rubric-{i}-title"] = criterion.title
        data[f"rubric-{i}-description"] = criterion.description
        data[f"rubric-{i}-max_points"] = points
    return data


def test_rubric_editor_saves_new_points(client, tree, draft_campaign):
    client.force_login(tree.staff)
    response = client.post(
        reverse("scoring:campaign_edit", args=[draft_campaign.pk]),
        _rubric_post(draft_campaign, "5"),
    )
    assert response.status_code == 302
    assert set(draft_campaign.criteria.values_list("max_points", flat=True)) == {Decimal(5)}


def test_open_page_refuses_a_rubric_not_summing_to_100(client, tree, draft_campaign):
    client.force_login(tree.staff)
    client.post(
        reverse("scoring:campaign_edit", args=[draft_campaign.pk]),
        _rubric_post(draft_campaign, "5"),
    )
    client.post(reverse("scoring:campaign_open", args=[draft_campaign.pk]), {"confirm": "on"})
    draft_campaign.refresh_from_db()
    assert draft_campaign.status == "draft"


def test_open_page_opens_after_confirmation(client, tree, draft_campaign):
    client.force_login(tree.staff)
    url = reverse("scoring:campaign_open", args=[draft_campaign.pk])
    assert client.post(url, {}).status_code == 200  # no confirmation: nothing happens
    draft_campaign.refresh_from_db()
    assert draft_campaign.status == "draft"
    assert client.post(url, {"confirm": "on"}).status_code == 302
    draft_campaign.refresh_from_db()
    assert draft_campaign.status == CampaignStatus.OPEN


def test_campaign_overview_filters_by_status(client, tree, enrolled, sheet):
    sheet_service.save_draft(
        sheet=sheet, actor=tree.secretary, scores=scores_for(enrolled), self_star=2
    )
    sheet_service.submit(sheet=sheet, actor=tree.secretary)
    client.force_login(tree.staff)
    url = reverse("scoring:campaign_detail", args=[enrolled.pk])
    response = client.get(url, {"status": "unsubmitted"})
    branches = {a.branch for a in response.context["page"].object_list}
    assert branches == {tree.branch_b, tree.direct}


def test_campaign_overview_filters_by_parent(client, tree, enrolled):
    client.force_login(tree.staff)
    url = reverse("scoring:campaign_detail", args=[enrolled.pk])
    response = client.get(url, {"parent": tree.committee.pk})
    assert [a.branch for a in response.context["page"].object_list] == [tree.direct]


def test_campaign_overview_query_count_is_pinned(
    client, tree, draft_campaign, django_assert_max_num_queries
):
    from scoring.services.campaigns import open_campaign

    for _ in range(60):
        factories.branch(tree.party_committee)
    open_campaign(campaign=draft_campaign, actor=tree.staff)
    client.force_login(tree.staff)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("scoring:campaign_detail", args=[draft_campaign.pk]))
    assert len(response.context["page"].object_list) == 50


def test_campaign_list_query_count_is_pinned(client, tree, django_assert_max_num_queries):
    from scoring.services.campaigns import create_campaign

    for year in range(YEAR - 5, YEAR):
        create_campaign(committee=tree.committee, year=year, kind="initial", actor=tree.staff)
    client.force_login(tree.staff)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("scoring:campaign_list"))
    assert response.status_code == 200


def test_branch_page_shows_the_audit_trail_to_staff(client, tree, enrolled, sheet):
    sheet_service.save_draft(
        sheet=sheet, actor=tree.secretary, scores=scores_for(enrolled, "6"), self_star=2
    )
    sheet_service.save_draft(
        sheet=sheet, actor=tree.secretary, scores=scores_for(enrolled, "7"), self_star=2
    )
    client.force_login(tree.staff)
    response = client.get(reverse("scoring:assessment", args=[sheet.assessment_id]))
    history = response.context["history"]
    score_changes = [
        e
        for e in history
        if e["action"] == "~"
        and any(c["old"] == "6.00" and c["new"] == "7.00" for c in e["changes"])
    ]
    assert len(score_changes) == 10
    assert {e["who"] for e in score_changes} == {tree.secretary}
    assert b'id="audit-trail"' in response.content


def test_branch_page_hides_the_audit_trail_from_secretary(client, tree, sheet):
    client.force_login(tree.secretary)
    response = client.get(reverse("scoring:assessment", args=[sheet.assessment_id]))
    assert response.context["history"] is None
    assert b"audit-trail" not in response.content


def test_branch_page_lists_events_of_the_campaign_year(client, tree, enrolled, sheet):
    import datetime

    with clock.frozen(datetime.date(YEAR, 12, 31)):
        event_service.record_event(
            actor=tree.staff, branch=tree.branch_a, date=datetime.date(YEAR, 1, 5), type="absence"
        )
    ScoreEvent.objects.create(
        branch=tree.branch_a, date=datetime.date(YEAR - 1, 1, 5), type="absence"
    )
    client.force_login(tree.secretary)
    response = client.get(reverse("scoring:assessment", args=[sheet.assessment_id]))
    assert len(response.context["events"]) == 1


def test_branch_page_query_count_is_pinned(
    client, tree, enrolled, sheet, django_assert_max_num_queries
):
    sheet_service.save_draft(
        sheet=sheet, actor=tree.secretary, scores=scores_for(enrolled), self_star=2
    )
    client.force_login(tree.staff)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("scoring:assessment", args=[sheet.assessment_id]))
    assert response.status_code == 200
