"""The reminder pages (docs/process.md §2.5, Reminders): a user's settings (logged in),
and the mail's unsubscribe link (no login: the signed token names the user, D-2.5m).
Both change state by POST only; the link's GET asks for confirmation, so a mail
scanner that follows links unsubscribes nobody."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import services
from .forms import OFF, ON, ReminderSettingsForm


@login_required
@require_http_methods(["GET", "POST"])
def reminder_settings(request):
    user = request.user
    enabled = services.wants_reminders(user)
    form = ReminderSettingsForm(
        request.POST or None, initial={"email_reminders": ON if enabled else OFF}
    )
    if request.method == "POST" and form.is_valid():
        services.set_reminders(user=user, enabled=form.enabled, actor=user)
        messages.success(
            request,
            _("Reminder e-mails turned on.") if form.enabled else _("Reminder e-mails turned off."),
        )
        return redirect("reminders:settings")
    return render(
        request,
        "reminders/settings.html",
        {"form": form, "enabled": enabled, "days": services.REMIND_DAYS},
    )


@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    person = services.user_of_token(token)
    if person is None:
        return render(request, "reminders/unsubscribe.html", {"invalid": True}, status=400)
    done = False
    if request.method == "POST":
        services.set_reminders(user=person, enabled=False)
        done = True
    return render(request, "reminders/unsubscribe.html", {"person": person, "done": done})


urls = [
    path("settings/", reminder_settings, name="settings"),
    path("unsubscribe/<str:token>/", unsubscribe, name="unsubscribe"),
]
