"""The reminder settings form (docs/process.md §2.5, Reminders)."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

ON, OFF = "on", "off"


class ReminderSettingsForm(forms.Form):
    email_reminders = forms.ChoiceField(
        label=_("Daily reminder e-mail"),
        choices=[
            (ON, _("Send me an e-mail when a deadline of my to-dos is near or past")),
            (OFF, _("Do not send me reminder e-mails")),
        ],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    @property
    def enabled(self) -> bool:
        return self.cleaned_data["email_reminders"] == ON
