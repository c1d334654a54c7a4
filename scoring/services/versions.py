"""No lost updates on the sheets people edit in a browser: the self-evaluation and the review.

Each of those rows carries a `version`. Every service that changes one locks the row
(`select_for_update`), checks the version the user's form was loaded at (`check_version`)
and raises it (`bump`). Of two tabs, or two requests at once, that start from the same
version, exactly one is saved; the other is refused with `StaleVersion`, which says who
saved in between and when, and lists each item whose saved value changed since the form
was loaded, beside the value the user typed (docs/process.md §2: every score edit is recorded; none
may vanish unseen).

What the form was loaded with comes from the history: `bump` gives every history row
written by one change the same `history_date`, later than any earlier one of that sheet,
so the sheet's record of a version and the score records up to its date are exactly the
state of that version, whatever the clocks of the machines that wrote them.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from scoring.models import SelfEvaluation
from starrating import clock

from .errors import WorkflowError

SCORE, REMARK, STAR = "score", "remark", "self_star"


class _Marker:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


UNKNOWN = _Marker("UNKNOWN")  # the history does not tell what the form was loaded with
UNTOUCHED = _Marker("UNTOUCHED")  # the request did not carry this item


def _normal(field, value):
    """A value as it compares: empty is None, scores numerically, remarks stripped."""
    if value is UNKNOWN or value is UNTOUCHED:
        return value
    if field == REMARK:
        return (value or "").strip()
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return str(value)


def _shown(field, value):
    value = _normal(field, value)
    if value is None or value == "":
        return _("(empty)")
    return str(value)


@dataclass(frozen=True)
class Change:
    """One item whose saved value changed after the user's form was loaded."""

    field: str  # SCORE, REMARK or STAR
    criterion_id: int | None  # None for the self-placed star
    label: str
    saved: object
    loaded: object  # UNKNOWN when the history does not say
    typed: object  # UNTOUCHED when the request did not carry it

    @property
    def yours(self) -> bool:
        """The user changed this item too (or we cannot tell): their value is kept."""
        if self.typed is UNTOUCHED:
            return False
        return self.loaded is UNKNOWN or _normal(self.field, self.typed) != _normal(
            self.field, self.loaded
        )

    def describe(self) -> str:
        """The item in the refusal message."""
        if self.field == REMARK:
            return _("the remark on “%(item)s”") % {"item": self.label}
        values = {
            "item": self.label,
            "saved": _shown(self.field, self.saved),
            "typed": _shown(self.field, self.typed),
            "loaded": _shown(self.field, self.loaded),
        }
        if self.yours:
            return _("“%(item)s” saved as %(saved)s, you typed %(typed)s") % values
        if self.loaded is UNKNOWN:
            return _("“%(item)s” is now %(saved)s") % values
        return _("“%(item)s” is now %(saved)s (was %(loaded)s)") % values

    def note(self) -> str:
        """The line shown beside the item's field when the form is shown again."""
        values = {
            "saved": _shown(self.field, self.saved),
            "typed": _shown(self.field, self.typed),
            "loaded": _shown(self.field, self.loaded),
        }
        if self.field == REMARK:
            if self.yours:
                return _("Saved in between as: %(saved)s. Yours is kept here.") % values
            return _("Saved in between as: %(saved)s. Filled in.") % values
        if self.yours:
            return _("Saved in between as %(saved)s; you typed %(typed)s.") % values
        return _("Saved in between as %(saved)s (was %(loaded)s); filled in.") % values


class StaleVersion(WorkflowError):
    """The sheet changed after the form was loaded; nothing was changed by this request.

    `version` is the current one (the form carries it when shown again), `changes` the
    items saved in between, `saved_by` / `saved_at` the last change (None when unknown).
    """

    default_message = gettext_lazy("This sheet was changed after you opened this page.")

    def __init__(self, *, version, changes, saved_by, saved_at, actor, noun, editing):
        self.version = version
        self.changes = changes
        self.saved_by = saved_by
        self.saved_at = saved_at
        values = {
            "what": noun,
            "who": _user_name(saved_by),
            "when": saved_at and timezone.localtime(saved_at).strftime("%Y-%m-%d %H:%M:%S"),
        }
        if saved_by is not None and actor is not None and saved_by.pk == actor.pk:
            head = _(
                "You saved this %(what)s in another tab or window at %(when)s, after this "
                "page was opened."
            )
        elif saved_by is not None:
            head = _("%(who)s saved this %(what)s at %(when)s, after you opened this page.")
        elif saved_at is not None:
            head = _("This %(what)s was saved at %(when)s, after you opened this page.")
        else:
            head = _("This %(what)s was changed after you opened this page.")
        if editing:
            advice = _(
                "Your entries are kept below, with the saved value beside each item that "
                "changed; where you had not changed an item, its saved value is filled in. "
                "Check them and save again."
            )
        else:
            advice = _("Look at it again before you decide; what you wrote is kept.")
        parts = {"head": head % values, "outcome": _("Your request changed nothing.")}
        parts["advice"] = advice
        if changes:
            items = _("; ").join(change.describe() for change in changes)
            parts["changes"] = _("Changed in between: %(items)s.") % {"items": items}
            # Sentences: joined by a space in English, by nothing in Chinese.
            message = _("%(head)s %(outcome)s %(changes)s %(advice)s") % parts
        else:
            message = _("%(head)s %(outcome)s %(advice)s") % parts
        super().__init__(message)


def _user_name(user):
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _labels(sheet) -> dict:
    labels = {
        (field, c.pk): c.title
        for c in sheet.assessment.campaign.criteria.all()
        for field in (SCORE, REMARK)
    }
    if isinstance(sheet, SelfEvaluation):
        labels[STAR, None] = _("Self-placed star")
    return labels


def current_state(sheet) -> dict:
    """{(field, criterion id): value} of the sheet as stored now (read under its lock)."""
    state = {}
    for row in sheet.scores.all():
        state[SCORE, row.criterion_id] = row.score
        state[REMARK, row.criterion_id] = row.remark
    if isinstance(sheet, SelfEvaluation):
        state[STAR, None] = sheet.self_star
    return state


def _parent(sheet) -> str:
    """The score rows' foreign key to the sheet: `self_evaluation` or `review`."""
    return sheet.scores.field.name


def state_at(sheet, version) -> dict | None:
    """The sheet as it was at `version`, from the history; None when it does not say."""
    record = sheet.history.filter(version=version).order_by("-history_date", "-history_id")
    record = record.first()
    if record is None:
        # Nothing the services write stays at version 0: a sheet never saved is empty.
        return {} if version == 0 else None
    state = {}
    rows = (
        sheet.scores.model.history.filter(
            **{f"{_parent(sheet)}_id": sheet.pk}, history_date__lte=record.history_date
        )
        .order_by("criterion_id", "-history_date", "-history_id")
        .values_list("criterion_id", "history_type", "score", "remark")
    )
    seen = set()
    for criterion_id, kind, score, remark in rows:
        if criterion_id in seen:
            continue
        seen.add(criterion_id)
        if kind != "-":
            state[SCORE, criterion_id] = score
            state[REMARK, criterion_id] = remark
    if isinstance(sheet, SelfEvaluation):
        state[STAR, None] = record.self_star
    return state


def _changes(sheet, version, typed) -> list[Change]:
    now = current_state(sheet)
    then = state_at(sheet, version)
    labels = _labels(sheet)
    changes = []
    for key, label in labels.items():
        field = key[0]
        saved = _normal(field, now.get(key))
        mine = typed.get(key, UNTOUCHED)
        if then is None:
            # Unknown starting point: every item where the user's value differs.
            loaded = UNKNOWN
            if mine is UNTOUCHED or _normal(field, mine) == saved:
                continue
        else:
            loaded = _normal(field, then.get(key))
            if loaded == saved:
                continue
            if mine is not UNTOUCHED and _normal(field, mine) == saved:
                continue  # the same change was typed here: nothing to reconcile
        changes.append(Change(field, key[1], label, now.get(key), loaded, mine))
    return changes


def check_version(sheet, version, *, actor, typed=None, editing=True) -> None:
    """Refuse (StaleVersion) when the form was loaded at another version than the stored one.

    Call with the sheet locked. `typed` maps (field, criterion id) to what the request
    carries, so the message can set it beside the saved value. A `version` of None skips
    the check: for callers without a form (the demo loader, scripts) that act on the
    current state anyway.
    """
    if version is None or int(version) == sheet.version:
        return
    noun = (
        pgettext("sheet", "self-evaluation")
        if isinstance(sheet, SelfEvaluation)
        else pgettext("sheet", "review")
    )
    _refuse(sheet, _changes(sheet, int(version), typed or {}), actor, noun, editing)


def check_row_version(row, version, *, actor, noun) -> None:
    """`check_version` for a row edited as a whole, without score items (a ledger item):
    the refusal says who saved in between and when; the form shows the user's entries."""
    if version is None or int(version) == row.version:
        return
    _refuse(row, [], actor, noun, True)


def _refuse(row, changes, actor, noun, editing):
    last = row.history.order_by("-history_date", "-history_id").first()
    raise StaleVersion(
        version=row.version,
        changes=changes,
        saved_by=last.history_user if last else None,
        saved_at=last.history_date if last else None,
        actor=actor,
        noun=noun,
        editing=editing,
    )


def next_moment(sheet) -> datetime.datetime:
    """`clock.now()`, or just after the sheet's latest history row if that is not earlier."""
    stamp = clock.now()
    last = sheet.history.order_by("-history_date").values_list("history_date", flat=True)
    last = last.first()
    if last is not None and stamp <= last:
        stamp = last + datetime.timedelta(microseconds=1)
    return stamp


def bump(sheet) -> datetime.datetime:
    """Raise the sheet's version (before it is saved, under its lock) and return the
    `history_date` to give every history row of this change (see the module docstring)."""
    stamp = next_moment(sheet)
    sheet.version += 1
    sheet._history_date = stamp
    return stamp
