"""The version a form was loaded at, and showing a form again after `StaleVersion`.

Forms of the sheets name their fields `score_<criterion id>`, `remark_<criterion id>` and
`self_star`; a refused save is shown again with the user's own entries kept, the saved
value beside each item that changed in between (as that field's error), the items the
user had not touched filled in with their saved values, and the current version, so that
saving again is a deliberate act on what is stored now.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from scoring.services.versions import STAR, StaleVersion
from starrating.forms import IntegerField


class VersionField(IntegerField):
    """Hidden: the sheet's `version` when the page was rendered."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 2**31 - 1)  # the PositiveIntegerField column
        kwargs.setdefault(
            "error_messages",
            {
                "required": _("This page is out of date. Reload it, then make your change."),
                "invalid": _("This page is out of date. Reload it, then make your change."),
                "min_value": _("This page is out of date. Reload it, then make your change."),
                "max_value": _("This page is out of date. Reload it, then make your change."),
            },
        )
        super().__init__(**kwargs)


def field_name(change) -> str:
    return STAR if change.criterion_id is None else f"{change.field}_{change.criterion_id}"


def stale_data(data, stale: StaleVersion):
    """The posted data to show again: the current version, and the saved value of every
    item that changed in between and that the user had not changed."""
    data = data.copy()
    data["version"] = str(stale.version)
    for change in stale.changes:
        if not change.yours:
            data[field_name(change)] = "" if change.saved is None else str(change.saved)
    return data


def show_stale(form, stale: StaleVersion):
    """Validate `form` (bound to `stale_data`) and put the refusal on it: the message on
    top, and each changed item's saved value beside its field."""
    form.is_valid()
    form.add_error(None, str(stale))
    for change in stale.changes:
        name = field_name(change)
        if name in form.fields:
            form.add_error(name, change.note())
    return form
