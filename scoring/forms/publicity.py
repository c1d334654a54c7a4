"""Forms of publicity, objections, approval, re-review and demonstration sites
(docs/process.md §2.1.4–§2.1.5, §2.4)."""

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from branches.forms import BranchNameField
from branches.models import Organisation
from scoring.models.publicity import OBJECTION_MAX_CHARS
from starrating.forms import LineField, ModelChoiceField, TextField, UploadField
from starrating.uploads import MINUTES, OBJECTIONS
from starrating.wording import bracket

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PublishForm(forms.Form):
    contact_line = LineField(
        label=_("Contact for objections"),
        required=False,
        help_text=_("Shown on the public notice, e.g. the office and its phone number."),
    )
    confirm = forms.BooleanField(
        label=_(
            "I have checked the results: once published, they change only through an "
            "upheld objection."
        )
    )


class DecideObjectionForm(forms.Form):
    DISMISS, UPHOLD = "dismiss", "uphold"
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(DISMISS, _("Dismiss")), (UPHOLD, _("Uphold: reopen the branch"))],
        widget=forms.RadioSelect,
    )
    notes = TextField(label=_("Verification notes"), required=False)
    reason = TextField(label=_("Reason"))
    return_review = forms.BooleanField(
        label=_("Return the branch's review to its reviewer (otherwise staff correct its events)"),
        required=False,
        initial=True,
    )
    confirm = forms.BooleanField(label=_("I confirm this outcome: it cannot be undone."))


class ApproveForm(forms.Form):
    meeting_date = forms.DateField(label=_("Meeting date"), widget=DATE)
    reference = LineField(label=_("Reference number"), max_length=100)
    minutes = UploadField(
        MINUTES,
        label=_("Minutes"),
        required=False,
        help_text=_("PDF or image, at most 10 MB."),
    )
    confirm = forms.BooleanField(
        label=_(
            "I record the committee's decision: the list is then frozen and the stars official."
        )
    )


class ReReviewForm(forms.Form):
    confirmed = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Five stars confirmed")), ("no", _("Not confirmed"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    star = forms.TypedChoiceField(
        label=_("Star set when not confirmed"),
        choices=[("", "—"), *[(str(n), str(n)) for n in (4, 3, 2, 1, 0)]],
        coerce=int,
        empty_value=None,
        required=False,
    )
    reason = TextField(label=_("Reason"), required=False)
    confirm = forms.BooleanField(label=_("I confirm this re-review: it cannot be undone."))


class ObjectionForm(forms.Form):
    """The public objection form (no login). The branch is typed and found among the
    campaign's enrolled branches (`BranchNameField`, no script needed). `website` is the
    honeypot: hidden by CSS, a person leaves it empty; the view refuses a filled one
    quietly."""

    branch = BranchNameField(
        label=_("Branch concerned"),
        help_text=_("Type part of the branch's name and choose it from the suggestions."),
    )
    text = TextField(label=_("Objection"), max_length=OBJECTION_MAX_CHARS)
    name = LineField(label=_("Your name"), required=False, max_length=50)
    phone = LineField(label=_("Your phone"), required=False, max_length=30)
    attachment = UploadField(
        OBJECTIONS,
        label=_("Attachment"),
        required=False,
        help_text=_("PDF or image, at most 10 MB."),
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = Organisation.objects.filter(
            assessments__campaign=campaign, assessments__withdrawn_at__isnull=True
        )


class MarkDemonstrationSiteForm(forms.Form):
    """Staff mark an officially five-star branch (of `candidates`) as a demonstration site."""

    assessment = ModelChoiceField(queryset=None, label=_("Branch"))
    reason = TextField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["assessment"]
        field.queryset = candidates
        field.label_from_instance = lambda a: format_html(
            "{} · {}{}", a.campaign.year, a.branch.name, bracket(a.branch.parent.name)
        )


class UnmarkDemonstrationSiteForm(forms.Form):
    reason = TextField(label=_("Reason for unmarking"))
