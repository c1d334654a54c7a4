"""Reminder e-mails (docs/process.md §2.5, Reminders): who wants them, and what was sent.

`SentReminder` is the sent log: one row per user, to-do (`Todo.key`), deadline and
threshold, unique in the database, so a reminder goes out once even when the command
runs twice or twice at the same time (D-2.5l). `ReminderSettings` is a user's opt-out;
a user without a row gets the reminders (D-2.5j).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Threshold(models.IntegerChoices):
    """The days left at which a deadline is reminded, each once, and once past it (D-2.5k)."""

    WEEK = 7, _("7 days left")
    THREE_DAYS = 3, _("3 days left")
    ONE_DAY = 1, _("1 day left")
    TODAY = 0, _("due today")
    OVERDUE = -1, _("overdue")


class ReminderSettings(models.Model):
    """A user's choice about the daily reminder e-mail (on unless turned off)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="reminder_settings",
    )
    email_reminders = models.BooleanField(_("daily reminder e-mail"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")

    def __str__(self):
        return str(self.user)


class SentReminder(models.Model):
    """One reminder sent: this user, this to-do, this deadline, this threshold."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="sent_reminders",
    )
    key = models.CharField(_("to-do"), max_length=64)
    deadline = models.DateField(_("deadline"))
    threshold = models.SmallIntegerField(_("threshold"), choices=Threshold.choices)
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key", "deadline", "threshold"], name="reminder_sent_once"
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.key} · {self.deadline} · {self.threshold}"
