"""The dashboard (docs/reports.md §6), in four tabs that each read only what they show
(D-7qs): a campaign's progress per parent organisation; its stars, their trend over the
years and the comparison between parent organisations (你追我赶); the ranking with its
filters and export; and the gap list.

Who may use it (`branches.permissions`): committee staff, over every branch, and
reviewers, over the branches under their organisations (`may_see_dashboard`,
`dashboard_branches`). Every figure is read by `scoring.services.dashboard` in a fixed
number of queries. The charts are images of their own URL (`dashboard_chart`, D-7pa),
each reading only what it draws; the stars tab shows the same figures as text.
"""

from csp.constants import NONE, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from branches.models import Organisation, OrgKind
from branches.permissions import dashboard_branches, is_staff, may_see_dashboard, require
from scoring import charts
from scoring.exporters.ranking import RankingWorkbook
from scoring.forms.dashboard import DashboardFilterForm
from scoring.models import CampaignStatus
from scoring.services import dashboard
from scoring.services import exports as export_service
from scoring.services import recompute as recompute_service
from scoring.services.publicity import needs_recompute
from starrating.actions import perform
from starrating.paging import KeysPaginator, PartsPaginator
from starrating.wording import star_name

PAGE_SIZE = 50
#: A chart's own policy: pygal's SVG carries a style block and style attributes (its
#: script never runs: none may), shown as an image, never as a page (D-7pa).
CHART_POLICY = {"default-src": [NONE], "style-src": [UNSAFE_INLINE], "script-src": [NONE]}
#: The stars in the charts' order: five first, none last.
STARS = (5, 4, 3, 2, 1, 0)
#: The ranking's filters, kept in the pager's links and the export's.
RANKING_FILTERS = ("campaign", "parent", "star", "status", "q", "margin")


def _filters(request, data=None, *, shown=False):
    """The filter form over `data` (the query string; the export's posted copy of it).
    `shown`: the page, which draws the campaigns' drop-down: the campaigns are read once,
    for its options and the default campaign (D-7qh)."""
    campaigns = dashboard.campaigns()
    listed = list(campaigns) if shown else None
    form = DashboardFilterForm(
        request.GET if data is None else data,
        campaigns=campaigns,
        parents=_parents(request.user),
        listed=listed,
    )
    campaign = form.value("campaign")
    if campaign is None:
        campaign = campaigns.first() if listed is None else next(iter(listed), None)
    return form, campaign


def _parents(user):
    """The parents of the user's branches, by code: the few organisations that are not
    branches (a branch's parent never is, `branches.models.ALLOWED_PARENT_KINDS`), each
    tested for a branch of the user's under it on the index of the branches' parent — not
    a hash of every branch's parent (D-7qh)."""
    theirs = dashboard_branches(user).filter(parent_id=OuterRef("pk"))
    return Organisation.objects.exclude(kind=OrgKind.BRANCH).filter(Exists(theirs)).order_by("code")


def _few(user) -> bool:
    """The user's scope is a few parents' branches: a reviewer's, not staff's every branch
    (`dashboard.parent_rows(…, few=)`, D-7qi)."""
    return not is_staff(user)


def _ranking_filters(form) -> dict:
    return {
        "parent": form.value("parent"),
        "star": form.value("star"),
        "status": form.value("status"),
        "search": form.value("q", ""),
    }


def _ranking(form, assessments):
    return dashboard.ranking(assessments, **_ranking_filters(form))


def _distribution_chart(counts, size):
    labels = [star_name(star) for star in STARS]
    return charts.bars(
        labels, [counts.get(star, 0) for star in STARS], svg=True, **CHART_SIZES[size]
    )


def _trend_chart(trend, size):
    years = list(trend)
    series = {star_name(star): [trend[year].get(star, 0) for year in years] for star in STARS}
    return charts.grouped_bars(years, series, legend_at_bottom=True, svg=True, **CHART_SIZES[size])


def _comparison_chart(rows, size):
    rows = rows[::-1]  # pygal lays the first label at the foot: the table's order read down
    names = [row.name for row in rows]
    series = {
        _("Four and five stars (%)"): [row.high_percent for row in rows],
        _("Mean score"): [None if r.mean_score is None else float(r.mean_score) for r in rows],
        _("Participation (%)"): [row.participation_percent for row in rows],
    }
    return charts.horizontal_bars(names, series, svg=True, **COMPARISON_SIZES[size])


def _chart_urls(campaign, *, rated, trend, rows):
    """{chart: {size: its URL}} for the charts that have figures to draw (the page's
    tables say which), each chart served by `dashboard_chart` (D-7pa)."""
    shown = {"distribution": bool(rated), "trend": bool(trend), "comparison": bool(rows)}
    query = "?" + urlencode({"campaign": campaign.pk})
    return {
        chart: {
            size: reverse("scoring:dashboard_chart", args=[chart, size]) + query
            for size in CHART_SIZES
        }
        for chart, drawn in shown.items()
        if drawn
    }


#: Each chart drawn for two widths: for a wide page, and for a phone (narrow, larger
#: text), the page's `<picture>` choosing one by the viewport's width
#: (templates/scoring/dashboard/chart.html), so the labels stay readable at 390 px.
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


#: The dashboard's tabs (D-7qs), each reading only what it shows: its URL's slug (the
#: progress tab is the dashboard's own address) and its template under
#: templates/scoring/dashboard/.
PROGRESS, STARS_TAB, RANKING, GAPS = None, "stars", "ranking", "gaps"


@require_GET
@login_required
def dashboard_page(request, tab=PROGRESS):
    """One tab of the dashboard for the chosen campaign (the latest by default): progress
    by parent organisation (`/dashboard/`), the stars and the comparison between parents
    (`stars/`), the ranking (`ranking/`) and the gap list (`gaps/`). 404 for another tab."""
    require(may_see_dashboard(request.user))
    if tab not in TABS:
        raise Http404
    moved = _moved_to(request) if tab is PROGRESS else None
    if moved is not None:
        return redirect(moved)
    name = tab or "progress"
    form, campaign = _filters(request, shown=True)
    context = {"filters": form, "campaign": campaign, "tab": name}
    if campaign is not None:
        assessments = dashboard.scope(request.user, campaign)
        context.update(TABS[tab](request, form, campaign, assessments))
    return render(request, f"scoring/dashboard/{name}.html", context)


def _progress_tab(request, form, campaign, assessments) -> dict:
    rows = dashboard.parent_rows(assessments, stars=False, few=_few(request.user))
    total = dashboard.totals(rows)
    if is_staff(request.user):
        # Staff count every enrolled branch: the campaign's figures are the rows' totals.
        complete = recompute_service.completeness(
            campaign, enrolled=total.enrolled, complete=total.complete
        )
    else:
        complete = recompute_service.completeness(campaign)
    declaring = campaign.status == CampaignStatus.DECLARING
    return {
        "rows": rows,
        "total": total,
        "completeness": complete,
        "declaring": declaring,
        "needs_recompute": declaring and needs_recompute(campaign, figures=complete),
    }


def _stars_tab(request, form, campaign, assessments) -> dict:
    rows = dashboard.parent_rows(assessments, progress=False, few=_few(request.user))
    counts = dashboard.totals(rows).stars  # counted with the rows: no query of its own
    trend = dashboard.star_trend(request.user, campaign, current=counts)
    rated = sum(counts.values())
    return {
        "rows": rows,
        "stars": [(star, counts.get(star, 0)) for star in STARS],
        "rated": rated,
        "trend_rows": [
            (year, [by_star.get(star, 0) for star in STARS]) for year, by_star in trend.items()
        ],
        "charts": _chart_urls(campaign, rated=rated, trend=trend, rows=rows),
        "completeness": recompute_service.completeness(campaign),
    }


def _ranking_tab(request, form, campaign, assessments) -> dict:
    ranked = _ranking(form, assessments)
    parts = dashboard.ranking_parts(ranked, assessments, **_ranking_filters(form))
    if parts is not None:  # each part sorted on its own, the rated on the score index
        paginator = PartsPaginator(ranked, PAGE_SIZE, parts=parts)
    else:  # a search, or a status the rows do not count: the pager counts
        paginator = KeysPaginator(ranked, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    offset = page.start_index()
    return {
        "page": page,
        "ranked": [
            (offset + i, a, dashboard.missing_of(a)) for i, a in enumerate(page.object_list)
        ],
        "query": _query_without_page(request),
        "export_fields": _export_fields(request),
        "completeness": recompute_service.completeness(campaign),
    }


def _gaps_tab(request, form, campaign, assessments) -> dict:
    margin = form.value("margin", dashboard.DEFAULT_MARGIN)
    paginator = KeysPaginator(dashboard.gaps(assessments, margin=margin), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return {
        "page": page,
        "gaps": [(a, a.self_evaluation.total - a.review.total) for a in page.object_list],
        "margin": margin,
        "query": _query_without_page(request),
    }


TABS = {PROGRESS: _progress_tab, STARS_TAB: _stars_tab, RANKING: _ranking_tab, GAPS: _gaps_tab}


def _moved_to(request) -> str | None:
    """Where a link from before the tabs (D-7qs) goes now: the dashboard's own address
    with a ranking filter or a page number to the ranking, with a margin to the gap list,
    the query kept; None for a link to the progress tab itself."""
    given = {name for name, value in request.GET.items() if value}
    for tab, names in ((RANKING, {"parent", "star", "status", "q", "page"}), (GAPS, {"margin"})):
        if given & names:
            return reverse("scoring:dashboard", args=[tab]) + "?" + request.GET.urlencode()
    return None


def _query_without_page(request) -> str:
    """The page's query string without its page number, for the pager's links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


#: The chart URLs' names: what each draws, from which figures.
CHARTS = ("distribution", "trend", "comparison")


@require_GET
@login_required
@csp_replace(CHART_POLICY)
def dashboard_chart(request, chart, size):
    """One of the dashboard's charts as an SVG image (D-7pa), for the same user and
    campaign (`?campaign=`, the latest by default) as the page: it reads only the figures
    it draws, so the page itself carries no chart. 404 for an unknown chart, size or
    campaign, or a chart with nothing to draw."""
    require(may_see_dashboard(request.user))
    if chart not in CHARTS or size not in CHART_SIZES:
        raise Http404
    form, campaign = _filters(request)
    if campaign is None or "campaign" in form.errors:
        raise Http404
    assessments = dashboard.scope(request.user, campaign)
    svg = None
    if chart == "distribution":
        counts = dashboard.star_counts(assessments)
        svg = _distribution_chart(counts, size) if counts else None
    elif chart == "trend":
        trend = dashboard.star_trend(request.user, campaign)
        svg = _trend_chart(trend, size) if trend else None
    else:
        rows = dashboard.parent_rows(assessments, progress=False, few=_few(request.user))
        svg = _comparison_chart(rows, size) if rows else None
    if svg is None:
        raise Http404
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    # The figures change with the workflow: the browser asks again each time.
    response["Cache-Control"] = "private, no-cache"
    return response


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
    back = reverse("scoring:dashboard", args=[RANKING]) + ("?" + urlencode(query) if query else "")
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
    path("dashboard/charts/<str:chart>-<str:size>.svg", dashboard_chart, name="dashboard_chart"),
    path("dashboard/ranking.xlsx", ranking_export, name="dashboard_export"),
    # The other tabs, under the same name: {% url 'scoring:dashboard' 'ranking' %}.
    path("dashboard/<slug:tab>/", dashboard_page, name="dashboard"),
]

__all__ = ["urls"]
