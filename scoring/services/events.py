"""Bonus and penalty events (docs/rules.md §4.3–4.4): staff record them; recompute reads them.

An event counts in the campaign whose year is the year of the event's date.
"""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from branches.models import OrgKind
from branches.permissions import is_staff
from scoring.models import BONUS_TYPES_VALUES, EventType, ScoreEvent
from scoring.rules.document import MAX_COUNT
from scoring.uploads import check_upload
from starrating.inputs import parse_int

from .errors import InvalidEvent, InvalidUpload, NotAllowed

FIELDS = ("branch", "type", "level", "issuer", "severity", "count", "date")
TEXT_FIELDS = ("document_ref", "description")


def validate_event(*, type, level="", issuer="", severity="", count=1, **_ignored) -> dict:
    """Check the combination of fields for the type; return the cleaned extras.

    Bonus types need a level and count once; a criticism needs its issuer; a
    disciplined leader needs the severity; fields that do not belong to the type
    are cleared. Counts are whole numbers from 1 to MAX_COUNT (the calculator's limit).
    """
    if type not in EventType.values:
        raise InvalidEvent(_("Unknown event type."))
    try:
        count = parse_int(count)
    except ValueError:
        count = 0
    if not 1 <= count <= MAX_COUNT:
        raise InvalidEvent(
            _("The count must be a whole number from 1 to %(most)s.") % {"most": MAX_COUNT}
        )
    cleaned = {"level": "", "issuer": "", "severity": "", "count": count}
    if type in BONUS_TYPES_VALUES:
        if not level:
            raise InvalidEvent(_("A bonus event needs its level (city, province or national)."))
        if count != 1:
            raise InvalidEvent(_("A bonus event counts once."))
        cleaned["level"] = level
    elif type == EventType.CRITICISM:
        if not issuer:
            raise InvalidEvent(_("A notified criticism needs who issued it."))
        cleaned["issuer"] = issuer
    elif type == EventType.LEADER_DISCIPLINE:
        if not severity:
            raise InvalidEvent(_("A disciplined leader needs the severity."))
        cleaned["severity"] = severity
    return cleaned


def _attach(event, uploaded_file):
    if not uploaded_file:
        return
    try:
        check_upload(uploaded_file)
    except ValidationError as error:
        raise InvalidUpload(" ".join(error.messages)) from None
    event.evidence_name = (uploaded_file.name or "")[-200:]
    event.evidence.save(uploaded_file.name, uploaded_file, save=False)


def _check(actor, branch):
    if not is_staff(actor):
        raise NotAllowed(_("Only committee staff may record bonus and penalty events."))
    if branch.kind != OrgKind.BRANCH:
        raise InvalidEvent(_("Events are recorded for branches."))


def record_event(*, actor, branch, type, date, uploaded_file=None, **fields) -> ScoreEvent:
    """Record a bonus or penalty event for a branch."""
    _check(actor, branch)
    cleaned = validate_event(type=type, **fields)
    event = ScoreEvent(
        branch=branch,
        type=type,
        date=date,
        recorded_by=actor,
        document_ref=fields.get("document_ref", "") or "",
        description=fields.get("description", "") or "",
        **cleaned,
    )
    with transaction.atomic():
        _attach(event, uploaded_file)
        event._history_user = actor
        event._change_reason = gettext_noop("event recorded")
        event.save()
    return event


def update_event(*, event, actor, uploaded_file=None, **fields) -> ScoreEvent:
    """Change an event (any field); the history keeps the previous values."""
    with transaction.atomic():
        event = ScoreEvent.objects.select_for_update().get(pk=event.pk)
        branch = fields.get("branch", event.branch)
        _check(actor, branch)
        current = {name: getattr(event, name) for name in (*FIELDS, *TEXT_FIELDS)}
        current.update(fields)
        cleaned = validate_event(**current)
        for name in ("branch", "type", "date", *TEXT_FIELDS):
            setattr(event, name, current[name] if current[name] is not None else "")
        for name, value in cleaned.items():
            setattr(event, name, value)
        _attach(event, uploaded_file)
        event._history_user = actor
        event._change_reason = gettext_noop("event edited")
        event.save()
    return event


def delete_event(*, event, actor) -> None:
    if not is_staff(actor):
        raise NotAllowed(_("Only committee staff may record bonus and penalty events."))
    with transaction.atomic():
        event = ScoreEvent.objects.select_for_update().get(pk=event.pk)
        event._history_user = actor
        event._change_reason = gettext_noop("event deleted")
        event.delete()


def events_for_campaign(campaign, branch_ids=None) -> dict[int, list[ScoreEvent]]:
    """{branch id: [events]} of the campaign's branches (or of `branch_ids`) dated in its
    year; one query."""
    found: dict[int, list[ScoreEvent]] = defaultdict(list)
    if branch_ids is None:
        branch_ids = campaign.assessments.values("branch_id")
    events = ScoreEvent.objects.filter(date__year=campaign.year, branch_id__in=branch_ids).order_by(
        "date", "pk"
    )
    for event in events:
        found[event.branch_id].append(event)
    return dict(found)
