"""A branch's current star and dynamic management (docs/process.md §2.3, §2.6).

The current star is the latest `StarChange` of the branch (D-2.6a): written by the
committee's approval and the re-review (`scoring.services.publicity`), and between
campaigns by the branch's parent or committee staff, who downgrade a branch whose work
has slipped and restore it once it has recovered (`downgrade_star`, `restore_star`).
Every change is one row with its cause, reason, date and actor, recorded through
`starrating.audit` with an action code, so the rows are the branch's whole history.

The reads end the module: the history of one branch with its chart across years, the
current star of many branches in one query (`current_star_of`, a subquery), the
ledger of every branch (星级管理台账).
"""

import datetime

from django.db import transaction
from django.db.models import OuterRef, Prefetch, Subquery
from django.utils.translation import gettext as _

from branches.models import Organisation, OrgKind
from branches.permissions import branches_for, may_manage_stars
from scoring import charts
from scoring.models import Assessment, CampaignStatus, StarCause, StarChange
from starrating import audit, clock

from .errors import NotAllowed, WrongState

#: The action recorded with each cause of a change.
ACTIONS = {
    StarCause.APPROVAL: "star.approved",
    StarCause.REREVIEW: "star.rereviewed",
    StarCause.DOWNGRADE: "star.downgraded",
    StarCause.RESTORE: "star.restored",
}
#: The causes that set a star officially: a restore never goes above the last of them.
OFFICIAL = (StarCause.APPROVAL, StarCause.REREVIEW)
#: While a campaign the branch takes part in is in these, the committee is about to set
#: its star: dynamic management waits (D-2.3c).
DECIDING = (CampaignStatus.PUBLICITY, CampaignStatus.AWAITING_APPROVAL)
_UNSET = object()


def current_star_of(branch_field="pk") -> Subquery:
    """The current star of the branch at `branch_field` of the outer query, as one
    subquery (None without a change): lists annotate it instead of asking per row."""
    return Subquery(_newest_first(branch=OuterRef(branch_field)).values("to_star")[:1])


def current_star(branch) -> int | None:
    """The branch's current star (docs/process.md §2.6): its latest change, or None."""
    latest = _latest(branch)
    return None if latest is None else latest.to_star


def current_stars(branch_ids) -> dict[int, int | None]:
    """{branch id: current star} of the given branches, in one query."""
    return dict(
        Organisation.objects.filter(pk__in=list(branch_ids))
        .annotate(star=current_star_of())
        .values_list("pk", "star")
    )


def latest_changes(branch_ids) -> dict[int, StarChange]:
    """{branch id: its latest change} of the given branches that have one, in one query
    (the change that sets `current_star`, with its cause and date)."""
    latest = Subquery(_newest_first(branch=OuterRef("pk")).values("pk")[:1])
    ids = Organisation.objects.filter(pk__in=list(branch_ids)).values(pk_latest=latest)
    return {c.branch_id: c for c in StarChange.objects.filter(pk__in=ids)}


def _newest_first(**filters):
    """The changes, newest first (by effective date, then as recorded): the first of a
    branch's is the one its current star is (docs/process.md §2.6)."""
    return StarChange.objects.filter(**filters).order_by("-effective", "-pk")


def _latest(branch) -> StarChange | None:
    return _newest_first(branch=branch).first()


def change_star(
    branch,
    *,
    to,
    cause,
    actor,
    campaign=None,
    reason="",
    effective=None,
    from_star=_UNSET,
) -> StarChange:
    """Record one change of the branch's current star (the caller checks and locks).
    `from_star` saves the query when the caller has read the current star already."""
    change = StarChange(
        branch=branch,
        effective=effective or clock.today(),
        from_star=current_star(branch) if from_star is _UNSET else from_star,
        to_star=to,
        cause=cause,
        reason=reason,
        campaign=campaign,
        actor=actor,
        recorded_at=clock.now(),
    )
    audit.save(change, actor=actor, action=ACTIONS[cause])
    return change


# --- Dynamic management (docs/process.md §2.3) ----------------------------------------------


def official_star(branch) -> int | None:
    """The star last set by the committee's approval or the re-review: the most a
    restore gives back (D-2.3a)."""
    latest = _newest_first(branch=branch, cause__in=OFFICIAL).first()
    return None if latest is None else latest.to_star


def deciding_campaign(branch):
    """The campaign the branch takes part in whose result is in publicity or awaiting
    approval, or None."""
    found = (
        Assessment.objects.enrolled()
        .filter(branch=branch, campaign__status__in=DECIDING)
        .select_related("campaign")
        .first()
    )
    return None if found is None else found.campaign


def _checked(branch, actor, *, reason, effective):
    """Lock the branch and check what a downgrade and a restore both need; return the
    branch, its latest change, the reason and the effective date."""
    if not may_manage_stars(actor, branch):
        raise NotAllowed(
            _("Only the branch's parent organisation or committee staff may change its star.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise WrongState(_("Give the reason for the change of star."))
    effective = effective or clock.today()
    if not isinstance(effective, datetime.date):
        raise WrongState(_("Give the date the change takes effect."))
    if effective > clock.today():
        raise WrongState(_("The effective date lies in the future."))
    # The branch's row serialises changes of its star: two changes at once would both
    # read the same "from".
    branch = Organisation.objects.select_for_update().get(pk=branch.pk)
    latest = _latest(branch)
    if latest is None:
        raise WrongState(_("This branch has no current star yet."))
    if effective < latest.effective:
        raise WrongState(
            _("The effective date lies before the last change of star (%(date)s).")
            % {"date": latest.effective.isoformat()}
        )
    campaign = deciding_campaign(branch)
    if campaign is not None:
        raise WrongState(
            _(
                "The star cannot change while the committee is deciding it: %(campaign)s "
                "is in publicity or awaiting approval."
            )
            % {"campaign": campaign.title}
        )
    return branch, latest, reason, effective


def _star(to) -> int:
    try:
        return int(to)
    except (TypeError, ValueError):
        raise WrongState(_("Choose the star the branch gets.")) from None


def downgrade_star(*, branch, actor, to, reason, effective=None) -> StarChange:
    """The parent or staff lower a branch's current star by one or more, to no star at
    the lowest, with a reason and the date it takes effect (not in the future, not
    before the last change). Refused for a branch with no current star and while the
    committee is deciding its star (D-2.3c)."""
    to = _star(to)
    with transaction.atomic():
        branch, latest, reason, effective = _checked(
            branch, actor, reason=reason, effective=effective
        )
        if to < 0:
            raise WrongState(_("A star cannot go below no star."))
        if to >= latest.to_star:
            raise WrongState(_("A downgrade must lower the current star."))
        return change_star(
            branch,
            to=to,
            cause=StarCause.DOWNGRADE,
            actor=actor,
            reason=reason,
            effective=effective,
            from_star=latest.to_star,
        )


def restore_star(*, branch, actor, to, reason, effective=None) -> StarChange:
    """The parent or staff raise a downgraded branch's star again, with a reason, up to
    the star the committee last set (its approval or the re-review) at most (D-2.3a)."""
    to = _star(to)
    with transaction.atomic():
        branch, latest, reason, effective = _checked(
            branch, actor, reason=reason, effective=effective
        )
        ceiling = official_star(branch)
        if ceiling is None or latest.to_star >= ceiling:
            raise WrongState(_("Nothing to restore: the branch has the star last set for it."))
        if to <= latest.to_star:
            raise WrongState(_("A restore must raise the current star."))
        if to > ceiling:
            raise WrongState(
                _("A restore gives back at most the star last set for the branch (%(star)s).")
                % {"star": ceiling}
            )
        return change_star(
            branch,
            to=to,
            cause=StarCause.RESTORE,
            actor=actor,
            reason=reason,
            effective=effective,
            from_star=latest.to_star,
        )


def choices(branch) -> dict:
    """The stars a downgrade and a restore may set now, for the forms:
    {"current", "official", "downgrade": [stars], "restore": [stars]}."""
    current, official = current_star(branch), official_star(branch)
    downgrade = list(range(current - 1, -1, -1)) if current else []
    restore = (
        list(range(official, current, -1))
        if current is not None and official is not None and official > current
        else []
    )
    return {"current": current, "official": official, "downgrade": downgrade, "restore": restore}


# --- Reading the history (the branch page, the ledger) ---------------------------------------


def history(branch) -> list[StarChange]:
    """The branch's every change of star, oldest first, with campaign and actor."""
    return list(
        StarChange.objects.filter(branch=branch)
        .select_related("campaign", "actor")
        .order_by("effective", "pk")
    )


def history_chart(changes) -> str | None:
    """The star after each change, in date order, as a small line chart across the
    years (an `<img>` data URI), or None without changes; `changes` oldest first (as
    `history` returns them)."""
    if not changes:
        return None
    return charts.lines(
        [change.effective.isoformat() for change in changes],
        {_("Star"): [change.to_star for change in changes]},
        range=(0, 5),
        y_labels=list(range(6)),
        x_label_rotation=20 if len(changes) > 4 else 0,
        truncate_label=-1,
        height=220,
        width=480,
    )


def history_context(branch) -> dict:
    """What `templates/partials/star_history.html` shows: the changes and their chart."""
    changes = history(branch)
    return {"star_changes": changes, "star_chart": history_chart(changes)}


#: The ledger's filter of the star: "none" is a branch without a current star.
NO_STAR_YET = "none"


def ledger(user, *, year: int, parent=None, star=None):
    """Every branch the user may see with its current star (`current_star`) and the
    year's changes (`changes_this_year`, prefetched): two queries whatever the number
    of branches. `star` filters by the current star (0–5, or `NO_STAR_YET`)."""
    branches = (
        branches_for(user)
        .filter(kind=OrgKind.BRANCH)
        .select_related("parent")
        .annotate(current_star=current_star_of())
        .prefetch_related(
            Prefetch(
                "star_changes",
                queryset=StarChange.objects.filter(effective__year=year)
                .select_related("actor")
                .order_by("effective", "pk"),
                to_attr="changes_this_year",
            )
        )
        .order_by("parent__code", "code")
    )
    if parent is not None:
        branches = branches.filter(parent=parent)
    if star == NO_STAR_YET:
        branches = branches.filter(current_star__isnull=True)
    elif star not in (None, ""):
        branches = branches.filter(current_star=int(star))
    return branches
