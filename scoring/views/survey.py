"""Views of the member/public survey (DESIGN §2.1.2).

Two halves:

- the branch page (`survey`), for the secretary of the branch and committee staff to
  open the survey, print slips, follow participation and close it; reviewers and other
  committee roles read it. Results appear only once the survey is closed, and only in
  aggregate (a live mean would move with every ballot and could be watched at the
  meeting).
- the ballot pages under ``/v/``, with no login, for phones. ``/v/<code>/`` (the QR
  target) moves the code into the session and redirects at once, so the code leaves the
  address bar and the history; ``/v/`` asks for a code or shows the ballot. Every
  response sends ``Cache-Control: no-store`` and a strict ``Referrer-Policy``
  (`ballot_headers`); code
  checks are throttled per client address (`_throttled`). Nothing here logs a code;
  the dev server's request log is at WARNING (settings) and the redirect keeps the code
  out of later request lines. The session holds the code only until the ballot is cast.
"""

import time
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from branches.permissions import branches_for, is_staff, require, roles_of
from scoring.forms.survey import (
    BallotForm,
    CloseSurveyForm,
    CodeForm,
    MoreSlipsForm,
    OpenSurveyForm,
)
from scoring.models import Assessment, Criterion, SlipSheet, Survey
from scoring.services import survey as service
from scoring.services.errors import WorkflowError
from starrating.proxy import client_address

SESSION_KEY = "ballot_code"
THROTTLED_KEY = "ballot_throttled"

# --- secretary / staff / reader pages ----------------------------------------------------


def _assessment(request, assessment_id):
    """The assessment if the user may see its branch: 403 without any role, else 404."""
    require(bool(roles_of(request.user)))
    return get_object_or_404(
        Assessment.objects.select_related("branch", "campaign", "survey"),
        pk=assessment_id,
        branch__in=branches_for(request.user),
    )


def _survey_of(assessment):
    return getattr(assessment, "survey", None)


def _link_base(request):
    return request.build_absolute_uri(reverse("scoring:ballot"))


def _page(request, assessment, *, open_form=None, more_form=None, close_form=None, status=200):
    survey = _survey_of(assessment)
    manager = service.may_manage(request.user, assessment.branch)
    staff = is_staff(request.user)
    args = [assessment.pk]
    context = {
        "assessment": assessment,
        "survey": survey,
        "manager": manager,
        "staff": staff,
        "min_percent": int(service.MIN_PARTICIPATION * 100),
    }
    if survey is None or survey.status == "not_open":
        if manager:
            context["open_form"] = open_form or OpenSurveyForm(
                action=reverse("scoring:survey_open", args=args)
            )
    else:
        context["participation"] = service.participation(survey)
        if survey.is_open and manager:
            context["sheets"] = list(survey.slip_sheets.filter(void=False))
            context["more_form"] = more_form or MoreSlipsForm(
                action=reverse("scoring:survey_more_slips", args=args)
            )
            context["close_form"] = close_form or CloseSurveyForm(
                action=reverse("scoring:survey_close", args=args), staff=staff
            )
        if survey.is_closed:
            context["figures"] = service.figures_for(survey)
            context["distribution"] = service.criterion_distribution(survey)
    return render(request, "scoring/survey/manage.html", context, status=status)


@login_required
@require_GET
def survey_page(request, assessment_id):
    """The branch's survey: status, participation, slips, and aggregate results."""
    return _page(request, _assessment(request, assessment_id))


def _manager_action(view):
    @login_required
    @require_POST
    @wraps(view)
    def wrapped(request, assessment_id):
        assessment = _assessment(request, assessment_id)
        require(service.may_manage(request.user, assessment.branch))
        return view(request, assessment)

    return wrapped


@_manager_action
def survey_open(request, assessment):
    form = OpenSurveyForm(request.POST, action=reverse("scoring:survey_open", args=[assessment.pk]))
    if form.is_valid():
        try:
            issued = service.open_survey(
                assessment=assessment,
                actor=request.user,
                public_slips=form.cleaned_data["public_slips"],
                link_base=_link_base(request),
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The survey is open: %(count)d slips issued. Download and print the sheet.")
                % {"count": len(issued.codes)},
            )
            return redirect("scoring:survey", assessment.pk)
    return _page(request, assessment, open_form=form)


@_manager_action
def survey_more_slips(request, assessment):
    form = MoreSlipsForm(
        request.POST, action=reverse("scoring:survey_more_slips", args=[assessment.pk])
    )
    survey = _survey_of(assessment)
    if survey is None:
        raise Http404
    if form.is_valid():
        try:
            service.issue_more_public_slips(
                survey=survey,
                actor=request.user,
                count=form.cleaned_data["count"],
                link_base=_link_base(request),
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The new public slips are on a new sheet."))
            return redirect("scoring:survey", assessment.pk)
    return _page(request, assessment, more_form=form)


@_manager_action
def survey_reissue(request, assessment):
    survey = _survey_of(assessment)
    if survey is None:
        raise Http404
    try:
        service.reissue_slips(survey=survey, actor=request.user, link_base=_link_base(request))
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Every unused slip was replaced; earlier sheets no longer work.")
        )
    return redirect("scoring:survey", assessment.pk)


@_manager_action
def survey_close(request, assessment):
    staff = is_staff(request.user)
    form = CloseSurveyForm(
        request.POST, action=reverse("scoring:survey_close", args=[assessment.pk]), staff=staff
    )
    survey = _survey_of(assessment)
    if survey is None:
        raise Http404
    if form.is_valid():
        try:
            service.close_survey(
                survey=survey,
                actor=request.user,
                override_reason=form.cleaned_data.get("override_reason", ""),
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The survey is closed."))
            return redirect("scoring:survey", assessment.pk)
    return _page(request, assessment, close_form=form)


@login_required
@require_GET
def survey_sheet(request, assessment_id, sheet_id):
    """The stored PDF of slips: the secretary and staff only, while the survey is open."""
    assessment = _assessment(request, assessment_id)
    require(service.may_manage(request.user, assessment.branch))
    sheet = get_object_or_404(
        SlipSheet, pk=sheet_id, survey__assessment=assessment, survey__status="open", void=False
    )
    response = FileResponse(
        sheet.file.open("rb"),
        as_attachment=True,
        filename=f"slips-{assessment.branch.code}-{sheet.pk}.pdf",
        content_type="application/pdf",
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_GET
def survey_participation(request, assessment_id):
    """Live participation counts (JSON) for the page's progress bar."""
    assessment = _assessment(request, assessment_id)
    survey = _survey_of(assessment)
    if survey is None:
        raise Http404
    counts = service.participation(survey)
    response = JsonResponse(
        {
            "status": survey.status,
            "members_voted": counts.members_voted,
            "electorate": counts.electorate,
            "public_voted": counts.public_voted,
            "public_issued": counts.public_slips_issued,
            "percent": counts.percent or 0,
            "enough": counts.enough,
        }
    )
    add_never_cache_headers(response)
    return response


# --- public ballot pages -----------------------------------------------------------------


def _throttled(request) -> bool:
    """A tiny fixed-window limiter per client address over Django's cache.

    Counts every code check (QR visit, code typed, ballot posted). The cache is the
    database cache shared by every worker (settings), so the limit holds across
    processes; its increment is not atomic, so a burst may be under-counted by a few,
    which a throttle can afford. The address is the one `starrating.proxy` trusts: a
    forwarded address counts only behind a proxy the settings declare.
    """
    limit, window = settings.SURVEY_THROTTLE_LIMIT, settings.SURVEY_THROTTLE_WINDOW
    address = client_address(request)
    key = f"survey-throttle:{address}:{int(time.time() // window)}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit


def ballot_headers(referrer_policy):
    """No caching, and a referrer policy under which no code leaves in a Referer header.

    The QR target, whose path holds the code, sends ``no-referrer``. The pages under
    ``/v/`` carry no code in their address and hold the forms: they send ``same-origin``,
    because under ``no-referrer`` browsers send ``Origin: null`` with a form POST, which
    Django's CSRF check rightly refuses. ``same-origin`` sends nothing to any other site.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response["Referrer-Policy"] = referrer_policy
            add_never_cache_headers(response)
            return response

        return wrapped

    return decorator


def _too_many(request):
    return render(request, "scoring/survey/throttled.html", status=429)


def _code_page(request, form=None, *, error=None, status=200):
    """Ask for a code; `error` explains why the code in the session was dropped."""
    context = {"form": form or CodeForm(), "error": str(error) if error else ""}
    return render(request, "scoring/survey/ballot_code.html", context, status=status)


def _drop_code(request, survey):
    """Forget the session's code and say why: one message for spent/unknown, one for closed."""
    request.session.pop(SESSION_KEY, None)
    error = service.SlipInvalid() if survey is None else service.SurveyClosed()
    return _code_page(request, error=error)


def _ballot_page(request, survey, form=None, status=200):
    criteria = _criteria(survey)
    form = form or BallotForm(criteria=criteria)
    return render(
        request,
        "scoring/survey/ballot.html",
        {"form": form, "survey": survey, "assessment": survey.assessment},
        status=status,
    )


def _criteria(survey: Survey):
    return list(Criterion.objects.filter(campaign_id=survey.assessment.campaign_id))


@csrf_exempt  # a CSRF refusal would be a 403, logged with this path; GET does the same
@ballot_headers("no-referrer")
def ballot_code(request, code):
    """The QR target: keep the code in the session and leave this URL at once.

    It answers every method and every outcome with a redirect: Django logs the path of
    any 4xx response (``django.request``), and this path holds the code.
    """
    if _throttled(request):
        request.session[THROTTLED_KEY] = True
    else:
        request.session[SESSION_KEY] = service.normalise_code(code)[:20]
    return redirect("scoring:ballot")


@ballot_headers("same-origin")
def ballot(request):
    """Ask for a code, or show and take the ballot of the code in the session."""
    if request.session.pop(THROTTLED_KEY, False):
        return _too_many(request)
    code = request.session.get(SESSION_KEY)
    if request.method == "POST":
        if _throttled(request):
            return _too_many(request)
        if request.POST.get("step") == "ballot" and code:
            return _cast(request, code)
        return _take_code(request)
    if request.method != "GET":
        return _code_page(request, status=405)
    if not code:
        return _code_page(request)
    survey = service.survey_for_code(code)
    if survey is None or not survey.is_open:
        return _drop_code(request, survey)
    return _ballot_page(request, survey)


def _take_code(request):
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _code_page(request, form)
    survey = service.survey_for_code(form.cleaned_data["code"])
    if survey is None or not survey.is_open:
        error = service.SlipInvalid() if survey is None else service.SurveyClosed()
        form.add_error("code", str(error))
        return _code_page(request, form)
    request.session[SESSION_KEY] = form.cleaned_data["code"]
    return redirect("scoring:ballot")


def _cast(request, code):
    survey = service.survey_for_code(code)
    if survey is None or not survey.is_open:
        return _drop_code(request, survey)
    form = BallotForm(request.POST, criteria=_criteria(survey))
    if not form.is_valid():
        return _ballot_page(request, survey, form)
    try:
        service.cast_ballot(code=code, grades=form.grades(), verdict=form.cleaned_data["verdict"])
    except (service.SlipInvalid, service.SurveyClosed) as error:
        request.session.pop(SESSION_KEY, None)
        return _code_page(request, error=error)
    except WorkflowError as error:
        form.add_error(None, str(error))
        return _ballot_page(request, survey, form)
    request.session.pop(SESSION_KEY, None)
    return redirect("scoring:ballot_thanks")


@ballot_headers("same-origin")
@require_GET
def ballot_thanks(request):
    return render(request, "scoring/survey/thanks.html")


urls = [
    path("survey/<int:assessment_id>/", survey_page, name="survey"),
    path("survey/<int:assessment_id>/open/", survey_open, name="survey_open"),
    path("survey/<int:assessment_id>/more/", survey_more_slips, name="survey_more_slips"),
    path("survey/<int:assessment_id>/reissue/", survey_reissue, name="survey_reissue"),
    path("survey/<int:assessment_id>/close/", survey_close, name="survey_close"),
    path("survey/<int:assessment_id>/sheets/<int:sheet_id>/", survey_sheet, name="survey_sheet"),
    path(
        "survey/<int:assessment_id>/participation/",
        survey_participation,
        name="survey_participation",
    ),
    path("v/", ballot, name="ballot"),
    path("v/thanks/", ballot_thanks, name="ballot_thanks"),
    path("v/<str:code>/", ballot_code, name="ballot_code"),
]
