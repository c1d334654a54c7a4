"""Bonus and penalty events (加分/减分, docs/rules.md §4.3–4.4), recorded by committee staff.

An event counts in the campaign whose year is the year of its date.
"""

__all__ = [
    "BONUS_TYPES_VALUES",
    "EventIssuer",
    "EventLevel",
    "EventSeverity",
    "EventType",
    "ScoreEvent",
]

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches.models import Organisation
from scoring.rules.model import Event as EngineEvent
from starrating import clock
from starrating.uploads import EVENTS, UploadTo


class EventType(models.TextChoices):
    """Codes match the rules engine (docs/rules.md §4.1)."""

    COMMENDATION = "commendation", _("Commendation (branch or secretary)")
    MEDIA_ARTICLE = "media_article", _("Signed article in the media")
    INNOVATION = "innovation", _("Major innovation in party building")
    CRITICISM = "criticism", _("Notified criticism")
    LEADER_DISCIPLINE = "leader_discipline", _("Leadership member disciplined")
    MEMBER_VIOLATION = "member_violation", _("Member's violation of law or discipline")
    ABSENCE = "absence", _("Unexcused absence or task not done on time")


BONUS_TYPES = (EventType.COMMENDATION, EventType.MEDIA_ARTICLE, EventType.INNOVATION)
BONUS_TYPES_VALUES = tuple(t.value for t in BONUS_TYPES)
PENALTY_TYPES = (
    EventType.CRITICISM,
    EventType.LEADER_DISCIPLINE,
    EventType.MEMBER_VIOLATION,
    EventType.ABSENCE,
)


class EventLevel(models.TextChoices):
    CITY = "city", _("City")
    PROVINCE = "province", _("Province")
    NATIONAL = "national", _("National")


class EventIssuer(models.TextChoices):
    WORK_COMMITTEE = "work_committee", _("Work committee")
    MUNICIPAL_COMMITTEE = "municipal_committee", _("Municipal party committee")


class EventSeverity(models.TextChoices):
    WARNING = "warning", _("Warning or serious warning")
    REMOVAL = "removal", _("Removal from party post or heavier")


_LEVELS = [c.value for c in EventLevel]
_ISSUERS = [c.value for c in EventIssuer]
_SEVERITIES = [c.value for c in EventSeverity]


class ScoreEvent(models.Model):
    branch = models.ForeignKey(
        Organisation,
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="score_events",
        limit_choices_to={"kind": "branch"},
    )
    type = models.CharField(_("type"), max_length=20, choices=EventType.choices)
    level = models.CharField(_("level"), max_length=10, choices=EventLevel.choices, blank=True)
    issuer = models.CharField(
        _("issued by"), max_length=20, choices=EventIssuer.choices, blank=True
    )
    severity = models.CharField(
        _("severity"), max_length=10, choices=EventSeverity.choices, blank=True
    )
    count = models.PositiveSmallIntegerField(
        _("count"), default=1, help_text=_("Person-times or occurrences (penalties only).")
    )
    date = models.DateField(_("date"))
    document_ref = models.CharField(_("document reference"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    evidence = models.FileField(
        _("evidence"), upload_to=UploadTo(EVENTS.folder), max_length=200, blank=True
    )
    evidence_name = models.CharField(_("evidence file name"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    recorded_on = models.DateTimeField(_("recorded on"), default=clock.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bonus/penalty event")
        verbose_name_plural = _("bonus/penalty events")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["date", "branch"])]
        constraints = [
            models.CheckConstraint(name="score_event_count_positive", condition=Q(count__gte=1)),
            models.CheckConstraint(
                name="score_event_bonus_has_level_and_count_1",
                condition=~Q(type__in=[t.value for t in BONUS_TYPES])
                | Q(level__in=_LEVELS, count=1, issuer="", severity=""),
            ),
            models.CheckConstraint(
                name="score_event_criticism_has_issuer",
                condition=~Q(type=EventType.CRITICISM)
                | Q(issuer__in=_ISSUERS, level="", severity=""),
            ),
            models.CheckConstraint(
                name="score_event_discipline_has_severity",
                condition=~Q(type=EventType.LEADER_DISCIPLINE)
                | Q(severity__in=_SEVERITIES, level="", issuer=""),
            ),
            models.CheckConstraint(
                name="score_event_plain_penalty_has_no_extras",
                condition=~Q(type__in=[EventType.MEMBER_VIOLATION, EventType.ABSENCE])
                | Q(level="", issuer="", severity=""),
            ),
        ]

    def __str__(self):
        return f"{self.date} · {self.branch} · {self.get_type_display()}"

    @property
    def year(self):
        """The campaign year the event counts in."""
        return self.date.year

    @property
    def is_bonus(self):
        return self.type in BONUS_TYPES

    def detail_display(self):
        """Level, issuer or severity, whichever the type carries."""
        if self.level:
            return self.get_level_display()
        if self.issuer:
            return self.get_issuer_display()
        if self.severity:
            return self.get_severity_display()
        return ""

    def as_engine_event(self) -> EngineEvent:
        """The event as the rules engine reads it (docs/rules.md §4.1)."""
        return EngineEvent(
            type=self.type,
            level=self.level or None,
            by=self.issuer or None,
            severity=self.severity or None,
            count=self.count,
        )
