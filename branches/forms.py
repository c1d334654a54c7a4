"""Forms of the organisation side, and the drop-down every form uses to pick a branch."""

from itertools import groupby

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from starrating.forms import LineField, ModelChoiceField


class _BranchesByParent(ModelChoiceIterator):
    """The branches as one `<optgroup>` per parent organisation, in code order."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        queryset = self.queryset.select_related("parent").order_by("parent__code", "code")
        for parent, branches in groupby(queryset, key=lambda branch: branch.parent):
            label = parent.name if parent is not None else gettext("No parent")
            yield (label, [self.choice(branch) for branch in branches])


class BranchChoiceField(ModelChoiceField):
    """Pick a branch: grouped by parent, each named with its parent and code.

    Many branches share a name (every unit has its 办公室党支部), so the option alone says
    which one it is: "办公室党支部（市财政局机关党委，01-03）". A filter passes
    `empty_label=starrating.forms.ALL`.
    """

    iterator = _BranchesByParent

    def label_from_instance(self, branch):
        return branch_label(branch)


def branch_label(branch) -> str:
    """A branch named with its parent and code, as every branch picker names it:
    "办公室党支部（市财政局机关党委，01-03）"."""
    parent = branch.parent.name if branch.parent_id else "—"
    return gettext("%(name)s (%(parent)s, %(code)s)") % {
        "name": branch.name,
        "parent": parent,
        "code": branch.code,
    }


class BranchListInput(forms.TextInput):
    """A text input with its `<datalist>` of suggestions: the browser offers the branches
    whose label contains what is typed, with no script (`BranchNameField`)."""

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", **(attrs or {})})
        self.options: list[str] = []

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["list"] = f"{context['widget']['attrs'].get('id', name)}-list"
        return context

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        list_id = f"{attrs.get('id', name)}-list"
        options = format_html_join("", '<option value="{}"></option>', ((o,) for o in self.options))
        return format_html(
            '{}<datalist id="{}">{}</datalist>',
            super().render(name, value, attrs, renderer),
            list_id,
            options,
        )


class BranchNameField(LineField):
    """Find a branch by typing its name, or part of it, among hundreds (the public
    objection form): a text input with the branches as suggestions, resolved on the
    server. A suggestion as offered, a code, a whole name or a part of one picks the
    branch when exactly one matches; otherwise the form says none or several matched,
    naming a few (many branches share a name: the suggestion names the parent)."""

    widget = BranchListInput
    #: How many matching branches a refusal names.
    SHOWN = 5

    def __init__(self, *, queryset=None, **kwargs):
        super().__init__(**kwargs)
        self.queryset = queryset

    @property
    def queryset(self):
        return self._queryset

    @queryset.setter
    def queryset(self, queryset):
        self._queryset = queryset
        self._branches = None
        self.widget.options = _LazyLabels(self)

    def branches(self) -> list:
        if self._branches is None:
            self._branches = (
                list(self._queryset.select_related("parent").order_by("parent__code", "code"))
                if self._queryset is not None
                else []
            )
        return self._branches

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        folded = " ".join(text.split()).casefold()
        branches = self.branches()
        tests = (
            lambda b: branch_label(b).casefold() == folded,
            lambda b: b.code.casefold() == folded,
            lambda b: b.name.casefold() == folded,
            lambda b: folded in b.name.casefold(),
        )
        for test in tests:
            found = [b for b in branches if test(b)]
            if len(found) == 1:
                return found[0]
            if found:
                shown = "；".join(branch_label(b) for b in found[: self.SHOWN])
                raise ValidationError(
                    gettext(
                        "%(count)d branches match “%(text)s”: choose one from the list, "
                        "e.g. %(shown)s."
                    )
                    % {"count": len(found), "text": text, "shown": shown},
                    code="ambiguous",
                )
        raise ValidationError(
            gettext("No branch of this campaign matches “%(text)s”: check the name.")
            % {"text": text},
            code="no_match",
        )


class _LazyLabels:
    """The field's branch labels, read when the widget is rendered (not when the form is
    built: a posted form that is valid never loads them)."""

    def __init__(self, field):
        self.field = field

    def __iter__(self):
        return iter(branch_label(b) for b in self.field.branches())


class RosterUploadForm(forms.Form):
    """The roster workbook; its content is checked by branches.importers."""

    file = forms.FileField(
        label=_("Roster workbook (.xlsx)"),
        help_text=_("At most 5 MB. Use the template: sheets 组织 and 党员."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Only check the file, import nothing"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Import")))
