"""Forms of the improvement pages: forms check shapes and lengths, the services the rules."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation, OrgKind
from scoring.forms.versions import VersionField
from starrating import clock
from starrating.forms import ALL, IntegerField, ModelChoiceField, TextField, UploadField
from starrating.uploads import LEDGER

from .models import Category

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TARGETS = [(str(n), str(n)) for n in (5, 4, 3, 2, 1)]


class _Form(forms.Form):
    """A crispy form without its own tag (the page's template holds the <form>)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class PlanForm(_Form):
    target_star = forms.TypedChoiceField(
        label=_("Target star"), choices=TARGETS, coerce=int, widget=forms.RadioSelect
    )
    measures = TextField(
        label=_("Measures"),
        help_text=_("What the branch will do this year to reach or keep the target."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class ReasonForm(_Form):
    reason = TextField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ItemForm(_Form):
    problem = TextField(label=_("Problem"), widget=forms.Textarea(attrs={"rows": 3}))
    measures = TextField(label=_("Measures"), widget=forms.Textarea(attrs={"rows": 3}))
    responsible = ModelChoiceField(label=_("Person responsible"), queryset=None)
    due = forms.DateField(label=_("Due date"), widget=DATE)
    criterion = ModelChoiceField(
        label=_("Criterion"),
        queryset=None,
        required=False,
        empty_label=_("None"),
        help_text=_("Optional: the criterion of the rubric the problem concerns."),
    )
    event = IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**63 - 1)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = plan.branch.members.filter(active=True).order_by(
            "name", "code"
        )
        self.fields["criterion"].queryset = plan.campaign.criteria.order_by("position")
        self.fields["due"].widget.attrs["min"] = clock.today().isoformat()


class ItemEditForm(ItemForm):
    """An item changed: the form carries the version it was loaded at."""

    version = VersionField()


class CloseItemForm(_Form):
    closed_on = forms.DateField(label=_("Closed on"), widget=DATE)
    note = TextField(
        label=_("Closing note"),
        help_text=_("How the problem was put right."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    evidence = UploadField(
        LEDGER,
        label=_("Evidence file"),
        help_text=_("Required. PDF, JPG, PNG, Word (.docx) or Excel (.xlsx), at most 10 MB."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closed_on"].widget.attrs["max"] = clock.today().isoformat()


class OversightFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    parent = ModelChoiceField(
        label=_("Parent organisation"), queryset=None, required=False, empty_label=ALL
    )
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args, years, branches, with_category=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(str(y), str(y)) for y in years]
        self.fields["parent"].queryset = (
            Organisation.objects.filter(pk__in=branches.values("parent_id"))
            .exclude(kind=OrgKind.BRANCH)
            .order_by("code")
        )
        if with_category:
            self.fields["category"].choices = [("", ALL), *Category.choices]
        else:
            del self.fields["category"]
