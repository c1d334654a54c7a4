"""Slip counts and the override reason follow the product's input rules.

See docs/nonfunctional.md §7.
"""

import pytest
from django.urls import reverse

from scoring.models import Survey


def _url(name, assessment):
    return reverse(f"scoring:{name}", args=[assessment.pk])


@pytest.mark.parametrize("count", ["１２", "٣", "1_0", "1e1"])
def test_a_slip_count_in_other_digits_opens_nothing(client, tree, assessment, count):
    client.force_login(tree.secretary)
    response = client.post(_url("survey_open", assessment), {"public_slips": count})
    assert response.status_code == 200
    assert response.context["open_form"].errors["public_slips"] == ["输入整数。"]
    assert not Survey.objects.filter(assessment=assessment).exists()


@pytest.mark.parametrize("count", ["５", "1_0"])
def test_more_slips_in_other_digits_issue_nothing(client, tree, assessment, survey, count):
    client.force_login(tree.secretary)
    response = client.post(_url("survey_more_slips", assessment), {"count": count})
    assert response.status_code == 200
    survey.refresh_from_db()
    assert survey.public_slips_issued == 4


def test_the_override_reason_loses_invisible_characters(client, tree, assessment, survey):
    client.force_login(tree.staff)
    response = client.post(
        _url("survey_close", assessment),
        {"override_reason": "停\u202e电\x00\u2066\x9b", "confirm": "on"},
    )
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.close_override_reason == "停电"
