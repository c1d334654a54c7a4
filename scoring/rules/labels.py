"""Translatable labels the trace puts into its lines: stars, levels, events.

Built once at import: a trace line refers to these shared notes instead of copying text.
"""

from .i18n import N_, Note
from .model import Event

STAR_LABELS = (
    Note(N_("no star (unrated)")),
    Note(N_("one star")),
    Note(N_("two stars")),
    Note(N_("three stars")),
    Note(N_("four stars")),
    Note(N_("five stars")),
)

LEVEL_LABELS = {
    "city": Note(N_("city-level")),
    "province": Note(N_("province-level")),
    "national": Note(N_("national-level")),
}

ISSUER_LABELS = {
    "work_committee": Note(N_("the work committee")),
    "municipal_committee": Note(N_("the municipal party committee")),
}

SEVERITY_LABELS = {
    "warning": Note(N_("a warning or serious warning")),
    "removal": Note(N_("removal from party post or heavier")),
}

_PLAIN = {
    "commendation": Note(N_("commendation")),
    "media_article": Note(N_("signed article in the media")),
    "innovation": Note(N_("major innovation in party building")),
    "member_violation": Note(N_("an ordinary member's violation of law or discipline")),
    "absence": Note(N_("unexcused absence or task not done on time")),
}
_CRITICISM = {
    by: Note(N_("notified criticism by %(by)s"), {"by": label})
    for by, label in ISSUER_LABELS.items()
}
_DISCIPLINE = {
    severity: Note(N_("a leadership member disciplined with %(severity)s"), {"severity": label})
    for severity, label in SEVERITY_LABELS.items()
}


def event_label(event: Event) -> Note:
    """What the event is, with who issued it or how severe it was where that matters."""
    if event.type == "criticism":
        return _CRITICISM[event.by]
    if event.type == "leader_discipline":
        return _DISCIPLINE[event.severity]
    return _PLAIN[event.type]
