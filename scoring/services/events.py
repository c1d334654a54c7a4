"""Bonus and penalty events (docs/rules.md §4.3–4.4): staff record them; recompute reads them.

An event counts in the campaign whose year is the year of the event's date (D-4.3a), so a
date must be one that some campaign can count: not in the future, and not in a past year
whose campaigns no longer take declarations. Every change is recorded through
`starrating.audit` (codes `event.*`).

Once a campaign is published its events are frozen (`frozen_by`): nothing about the
ratings changes during publicity or while awaiting approval, except a branch's events
after an objection upheld for staff to correct them (docs/process.md §2.1.4, D-2.1.4e).
"""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from branches.models import OrgKind
from branches.permissions import may_record_events
from scoring.models import (
    BONUS_TYPES_VALUES,
    Campaign,
    CampaignStatus,
    Correction,
    EventType,
    Objection,
    ObjectionState,
    ScoreEvent,
)
from scoring.rules.document import MAX_COUNT
from starrating import audit, clock, uploads
from starrating.errors import NotAllowed
from starrating.inputs import parse_int

from .errors import InvalidEvent, InvalidUpload

FIELDS = ("branch", "type", "level", "issuer", "severity", "count", "date")
TEXT_FIELDS = ("document_ref", "description")


def check_date(date) -> None:
    """An event's date: not after today, and in this year or the year of a campaign open
    for declaration (an event of another past year would count in no campaign, or change
    the results of one that has left declaration). A string is read as a date field reads it."""
    try:
        date = ScoreEvent._meta.get_field("date").to_python(date)
    except ValidationError:
        raise InvalidEvent(_("The date is not valid.")) from None
    today = clock.today()
    if date > today:
        raise InvalidEvent(
            _("The date %(date)s lies in the future: record an event once it has happened.")
            % {"date": date_format(date, "DATE_FORMAT")}
        )
    if date.year < today.year and not (
        Campaign.objects.filter(year=date.year, status=CampaignStatus.OPEN).exists()
    ):
        raise InvalidEvent(
            _(
                "An event counts in the campaign of its year, and no campaign of %(year)s "
                "is open for declaration: check the date."
            )
            % {"year": date.year}
        )


def validate_event(
    *, type, level="", issuer="", severity="", count=1, date=None, **_ignored
) -> dict:
    """Check the combination of fields for the type, and the date (`check_date`); return
    the cleaned extras.

    Bonus types need a level and count once; a criticism needs its issuer; a
    disciplined leader needs the severity; fields that do not belong to the type
    are cleared. Counts are whole numbers from 1 to MAX_COUNT (the calculator's limit).
    """
    if type not in EventType.values:
        raise InvalidEvent(_("Unknown event type."))
    if date is not None:
        check_date(date)
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


def _attach(stash, event, uploaded_file):
    if not uploaded_file:
        return
    try:
        uploads.check_upload(uploaded_file, uploads.EVENTS)
        stash.save(event.evidence, uploaded_file)
    except ValidationError as error:
        raise InvalidUpload(" ".join(error.messages)) from None
    event.evidence_name = uploads.display_name(uploaded_file.name)


#: The statuses in which a campaign's events are frozen but for a reopened branch.
FROZEN = (CampaignStatus.PUBLICITY, CampaignStatus.AWAITING_APPROVAL)


def frozen_by(branch, year) -> Campaign | None:
    """The published campaign whose results an event of `branch` dated in `year` would
    change (it counts in the campaigns of its year, D-4.3a), or None. A branch of which
    an objection was upheld for staff to correct its events is not frozen."""
    campaigns = Campaign.objects.filter(
        year=year,
        status__in=FROZEN,
        assessments__branch=branch,
        assessments__withdrawn_at__isnull=True,
    ).exclude(
        pk__in=Objection.objects.filter(
            assessment__branch=branch, state=ObjectionState.UPHELD, correction=Correction.EVENTS
        ).values("campaign_id")
    )
    return campaigns.order_by("pk").first()


def _check_not_frozen(branch, date) -> None:
    date = ScoreEvent._meta.get_field("date").to_python(date)
    campaign = frozen_by(branch, date.year)
    if campaign is not None:
        raise InvalidEvent(
            _(
                "The results of %(campaign)s are published: the events of %(branch)s are "
                "frozen, unless an objection is upheld for staff to correct them."
            )
            % {"campaign": campaign.title, "branch": branch.name}
        )


def _check_actor(actor):
    if not may_record_events(actor):
        raise NotAllowed(_("Only committee staff may record bonus and penalty events."))


def _check(actor, branch):
    _check_actor(actor)
    if branch.kind != OrgKind.BRANCH:
        raise InvalidEvent(_("Events are recorded for branches."))


def record_event(*, actor, branch, type, date, uploaded_file=None, **fields) -> ScoreEvent:
    """Record a bonus or penalty event for a branch."""
    _check(actor, branch)
    cleaned = validate_event(type=type, date=date, **fields)
    _check_not_frozen(branch, date)
    event = ScoreEvent(
        branch=branch,
        type=type,
        date=date,
        recorded_by=actor,
        document_ref=fields.get("document_ref", "") or "",
        description=fields.get("description", "") or "",
        **cleaned,
    )
    with uploads.storing() as stash, transaction.atomic():
        _attach(stash, event, uploaded_file)
        audit.save(event, actor=actor, action="event.recorded")
    return event


def update_event(*, event, actor, uploaded_file=None, **fields) -> ScoreEvent:
    """Change an event (any field); the history keeps the previous values."""
    with uploads.storing() as stash, transaction.atomic():
        event = ScoreEvent.objects.select_for_update().get(pk=event.pk)
        branch = fields.get("branch", event.branch)
        _check(actor, branch)
        current = {name: getattr(event, name) for name in (*FIELDS, *TEXT_FIELDS)}
        current.update(fields)
        cleaned = validate_event(**current)
        _check_not_frozen(event.branch, event.date)
        _check_not_frozen(branch, current["date"])
        for name in ("branch", "type", "date", *TEXT_FIELDS):
            setattr(event, name, current[name] if current[name] is not None else "")
        for name, value in cleaned.items():
            setattr(event, name, value)
        _attach(stash, event, uploaded_file)
        audit.save(event, actor=actor, action="event.edited")
    return event


def delete_event(*, event, actor) -> None:
    """Delete an event; its history keeps the last values."""
    _check_actor(actor)
    with transaction.atomic():
        event = ScoreEvent.objects.select_for_update().get(pk=event.pk)
        _check_not_frozen(event.branch, event.date)
        audit.delete(event, actor=actor, action="event.deleted")


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
