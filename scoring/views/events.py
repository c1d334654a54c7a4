"""Bonus/penalty event pages: staff record, edit and delete; others read their branches'."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext as _

from branches.permissions import branches_for, may_record_events, require, roles_of
from scoring.forms.events import EventFilterForm, ScoreEventForm
from scoring.models import ScoreEvent
from scoring.services import events as service
from starrating.actions import perform

from .downloads import stored_file

PAGE_SIZE = 50


def _visible_events(user):
    return ScoreEvent.objects.filter(branch__in=branches_for(user))


@login_required
def event_list(request):
    """Staff see every branch's events; secretaries their branch's; reviewers theirs."""
    require(bool(roles_of(request.user)))
    branches = branches_for(request.user).order_by("code")
    events = _visible_events(request.user).select_related("branch__parent", "recorded_by")
    filters = EventFilterForm(request.GET or None, branches=branches)
    if filters.is_valid():
        data = filters.cleaned_data
        if data["year"]:
            events = events.filter(date__year=data["year"])
        if data["type"]:
            events = events.filter(type=data["type"])
        if data["branch"]:
            events = events.filter(branch=data["branch"])
    page = Paginator(events.order_by("-date", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "scoring/events/list.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "may_manage": may_record_events(request.user),
        },
    )


def _form_page(request, form, event):
    return render(request, "scoring/events/form.html", {"form": form, "event": event})


@login_required
def event_create(request):
    require(may_record_events(request.user))
    initial = {}
    if request.GET.get("branch"):
        initial["branch"] = request.GET["branch"]
    form = ScoreEventForm(
        request.POST or None,
        request.FILES or None,
        branches=branches_for(request.user).filter(active=True),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        done = perform(
            request,
            lambda: service.record_event(
                actor=request.user, uploaded_file=form.cleaned_data["upload"], **form.values()
            ),
            success=_("The event was recorded."),
            then="scoring:event_list",
            form=form,
        )
        if done:
            return done
    return _form_page(request, form, None)


@login_required
def event_edit(request, pk):
    require(may_record_events(request.user))
    event = get_object_or_404(_visible_events(request.user), pk=pk)
    form = ScoreEventForm(
        request.POST or None,
        request.FILES or None,
        instance=event,
        branches=branches_for(request.user),
    )
    if request.method == "POST" and form.is_valid():
        done = perform(
            request,
            lambda: service.update_event(
                event=event,
                actor=request.user,
                uploaded_file=form.cleaned_data["upload"],
                **form.values(),
            ),
            success=_("The event was saved."),
            then="scoring:event_list",
            form=form,
        )
        if done:
            return done
    return _form_page(request, form, event)


@login_required
def event_delete(request, pk):
    require(may_record_events(request.user))
    event = get_object_or_404(_visible_events(request.user).select_related("branch"), pk=pk)
    if request.method == "POST":
        return perform(
            request,
            lambda: service.delete_event(event=event, actor=request.user),
            success=_("The event was deleted."),
            then="scoring:event_list",
        )
    return render(request, "scoring/events/delete.html", {"event": event})


@login_required
def event_evidence(request, pk):
    event = get_object_or_404(_visible_events(request.user), pk=pk)
    return stored_file(event.evidence, filename=event.evidence_name or None)


urls = [
    path("events/", event_list, name="event_list"),
    path("events/new/", event_create, name="event_create"),
    path("events/<int:pk>/edit/", event_edit, name="event_edit"),
    path("events/<int:pk>/delete/", event_delete, name="event_delete"),
    path("events/<int:pk>/evidence/", event_evidence, name="event_evidence"),
]
