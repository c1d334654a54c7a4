"""Who may do what, in one place (docs/process.md §1, docs/nonfunctional.md §7).

Every view asks these predicates; templates may use them to hide buttons, but a
hidden button is never the check. Role assignments are loaded once per request
and cached on the user object.

- secretary: acts for the branch of the assignment.
- reviewer: acts for the branches directly under the organisation of the
  assignment (a party committee or general branch), except a branch the
  reviewer belongs to (recusal).
- staff, approver, re-reviewer: hold their role on the work committee and so
  act for every organisation under it.
"""

from functools import wraps

from django.db.models import Q

from starrating.errors import NotAllowed

from .models import Member, Organisation, OrgKind, Role, RoleAssignment

COMMITTEE_ROLES = (Role.STAFF, Role.APPROVER, Role.REREVIEWER)
_CACHE_ATTR = "_starrating_roles"


def roles_of(user) -> dict[str, frozenset[int]]:
    """{role: organisation ids} for an authenticated user, cached on the object."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        found: dict[str, set[int]] = {}
        for role, org_id in RoleAssignment.objects.filter(user=user).values_list(
            "role", "organisation_id"
        ):
            found.setdefault(role, set()).add(org_id)
        cached = {role: frozenset(ids) for role, ids in found.items()}
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_roles(user):
    """Drop the cached assignments (after assigning a role in the same request)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def has_role(user, role) -> bool:
    return bool(roles_of(user).get(role))


def is_staff(user) -> bool:
    return has_role(user, Role.STAFF)


def is_committee_level(user) -> bool:
    """Staff, approvers and re-reviewers see the whole committee's data."""
    return any(has_role(user, role) for role in COMMITTEE_ROLES)


def is_secretary_of(user, branch: Organisation) -> bool:
    return branch.pk in roles_of(user).get(Role.SECRETARY, ())


def belongs_to(user, branch: Organisation) -> bool:
    """The user is a member or the secretary of the branch (grounds for recusal)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_secretary_of(user, branch):
        return True
    return Member.objects.filter(user=user, branch=branch).exists()


def is_reviewer_above(user, branch: Organisation) -> bool:
    """Holds the reviewer role on the organisation directly above the branch."""
    return branch.parent_id in roles_of(user).get(Role.REVIEWER, ())


def may_view_branch(user, branch: Organisation) -> bool:
    """Read access to a branch's sheets, survey figures and results."""
    return (
        is_committee_level(user) or is_secretary_of(user, branch) or is_reviewer_above(user, branch)
    )


def may_run_survey(user, branch: Organisation) -> bool:
    """Open, issue, reissue and close the branch's survey and download its slip sheets
    (docs/survey.md §2.1.2, D-2.1.2p): the branch's secretary or committee staff."""
    return is_secretary_of(user, branch) or is_staff(user)


def may_enter_paper_ballots(user, branch: Organisation) -> bool:
    """Enter the branch's paper ballots as a teller (docs/survey.md A15, D-2.1.2s): whoever
    runs its survey. Each ballot needs two entries by two *different* such users (the
    service checks that), e.g. the secretary and a member of committee staff."""
    return may_run_survey(user, branch)


# --- The review (docs/process.md §2.1.3) ---------------------------------------------


def may_use_reviews(user) -> bool:
    """The review queue: reviewers, and staff (who review directly managed branches)."""
    return has_role(user, Role.REVIEWER) or is_staff(user)


def may_audit(user) -> bool:
    """Audit five-star proposals and return submitted reviews: committee staff."""
    return is_staff(user)


def may_recompute(user) -> bool:
    """Recompute a campaign's scores and stars: committee staff."""
    return is_staff(user)


def may_simulate(user) -> bool:
    """Try another policy on a campaign in the policy simulator (nothing is saved):
    committee staff, who set the policies."""
    return is_staff(user)


def may_export_reports(user) -> bool:
    """Download a whole campaign's reports (the annual workbook, …): committee staff."""
    return is_staff(user)


def may_export(user, branch: Organisation | None = None) -> bool:
    """Make a report (docs/reports.md §6): a whole campaign's (no `branch`) as
    `may_export_reports`; one branch's (its rating sheet) for whoever may see that
    branch's rating — the committee's roles (`may_see_results`), the reviewer above it
    and its secretary (`may_view_branch`), as on its rating page (docs/decisions.md D-6o)."""
    if branch is None:
        return may_export_reports(user)
    return may_see_results(user) or may_view_branch(user, branch)


def may_download_export(user, job) -> bool:
    """A report made in the background: its requester, and committee staff."""
    return job.requested_by_id == getattr(user, "pk", None) or is_staff(user)


def may_see_results(user) -> bool:
    """A campaign's ranked results and quota check: the committee's roles (read)."""
    return is_committee_level(user)


def may_see_dashboard(user) -> bool:
    """The dashboard of a campaign's figures (docs/reports.md §6): committee staff (the
    whole committee) and reviewers (the branches under their organisations,
    `dashboard_branches`). Approvers and re-reviewers decide on lists; they have theirs."""
    return is_staff(user) or has_role(user, Role.REVIEWER)


def dashboard_branches(user):
    """The branches the dashboard counts for the user, as a queryset: every branch for
    committee staff; for a reviewer those directly under the organisations it reviews
    for (its own branch included: seeing is not scoring, so no recusal, as in
    `may_view_branch`)."""
    return Organisation.objects.filter(dashboard_branch_filter(user))


def dashboard_branch_filter(user, relation: str = "") -> Q:
    """The rule of `dashboard_branches` as a condition on `relation` (a lookup path to the
    branch, "branch" from an assessment; the organisation itself when empty): a query that
    joins the branch anyway tests it in that join, not through a subquery of every
    branch (docs/nonfunctional.md §7)."""
    prefix = f"{relation}__" if relation else ""
    rule = Q(**{f"{prefix}kind": OrgKind.BRANCH})
    if is_staff(user):
        return rule
    return rule & Q(**{f"{prefix}parent_id__in": roles_of(user).get(Role.REVIEWER, ())})


def may_publish(user) -> bool:
    """Publish a campaign, handle objections, set the contact line: committee staff."""
    return is_staff(user)


def may_handle_objections(user) -> bool:
    """See objections with their filers' details and decide them: committee staff only."""
    return is_staff(user)


def may_download_objection_attachments(user) -> bool:
    """Download the file an objection's filer attached: committee staff, who decide it."""
    return may_handle_objections(user)


def may_download_minutes(user) -> bool:
    """Download the minutes of the committee's approval: staff, the approver who recorded
    them, and the re-reviewer, whose re-review rests on that decision (D-2.1.5d)."""
    return is_staff(user) or may_approve(user) or may_rereview(user)


def may_approve(user) -> bool:
    """Record the work committee's decision (审批): the committee's approver."""
    return has_role(user, Role.APPROVER)


def may_rereview(user) -> bool:
    """Re-review approved five-star results (复审): the municipal re-reviewer."""
    return has_role(user, Role.REREVIEWER)


# --- A branch's current star (docs/process.md §2.3, §2.6) -------------------------------------


def may_manage_stars(user, branch: Organisation) -> bool:
    """Downgrade or restore the branch's current star (动态管理): committee staff, and the
    reviewers of the branch's parent organisation, except one who belongs to the branch
    (recusal, as for the review: D-2.3b)."""
    if is_staff(user):
        return True
    return is_reviewer_above(user, branch) and not belongs_to(user, branch)


def may_see_star_ledger(user) -> bool:
    """The star-management ledger (星级管理台账): the committee's roles see every branch,
    reviewers the branches under their organisation (`branches_for`)."""
    return is_committee_level(user) or has_role(user, Role.REVIEWER)


# --- The use of results: certificates, demonstration sites (docs/process.md §2.4) ----------


def may_download_approved_documents(user) -> bool:
    """The approved list's PDF and the five-star certificates (授牌): the committee's roles,
    who read the approved list (docs/decisions.md D-6d)."""
    return is_committee_level(user)


def may_see_demonstration_sites(user) -> bool:
    """The list of demonstration sites (示范点): every logged-in user (docs/decisions.md
    D-2.4a)."""
    return bool(user.is_authenticated)


def may_mark_demonstration_sites(user) -> bool:
    """Mark and unmark demonstration sites: committee staff."""
    return is_staff(user)


def _reviewers_and_ties(parents=None) -> tuple[dict[int, set[int]], dict[tuple, set[int]]]:
    """({organisation: its reviewers}, {(branch, its parent): the reviewers who belong to
    the branch, as member or secretary}), for the reviewers of `parents` (every reviewer
    when None). Three queries of a few rows whatever the number of branches (reviewers
    are few): the reviewers, and their memberships and secretary roles."""
    assignments = RoleAssignment.objects.filter(role=Role.REVIEWER)
    if parents is not None:
        assignments = assignments.filter(organisation_id__in=parents)
    reviewers: dict[int, set[int]] = {}
    for org_id, user_id in assignments.values_list("organisation_id", "user_id"):
        reviewers.setdefault(org_id, set()).add(user_id)
    if not reviewers:
        return {}, {}
    everyone = set().union(*reviewers.values())
    ties: dict[tuple, set[int]] = {}
    for branch_id, parent_id, user_id in [
        *Member.objects.filter(user_id__in=everyone).values_list(
            "branch_id", "branch__parent_id", "user_id"
        ),
        *RoleAssignment.objects.filter(role=Role.SECRETARY, user_id__in=everyone).values_list(
            "organisation_id", "organisation__parent_id", "user_id"
        ),
    ]:
        ties.setdefault((branch_id, parent_id), set()).add(user_id)
    return reviewers, ties


def _with_free_reviewer(branches: list) -> set[int]:
    """Ids of the branches some reviewer of whose parent does not belong to them
    (`_reviewers_and_ties`: three queries whatever the number of branches)."""
    if not branches:
        return set()
    reviewers, ties = _reviewers_and_ties({b.parent_id for b in branches})
    return {
        b.pk
        for b in branches
        if reviewers.get(b.parent_id, set()) - ties.get((b.pk, b.parent_id), set())
    }


def reviewers_available(branch: Organisation) -> bool:
    """Some reviewer of the parent does not belong to the branch."""
    if branch.parent is None or branch.parent.kind == OrgKind.COMMITTEE:
        return False
    return branch.pk in _with_free_reviewer([branch])


def reviewable(user, branches) -> set[int]:
    """The ids of `branches` the user may review: `may_review` decided for all at once.

    The parent's reviewers review; committee staff review directly managed branches
    and any branch whose every reviewer must recuse. Nobody reviews a branch they
    belong to (member or secretary). At most four queries whatever the number of
    branches: `Organisation`s with `parent` loaded (`select_related("parent")`, as a
    directly managed branch is told by its parent's kind).
    """
    if not getattr(user, "is_authenticated", False):
        return set()
    roles = roles_of(user)
    above = roles.get(Role.REVIEWER, frozenset())
    staff = bool(roles.get(Role.STAFF))
    candidates = [b for b in branches if staff or b.parent_id in above]
    if not candidates:
        return set()
    # The branches the user belongs to: a few rows, read whole (no list of ids to send).
    own = set(roles.get(Role.SECRETARY, ())) | set(
        Member.objects.filter(user=user).values_list("branch_id", flat=True)
    )
    allowed: set[int] = set()
    stand_in = []  # staff, where every reviewer may have to recuse
    for branch in candidates:
        if branch.pk in own:
            continue
        if branch.parent_id in above or branch.directly_managed:
            allowed.add(branch.pk)
        else:
            stand_in.append(branch)
    free = _with_free_reviewer(stand_in)
    allowed.update(b.pk for b in stand_in if b.pk not in free)
    return allowed


def reviewable_filter(user, relation: str = "") -> Q | None:
    """The rule of `reviewable` as a condition on `relation` (a lookup path to the branch,
    "branch" from an assessment; the organisation itself when empty), for lists decided
    in the database without reading every branch (the review queue); None when the user
    may review none. A fixed number of queries of a few rows: the user's own branches, and
    for staff the branches every reviewer of whose parent must recuse (reviewers and
    their branches are few)."""
    if not getattr(user, "is_authenticated", False):
        return None
    roles = roles_of(user)
    above = roles.get(Role.REVIEWER, frozenset())
    staff = bool(roles.get(Role.STAFF))
    if not staff and not above:
        return None
    prefix = f"{relation}__" if relation else ""
    own = set(roles.get(Role.SECRETARY, ())) | set(
        Member.objects.filter(user=user).values_list("branch_id", flat=True)
    )
    rule = Q(**{f"{prefix}parent_id__in": above})
    if staff:
        reviewed, recused = _recusals()
        rule |= (
            Q(**{f"{prefix}parent__kind": OrgKind.COMMITTEE})
            | ~Q(**{f"{prefix}parent_id__in": reviewed})
            | Q(**{f"{prefix}pk__in": recused})
        )
    return rule & ~Q(**{f"{prefix}pk__in": own})


def _recusals() -> tuple[set[int], set[int]]:
    """(the organisations that have reviewers, the branches every reviewer of whose parent
    belongs to them): where staff stand in, besides the parents without reviewers. The
    rule of `_with_free_reviewer`, for every branch at once (`_reviewers_and_ties`)."""
    reviewers, ties = _reviewers_and_ties()
    recused = {
        branch_id
        for (branch_id, parent_id), users in ties.items()
        if parent_id in reviewers and reviewers[parent_id] <= users
    }
    return set(reviewers), recused


def may_review(user, branch: Organisation) -> bool:
    """Score the branch as its superior (docs/process.md §2.1.3): the rule of `reviewable`."""
    return branch.pk in reviewable(user, [branch])


# --- Second reviews (docs/process.md §2.1.3, D-2.1.3i) ---------------------------------


def may_run_second_reviews(user) -> bool:
    """Draw the sample, assign second reviewers, see the disagreement page and decide
    which review counts: committee staff."""
    return is_staff(user)


def may_second_review(user, branch: Organisation, *, first_reviewer_id=None) -> bool:
    """May score the branch blind as its second reviewer (D-2.1.3i): committee staff or
    a reviewer of another parent organisation; never a reviewer of the branch's own
    parent, nor its first reviewer, nor someone who belongs to it (recusal, as for the
    review: `belongs_to`). The rule of `second_reviewer_candidates`, for one user."""
    if not getattr(user, "is_authenticated", False) or user.pk == first_reviewer_id:
        return False
    roles = roles_of(user)
    above = roles.get(Role.REVIEWER, frozenset())
    if branch.parent_id in above:
        return False
    if not (roles.get(Role.STAFF) or above - {branch.parent_id}):
        return False
    return not belongs_to(user, branch)


def second_reviewer_candidates(branch: Organisation, *, first_reviewer_id=None):
    """The users `may_second_review` allows for the branch, as one queryset (the
    assignment's choices): staff and other parents' reviewers, less the branch's own
    parent's reviewers, its first reviewer, its members with an account and its
    secretaries."""
    from django.contrib.auth import get_user_model

    assigned = RoleAssignment.objects.filter(
        Q(role=Role.STAFF) | (Q(role=Role.REVIEWER) & ~Q(organisation_id=branch.parent_id))
    )
    own_parent = RoleAssignment.objects.filter(role=Role.REVIEWER, organisation_id=branch.parent_id)
    secretaries = RoleAssignment.objects.filter(role=Role.SECRETARY, organisation_id=branch.pk)
    members = Member.objects.filter(branch_id=branch.pk, user__isnull=False)
    users = (
        get_user_model()
        .objects.filter(pk__in=assigned.values("user_id"), is_active=True)
        .exclude(pk__in=own_parent.values("user_id"))
        .exclude(pk__in=secretaries.values("user_id"))
        .exclude(pk__in=members.values("user_id"))
    )
    if first_reviewer_id is not None:
        users = users.exclude(pk=first_reviewer_id)
    return users.order_by("username")


# --- The self-evaluation and the events (docs/process.md §2.1.1) ---------------------------


def may_edit_self_evaluation(user, sheet) -> bool:
    """Fill in and submit the sheet: the branch's secretary, while the sheet is a draft or
    returned and its campaign is open for declaration. The deadline is the service's check:
    a secretary past it still sees the form, and is told why a save is refused."""
    return is_secretary_of(user, sheet.assessment.branch) and sheet.accepts_edits


def may_return_self_evaluation(user, branch: Organisation) -> bool:
    """Send a submitted sheet back for rework: whoever reviews the branch."""
    return may_review(user, branch)


def may_extend_deadline(user) -> bool:
    """Extend one branch's self-evaluation deadline: committee staff."""
    return is_staff(user)


def may_record_events(user) -> bool:
    """Record, edit and delete bonus and penalty events: committee staff."""
    return is_staff(user)


# --- Improvement plans and the rectification ledger (docs/process.md §2.2) --------------


def may_see_improvement(user, branch: Organisation) -> bool:
    """Read a branch's plans and ledger: its secretary, the parent's reviewers, the
    committee's roles (the rule of `may_view_branch`)."""
    return may_view_branch(user, branch)


def may_edit_improvement(user, branch: Organisation) -> bool:
    """Write the plan, file it, add and close ledger items: the branch's secretary only."""
    return is_secretary_of(user, branch)


def may_acknowledge_plan(user, branch: Organisation) -> bool:
    """Acknowledge (备案) or return a filed plan, reopen a closed item: the parent's
    reviewer, or committee staff (who stand for the parent of a directly managed
    branch); never someone who belongs to the branch (D-2.2c)."""
    if not (is_reviewer_above(user, branch) or is_staff(user)):
        return False
    return not belongs_to(user, branch)


def may_oversee_improvement(user) -> bool:
    """The oversight lists of every branch's plan and ledger: reviewers (their branches)
    and the committee's roles (all)."""
    return has_role(user, Role.REVIEWER) or is_committee_level(user)


def branches_for(user):
    """The branches a user may see, as a queryset (for lists and 404s)."""
    branches = Organisation.objects.filter(kind=OrgKind.BRANCH)
    if is_committee_level(user):
        return branches
    roles = roles_of(user)
    return branches.filter(
        Q(pk__in=roles.get(Role.SECRETARY, ())) | Q(parent_id__in=roles.get(Role.REVIEWER, ()))
    )


def require(allowed: bool):
    """Raise `NotAllowed` (a 403) unless `allowed`; the one way views refuse."""
    if not allowed:
        raise NotAllowed


def role_required(*roles):
    """View decorator: the user must be logged in and hold one of `roles` somewhere."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            from django.contrib.auth.views import redirect_to_login

            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            require(any(has_role(request.user, role) for role in roles))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
