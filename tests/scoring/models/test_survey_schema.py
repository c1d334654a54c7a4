"""Anonymity holds in the schema (docs/survey.md §2.1.2, docs/nonfunctional.md §7)."""

import uuid

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from branches.models import Member
from scoring.models import Ballot, Slip, Survey


def _related_models(model):
    return {
        field.related_model
        for field in model._meta.get_fields()
        if field.is_relation and field.related_model is not None
    }


def _time_fields(model):
    return [
        field.name
        for field in model._meta.get_fields()
        if isinstance(field, (models.DateTimeField, models.TimeField))
    ]


def test_ballot_has_no_link_to_a_slip_or_a_person():
    assert _related_models(Ballot) == {Survey}
    assert Slip not in _related_models(Ballot)
    assert get_user_model() not in _related_models(Ballot)


def test_ballot_keeps_the_day_only():
    assert _time_fields(Ballot) == []
    assert isinstance(Ballot._meta.get_field("cast_on"), models.DateField)
    assert not any("ip" in field.name or "address" in field.name for field in Ballot._meta.fields)


def test_slip_has_no_holder_and_no_time():
    assert _related_models(Slip) == {Survey}
    assert Member not in _related_models(Slip)
    assert get_user_model() not in _related_models(Slip)
    assert _time_fields(Slip) == []
    assert not any(isinstance(f, models.DateField) for f in Slip._meta.fields)


def test_ballots_and_slips_have_no_history_but_surveys_do():
    history_models = {m._meta.model_name for m in apps.get_app_config("scoring").get_models()}
    assert "historicalballot" not in history_models
    assert "historicalslip" not in history_models
    assert "historicalsurvey" in history_models


def test_ballot_keys_are_random_uuids():
    field = Ballot._meta.pk
    assert isinstance(field, models.UUIDField)
    assert field.default is uuid.uuid4


def test_slip_stores_a_hash_not_the_code():
    names = {field.name for field in Slip._meta.fields}
    assert names == {"id", "survey", "kind", "code_hash"}
