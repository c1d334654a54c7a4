"""Forms of the second reviews (docs/process.md §2.1.3): the draw, the hand-picked
branches, the assignment, the decision and the disagreement page's margin. The second
reviewer's sheet is `scoring.forms.reviews.ReviewForm`, the first review's form."""

import re
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from scoring.services.second_reviews import MARGIN_PERCENT
from starrating.forms import DecimalField, IntegerField, ModelChoiceField, TextField

from .versions import VersionField

#: A primary key as a browser posts it: ASCII digits within the bigint column. Anything
#: else is refused before the query (a 40-digit id overflows SQLite's INTEGER: a 500).
_ID = re.compile(r"[0-9]{1,18}")


def _ids_or_refuse(values, message):
    for value in values:
        if not (isinstance(value, str) and _ID.fullmatch(value)):
            raise forms.ValidationError(message, code="invalid_choice")


class _OneOf(ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values:
            _ids_or_refuse([value], self.error_messages["invalid_choice"])
        return super().to_python(value)


class _SomeOf(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        _ids_or_refuse(value, self.error_messages["invalid_choice"])
        return super()._check_values(value)


def _helper(*fields):
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if fields:
        helper.layout = Layout(*fields)
    return helper


class DrawForm(forms.Form):
    """A random sample: a number of branches or a percentage of those not yet sampled
    (exactly one), stratified per parent organisation or not."""

    count = IntegerField(
        label=_("Number of branches"), required=False, min_value=1, max_value=100_000
    )
    percent = DecimalField(
        label=_("Or a percentage of the branches not yet in the sample"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
    )
    stratified = forms.BooleanField(
        label=_("Stratified: each parent organisation in proportion to its branches"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean(self):
        data = super().clean()
        given = [name for name in ("count", "percent") if data.get(name) is not None]
        if len(given) != 1 and not self.errors:
            raise forms.ValidationError(_("Give either a number of branches or a percentage."))
        return data


class PickForm(forms.Form):
    """Branches picked by hand, among those not yet in the sample."""

    assessments = _SomeOf(
        label=_("Branches"),
        queryset=None,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        error_messages={
            "required": _("Pick at least one branch."),
            "invalid_choice": _("A branch picked is not enrolled or is already in the sample."),
            "invalid_pk_value": _("A branch picked is not enrolled or is already in the sample."),
            "list": _("Pick at least one branch."),
        },
    )

    def __init__(self, *args, pool, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["assessments"]
        field.queryset = pool
        field.label_from_instance = lambda a: f"{a.branch.parent} · {a.branch} ({a.branch.code})"
        self.helper = _helper()


class AssignForm(forms.Form):
    version = VersionField()
    reviewer = _OneOf(
        queryset=None,
        label=_("Second reviewer"),
        help_text=_(
            "Committee staff or another parent organisation's reviewer; never the branch's "
            "first reviewer, its own parent's reviewers or someone who belongs to it."
        ),
        error_messages={"invalid_choice": _("Choose one of the people listed.")},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["reviewer"]
        field.queryset = candidates
        field.label_from_instance = lambda user: user.get_full_name() or user.get_username()
        self.helper = _helper("version", "reviewer")


class DecisionForm(forms.Form):
    """Which review the rating uses, with the reason (required)."""

    version = VersionField()
    decision = forms.ChoiceField(
        label=_("Which review counts"),
        choices=[
            ("keep_first", _("Keep the first review")),
            ("use_second", _("Use the second review")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose which review the rating uses."),
            "invalid_choice": _("Choose which review the rating uses."),
        },
    )
    reason = TextField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for the decision.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("version", "decision", "reason")

    @property
    def use_second(self) -> bool:
        return self.cleaned_data["decision"] == "use_second"


class MarginForm(forms.Form):
    """The disagreement page's margin (GET): a difference above this share of the
    criterion's maximum is flagged."""

    margin = DecimalField(
        label=_("Flag a difference above (% of the criterion's maximum)"),
        required=False,
        initial=MARGIN_PERCENT,
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        self.helper.form_method = "get"

    @property
    def margin_percent(self) -> Decimal:
        """The margin asked for, or the default when none or a bad one was given."""
        if self.is_bound and self.is_valid() and self.cleaned_data["margin"] is not None:
            return self.cleaned_data["margin"]
        return MARGIN_PERCENT
