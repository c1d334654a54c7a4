"""Bad input on the declaration pages gets a message in Chinese and changes nothing
(docs/nonfunctional.md §7): numbers beyond the columns, numbers in other scripts, over-long and
invisible text. The values that overflowed the smallint columns were 500s on
PostgreSQL; here they must be form errors on either database."""

import datetime

import pytest
from django.db import DataError, connection, transaction
from django.urls import reverse

from scoring.models import Campaign, ScoreEvent, SelfScore
from scoring.services import campaigns as campaign_service
from scoring.services import events as event_service
from scoring.services import self_evaluation as sheet_service
from scoring.services.errors import InvalidEvent, InvalidPolicy, InvalidScore
from tests import factories
from tests.factories import THIS_YEAR as YEAR
from tests.factories import post_data

FORTY_DIGITS = "9" * 40
#: Numbers Python's int()/Decimal() read but a person does not mean as ASCII numbers.
NOT_NUMBERS = ["１２", "٣", "1_000", "1e3", "NaN", "Infinity", "12.5.1", "0x10", "١٢"]
BIDI_AND_CONTROLS = "\u202e\u2066\x00\x07\x1b\x85\x9f\u202a\u2069"
DAY = datetime.date(YEAR, 3, 1)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "model, field, value",
    [
        ("campaign", "year", 32768),
        ("campaign", "publicity_days", 10**39),
        ("event", "count", 32768),
    ],
)
def test_the_values_below_really_overflow_the_postgresql_columns(tree, model, field, value):
    """The form tests below post these values; here the columns themselves refuse them,
    so on PostgreSQL those tests would meet the real limits if a form let one through."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    if model == "campaign":
        row = Campaign(committee=tree.committee, **{"year": YEAR, "title": "t", field: value})
    else:
        row = ScoreEvent(branch=tree.branch_a, type="absence", date=DAY, **{field: value})
    with pytest.raises(DataError), transaction.atomic():
        row.save()


def _create(client, **overrides):
    data = factories.policy_form(
        year=YEAR, kind="initial", title="", self_deadline=f"{YEAR}-06-05", review_deadline=""
    )
    return client.post(reverse("scoring:campaign_create"), {**data, **overrides})


# --- campaign: year, publicity days, policy numbers ---------------------------------------


@pytest.mark.parametrize("year", ["32768", "40000", FORTY_DIGITS, "0", "3", "5", "1000", "2101"])
def test_campaign_year_out_of_range_is_a_form_error(client, tree, year):
    client.force_login(tree.staff)
    response = _create(client, year=year)
    assert response.status_code == 200
    assert "year" in response.context["form"].errors
    assert "确保该值" in response.content.decode()
    assert not Campaign.objects.exists()


@pytest.mark.parametrize("year", ["2000", "2100"])
def test_campaign_years_2000_to_2100_are_accepted(client, tree, year):
    client.force_login(tree.staff)
    assert _create(client, year=year).status_code == 302
    assert Campaign.objects.get().year == int(year)


@pytest.mark.parametrize("value", ["２０２６", "٢٠٢٦", "2_026"])
def test_campaign_year_in_other_digits_is_not_a_number(client, tree, value):
    client.force_login(tree.staff)
    response = _create(client, year=value)
    assert response.context["form"].errors["year"] == ["输入整数。"]
    assert not Campaign.objects.exists()


@pytest.mark.parametrize("days", [FORTY_DIGITS, "32768", "0", "31", "７", "1_0"])
def test_publicity_days_out_of_range_or_not_a_number_is_a_form_error(client, tree, days):
    client.force_login(tree.staff)
    response = _create(client, publicity_days=days)
    assert response.status_code == 200
    assert "publicity_days" in response.context["form"].errors
    assert not Campaign.objects.exists()


def test_editing_a_campaign_with_a_forty_digit_publicity_changes_nothing(
    client, tree, draft_campaign
):
    title = draft_campaign.title
    client.force_login(tree.staff)
    data = factories.policy_form(
        title="改过的标题", self_deadline=f"{YEAR}-06-05", publicity_days=FORTY_DIGITS
    )
    response = client.post(reverse("scoring:campaign_edit", args=[draft_campaign.pk]), data)
    assert response.status_code == 200
    assert "publicity_days" in response.context["form"].errors
    draft_campaign.refresh_from_db()
    assert (draft_campaign.publicity_days, draft_campaign.title) == (7, title)


@pytest.mark.parametrize("weight", ["０.2", "0.٢", "0.2_0", "2e-1"])
def test_policy_numbers_in_other_digits_are_refused(client, tree, weight):
    client.force_login(tree.staff)
    response = _create(client, weight_self=weight)
    assert response.context["form"].errors["weight_self"] == ["请输入数字。"]
    assert not Campaign.objects.exists()


def test_a_share_above_one_is_refused_by_the_model_validator_in_the_form(client, tree):
    client.force_login(tree.staff)
    response = _create(client, five_star_share="150")  # percent
    assert "five_star_share" in response.context["form"].errors
    assert not Campaign.objects.exists()


@pytest.mark.parametrize("year", [0, 3, 1000, 2101, 32768, "２０２６"])
def test_the_service_refuses_a_year_out_of_range(tree, year):
    with pytest.raises(InvalidPolicy):
        campaign_service.create_campaign(
            committee=tree.committee, year=year, kind="initial", actor=tree.staff
        )
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    "policy",
    [
        {"weight_self": "٠.2", "weight_survey": "0.3", "weight_review": "0.5"},
        {"band_5": "9_0"},
        {"publicity_days": "７"},
        {"publicity_days": 10**39},
        {"publicity_days": 0},
    ],
)
def test_the_service_refuses_policy_numbers_not_written_in_ascii(tree, policy):
    with pytest.raises(InvalidPolicy):
        campaign_service.validate_policy(policy)


# --- rubric ------------------------------------------------------------------------------


def _rubric(campaign, **first):
    data = factories.policy_form(
        title=campaign.title, self_deadline=campaign.self_deadline.isoformat()
    )
    criteria = list(campaign.criteria.order_by("position"))
    data.update(
        {
            "rubric-TOTAL_FORMS": str(len(criteria)),
            "rubric-INITIAL_FORMS": str(len(criteria)),
            "rubric-MIN_NUM_FORMS": "0",
            "rubric-MAX_NUM_FORMS": "1000",
        }
    )
    for i, criterion in enumerate(criteria):
        data[f"rubric-{i}-id"] = str(criterion.pk)
        data[f"rubric-{i}-title"] = criterion.title
        data[f"rubric-{i}-description"] = criterion.description
        data[f"rubric-{i}-max_points"] = str(criterion.max_points)
    data.update({f"rubric-0-{name}": value for name, value in first.items()})
    return data


@pytest.mark.parametrize(
    "field, value",
    [("max_points", "１０"), ("max_points", "1_0"), ("title", "长" * 201)],
)
def test_rubric_with_a_bad_value_saves_nothing(client, tree, draft_campaign, field, value):
    before = list(draft_campaign.criteria.values_list("title", "max_points"))
    client.force_login(tree.staff)
    response = client.post(
        reverse("scoring:campaign_edit", args=[draft_campaign.pk]),
        _rubric(draft_campaign, **{field: value}),
    )
    assert response.status_code == 200
    assert list(draft_campaign.criteria.values_list("title", "max_points")) == before


def test_rubric_titles_lose_bidi_overrides_and_control_characters(client, tree, draft_campaign):
    client.force_login(tree.staff)
    response = client.post(
        reverse("scoring:campaign_edit", args=[draft_campaign.pk]),
        _rubric(draft_campaign, title="组织\u202e建设\x00\n好", description="一\x07行\n二行"),
    )
    assert response.status_code == 302
    first = draft_campaign.criteria.order_by("position").first()
    assert (first.title, first.description) == ("组织建设 好", "一行\n二行")


# --- bonus/penalty events ----------------------------------------------------------------


def _event(client, tree, **overrides):
    data = {
        "branch": tree.branch_a.pk,
        "type": "absence",
        "count": "1",
        "date": DAY.isoformat(),
        "document_ref": "",
        "description": "",
    }
    return client.post(reverse("scoring:event_create"), {**data, **overrides})


@pytest.mark.parametrize("count", ["32768", FORTY_DIGITS, "1001", "0", *NOT_NUMBERS])
def test_event_count_out_of_range_or_not_a_number_is_a_form_error(client, tree, count):
    client.force_login(tree.staff)
    response = _event(client, tree, count=count)
    assert response.status_code == 200
    assert "count" in response.context["form"].errors
    assert not ScoreEvent.objects.exists()


def test_event_count_of_1000_is_accepted(client, tree):
    client.force_login(tree.staff)
    assert _event(client, tree, count="1000").status_code == 302
    assert ScoreEvent.objects.get().count == 1000


@pytest.mark.parametrize("count", ["１２", "1_000", 1001, 32768])
def test_the_event_service_refuses_such_counts(tree, count):
    with pytest.raises(InvalidEvent):
        event_service.record_event(
            actor=tree.staff, branch=tree.branch_a, date=DAY, type="absence", count=count
        )
    assert not ScoreEvent.objects.exists()


def test_event_description_over_2000_characters_is_refused(client, tree):
    client.force_login(tree.staff)
    response = _event(client, tree, description="长" * 2001)
    assert "最多 2000 个字符（当前为 2001 个）" in response.content.decode()
    assert not ScoreEvent.objects.exists()


def test_event_text_loses_invisible_characters(client, tree):
    client.force_login(tree.staff)
    response = _event(
        client,
        tree,
        document_ref=f"工委通\u202e〔2026〕1号\t{BIDI_AND_CONTROLS}",
        description=f"第一行\r\n第二\u2066行{BIDI_AND_CONTROLS}",
    )
    assert response.status_code == 302
    event = ScoreEvent.objects.get()
    assert event.document_ref == "工委通〔2026〕1号"
    assert event.description == "第一行\r\n第二行"


# --- self-evaluation ---------------------------------------------------------------------


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_self_evaluation_scores_in_other_digits_save_nothing(client, tree, sheet, value):
    client.force_login(tree.secretary)
    response = client.post(
        reverse("scoring:self_evaluation", args=[sheet.assessment_id]),
        post_data(sheet.assessment.campaign, value=value),
    )
    assert response.status_code == 200
    assert "请输入数字。" in response.content.decode()
    assert not SelfScore.objects.exists()


@pytest.mark.parametrize("value", ["٣", "１", "1_0", "3e0"])
def test_parse_score_takes_ascii_numbers_only(enrolled, value):
    criterion = enrolled.criteria.first()
    with pytest.raises(InvalidScore):
        sheet_service.parse_score(value, criterion)


def test_the_sheet_service_refuses_a_star_in_other_digits(tree, sheet):
    with pytest.raises(InvalidScore):
        sheet_service.save_draft(sheet=sheet, actor=tree.secretary, scores={}, self_star="٣")
    sheet.refresh_from_db()
    assert sheet.self_star is None


def test_self_evaluation_remark_over_2000_characters_saves_nothing(client, tree, sheet):
    campaign = sheet.assessment.campaign
    data = post_data(campaign)
    data[f"remark_{campaign.criteria.first().pk}"] = "长" * 2001
    client.force_login(tree.secretary)
    response = client.post(reverse("scoring:self_evaluation", args=[sheet.assessment_id]), data)
    assert response.status_code == 200
    assert "最多 2000 个字符" in response.content.decode()
    assert not SelfScore.objects.exists()


def test_self_evaluation_remarks_lose_invisible_characters(client, tree, sheet):
    campaign = sheet.assessment.campaign
    first = campaign.criteria.first()
    data = post_data(campaign)
    data[f"remark_{first.pk}"] = f"按期\u202e完成\x00\n{BIDI_AND_CONTROLS}"
    client.force_login(tree.secretary)
    response = client.post(reverse("scoring:self_evaluation", args=[sheet.assessment_id]), data)
    assert response.status_code == 302
    assert SelfScore.objects.get(criterion=first).remark == "按期完成"


def _extend(client, sheet, reason):
    until = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()
    return client.post(
        reverse("scoring:self_evaluation_extend", args=[sheet.assessment_id]),
        {"until": until, "reason": reason},
    )


def test_an_extension_reason_of_a_megabyte_is_refused(client, tree, sheet):
    client.force_login(tree.staff)
    response = _extend(client, sheet, "长" * (1024 * 1024))
    assert response.status_code == 200
    assert "最多 2000 个字符" in response.content.decode()
    sheet.refresh_from_db()
    assert (sheet.deadline_extended_to, sheet.extension_reason) == (None, "")


def test_an_extension_reason_of_invisible_characters_only_is_missing(client, tree, sheet):
    client.force_login(tree.staff)
    response = _extend(client, sheet, BIDI_AND_CONTROLS)
    assert response.context["form"].errors["reason"] == ["这个字段是必填项。"]
    sheet.refresh_from_db()
    assert sheet.deadline_extended_to is None
