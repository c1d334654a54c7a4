"""Forms of the campaign pages (staff): policy, rubric, per-branch deadline extension."""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from scoring.models import Campaign, Criterion
from scoring.models.campaign import PUBLICITY_DAYS, YEARS
from scoring.services.campaigns import POLICY_FIELDS, validate_policy
from scoring.services.errors import WorkflowError
from starrating.forms import ModelForm, TextField, formfield_for

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(ModelForm):
    """Title and policy; year and kind only when creating."""

    year = formfield_for(Campaign._meta.get_field("year"), min_value=YEARS[0], max_value=YEARS[1])
    publicity_days = formfield_for(
        Campaign._meta.get_field("publicity_days"),
        min_value=PUBLICITY_DAYS[0],
        max_value=PUBLICITY_DAYS[1],
    )

    class Meta(ModelForm.Meta):
        model = Campaign
        fields = ["year", "kind", "title", *POLICY_FIELDS]
        widgets = {
            "self_deadline": DATE,
            "review_deadline": DATE,
            "quota_mode_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        if self.instance.pk:
            del self.fields["year"]
            del self.fields["kind"]
        else:
            self.fields["title"].required = False
            self.fields["title"].help_text = _("Left empty: “<year> star rating: <kind>”.")

    def policy(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in POLICY_FIELDS if name in self.cleaned_data
        }

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        previous = None
        if self.instance.pk:
            previous = Campaign.objects.values_list("quota_mode", flat=True).get(
                pk=self.instance.pk
            )
        try:
            validate_policy(self.policy(), previous_mode=previous)
        except WorkflowError as error:
            raise forms.ValidationError(str(error)) from None
        return data

    def _post_clean(self):
        # The model's constraints are checked by the service; skip the instance validation
        # that would run them against half-applied values. The model fields' validators
        # run in the form fields (starrating.forms.ModelForm).
        pass


class CriterionForm(ModelForm):
    class Meta(ModelForm.Meta):
        model = Criterion
        fields = ["title", "description", "max_points"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class BaseRubricFormSet(forms.BaseModelFormSet):
    def rows(self):
        """(title, description, max_points) of the kept forms, in order."""
        kept = [
            f
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("title")
        ]
        return [
            (f.cleaned_data["title"], f.cleaned_data["description"], f.cleaned_data["max_points"])
            for f in kept
        ]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.rows():
            raise forms.ValidationError(_("The rubric needs at least one criterion."))

    def total(self):
        if self.is_bound and not self.is_valid():
            return None
        return sum((row[2] for row in self.rows()), Decimal(0)) if self.is_bound else None


RubricFormSet = forms.modelformset_factory(
    Criterion, form=CriterionForm, formset=BaseRubricFormSet, extra=1, can_delete=True
)


class OpenCampaignForm(forms.Form):
    confirm = forms.BooleanField(label=_("I have checked the rubric and the policy."))


class ExtendDeadlineForm(forms.Form):
    until = forms.DateField(label=_("New deadline"), widget=DATE)
    reason = TextField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class AssessmentFilterForm(forms.Form):
    parent = forms.ModelChoiceField(queryset=None, required=False, label=_("Parent"))
    status = forms.ChoiceField(required=False, label=_("Self-evaluation"))

    def __init__(self, *args, campaign, **kwargs):
        from branches.models import Organisation, OrgKind
        from scoring.models import SelfEvaluationStatus

        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Organisation.objects.filter(
            kind__in=[OrgKind.COMMITTEE, OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH],
            children__assessments__campaign=campaign,
        ).distinct()
        self.fields["status"].choices = [
            ("", _("All")),
            ("unsubmitted", _("Not submitted")),
            *SelfEvaluationStatus.choices,
        ]


__all__ = [
    "AssessmentFilterForm",
    "CampaignForm",
    "ExtendDeadlineForm",
    "OpenCampaignForm",
    "RubricFormSet",
]
