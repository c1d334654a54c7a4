"""The audit trail of one branch's year (docs/process.md §2: who, when, what before, what after).

A read-only view over django-simple-history's records of the assessment, the
self-evaluation with its scores and evidence, the survey (opening, closing, issue
counts, overrides — never slips or ballots, which have no history by design), the
review with its scores and audit, and the branch's events of the campaign year.

Everything is said in a reader's terms: people by name, criteria by title, stars in
words, file types and sizes as such, dates in the reader's date form, actions by their
label (`starrating.audit.label`); internal fields (ids, keys, versions, stored file
paths) are left out. The entries of one person in one minute form a group (one save
writes a row per score), newest first.
"""

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.auth import get_user_model
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scoring.models import (
    Evidence,
    Review,
    ReviewScore,
    ScoreEvent,
    SecondReview,
    SecondReviewScore,
    SelfEvaluation,
    SelfScore,
    Survey,
)
from scoring.rules.labels import STAR_LABELS
from starrating import audit
from starrating.uploads import KINDS
from starrating.wording import bracket

#: Fields that say nothing to a reader: keys (the entry's label names the object), the
#: optimistic-locking version, stored file paths (the original file name is shown).
HIDDEN = {
    "id",
    "self_evaluation",
    "assessment",
    "campaign",
    "branch",
    "review",
    "second_review",
    "version",
}
#: Fields hidden on creation only: the entry's label already names them.
HIDDEN_ON_CREATE = {"criterion"}
STAR_FIELDS = {"self_star", "proposed_star"}
#: Score rows are details of the save that wrote them; the group is named by the sheet.
DETAIL_MODELS = (SelfScore, ReviewScore, SecondReviewScore)
#: How many groups are listed before the rest is folded under "older records".
RECENT_GROUPS = 10

_FILE_KIND_LABELS = {
    "pdf": gettext_lazy("PDF document"),
    "jpg": gettext_lazy("JPG image"),
    "png": gettext_lazy("PNG image"),
    "docx": gettext_lazy("Word document"),
    "xlsx": gettext_lazy("Excel workbook"),
}
FILE_KINDS = {content_type: _FILE_KIND_LABELS[kind] for kind, (_e, content_type) in KINDS.items()}

_BADGES = {
    "+": ("success", gettext_lazy("created")),
    "~": ("secondary", gettext_lazy("changed")),
    "-": ("danger", gettext_lazy("deleted")),
}


def action_label(code: str | None) -> str:
    """The reader's label of a stored reason: an action code, or (history written before
    the codes) an English msgid, translated."""
    if not code:
        return ""
    if code in audit.ACTIONS:
        return audit.label(code)
    return _(code)


class _Display:
    """Turns stored values into what a reader understands (names, titles, local times)."""

    def __init__(self, titles):
        self._titles = titles  # criterion id → title
        self._objects = {}

    def __call__(self, field, value) -> str:
        if value in (None, ""):
            return "—"
        if field.name in STAR_FIELDS:
            return STAR_LABELS[int(value)].render(_)
        if field.model is Evidence and field.name == "content_type":
            return str(FILE_KINDS.get(value, value))
        if field.model is Evidence and field.name == "size":
            return filesizeformat(value)
        choices = dict(getattr(field, "flatchoices", None) or ())
        if value in choices:
            return str(choices[value])
        if isinstance(field, models.BooleanField):
            return _("yes") if value else _("no")
        if isinstance(value, datetime.datetime):
            return date_format(timezone.localtime(value), "DATETIME_FORMAT")
        if isinstance(value, datetime.date):
            return date_format(value, "DATE_FORMAT")
        if field.is_relation:
            return self._related(field.related_model, value)
        return str(value)

    def _related(self, model, pk) -> str:
        if model._meta.model_name == "criterion" and pk in self._titles:
            return self._titles[pk]
        key = (model, pk)
        if key not in self._objects:
            found = model._default_manager.filter(pk=pk).first()
            if found is None:
                self._objects[key] = "—"
            elif model is get_user_model():
                self._objects[key] = f"{found.last_name}{found.first_name}" or found.username
            else:
                self._objects[key] = str(found)
        return self._objects[key]


def _shown(field) -> bool:
    return field.name not in HIDDEN and not isinstance(field, models.FileField)


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
                if not _shown(field):
                    continue
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
                if not _shown(field) or field.name in HIDDEN_ON_CREATE:
                    continue
                value = getattr(record, field.attname, None)
                if value not in (None, ""):
                    changes.append(
                        {"field": str(field.verbose_name), "old": "", "new": display(field, value)}
                    )
        colour, badge = _BADGES.get(record.history_type, _BADGES["~"])
        entries.append(
            {
                "when": record.history_date,
                "who": record.history_user,
                "what": label(record),
                "action": record.history_type,
                "badge": colour,
                "badge_label": str(badge),
                "reason": record.history_change_reason or "",
                "label": action_label(record.history_change_reason),
                "detail": issubclass(model, DETAIL_MODELS),
                "changes": changes,
            }
        )
    return entries


@dataclass
class Group:
    """The entries one person wrote in one minute (one save, a submission with its draft)."""

    when: datetime.datetime
    who: object
    entries: list = field(default_factory=list)

    @property
    def label(self) -> str:
        """What happened, from the newest entry that is not a score row (else the newest):
        its action's label; for a reason written before the action codes, or none, the
        object's name with it ("考评（提交）")."""
        main = [e for e in self.entries if not e["detail"]] or self.entries
        entry = main[0]
        if entry["reason"] in audit.ACTIONS:
            return entry["label"]
        if entry["label"]:
            return entry["what"] + str(bracket(entry["label"]))
        return entry["what"]

    @property
    def count(self) -> int:
        return sum(max(1, len(e["changes"])) for e in self.entries)


class Trail(list):
    """The entries, newest first, and the same entries in `groups`."""

    @cached_property
    def groups(self) -> list[Group]:
        groups: list[Group] = []
        for entry in self:
            minute = timezone.localtime(entry["when"]).replace(second=0, microsecond=0)
            who = entry["who"].pk if entry["who"] else None
            last = groups[-1] if groups else None
            if last is None or last.when != minute or (last.who and last.who.pk) != who:
                last = Group(when=minute, who=entry["who"])
                groups.append(last)
            last.entries.append(entry)
        return groups

    @property
    def recent_groups(self) -> list[Group]:
        return self.groups[:RECENT_GROUPS]

    @property
    def older_groups(self) -> list[Group]:
        return self.groups[RECENT_GROUPS:]


def audit_trail(assessment) -> Trail:
    """Every recorded change of the branch's year, newest first (a query per kind of record).

    Each entry: when, who (a user or None), what (a label of the object), action (+
    created, ~ changed, - deleted) with its badge colour and label, reason (the stored
    code), label (the reader's label of the reason), detail (a score row), changes
    [{field, old, new}] in readers' terms. `Trail.groups` groups them by person and minute.
    """
    titles = dict(assessment.campaign.criteria.values_list("pk", "title"))
    display = _Display(titles)

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
    # The second review (docs/process.md §2.1.3): the trail is staff's, who see both.
    entries += _entries(
        history(SecondReview.history, assessment_id=assessment.pk),
        lambda r: _("Second review"),
        display,
    )
    entries += _entries(
        history(SecondReviewScore.history, second_review__assessment_id=assessment.pk),
        lambda r: _("Second review score: %(criterion)s") % {"criterion": criterion(r)},
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
    return Trail(entries)
