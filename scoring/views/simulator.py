"""The policy simulator (docs/rules.md, "The policy simulator"): committee staff
(`may_simulate`), GET only, nothing saved.

- the page: the campaign's policy in the form; once the form is sent, the trial beside
  the campaign's policy — stars counted, the quota figures, and the moved branches, 50 a
  page, sortable by name, from, to and score change;
- the workbook: the same simulation (every moved branch, in the page's order), written
  in the request like the dashboard's ranking (D-4.9g).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from branches.permissions import may_simulate, require
from scoring.exporters.simulation import SimulationWorkbook
from scoring.forms.simulator import SimulatorForm
from scoring.models import Campaign
from scoring.services import recompute as recompute_service
from scoring.services import simulator

from . import downloads

MOVES_PER_PAGE = 50
#: The form is sent once one of its fields is in the query.
SENT = "weight_self"


def _simulation(request, pk):
    """(campaign, form, simulation or None, sort) of the request; 403/404 first."""
    require(may_simulate(request.user))
    campaign = get_object_or_404(Campaign, pk=pk)
    form = SimulatorForm(request.GET if SENT in request.GET else None, campaign=campaign)
    result = None
    if form.is_bound and form.is_valid():
        result = simulator.simulate(campaign=campaign, trial=form.trial(), actor=request.user)
    sort = request.GET.get("sort", simulator.DEFAULT_SORT)
    if sort.removeprefix("-") not in simulator.SORTS:
        sort = simulator.DEFAULT_SORT
    return campaign, form, result, sort


def _query(request, *drop) -> str:
    kept = request.GET.copy()
    for name in drop:
        kept.pop(name, None)
    return kept.urlencode()


def _page(request, campaign, form, result, sort):
    moves = Paginator(result.sorted_moves(sort) if result else [], MOVES_PER_PAGE)
    context = {
        "campaign": campaign,
        "form": form,
        "simulation": result,
        "page": moves.get_page(request.GET.get("page")),
        "sort": sort,
        "sort_columns": [
            ("name", _("Branch")),
            ("from", pgettext("simulation", "Star now")),
            ("to", pgettext("simulation", "Star tried")),
            ("delta", pgettext("simulation", "Score change")),
        ],
        "query": _query(request, "page"),
        "sort_query": _query(request, "page", "sort"),
        "changed": result is not None
        and (
            campaign.recomputed_at is None
            or recompute_service.inputs_changed_since_recompute(campaign)
        ),
    }
    return render(request, "scoring/simulator/page.html", context)


@require_GET
@login_required
def page(request, pk):
    return _page(request, *_simulation(request, pk))


@require_GET
@login_required
def export(request, pk):
    """The workbook; a policy the form refuses gives the page with its errors instead."""
    campaign, form, result, sort = _simulation(request, pk)
    if result is None:
        messages.error(request, _("Correct the policy to try first: the workbook was not made."))
        return _page(request, campaign, form, result, sort)
    workbook = SimulationWorkbook(campaign, simulation=result, sort=sort)
    back = reverse("scoring:simulator", args=[campaign.pk])
    return downloads.download(request, workbook, refused_to=back)


urls = [
    path("campaigns/<int:pk>/simulator/", page, name="simulator"),
    path("campaigns/<int:pk>/simulator.xlsx", export, name="simulator_export"),
]

__all__ = ["urls"]
