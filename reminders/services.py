"""Reminder e-mails (docs/process.md §2.5, Reminders): a daily digest per user of the
to-dos whose deadline is near or past.

One source of truth: a digest lists the user's home-page to-dos (`starrating.todos`)
that have a deadline within `REMIND_DAYS` days or past, each at most once per deadline
and threshold (7, 3, 1 and 0 days left, and overdue: D-2.5k). The sent log
(`SentReminder`, unique per user, to-do, deadline and threshold) is written before the
mail goes out, one row at a time, so two runs at once never send the same reminder
(D-2.5l); a mail the server refuses gives its rows back for the next run. Users who
turned the reminders off (`ReminderSettings`) and users without an e-mail address are
skipped and counted. Digests are written in the site's language, 简体中文 (D-2.5j).
The survey's to-do says how many members are still needed for 80 %, never who.
"""

import contextlib
import datetime
import logging
import smtplib
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from starrating import audit, clock
from starrating.todos import Todo, todos

from .models import ReminderSettings, SentReminder, Threshold

logger = logging.getLogger(__name__)

#: A to-do is reminded from this many days before its deadline (the first threshold).
REMIND_DAYS = max(Threshold.values)
UNSUBSCRIBE_SALT = "reminders.unsubscribe"


def threshold_of(days_left: int | None) -> int | None:
    """The threshold a deadline `days_left` away has reached: 7, 3, 1, 0, or overdue
    (−1); None when it is further away or there is no deadline."""
    if days_left is None or days_left > REMIND_DAYS:
        return None
    if days_left < 0:
        return Threshold.OVERDUE
    return min(t for t in Threshold.values if t >= days_left)


@dataclass(frozen=True)
class Due:
    """A to-do to remind, at its threshold."""

    todo: Todo
    threshold: int

    @property
    def log_key(self) -> tuple:
        return (self.todo.key, self.todo.deadline, self.threshold)


def due_soon(user) -> list[Due]:
    """The user's to-dos due within `REMIND_DAYS` days or overdue, in the home page's order."""
    found = []
    for todo in todos(user):
        threshold = threshold_of(todo.days_left)
        if todo.key and threshold is not None:
            found.append(Due(todo, threshold))
    return found


def not_yet_sent(user, items: list[Due]) -> list[Due]:
    """Those of `items` not in the user's sent log (one query)."""
    if not items:
        return []
    sent = set(
        SentReminder.objects.filter(user=user, key__in={d.todo.key for d in items}).values_list(
            "key", "deadline", "threshold"
        )
    )
    return [d for d in items if d.log_key not in sent]


# --- The opt-out ------------------------------------------------------------------------


def wants_reminders(user) -> bool:
    """On unless the user turned them off."""
    try:
        return user.reminder_settings.email_reminders
    except ReminderSettings.DoesNotExist:
        return True


def set_reminders(*, user, enabled: bool, actor=None) -> ReminderSettings:
    """Turn the user's reminder e-mails on or off (the settings page; the unsubscribe link,
    where nobody is logged in and `actor` is None)."""
    with transaction.atomic():
        choice = ReminderSettings.objects.select_for_update().filter(
            user=user
        ).first() or ReminderSettings(user=user)
        if choice.pk is None or choice.email_reminders != enabled:
            choice.email_reminders = enabled
            action = "reminders.opted_in" if enabled else "reminders.opted_out"
            audit.save(choice, actor=actor, action=action)
    user.reminder_settings = choice
    return choice


def unsubscribe_token(user) -> str:
    """The signed token of the mail's unsubscribe link: it names the user and works
    without logging in; it can only turn the reminders off (D-2.5m)."""
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)


def user_of_token(token: str):
    """The active user a token was made for, or None for a bad or foreign token."""
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return get_user_model().objects.filter(pk=pk, is_active=True).first()


# --- The digest -------------------------------------------------------------------------


def absolute(path: str) -> str:
    return settings.STARRATING_SITE_URL + path


def compose(user, items: list[Due]) -> EmailMultiAlternatives:
    """The digest to `user`: plain text and HTML (escaped), in the active language."""
    today = clock.today()
    unsubscribe = absolute(reverse("reminders:unsubscribe", args=[unsubscribe_token(user)]))
    context = {
        "person": user,
        "today": today,
        "items": [(d.todo, absolute(d.todo.url)) for d in items],
        "home_url": absolute(reverse("home")),
        "settings_url": absolute(reverse("reminders:settings")),
        "unsubscribe_url": unsubscribe,
    }
    subject = ngettext(
        "Star rating: %(n)d to-do due soon",
        "Star rating: %(n)d to-dos due soon",
        len(items),
    ) % {"n": len(items)}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("reminders/email/digest.txt", context),
        to=[user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(
        render_to_string("reminders/email/digest.html", context), "text/html"
    )
    return message


def _claim(user, items: list[Due]) -> list[Due]:
    """Write the sent log of `items`, one row at a time: a row another run holds (or has
    written) is skipped, so each reminder is claimed by exactly one run."""
    claimed = []
    now = clock.now()
    with transaction.atomic():
        for due in items:
            try:
                with transaction.atomic():
                    SentReminder.objects.create(
                        user=user,
                        key=due.todo.key,
                        deadline=due.todo.deadline,
                        threshold=due.threshold,
                        sent_at=now,
                    )
            except IntegrityError:
                continue
            claimed.append(due)
    return claimed


def _release(user, items: list[Due]) -> None:
    for key, deadline, threshold in (d.log_key for d in items):
        SentReminder.objects.filter(
            user=user, key=key, deadline=deadline, threshold=threshold
        ).delete()


@dataclass
class Run:
    """What one run did, counted (the command prints it)."""

    date: datetime.date
    dry_run: bool = False
    users: int = 0
    digests: int = 0
    reminders: int = 0
    opted_out: int = 0
    no_address: int = 0
    nothing_new: int = 0
    failed: int = 0
    messages: list = field(default_factory=list)  # a dry run's digests, composed and not sent

    def summary(self) -> list[str]:
        lines = [
            _("Reminders of %(date)s: %(digests)d digests with %(reminders)d reminders.")
            % {"date": self.date.isoformat(), "digests": self.digests, "reminders": self.reminders},
            _(
                "%(users)d users: %(nothing)d with nothing new, %(out)d opted out, "
                "%(none)d without an e-mail address, %(failed)d not delivered."
            )
            % {
                "users": self.users,
                "nothing": self.nothing_new,
                "out": self.opted_out,
                "none": self.no_address,
                "failed": self.failed,
            },
        ]
        if self.dry_run:
            lines.append(_("Dry run: nothing was sent or recorded."))
        return lines


def recipients():
    """Every active user holding a role, with the opt-out in the same query."""
    return (
        get_user_model()
        .objects.filter(is_active=True, role_assignments__isnull=False)
        .distinct()
        .select_related("reminder_settings")
        .order_by("pk")
    )


def send_reminders(*, date: datetime.date | None = None, dry_run: bool = False) -> Run:
    """Send today's digests (or `date`'s, as if it were today). A dry run composes them
    and returns them in `Run.messages`, and leaves the database as it was."""
    moment = clock.frozen(date) if date else contextlib.nullcontext()
    run = Run(date=date or clock.today(), dry_run=dry_run)
    with moment, override(settings.LANGUAGE_CODE):
        if dry_run:
            # The to-dos end the publicity windows past (D-2.1.4a): undone at the end.
            with transaction.atomic():
                _send_all(run)
                transaction.set_rollback(True)
        else:
            _send_all(run)
    return run


def _send_all(run: Run) -> None:
    for user in recipients():
        run.users += 1
        if not wants_reminders(user):
            run.opted_out += 1
            continue
        if not user.email:
            run.no_address += 1
            continue
        items = not_yet_sent(user, due_soon(user))
        if run.dry_run:
            if items:
                run.messages.append(compose(user, items))
                run.digests += 1
                run.reminders += len(items)
            else:
                run.nothing_new += 1
            continue
        items = _claim(user, items)
        if not items:
            run.nothing_new += 1
            continue
        message = compose(user, items)
        try:
            message.send()
        except (OSError, smtplib.SMTPException) as error:
            # Given back, so the next run tries again; the log line names no to-do.
            _release(user, items)
            run.failed += 1
            logger.warning("reminder digest to user %s not delivered: %s", user.pk, error)
            continue
        run.digests += 1
        run.reminders += len(items)
