"""Forms of dynamic management, the star ledger and the year-end re-rating
(docs/process.md §2.3, §2.5, §2.6). Forms check shapes; the services check the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation, OrgKind
from scoring.services.stars import NO_STAR_YET
from starrating import clock
from starrating.forms import ALL, CHOOSE, LineField, TextField
from starrating.wording import star_name

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StarChangeForm(forms.Form):
    """A downgrade or a restore: the star set (among `stars`), the reason, the date."""

    to = forms.TypedChoiceField(label=_("New star"), coerce=int)
    reason = TextField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    effective = forms.DateField(label=_("Effective date"), widget=DATE)

    def __init__(self, *args, stars, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [("", CHOOSE), *[(n, star_name(n)) for n in stars]]
        self.fields["effective"].initial = clock.today()


class LedgerFilterForm(forms.Form):
    """The ledger's filters: the parent organisation, the current star."""

    parent = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), required=False, label=_("Parent"), empty_label=ALL
    )
    star = forms.ChoiceField(required=False, label=_("Current star"))

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Organisation.objects.filter(
            kind__in=[OrgKind.COMMITTEE, OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH],
            pk__in=branches.values("parent_id"),
        ).order_by("code")
        self.fields["star"].choices = [
            ("", ALL),
            *[(str(n), star_name(n)) for n in (5, 4, 3, 2, 1, 0)],
            (NO_STAR_YET, _("No current star yet")),
        ]


class YearEndForm(forms.Form):
    """Staff create the year-end re-rating from the year's approved declaration."""

    title = LineField(label=_("Title"), required=False, help_text=_("Empty: the usual title."))
    self_deadline = forms.DateField(label=_("Deadline for self-evaluation and survey"), widget=DATE)
    with_publicity = forms.BooleanField(
        label=_("With publicity (public notice and objections) before the approval"),
        required=False,
        initial=True,
    )


class SubmitForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "I have checked the results: they go to the committee for approval without publicity."
        )
    )
