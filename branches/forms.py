"""Forms of the organisation side."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _


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
