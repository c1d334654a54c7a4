"""Forms of the bonus/penalty event pages (staff record; others read)."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from branches.forms import BranchChoiceField
from scoring.models import EventType, ScoreEvent
from scoring.models.campaign import YEARS
from scoring.services.errors import WorkflowError
from scoring.services.events import MAX_COUNT, validate_event
from starrating import clock
from starrating.forms import ALL, IntegerField, ModelForm, UploadField, formfield_for
from starrating.uploads import EVENTS


class ScoreEventForm(ModelForm):
    """The fields that matter depend on the type; `clean` checks the combination."""

    count = formfield_for(ScoreEvent._meta.get_field("count"), min_value=1, max_value=MAX_COUNT)

    upload = UploadField(
        EVENTS,
        label=_("Evidence file"),
        required=False,
        help_text=_("Optional. PDF, JPG, PNG, Word (.docx) or Excel (.xlsx), at most 10 MB."),
    )

    class Meta(ModelForm.Meta):
        model = ScoreEvent
        fields = [
            "branch",
            "type",
            "level",
            "issuer",
            "severity",
            "count",
            "date",
            "document_ref",
            "description",
        ]
        field_classes = {"branch": BranchChoiceField}
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        # The browser's date picker stops at today; the service refuses later dates anyway.
        self.fields["date"].widget.attrs["max"] = clock.today().isoformat()
        for name in ("level", "issuer", "severity", "count"):
            self.fields[name].widget.attrs["data-event-field"] = name
        self.fields["type"].widget.attrs["data-event-type"] = "1"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data.update(validate_event(**data))
        except WorkflowError as error:
            raise forms.ValidationError(str(error)) from None
        return data

    def _post_clean(self):
        # The service saves; the DB constraints hold there.
        pass

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class EventFilterForm(forms.Form):
    year = IntegerField(label=_("Year"), required=False, min_value=YEARS[0], max_value=YEARS[1])
    type = forms.ChoiceField(label=_("Type"), required=False)
    branch = BranchChoiceField(label=_("Branch"), queryset=None, required=False, empty_label=ALL)

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", ALL), *EventType.choices]
        self.fields["branch"].queryset = branches
