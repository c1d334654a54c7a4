"""A drop-down's empty choice says 请选择 in a form and 全部 in a filter, never "---------"."""

from django import forms
from django.utils import translation

from branches.models import Organisation
from scoring.models import ScoreEvent
from starrating.forms import ALL, ModelChoiceField, ModelForm


class _EventForm(ModelForm):
    class Meta(ModelForm.Meta):
        model = ScoreEvent
        fields = ["branch", "type", "level"]


def _empty_labels(field):
    return [str(label) for value, label in field.choices if value == ""]


def test_a_model_forms_drop_downs_ask_to_choose(db):
    form = _EventForm()
    with translation.override("zh-hans"):
        for name in ("branch", "type", "level"):
            assert _empty_labels(form.fields[name]) == ["请选择"], name


def test_a_declared_drop_down_of_objects_asks_to_choose_or_offers_all(db):
    class Filter(forms.Form):
        chosen = ModelChoiceField(Organisation.objects.all())
        any = ModelChoiceField(Organisation.objects.all(), required=False, empty_label=ALL)

    form = Filter()
    with translation.override("zh-hans"):
        assert _empty_labels(form.fields["chosen"]) == ["请选择"]
        assert _empty_labels(form.fields["any"]) == ["全部"]
