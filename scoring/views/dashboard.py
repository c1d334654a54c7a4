"""The dashboard (docs/reports.md §6): a campaign's progress per parent organisation, its
stars and their trend over the years, the ranking with its filters and export, the
comparison between parent organisations (你追我赶) and the gap list.

Who may use it (`branches.permissions`): committee staff, over every branch, and
reviewers, over the branches under their organisations (`may_see_dashboard`,
`dashboard_branches`). Every figure is read by `scoring.services.dashboard` in a fixed
number of queries.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from branches.models import Organisation
from branches.permissions import dashboard_branches, may_see_dashboard, require
from scoring import charts
from scoring.exporters.ranking import RankingWorkbook
from scoring.forms.dashboard import DashboardFilterForm
from scoring.models import CampaignStatus
from scoring.services import dashboard
from scoring.services import exports as export_service
from scoring.services import recompute as recompute_service
from scoring.services.publicity import needs_recompute
from starrating.actions import perform
from starrating.wording import star_name

PAGE_SIZE = 50
#: The stars in the charts' order: five first, none last.
STARS = (5, 4, 3, 2, 1, 0)
#: The ranking's filters, kept in the pager's links and the export's.
RANKING_FILTERS = ("campaign", "parent", "star", "status", "q", "margin")


def _filters(request, data=None):
    """The filter form over `data` (the query string; the export's posted copy of it)."""
    campaigns = dashboard.campaigns()
    parents = (
        Organisation.objects.filter(children__in=dashboard_branches(request.user))
        .distinct()
        .order_by("code")
    )
    form = DashboardFilterForm(
        request.GET if data is None else data, campaigns=campaigns, parents=parents
    )
    campaign = form.value("campaign") or campaigns.first()
    return form, campaign


def _ranking(form, assessments):
    return dashboard.ranking(
        assessments,
        parent=form.value("parent"),
        star=form.value("star"),
        status=form.value("status"),
        search=form.value("q", ""),
    )


def _charts(counts, trend, rows):
    labels = [star_name(star) for star in STARS]
    distribution = {
        size: charts.bars(labels, [counts.get(star, 0) for star in STARS], **size_options)
        for size, size_options in CHART_SIZES.items()
    }
    years = list(trend)
    trend_chart = None
    if years:
        series = {star_name(star): [trend[year].get(star, 0) for year in years] for star in STARS}
        trend_chart = {
            size: charts.grouped_bars(years, series, legend_at_bottom=True, **size_options)
            for size, size_options in CHART_SIZES.items()
        }
    comparison = None
    if rows:
        rows = rows[::-1]  # pygal lays the first label at the foot: the table's order read down
        names = [row.name for row in rows]
        series = {
            _("Four and five stars (%)"): [row.high_percent for row in rows],
            _("Mean score"): [None if r.mean_score is None else float(r.mean_score) for r in rows],
            _("Participation (%)"): [row.participation_percent for row in rows],
        }
        comparison = {
            size: charts.horizontal_bars(names, series, **size_options)
            for size, size_options in COMPARISON_SIZES.items()
        }
    return {"distribution": distribution, "trend": trend_chart, "comparison": comparison}


#: Each chart drawn twice: for a wide page, and for a phone (narrow, larger text), each
#: shown by its own CSS class (static/css/app.css), so the labels stay readable at 390 px.
CHART_SIZES = {
    "wide": {"width": 640, "height": 320, "truncate_legend": -1},
    "narrow": {"width": 360, "height": 300, "truncate_legend": -1},
}
COMPARISON_SIZES = {
    "wide": {
        "width": 720,
        "bar_height": 16,
        "range": (0, 100),
        "y_labels": list(range(0, 101, 10)),
    },
    "narrow": {
        "width": 360,
        "bar_height": 14,
        "legend_at_bottom_columns": 1,
        "range": (0, 100),
        "y_labels": [0, 50, 100],
    },
}


@require_GET
@login_required
def dashboard_page(request):
    require(may_see_dashboard(request.user))
    form, campaign = _filters(request)
    context = {"filters": form, "campaign": campaign, "export_fields": _export_fields(request)}
    if campaign is None:
        return render(request, "scoring/dashboard/page.html", context)
    assessments = dashboard.scope(request.user, campaign)
    rows = dashboard.parent_rows(assessments)
    counts = dashboard.star_counts(assessments)
    trend = dashboard.star_trend(request.user, campaign)
    page = Paginator(_ranking(form, assessments), PAGE_SIZE).get_page(request.GET.get("page"))
    offset = page.start_index()
    margin = form.value("margin", dashboard.DEFAULT_MARGIN)
    gaps = dashboard.gaps(assessments, margin=margin)
    query = request.GET.copy()
    query.pop("page", None)
    declaring = campaign.status == CampaignStatus.DECLARING
    context.update(
        {
            "rows": rows,
            "total": dashboard.totals(rows),
            "stars": [(star, counts.get(star, 0)) for star in STARS],
            "rated": sum(counts.values()),
            "trend_rows": [
                (year, [by_star.get(star, 0) for star in STARS]) for year, by_star in trend.items()
            ],
            "charts": _charts(counts, trend, rows),
            "page": page,
            "ranked": [
                (offset + i, a, dashboard.missing_of(a)) for i, a in enumerate(page.object_list)
            ],
            "query": query.urlencode(),
            "margin": margin,
            "gaps": [
                (a, a.self_evaluation.total - a.review.total) for a in gaps[: dashboard.GAP_ROWS]
            ],
            "gap_count": gaps.count(),
            "completeness": recompute_service.completeness(campaign),
            "declaring": declaring,
            "needs_recompute": declaring and needs_recompute(campaign),
        }
    )
    return render(request, "scoring/dashboard/page.html", context)


@require_POST
@login_required
def ranking_export(request):
    """The ranking as shown — exactly the filtered rows, every page — as a workbook made in
    the background (D-6z): the posted filters (the page's query) are checked by the same
    form, a bad one is named and nothing is started; else the job page."""
    require(may_see_dashboard(request.user))
    data = request.POST.copy()
    form, campaign = _filters(request, data)
    # Back to the page with the filters it accepted (a refused one is named in the
    # message; kept, a huge one would make the address too long to redirect to).
    query = {
        name: data[name] for name in RANKING_FILTERS if data.get(name) and name not in form.errors
    }
    back = reverse("scoring:dashboard") + ("?" + urlencode(query) if query else "")
    if form.messages or campaign is None:
        for line in form.messages or [_("There is no campaign to export yet.")]:
            messages.error(request, line)
        return redirect(back)
    parent = form.value("parent")
    options = {
        "parent": parent.pk if parent is not None else None,
        "star": form.value("star"),
        "status": form.value("status"),
        "q": form.value("q", ""),
        "shown": [list(pair) for pair in _described(form)],
    }
    return perform(
        request,
        lambda: export_service.request_export(
            kind=RankingWorkbook.identifier, campaign=campaign, options=options, actor=request.user
        ),
        success=_("The report is being made; it is kept for you under My exports."),
        then=lambda job: reverse("scoring:export_job", args=[job.pk]),
        failure=back,
    )


def _export_fields(request) -> list[tuple[str, str]]:
    """The page's filters, posted back by the export's form as hidden fields."""
    return [(name, request.GET[name]) for name in RANKING_FILTERS if request.GET.get(name)]


def _described(form) -> list[tuple[str, str]]:
    """The filters in force, as (label, value) for the workbook's first lines."""
    shown = []
    for name in ("parent", "star", "status", "q"):
        value = form.value(name)
        if value is None or value == "":
            continue
        field = form.fields[name]
        if name == "star":
            value = star_name(value)
        elif name == "status":
            value = dict(field.choices)[value]
        shown.append((str(field.label), str(value)))
    return shown


urls = [
    path("dashboard/", dashboard_page, name="dashboard"),
    path("dashboard/ranking.xlsx", ranking_export, name="dashboard_export"),
]

__all__ = ["urls"]
