"""The improvement pages (docs/process.md §2.2): a branch's plans, one plan with its
ledger and every action on it, and the oversight lists of the parents and staff.

A branch the user may not see is a 404 (`branches_for`); an action the user may not take
on a branch they see is a 403 (`branches.permissions.require`); the services check again.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.models import Role
from branches.permissions import (
    branches_for,
    may_acknowledge_plan,
    may_edit_improvement,
    may_export_reports,
    may_oversee_improvement,
    may_see_improvement,
    require,
    roles_of,
)
from scoring.forms.versions import show_stale, stale_data
from scoring.models.events import PENALTY_TYPES, ScoreEvent
from scoring.services.stars import current_star
from scoring.services.versions import StaleVersion
from scoring.views.downloads import stored_file
from starrating import clock
from starrating.actions import perform, perform_keeping_refusal

from . import services
from .forms import (
    CloseItemForm,
    ItemEditForm,
    ItemForm,
    OversightFilterForm,
    PlanForm,
    ReasonForm,
)
from .models import Category, ImprovementPlan, ItemStatus, LedgerItem, category_of

PAGE_SIZE = 50


def _branch(request, pk):
    branch = get_object_or_404(branches_for(request.user).select_related("parent"), pk=pk)
    require(may_see_improvement(request.user, branch))
    return branch


def _plan(request, pk) -> ImprovementPlan:
    plan = get_object_or_404(
        ImprovementPlan.objects.select_related("branch__parent", "campaign").filter(
            branch__in=branches_for(request.user)
        ),
        pk=pk,
    )
    require(may_see_improvement(request.user, plan.branch))
    return plan


def _item(request, pk) -> LedgerItem:
    item = get_object_or_404(
        LedgerItem.objects.select_related("plan__branch__parent", "plan__campaign").filter(
            plan__branch__in=branches_for(request.user)
        ),
        pk=pk,
    )
    require(may_see_improvement(request.user, item.plan.branch))
    return item


def _form_page(request, form, *, title, plan, submit, intro="", multipart=False):
    return render(
        request,
        "improvement/form.html",
        {
            "form": form,
            "title": title,
            "plan": plan,
            "branch": plan.branch if plan else None,
            "submit": submit,
            "intro": intro,
            "multipart": multipart,
        },
    )


# --- Oversight ---------------------------------------------------------------------------


@login_required
def overview(request):
    """The parents' and staff's list of every branch's plan and ledger progress; a
    secretary is sent to the branch's own page."""
    if not may_oversee_improvement(request.user):
        own = sorted(roles_of(request.user).get(Role.SECRETARY, ()))
        require(bool(own))
        return redirect("improvement:branch", own[0])
    return _oversight_page(request, focused=False)


@login_required
def focused(request):
    """集中整顿: the branches whose current star is one or none, with their ledger progress."""
    require(may_oversee_improvement(request.user))
    return _oversight_page(request, focused=True)


def _oversight_page(request, *, focused):
    years = services.plan_years() or [clock.today().year]
    visible = branches_for(request.user)
    filters = OversightFilterForm(
        request.GET or None, years=years, branches=visible, with_category=not focused
    )
    year, parent, category = services.default_year(years), None, None
    if filters.is_valid():
        data = filters.cleaned_data
        year = data["year"] or year
        parent = data["parent"]
        category = data.get("category") or None
    rows = services.oversight(
        request.user, year=year, parent=parent, category=category, focused_only=focused
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page.object_list:
        row.category = category_of(row.star)
        row.plan_badge = ImprovementPlan(status=row.plan_status) if row.plan_id else None
    query = request.GET.copy()
    query.pop("page", None)
    export_campaign = None
    if may_export_reports(request.user):
        export_campaign = services.campaign_of_year(year)
    return render(
        request,
        "improvement/oversight.html",
        {
            "export_campaign": export_campaign,
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "year": year,
            "focused": focused,
            "categories": dict(Category.choices),
        },
    )


# --- A branch and its plans -------------------------------------------------------------


@login_required
def branch_page(request, pk):
    branch = _branch(request, pk)
    plans = services.plans_of(branch)
    may_edit = may_edit_improvement(request.user, branch)
    star = current_star(branch)
    return render(
        request,
        "improvement/branch.html",
        {
            "branch": branch,
            "plans": plans,
            "star": star,
            "category": category_of(star),
            "may_edit": may_edit,
            "next_campaign": services.plan_campaign(branch) if may_edit else None,
        },
    )


@login_required
def plan_create(request, pk):
    branch = _branch(request, pk)
    require(may_edit_improvement(request.user, branch))
    campaign = services.plan_campaign(branch)
    if campaign is None:
        raise Http404
    star = current_star(branch)
    form = PlanForm(request.POST or None, initial={"target_star": min(5, (star or 0) + 1)})
    if request.method == "POST" and form.is_valid():
        done = perform(
            request,
            lambda: services.create_plan(
                actor=request.user, branch=branch, campaign=campaign, **form.cleaned_data
            ),
            success=_("The plan was saved as a draft."),
            then=lambda plan: reverse("improvement:plan", args=[plan.pk]),
            form=form,
        )
        if done:
            return done
    intro = _("The plan follows %(campaign)s. Current star: %(star)s; category: %(category)s.") % {
        "campaign": campaign,
        "star": _star_words(star),
        "category": category_of(star).label,
    }
    return render(
        request,
        "improvement/form.html",
        {
            "form": form,
            "title": _("Start the improvement plan of %(year)d") % {"year": campaign.year},
            "plan": None,
            "branch": branch,
            "submit": _("Save the draft"),
            "intro": intro,
        },
    )


def _star_words(star):
    from starrating.wording import star_name

    return _("none") if star is None else star_name(star)


@login_required
def plan_detail(request, pk):
    plan = _plan(request, pk)
    today = clock.today()
    items = list(
        plan.items.select_related("responsible", "criterion", "event").order_by("due", "pk")
    )
    for item in items:
        item.overdue = item.status == ItemStatus.OPEN and item.due < today
    counts = {
        "open": sum(1 for i in items if i.status == ItemStatus.OPEN),
        "closed": sum(1 for i in items if i.status == ItemStatus.CLOSED),
        "overdue": sum(1 for i in items if i.overdue),
    }
    may_edit = may_edit_improvement(request.user, plan.branch)
    return render(
        request,
        "improvement/plan.html",
        {
            "plan": plan,
            "branch": plan.branch,
            "items": items,
            "counts": counts,
            "may_edit": may_edit,
            "may_decide": may_acknowledge_plan(request.user, plan.branch),
            "history": plan.history.select_related("history_user").order_by("-history_date"),
        },
    )


@login_required
def plan_edit(request, pk):
    plan = _plan(request, pk)
    require(may_edit_improvement(request.user, plan.branch))
    form = PlanForm(
        request.POST or None,
        initial={"target_star": plan.target_star, "measures": plan.measures},
    )
    if request.method == "POST" and form.is_valid():
        done = perform(
            request,
            lambda: services.update_plan(actor=request.user, plan=plan, **form.cleaned_data),
            success=_("The plan was saved."),
            then=reverse("improvement:plan", args=[plan.pk]),
            form=form,
        )
        if done:
            return done
    return _form_page(
        request,
        form,
        title=_("Edit the improvement plan"),
        plan=plan,
        submit=_("Save"),
        intro=plan.return_reason and _("Returned: %(reason)s") % {"reason": plan.return_reason},
    )


@login_required
@require_POST
def plan_file(request, pk):
    plan = _plan(request, pk)
    require(may_edit_improvement(request.user, plan.branch))
    return perform(
        request,
        lambda: services.file_plan(actor=request.user, plan=plan),
        success=_("The plan was filed to the parent organisation."),
        then=reverse("improvement:plan", args=[plan.pk]),
    )


@login_required
@require_POST
def plan_acknowledge(request, pk):
    plan = _plan(request, pk)
    require(may_acknowledge_plan(request.user, plan.branch))
    return perform(
        request,
        lambda: services.acknowledge_plan(actor=request.user, plan=plan),
        success=_("The plan was acknowledged."),
        then=reverse("improvement:plan", args=[plan.pk]),
    )


@login_required
def plan_return(request, pk):
    plan = _plan(request, pk)
    require(may_acknowledge_plan(request.user, plan.branch))
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = perform(
            request,
            lambda: services.return_plan(
                actor=request.user, plan=plan, reason=form.cleaned_data["reason"]
            ),
            success=_("The plan was returned to the branch."),
            then=reverse("improvement:plan", args=[plan.pk]),
            form=form,
        )
        if done:
            return done
    return _form_page(
        request, form, title=_("Return the plan"), plan=plan, submit=_("Return the plan")
    )


# --- The ledger --------------------------------------------------------------------------


@login_required
def starting_list(request, pk):
    plan = _plan(request, pk)
    require(may_edit_improvement(request.user, plan.branch))
    return render(
        request,
        "improvement/starting_list.html",
        {
            "plan": plan,
            "branch": plan.branch,
            "suggestions": services.starting_list(plan),
            "weakest": services.WEAKEST_CRITERIA,
        },
    )


def _suggested(request, plan) -> dict:
    """The item form's initial values from a line of the starting list (?criterion= or
    ?event=); an id that is not the plan's is ignored (the service checks what is posted)."""
    for suggestion in services.starting_list(plan):
        if suggestion.criterion is not None and request.GET.get("criterion") == str(
            suggestion.criterion.pk
        ):
            return {"problem": suggestion.problem, "criterion": suggestion.criterion.pk}
        if suggestion.event is not None and request.GET.get("event") == str(suggestion.event.pk):
            return {"problem": suggestion.problem, "event": suggestion.event.pk}
    return {}


@login_required
def item_create(request, pk):
    plan = _plan(request, pk)
    require(may_edit_improvement(request.user, plan.branch))
    initial = _suggested(request, plan) if request.method == "GET" else {}
    form = ItemForm(request.POST or None, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        event_id = data.pop("event")
        event = None
        if event_id:
            event = ScoreEvent.objects.filter(
                pk=event_id, branch=plan.branch, type__in=PENALTY_TYPES
            ).first()
            if event is None:
                form.add_error(None, _("The event is not a penalty of the branch."))
        if not form.errors:
            done = perform(
                request,
                lambda: services.add_item(actor=request.user, plan=plan, event=event, **data),
                success=_("The item was added to the ledger."),
                then=reverse("improvement:plan", args=[plan.pk]),
                form=form,
            )
            if done:
                return done
    return _form_page(
        request, form, title=_("Add a rectification item"), plan=plan, submit=_("Add")
    )


@login_required
def item_edit(request, pk):
    item = _item(request, pk)
    plan = item.plan
    require(may_edit_improvement(request.user, plan.branch))
    fields = ("problem", "measures", "responsible", "due", "criterion", "version")
    form = ItemEditForm(
        request.POST or None,
        plan=plan,
        initial={name: getattr(item, name) for name in fields},
    )
    del form.fields["event"]
    if request.method == "POST" and form.is_valid():
        done, refusal = perform_keeping_refusal(
            request,
            lambda: services.update_item(actor=request.user, item=item, **form.cleaned_data),
            success=_("The item was saved."),
            then=reverse("improvement:plan", args=[plan.pk]),
            form=form,
        )
        if done:
            return done
        if isinstance(refusal, StaleVersion):
            form = ItemEditForm(stale_data(request.POST, refusal), plan=plan)
            del form.fields["event"]
            show_stale(form, refusal)
    return _form_page(request, form, title=_("Edit the item"), plan=plan, submit=_("Save"))


@login_required
def item_close(request, pk):
    item = _item(request, pk)
    plan = item.plan
    require(may_edit_improvement(request.user, plan.branch))
    form = CloseItemForm(
        request.POST or None, request.FILES or None, initial={"closed_on": clock.today()}
    )
    if request.method == "POST" and form.is_valid():
        done = perform(
            request,
            lambda: services.close_item(
                actor=request.user,
                item=item,
                closed_on=form.cleaned_data["closed_on"],
                note=form.cleaned_data["note"],
                uploaded_file=form.cleaned_data["evidence"],
            ),
            success=_("The item was closed."),
            then=reverse("improvement:plan", args=[plan.pk]),
            form=form,
        )
        if done:
            return done
    return _form_page(
        request,
        form,
        title=_("Close the item"),
        plan=plan,
        submit=_("Close the item"),
        intro=item.problem,
        multipart=True,
    )


@login_required
def item_reopen(request, pk):
    item = _item(request, pk)
    plan = item.plan
    require(may_acknowledge_plan(request.user, plan.branch))
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = perform(
            request,
            lambda: services.reopen_item(
                actor=request.user, item=item, reason=form.cleaned_data["reason"]
            ),
            success=_("The item was reopened."),
            then=reverse("improvement:plan", args=[plan.pk]),
            form=form,
        )
        if done:
            return done
    return _form_page(
        request,
        form,
        title=_("Reopen the item"),
        plan=plan,
        submit=_("Reopen the item"),
        intro=item.problem,
    )


@login_required
def item_evidence(request, pk):
    """A closed item's evidence, only here, to those who may see the branch: as an
    attachment with the sniffed type (and nosniff, from the security middleware)."""
    item = _item(request, pk)
    return stored_file(
        item.evidence,
        filename=item.evidence_name or None,
        content_type=item.evidence_type or "application/octet-stream",
    )


urls = [
    path("", overview, name="overview"),
    path("focused/", focused, name="focused"),
    path("branch/<int:pk>/", branch_page, name="branch"),
    path("branch/<int:pk>/new/", plan_create, name="plan_create"),
    path("plans/<int:pk>/", plan_detail, name="plan"),
    path("plans/<int:pk>/edit/", plan_edit, name="plan_edit"),
    path("plans/<int:pk>/file/", plan_file, name="plan_file"),
    path("plans/<int:pk>/acknowledge/", plan_acknowledge, name="plan_acknowledge"),
    path("plans/<int:pk>/return/", plan_return, name="plan_return"),
    path("plans/<int:pk>/suggestions/", starting_list, name="starting_list"),
    path("plans/<int:pk>/items/new/", item_create, name="item_create"),
    path("items/<int:pk>/edit/", item_edit, name="item_edit"),
    path("items/<int:pk>/close/", item_close, name="item_close"),
    path("items/<int:pk>/reopen/", item_reopen, name="item_reopen"),
    path("items/<int:pk>/evidence/", item_evidence, name="item_evidence"),
]
