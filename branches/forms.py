"""Forms of the organisation side, and the drop-down every form uses to pick a branch."""

from itertools import groupby

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from starrating.forms import ModelChoiceField


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
        parent = branch.parent.name if branch.parent_id else "—"
        return gettext("%(name)s (%(parent)s, %(code)s)") % {
            "name": branch.name,
            "parent": parent,
            "code": branch.code,
        }


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
