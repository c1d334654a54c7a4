"""Forms of the member/public survey (docs/survey.md §2.1.2)."""

import copy

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from scoring.models import Grade, Verdict
from scoring.services.survey import MAX_PUBLIC_SLIPS, looks_like_code, normalise_code
from starrating.forms import IntegerField, TextField


def _helper(action: str, label, css="btn-primary", name="submit") -> FormHelper:
    helper = FormHelper()
    helper.form_action = action
    helper.form_method = "post"
    button = Submit(name, label)
    button.field_classes = f"btn {css}"  # not appended to btn-primary: outlines stay outlines
    helper.add_input(button)
    return helper


class OpenSurveyForm(forms.Form):
    public_slips = IntegerField(
        label=_("Number of public slips"),
        min_value=0,
        max_value=MAX_PUBLIC_SLIPS,
        initial=10,
        help_text=_("One member slip is issued for every active member of the branch."),
    )

    def __init__(self, *args, action="", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(action, _("Open the survey and print slips"), name="open")


class MoreSlipsForm(forms.Form):
    count = IntegerField(
        label=_("More public slips"), min_value=1, max_value=MAX_PUBLIC_SLIPS, initial=5
    )

    def __init__(self, *args, action="", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(action, _("Issue public slips"), "btn-outline-primary", name="more")


class ReissueForm(forms.Form):
    """Reissuing cannot be undone: the box must be ticked (it works without JavaScript)."""

    confirm = forms.BooleanField(
        label=_("I understand that every sheet printed so far stops working."),
        error_messages={"required": _("Tick the box to confirm.")},
    )

    def __init__(self, *args, action="", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            action, _("Reissue unused slips"), "btn-outline-danger", name="reissue"
        )


class CloseSurveyForm(forms.Form):
    """Closing cannot be undone: the box must be ticked (it works without JavaScript)."""

    override_reason = TextField(
        label=_("Reason for closing below 80 % participation (committee staff only)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand that closing cannot be undone: no more ballots can be cast, and "
            "the unused codes are deleted with the slip sheets."
        ),
        error_messages={"required": _("Tick the box to confirm.")},
    )

    def __init__(self, *args, action="", staff=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not staff:
            del self.fields["override_reason"]
        self.helper = _helper(action, _("Close the survey"), "btn-danger", name="close")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code on your slip"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "form-control-lg font-monospace",
                "placeholder": "ABCD-EFGH-JK",
            }
        ),
    )

    def clean_code(self):
        code = self.cleaned_data["code"]
        if not looks_like_code(code):
            raise forms.ValidationError(_("This code is not valid or has already been used."))
        return normalise_code(code)


#: One radio of a group and its label, as Django's RadioSelect names it (``<stem>_<index>``);
#: every field of a ballot is required. Filled with escaped text only (`_radios`).
_RADIO = (
    '<input type="radio" name="{name}" value="{value}" class="btn-check" id="{stem}_{index}" '
    'required{invalid}{checked}><label class="btn {css}" for="{stem}_{index}">{label}</label>'
)
#: Every criterion's field is a copy of this one (`_grade_field_for`).
_GRADE = forms.ChoiceField(
    choices=Grade.choices,
    widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    error_messages={
        "required": _("Please grade this criterion."),
        "invalid_choice": _("A grade is not valid."),
    },
)


def _grade_field_for(criterion) -> forms.ChoiceField:
    """A copy of `_GRADE` for one criterion, as ``copy.deepcopy`` makes it (the field, its
    widget, the widget's attributes, the messages and validators are the copy's own),
    except that the copies share the one list of grades, which nothing changes: copying
    and normalising it again for each field and its widget was most of the form's build."""
    field = copy.copy(_GRADE)
    field.widget = copy.copy(_GRADE.widget)
    field.widget.attrs = _GRADE.widget.attrs.copy()
    field.error_messages = _GRADE.error_messages.copy()
    field.validators = _GRADE.validators[:]
    field.label, field.help_text = criterion.title, criterion.description
    return field


def _options(choices) -> list[tuple[str, str, str]]:
    """(value, escaped value, escaped label) of each choice, in this request's language."""
    return [(value, escape(value), escape(str(label))) for value, label in choices]


def _radios(field, options, css: str) -> str:
    """The radios of a bound field, written out: each of its texts escaped once."""
    chosen = field.value()  # the posted letter, shown again when the form comes back
    chosen = None if chosen is None else str(chosen)
    name, stem, css = escape(field.html_name), escape(field.auto_id), escape(css)
    invalid = ' aria-invalid="true"' if field.errors else ""
    return mark_safe(  # every part is escaped, above or in `_options`
        "".join(
            _RADIO.format(
                name=name,
                value=escaped,
                stem=stem,
                index=index,
                invalid=invalid,
                checked=" checked" if value == chosen else "",
                css=css,
                label=label,
            )
            for index, (value, escaped, label) in enumerate(options)
        )
    )


class BallotForm(forms.Form):
    """One radio group per criterion (in rubric order) and the overall verdict.

    The fields validate as usual. The template draws each group as large touch buttons
    from `criterion_groups` and `verdict_group`; the group's radios come written out
    (`_radios`, each text escaped), with the names, ids, ``required`` and
    ``aria-invalid`` Django's RadioSelect would give them: the widget renders a template
    per option, and even a template loop over the options cost most of the ballot page
    (docs/nonfunctional.md §7). Each criterion's field is a copy of one grade field, made
    once (`_grade_field_for`; building a ``ChoiceField`` normalises its choices again for
    the field and the widget). `criteria` are `Criterion` objects or
    `scoring.services.survey.BallotCriterion` rows (``pk``, ``title``, ``description``).
    """

    verdict = forms.ChoiceField(
        label=_("Overall, how satisfied are you with the branch?"),
        choices=Verdict.choices,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        error_messages={"required": _("Please give an overall verdict.")},
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[self.field_name(criterion)] = _grade_field_for(criterion)
        # The verdict comes last, after the criteria.
        self.order_fields([self.field_name(c) for c in self.criteria] + ["verdict"])

    @staticmethod
    def field_name(criterion) -> str:
        return f"criterion_{criterion.pk}"

    def criterion_fields(self):
        return [self[self.field_name(criterion)] for criterion in self.criteria]

    def criterion_groups(self) -> list[dict]:
        options = _options(Grade.choices)
        return [
            self._group(field, options, "btn-outline-primary") for field in self.criterion_fields()
        ]

    def verdict_group(self) -> dict:
        return self._group(self["verdict"], _options(Verdict.choices), "btn-outline-success")

    @staticmethod
    def _group(field, options, css) -> dict:
        """A radio group as the template reads it: plain dicts, looked up at once."""
        return {
            "label": field.label,
            "help_text": field.help_text,
            "errors": field.errors,
            "radios": _radios(field, options, css),
        }

    def grades(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data[self.field_name(c)] for c in self.criteria}


class PaperBallotForm(BallotForm):
    """A teller's entry of one paper ballot: the code printed on it, then the boxes ticked
    (docs/survey.md A15). The same fields as the phone's ballot, with the code first."""

    code = forms.CharField(
        label=_("Code printed on the paper ballot"),
        max_length=20,
        error_messages={"required": _("Type the code printed on the paper ballot.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "form-control-lg font-monospace",
                "placeholder": "ABCD-EFGH-JK",
            }
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["code", *(self.field_name(c) for c in self.criteria), "verdict"])

    def clean_code(self):
        code = self.cleaned_data["code"]
        if not looks_like_code(code):
            raise forms.ValidationError(_("This code is not valid or has already been used."))
        return normalise_code(code)
