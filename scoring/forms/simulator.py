"""The policy simulator's form (docs/rules.md, "The policy simulator"): a GET form, nothing saved.

Its policy fields are the campaign form's own (`CampaignForm`: the same labels, the
percentages, the ranges) and are checked by the same `validate_policy`; the event types
to switch off are added.
"""

import copy

from crispy_forms.bootstrap import InlineCheckboxes
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from scoring.models import EventType
from scoring.services.campaigns import validate_policy
from scoring.services.errors import InvalidPolicy
from scoring.services.simulator import Trial

from .campaigns import CampaignForm, layout_row, weights_and_bands

#: The policy fields a trial changes, as the campaign form names them.
POLICY = (
    "weight_self",
    "weight_survey",
    "weight_review",
    "band_5",
    "band_4",
    "band_3",
    "band_2",
    "band_1",
    "five_star_share",
    "low_share",
    "quota_mode",
)

BANDS = ("band_5", "band_4", "band_3", "band_2", "band_1")


class SimulatorForm(forms.Form):
    """Another policy for the campaign, shown first with the campaign's own."""

    def __init__(self, data=None, *, campaign):
        initial = {name: getattr(campaign, name) for name in POLICY}
        for name in BANDS:  # 80.00 is shown as the campaign page says it: 80
            initial[name] = format(initial[name].normalize(), "f")
        super().__init__(data, initial=initial)
        for name in POLICY:
            self.fields[name] = copy.deepcopy(CampaignForm.base_fields[name])
        self.fields["off"] = forms.MultipleChoiceField(
            label=_("Switch off"),
            choices=EventType.choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=_(
                "The events of a type switched off are left out of every branch's input, "
                "as if not recorded (absences then no longer count towards their limit)."
            ),
        )
        self.fields["weight_review"].help_text = _("The three weights add up to 100%.")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        row = layout_row
        self.helper.layout = Layout(
            *weights_and_bands(),
            Fieldset(
                _("Quotas"),
                row("five_star_share", "low_share", suffix="%"),
                row("quota_mode", width="col-12 col-sm-4"),
                css_class="policy-group",
            ),
            Fieldset(
                _("Bonus and penalty rules"), InlineCheckboxes("off"), css_class="policy-group"
            ),
        )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        values = {name: data[name] for name in POLICY}
        try:
            # Nothing is saved, so the switch to "warn" needs no recorded reason here.
            self.values = validate_policy(values, previous_mode=values["quota_mode"])
        except InvalidPolicy as error:
            self.add_error(error.field if error.field in self.fields else None, str(error))
        return data

    def trial(self) -> Trial:
        """The trial of a valid form."""
        return Trial.of(self.values, self.cleaned_data["off"])


__all__ = ["POLICY", "SimulatorForm"]
