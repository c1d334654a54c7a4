"""The dashboard's filters (docs/reports.md §6): a GET form, every field optional.

A field given a bad value gets its message in the reader's language and is ignored (its
default applies), so a bad link shows the page with the message, never an error page.
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from scoring.services import dashboard
from starrating.forms import ALL, DecimalField, LineField, ModelChoiceField
from starrating.wording import star_name

SEARCH_MAX_LENGTH = 50


def _star_choices():
    return [("", ALL), *((str(star), star_name(star)) for star in range(5, -1, -1))]


class DashboardFilterForm(forms.Form):
    campaign = ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Campaign"),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the campaigns listed.")},
    )
    parent = ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Parent organisation"),
        empty_label=ALL,
        error_messages={"invalid_choice": _("Choose one of the organisations listed.")},
    )
    star = forms.TypedChoiceField(
        required=False,
        label=_("Star"),
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose one of the stars listed.")},
    )
    status = forms.ChoiceField(
        required=False,
        label=_("Status"),
        choices=[
            ("", ALL),
            (dashboard.RATED, _("Rated")),
            (dashboard.TO_RECOMPUTE, _("Complete, not yet rated")),
            (dashboard.INCOMPLETE, _("Incomplete")),
        ],
        error_messages={"invalid_choice": _("Choose one of the statuses listed.")},
    )
    q = LineField(required=False, label=_("Name or code"), max_length=SEARCH_MAX_LENGTH, strip=True)
    margin = DecimalField(
        required=False,
        label=_("Margin (points)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
        max_digits=5,
        error_messages={
            "invalid": _("The margin must be a number of points from 0 to 100."),
            "min_value": _("The margin must be a number of points from 0 to 100."),
            "max_value": _("The margin must be a number of points from 0 to 100."),
            "max_decimal_places": _("The margin has at most two decimals."),
            "max_digits": _("The margin must be a number of points from 0 to 100."),
            "max_whole_digits": _("The margin must be a number of points from 0 to 100."),
        },
    )

    def __init__(self, data, *, campaigns, parents, listed=None):
        """`listed`: `campaigns` read already (the page's): the drop-down's options, so
        that drawing it reads them no more (its widget looks at them twice)."""
        super().__init__(data)
        self.fields["campaign"].queryset = campaigns
        if listed is not None:
            field = self.fields["campaign"]
            field.choices = [
                (campaign.pk, field.label_from_instance(campaign)) for campaign in listed
            ]
        self.fields["parent"].queryset = parents
        self.fields["star"].choices = _star_choices()
        self.is_valid()  # every field's value or error, once

    def value(self, name, default=None):
        """The field's cleaned value, or `default` when it is empty or was refused."""
        if name in self.errors:
            return default
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value

    @property
    def messages(self) -> list[str]:
        """Every refusal, one line each, for the page's notice."""
        return [str(error) for errors in self.errors.values() for error in errors]
