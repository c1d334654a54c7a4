"""Who takes part: the organisation tree, members and role assignments (docs/process.md §1)."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", _("Work committee")
    PARTY_COMMITTEE = "party_committee", _("Party committee")
    GENERAL_BRANCH = "general_branch", _("General branch")
    BRANCH = "branch", _("Branch")


# Which kinds may stand directly above which (a branch may sit under the committee: 直属).
ALLOWED_PARENT_KINDS = {
    OrgKind.COMMITTEE: (),
    OrgKind.PARTY_COMMITTEE: (OrgKind.COMMITTEE,),
    OrgKind.GENERAL_BRANCH: (OrgKind.COMMITTEE,),
    OrgKind.BRANCH: (OrgKind.COMMITTEE, OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH),
}


class ElectionStatus(models.TextChoices):
    """Values match the rules engine's `election` input (docs/rules.md §4.1)."""

    ON_TIME = "on_time", _("Elected on time")
    OVERDUE = "overdue", _("Election overdue")
    OVERDUE_OVER_1Y = "overdue_over_1y", _("Election overdue by more than a year")


class OrganisationQuerySet(models.QuerySet):
    def branches(self):
        return self.filter(kind=OrgKind.BRANCH)

    def active(self):
        return self.filter(active=True)


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(
        _("code"), max_length=32, unique=True, help_text=_("Short unique code, e.g. JG-01-03.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    term_start = models.DateField(_("term start"), null=True, blank=True)
    term_end = models.DateField(_("term end"), null=True, blank=True)
    last_election = models.DateField(_("date of last election"), null=True, blank=True)
    postponement_approved = models.BooleanField(
        _("postponement approved"),
        default=False,
        help_text=_("A request to postpone the election (请示) was approved."),
    )
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()
    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="org_only_committee_is_root",
                condition=(Q(kind=OrgKind.COMMITTEE) & Q(parent__isnull=True))
                | (~Q(kind=OrgKind.COMMITTEE) & Q(parent__isnull=False)),
                violation_error_message=_(
                    "The work committee has no parent; every other organisation has one."
                ),
            ),
            models.CheckConstraint(
                name="org_term_end_after_start",
                condition=Q(term_start__isnull=True)
                | Q(term_end__isnull=True)
                | Q(term_end__gt=models.F("term_start")),
                violation_error_message=_("The term must end after it starts."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.parent_id and self.parent.kind not in ALLOWED_PARENT_KINDS.get(self.kind, ()):
            raise ValidationError(
                {
                    "parent": _("A %(kind)s cannot sit under a %(parent)s.")
                    % {"kind": self.get_kind_display(), "parent": self.parent.get_kind_display()}
                }
            )

    @property
    def is_branch(self):
        return self.kind == OrgKind.BRANCH

    @property
    def directly_managed(self):
        """A branch directly under the work committee (直属): staff review it."""
        return (
            self.kind == OrgKind.BRANCH
            and self.parent is not None
            and (self.parent.kind == OrgKind.COMMITTEE)
        )

    def election_status(self, on_date: datetime.date) -> str:
        """Election status at `on_date` (docs/rules.md §4.7 未按期换届): `election_status`."""
        return election_status(
            self.term_end, self.last_election, self.postponement_approved, on_date
        )


def election_status(
    term_end: datetime.date | None,
    last_election: datetime.date | None,
    postponement_approved: bool,
    on_date: datetime.date,
) -> str:
    """A branch's election status at `on_date` (docs/rules.md §4.7 未按期换届), from its
    three columns (the recompute reads them as plain rows).

    On time while the term runs, after an election held since the term ended,
    or when a postponement was approved; otherwise overdue, and overdue over a
    year once the term ended more than 365 days before `on_date`.
    """
    if postponement_approved or term_end is None or on_date <= term_end:
        return ElectionStatus.ON_TIME
    if last_election and last_election >= term_end:
        return ElectionStatus.ON_TIME
    if (on_date - term_end).days > 365:
        return ElectionStatus.OVERDUE_OVER_1Y
    return ElectionStatus.OVERDUE


class Duty(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")
    DEPUTY = "deputy", _("Deputy secretary")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    MEMBER = "member", _("Member")


class MemberStatus(models.TextChoices):
    FULL = "full", _("Full member")
    PROBATIONARY = "probationary", _("Probationary member")


class Member(models.Model):
    code = models.CharField(_("member number"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=60)
    branch = models.ForeignKey(
        Organisation,
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="members",
        limit_choices_to={"kind": OrgKind.BRANCH},
    )
    duty = models.CharField(
        _("party duty"), max_length=20, choices=Duty.choices, default=Duty.MEMBER
    )
    status = models.CharField(
        _("status"), max_length=20, choices=MemberStatus.choices, default=MemberStatus.FULL
    )
    joined = models.DateField(_("date joined"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
    )
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["branch__code", "code"]
        indexes = [models.Index(fields=["branch", "active"])]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    SECRETARY = "secretary", _("Branch secretary")
    REVIEWER = "reviewer", _("Reviewer")
    STAFF = "staff", _("Committee staff")
    APPROVER = "approver", _("Committee approver")
    REREVIEWER = "rereviewer", _("Municipal re-reviewer")


class RoleAssignment(models.Model):
    """A user acts for an organisation in a role; a user may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="role_assignment_unique"
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"
