"""Every form of the product reads numbers and free text through the shared fields of
`starrating.forms`, so one rule (`starrating.inputs`) holds on every page. A new form
must be listed here, with what it needs to be built."""

import importlib
import inspect

import pytest
from django import forms

from scoring.models import Campaign, Criterion
from starrating import forms as shared
from tests import factories

MODULES = [
    "branches.forms",
    "improvement.forms",
    "scoring.forms.campaigns",
    "scoring.forms.dashboard",
    "scoring.forms.events",
    "scoring.forms.publicity",
    "scoring.forms.reviews",
    "scoring.forms.self_evaluation",
    "scoring.forms.stars",
    "scoring.forms.survey",
    "starrating.forms",
    "reminders.forms",
]
#: Fields that are not free text and are checked by a rule of their own.
EXEMPT = {
    ("CodeForm", "code"): "a slip code, checked against the code alphabet",
    ("PaperBallotForm", "code"): "a slip code, checked against the code alphabet",
    ("LoginForm", "username"): "a username: only its length is checked, before it is looked up",
    ("LoginForm", "password"): "never stored or shown",
    ("AdminLoginForm", "username"): "as LoginForm",
    ("AdminLoginForm", "password"): "as LoginForm",
    ("ObjectionForm", "website"): "a honeypot: a value drops the objection, nothing is stored",
}


def _form_classes():
    found = {}
    for name in MODULES:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == name
                and not value.__name__.startswith("_")
                and value is not shared.ModelForm
            ):
                found[f"{name}.{value.__name__}"] = value
    return found


@pytest.fixture
def built(tree):
    """Every form class, instantiated with what it needs."""
    from branches.models import Organisation

    campaign = factories.campaign(tree.committee)
    criteria = list(campaign.criteria.all())
    sheet = factories.sheet(factories.assessment(campaign, tree.branch_a), 80)
    branches = Organisation.objects.branches()
    plan = factories.plan(campaign, tree.branch_a)
    needs = {
        "AssessmentFilterForm": {"campaign": campaign},
        "ScoreEventForm": {"branches": branches},
        "EventFilterForm": {"branches": branches},
        "ReviewForm": {"criteria": criteria},
        "SelfEvaluationForm": {"criteria": criteria, "sheet": sheet},
        "BallotForm": {"criteria": criteria},
        "PaperBallotForm": {"criteria": criteria},
        "CloseSurveyForm": {"staff": True},
        "ItemForm": {"plan": plan},
        "ItemEditForm": {"plan": plan},
        "OversightFilterForm": {"years": [campaign.year], "branches": branches},
        "ObjectionForm": {"campaign": campaign},
        "MarkDemonstrationSiteForm": {"candidates": branches},
        "StarChangeForm": {"stars": [1, 2, 3]},
        "LedgerFilterForm": {"branches": branches},
        "DashboardFilterForm": {
            "data": None,
            "campaigns": Campaign.objects.all(),
            "parents": branches,
        },
    }
    made = {}
    for path, cls in _form_classes().items():
        made[path] = cls(**needs.get(cls.__name__, {}))
    made["RubricFormSet.form"] = shared_rubric_form()
    return made


def shared_rubric_form():
    from scoring.forms.campaigns import RubricFormSet

    return RubricFormSet(queryset=Criterion.objects.none()).empty_form


def _problems(name, form):
    cls = type(form).__name__
    for field_name, field in form.fields.items():
        if (cls, field_name) in EXEMPT:
            continue
        if isinstance(field, forms.DecimalField) and not isinstance(field, shared.DecimalField):
            yield f"{name}.{field_name}: {type(field).__name__}, not starrating.forms.DecimalField"
        elif isinstance(field, forms.FloatField):
            yield f"{name}.{field_name}: FloatField (use starrating.forms.DecimalField)"
        elif (
            isinstance(field, forms.IntegerField)
            and not isinstance(field, forms.DecimalField)
            and not isinstance(field, shared.IntegerField)
        ):
            yield f"{name}.{field_name}: {type(field).__name__}, not starrating.forms.IntegerField"
        elif isinstance(field, forms.CharField) and not isinstance(field, shared.LineField):
            yield f"{name}.{field_name}: {type(field).__name__}, not LineField/TextField"


def test_the_forms_are_all_found(built):
    assert len(built) >= 18


def test_every_number_and_text_field_uses_the_shared_fields(built):
    problems = [p for name, form in built.items() for p in _problems(name, form)]
    assert problems == []


def test_every_integer_field_is_bounded(built):
    unbounded = [
        f"{name}.{field_name}"
        for name, form in built.items()
        for field_name, field in form.fields.items()
        if isinstance(field, shared.IntegerField)
        and (field.min_value is None or field.max_value is None)
    ]
    assert unbounded == []
