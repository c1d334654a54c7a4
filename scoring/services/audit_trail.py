"""The audit trail of one branch's year (docs/process.md §2: who, when, what before, what after).

A read-only view over django-simple-history's records of the assessment, the
self-evaluation with its scores and evidence, the survey (opening, closing, issue
counts, overrides — never slips or ballots, which have no history by design), the
review with its scores and audit, and the branch's events of the campaign year.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from scoring.models import (
    Evidence,
    Review,
    ReviewScore,
    ScoreEvent,
    SelfEvaluation,
    SelfScore,
    Survey,
)

# Keys and files say nothing to a reader; the entry's label names the object.
HIDDEN_ON_CREATE = {"id", "self_evaluation", "assessment", "campaign", "branch", "file", "review"}


class _Display:
    """Turns stored values into what a reader understands (names, local times, labels)."""

    def __init__(self):
        self._users = {}

    def __call__(self, field, value) -> str:
        if value in (None, ""):
            return "—"
        choices = dict(getattr(field, "flatchoices", None) or ())
        if value in choices:
            return str(choices[value])
        if isinstance(field, models.BooleanField):
            return _("yes") if value else _("no")
        if isinstance(value, datetime.datetime):
            return date_format(timezone.localtime(value), "Y-m-d H:i")
        if isinstance(value, datetime.date):
            return value.isoformat()
        if field.is_relation and field.related_model is get_user_model():
            return self._user(value)
        return str(value)

    def _user(self, pk) -> str:
        if pk not in self._users:
            user = get_user_model().objects.filter(pk=pk).first()
            self._users[pk] = (
                "—" if user is None else f"{user.last_name}{user.first_name}" or user.username
            )
        return self._users[pk]


def _entries(records, label, display) -> list[dict]:
    """simple_history records of one model as entries, each diffed with the one before."""
    entries = []
    previous_by_object = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        model = record.instance_type
        previous = previous_by_object.get(record.id)
        previous_by_object[record.id] = record
        changes = []
        if previous is not None and record.history_type == "~":
            for change in record.diff_against(previous).changes:
                field = model._meta.get_field(change.field)
                changes.append(
                    {
                        "field": str(field.verbose_name),
                        "old": display(field, change.old),
                        "new": display(field, change.new),
                    }
                )
            if not changes:
                continue
        elif record.history_type == "+":
            for field in model._meta.concrete_fields:
                if HIDDEN_ON_CREATE & {field.name, field.attname}:
                    continue
                value = getattr(record, field.attname, None)
                if value not in (None, ""):
                    changes.append(
                        {"field": str(field.verbose_name), "old": "", "new": display(field, value)}
                    )
        entries.append(
            {
                "when": record.history_date,
                "who": record.history_user,
                "what": label(record),
                "action": record.history_type,
                "reason": record.history_change_reason or "",
                "changes": changes,
            }
        )
    return entries


def audit_trail(assessment) -> list[dict]:
    """Every recorded change of the branch's year, newest first (a query per kind of record).

    Each entry: when, who (a user or None), what (a label), action (+ created, ~ changed,
    - deleted), reason (an untranslated msgid; the template translates it), changes
    [{field, old, new}].
    """
    display = _Display()
    titles = dict(assessment.campaign.criteria.values_list("pk", "title"))

    def criterion(record):
        return titles.get(record.criterion_id, "?")

    def history(manager, **lookup):
        return manager.filter(**lookup).select_related("history_user")

    entries = _entries(
        assessment.history.select_related("history_user"), lambda r: _("Assessment"), display
    )
    entries += _entries(
        history(SelfEvaluation.history, assessment_id=assessment.pk),
        lambda r: _("Self-evaluation"),
        display,
    )
    entries += _entries(
        history(SelfScore.history, self_evaluation__assessment_id=assessment.pk),
        lambda r: _("Score: %(criterion)s") % {"criterion": criterion(r)},
        display,
    )
    entries += _entries(
        history(Evidence.history, self_evaluation__assessment_id=assessment.pk),
        lambda r: _("Evidence: %(name)s") % {"name": r.original_name},
        display,
    )
    entries += _entries(
        history(Survey.history, assessment_id=assessment.pk), lambda r: _("Survey"), display
    )
    entries += _entries(
        history(Review.history, assessment_id=assessment.pk), lambda r: _("Review"), display
    )
    entries += _entries(
        history(ReviewScore.history, review__assessment_id=assessment.pk),
        lambda r: _("Review score: %(criterion)s") % {"criterion": criterion(r)},
        display,
    )
    entries += _entries(
        history(
            ScoreEvent.history, branch_id=assessment.branch_id, date__year=assessment.campaign.year
        ),
        lambda r: _("Event: %(type)s") % {"type": r.get_type_display()},
        display,
    )
    entries.sort(key=lambda e: e["when"], reverse=True)
    return entries
