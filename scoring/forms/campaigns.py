"""Forms of the campaign pages (staff): policy, rubric, withdrawal, per-branch deadline
extension, and the campaign page's filters."""

from decimal import Decimal

from crispy_forms.bootstrap import AppendedText
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from scoring.models import (
    AuditStatus,
    Campaign,
    Criterion,
    ReviewStatus,
    SelfEvaluationStatus,
    SurveyStatus,
    WithdrawalCause,
)
from scoring.models.campaign import PUBLICITY_DAYS, YEARS
from scoring.services.campaigns import NOT_STARTED, POLICY_FIELDS, UNSUBMITTED, validate_policy
from scoring.services.errors import InvalidPolicy
from starrating.forms import DecimalField, ModelForm, TextField, formfield_for

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
HUNDRED = Decimal(100)
#: The empty choice of a form (a choice is required) and of a filter (no filter).
CHOOSE = ("", pgettext_lazy("empty choice", "Please choose"))
ALL = ("", _("All"))


class PercentField(DecimalField):
    """A share (stored 0–1, three decimals) typed and shown as a percentage: 20 for 0.2,
    12.5 for 0.125. `clean` returns the share."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("max_value", HUNDRED)
        kwargs.setdefault("max_digits", 4)
        kwargs.setdefault("decimal_places", 1)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Decimal):  # a stored share; typed text is shown as typed
            shown = (value * HUNDRED).normalize()
            return f"{shown.quantize(Decimal(1)) if shown == shown.to_integral() else shown}"
        return value

    def clean(self, value):
        percent = super().clean(value)
        return None if percent is None else (percent / HUNDRED).quantize(Decimal("0.001"))


def _percent(name):
    field = Campaign._meta.get_field(name)
    return PercentField(label=field.verbose_name, initial=field.get_default())


def layout_row(*fields, suffix=None, width="col-12 col-sm-4"):
    """One row of a policy form's layout: the fields side by side, each with its unit."""
    cells = [AppendedText(f, suffix) if suffix else f for f in fields]
    return Row(*(Column(cell, css_class=width) for cell in cells))


def weights_and_bands():
    """The weights and bands fieldsets, shared by the campaign's form and the simulator's."""
    points = pgettext_lazy("unit", "points")
    bands = ("band_5", "band_4", "band_3", "band_2", "band_1")
    return [
        Fieldset(
            _("Weights"),
            layout_row("weight_self", "weight_survey", "weight_review", suffix="%"),
            css_class="policy-group",
        ),
        Fieldset(
            _("Bands"),
            layout_row(*bands, suffix=points, width="col-6 col-md"),
            css_class="policy-group",
        ),
    ]


class CampaignForm(ModelForm):
    """Title and policy; year and kind only when creating. Weights and shares are
    percentages on the page, shares in the database."""

    year = formfield_for(Campaign._meta.get_field("year"), min_value=YEARS[0], max_value=YEARS[1])
    publicity_days = formfield_for(
        Campaign._meta.get_field("publicity_days"),
        min_value=PUBLICITY_DAYS[0],
        max_value=PUBLICITY_DAYS[1],
    )
    weight_self = _percent("weight_self")
    weight_survey = _percent("weight_survey")
    weight_review = _percent("weight_review")
    five_star_share = _percent("five_star_share")
    low_share = _percent("low_share")

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
        creating = not self.instance.pk
        if creating:
            self.fields["title"].required = False
            self.fields["title"].help_text = _("Left empty: “<year> star rating: <kind>”.")
        else:
            del self.fields["year"]
            del self.fields["kind"]
        self.fields["weight_review"].help_text = _("The three weights add up to 100%.")
        days = pgettext_lazy("unit", "days")
        row = layout_row
        self.helper.layout = Layout(
            *([row("year", "kind", width="col-12 col-sm-6")] if creating else []),
            "title",
            *weights_and_bands(),
            Fieldset(
                _("Quotas"),
                row("five_star_share", "low_share", suffix="%", width="col-12 col-sm-6"),
                row("quota_mode", "quota_mode_reason", width="col-12 col-sm-6"),
                css_class="policy-group",
            ),
            Fieldset(
                _("Deadlines"),
                row("self_deadline", "review_deadline"),
                row("publicity_days", suffix=days),
                css_class="policy-group",
            ),
        )

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
        except InvalidPolicy as error:
            self.add_error(error.field if error.field in self.fields else None, str(error))
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


#: The most rows a rubric may have (D-7p): far above any real rubric (the default has ten),
#: and a bound on the forms a posted TOTAL_FORMS may make the page build and render.
MAX_CRITERIA = 50

RubricFormSet = forms.modelformset_factory(
    Criterion,
    form=CriterionForm,
    formset=BaseRubricFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_CRITERIA,
    absolute_max=MAX_CRITERIA,
    validate_max=True,
)


class OpenCampaignForm(forms.Form):
    confirm = forms.BooleanField(label=_("I have checked the rubric and the policy."))


class ExtendDeadlineForm(forms.Form):
    until = forms.DateField(label=_("New deadline"), widget=DATE)
    reason = TextField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class WithdrawForm(forms.Form):
    cause = forms.ChoiceField(label=_("Cause"), choices=[CHOOSE, *WithdrawalCause.choices])
    reason = TextField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the decision that dissolved or merged the branch."),
    )


class ReinstateForm(forms.Form):
    reason = TextField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


#: Which branches the campaign page lists: all, those taking part, the withdrawn ones.
SCOPE_ENROLLED, SCOPE_WITHDRAWN = "enrolled", "withdrawn"


class AssessmentFilterForm(forms.Form):
    """The campaign page's filters: parent, the status of each column, enrolment."""

    parent = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Parent"), empty_label=ALL[1]
    )
    status = forms.ChoiceField(required=False, label=_("Self-evaluation"))
    survey = forms.ChoiceField(required=False, label=_("Survey"))
    review = forms.ChoiceField(required=False, label=_("Review"))
    audit = forms.ChoiceField(required=False, label=_("Five-star audit"))
    scope = forms.ChoiceField(required=False, label=_("Branches"))

    #: form field → column of `scoring.services.campaigns.COLUMNS`
    COLUMNS = {"status": "self", "survey": "survey", "review": "review", "audit": "audit"}

    def __init__(self, *args, campaign, **kwargs):
        from branches.models import Organisation, OrgKind

        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = (
            Organisation.objects.filter(
                kind__in=[OrgKind.COMMITTEE, OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH],
                children__assessments__campaign=campaign,
            )
            .distinct()
            .order_by("code")
        )
        self.fields["status"].choices = [
            ALL,
            (UNSUBMITTED, _("Not submitted")),
            *SelfEvaluationStatus.choices,
        ]
        self.fields["survey"].choices = [ALL, *SurveyStatus.choices]
        self.fields["review"].choices = [
            ALL,
            (NOT_STARTED, pgettext_lazy("review status", "Not started")),
            *ReviewStatus.choices,
        ]
        self.fields["audit"].choices = [
            ALL,
            *(
                (value, label)
                for value, label in AuditStatus.choices
                if value != AuditStatus.NOT_NEEDED
            ),
        ]
        self.fields["scope"].choices = [
            (ALL[0], _("All branches")),
            (SCOPE_ENROLLED, _("Taking part")),
            (SCOPE_WITHDRAWN, _("Withdrawn")),
        ]

    def column_filters(self):
        """[(column, status)] of the chosen column filters."""
        if not self.is_valid():
            return []
        return [
            (column, self.cleaned_data[name])
            for name, column in self.COLUMNS.items()
            if self.cleaned_data.get(name)
        ]


__all__ = [
    "AssessmentFilterForm",
    "CampaignForm",
    "ExtendDeadlineForm",
    "OpenCampaignForm",
    "PercentField",
    "ReinstateForm",
    "RubricFormSet",
    "WithdrawForm",
]
