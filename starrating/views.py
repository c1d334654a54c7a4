"""The role-aware home page: what this user has to do now, one card per role."""

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from branches.models import Role, RoleAssignment
from branches.permissions import roles_of
from scoring.services.dashboard import branch_standings
from scoring.services.publicity import stars_of
from starrating import clock
from starrating.todos import todos

# Bootstrap Icons name and one line on what the role does here (docs/process.md §1).
ROLE_ICONS = {
    Role.SECRETARY: "flag",
    Role.REVIEWER: "clipboard-check",
    Role.STAFF: "briefcase",
    Role.APPROVER: "patch-check",
    Role.REREVIEWER: "award",
}
ROLE_BLURBS = {
    Role.SECRETARY: _("Self-evaluation, member and public survey, rectification ledger."),
    Role.REVIEWER: _("Review the branches under your organisation and propose their stars."),
    Role.STAFF: _(
        "Run the campaign, review directly managed branches, audit five-star proposals, "
        "publish the notice."
    ),
    Role.APPROVER: _("Approve the rating list after publicity."),
    Role.REREVIEWER: _("Re-review five-star results."),
}


@dataclass
class RoleCard:
    role: str
    label: str
    icon: str
    blurb: str
    organisations: list = field(default_factory=list)  # where the user holds the role
    items: list = field(default_factory=list)  # starrating.todos.Todo
    stars: list = field(default_factory=list)  # a secretary's branches' BranchStars

    @property
    def overdue(self) -> bool:
        """A count is not an alarm: the card's badge is red only when a deadline passed."""
        return any(item.overdue for item in self.items)


def display_name(user) -> str:
    """A Chinese name reads surname first, without a space: 韩晓梅."""
    return f"{user.last_name}{user.first_name}".strip() or user.get_username()


@login_required
def home(request):
    user = request.user
    roles = roles_of(user)
    items = todos(user)
    held = {}
    if roles:
        for assignment in (
            RoleAssignment.objects.filter(user=user)
            .select_related("organisation")
            .order_by("organisation__code")
        ):
            held.setdefault(assignment.role, []).append(assignment.organisation)
    cards = [
        RoleCard(
            role=role,
            label=label,
            icon=ROLE_ICONS.get(role, "person"),
            blurb=ROLE_BLURBS.get(role, ""),
            organisations=held.get(role, []),
            items=[item for item in items if item.role == role],
            stars=stars_of(held.get(role, [])) if role == Role.SECRETARY else [],
        )
        for role, label in Role.choices
        if role in roles
    ]
    groups = [(card.role, card.label, card.items) for card in cards]
    context = {
        "cards": cards,
        "groups": groups,
        "standings": branch_standings(held.get(Role.SECRETARY, [])),
        "display_name": display_name(user),
        "today": clock.today(),
    }
    return render(request, "home.html", context)


def bad_request(request, exception):
    """The 400 page; it says why when the request was too large (Django refuses a form
    whose fields pass DATA_UPLOAD_MAX_MEMORY_SIZE, or with too many fields or files)."""
    too_large = isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent)
    return render(request, "400.html", {"too_large": too_large}, status=400)
