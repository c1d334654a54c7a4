"""The default rubric (docs/process.md §3).

The ten areas of the implementation plan, 10 points each.
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

DEFAULT_CRITERIA = [
    (
        _("Organisation complete"),
        _(
            "The branch committee is complete, members are organised in groups, and the "
            "organisation life of the party is regular."
        ),
    ),
    (
        _("Rules complete and applied"),
        _(
            "Meetings, lessons, democratic appraisal and the other rules are written down and "
            "carried out."
        ),
    ),
    (
        _("Strong as a fortress"),
        _("The branch rallies people, carries out decisions and solves problems."),
    ),
    (
        _("Members lead by example"),
        _("Members take the lead in their work, keep their pledges and help the people."),
    ),
    (
        _("Varied service, satisfied people served"),
        _("Service comes in many forms and those served are satisfied with it."),
    ),
    (
        _("Party building leads; mass organisations effective"),
        _(
            "Party building guides the unit's work; trade union, youth league and women's "
            "work are solid."
        ),
    ),
    (
        _("Discipline kept"),
        _("No member breaks the law or party discipline; integrity rules are kept."),
    ),
    (
        _("Facilities complete"),
        _("An activity room, noticeboards and materials are in place and used."),
    ),
    (
        _("Higher-level tasks done firmly, on time, well"),
        _("Tasks assigned by the work committee are done firmly, on time and well."),
    ),
    (
        _("Strong service mindset, firm popular support"),
        _("The branch listens to the people and enjoys their trust."),
    ),
]
DEFAULT_MAX_POINTS = Decimal("10")


def default_rubric():
    """[(title, description, max_points)] for a new campaign with no predecessor."""
    return [
        (str(title), str(description), DEFAULT_MAX_POINTS)
        for title, description in DEFAULT_CRITERIA
    ]
