"""Views of the member/public survey (docs/survey.md §2.1.2).

Two halves:

- the branch page (`survey`), for the secretary of the branch and committee staff to
  open the survey, print slips, follow participation and close it; reviewers and other
  committee roles read it. Results appear only once the survey is closed, and only in
  aggregate (a live mean would move with every ballot and could be watched at the
  meeting).
- the ballot pages under ``/v/``, with no login, for phones, working without
  JavaScript. ``/v/<code>/`` (the QR target) checks the code, keeps it on the device in
  a signed cookie and redirects at once, so the code leaves the address bar and the
  history; ``/v/`` asks for a code or shows the ballot. Every response sends
  ``Cache-Control: no-store`` and a strict ``Referrer-Policy`` (`ballot_headers`);
  failed code checks are throttled per client address (`_throttled`). Nothing here logs
  a code; the dev server's request log is at WARNING (settings) and the redirect keeps
  the code out of later request lines. The server keeps no code and writes nothing
  beside a cast ballot: see the note above `_throttled`.
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
from django.utils.translation import gettext_lazy
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
#
# The request that casts a ballot writes nothing but the slip's DELETE and the ballot's
# INSERT (docs/survey.md §2.1.2): any row written in a neighbouring transaction would carry a
# neighbouring ``xmin`` and tie the ballot to a user, an address or a time. So these
# pages never touch the session (a logged-in voter's session row stays as it is), add no
# message, log nothing, and write to the cache only to count a failed code check.
#
# Between the scan and the cast the code lives on the voter's device only: a signed,
# HttpOnly, short-lived cookie scoped to /v/, set once the code has passed a check. The
# cast trusts that signature instead of checking the throttle again, so it does not
# read the cache either (a cache read may delete an expired row).

CODE_COOKIE = "ballot_code"
CODE_COOKIE_SALT = "scoring.survey.ballot_code"
#: Seconds a checked code is kept on the device: ample to fill in a ballot.
CODE_COOKIE_AGE = 3600
#: Why the QR target sent the voter on without a code: shown once by `ballot`.
NOTICE_COOKIE = "ballot_notice"
THROTTLED, INVALID, CLOSED = "throttled", "invalid", "closed"


class CodeForgotten(WorkflowError):
    default_message = gettext_lazy(
        "This device no longer holds your code (it keeps it for an hour at most): scan "
        "the QR code or type the code again."
    )


def _throttle_key(request) -> str:
    address = client_address(request)
    return f"survey-throttle:{address}:{int(time.time() // settings.SURVEY_THROTTLE_WINDOW)}"


def _throttled(request) -> bool:
    """Whether the client's address has used up its failed code checks in this window.

    A fixed window per address over Django's cache: only *failed* checks count
    (`_count_failure`), so a meeting behind one office address is never held up by its
    own ballots, and a successful check or cast writes no cache row. The cache is the
    database cache shared by every worker (settings), so the limit holds across
    processes; its increment is not atomic, so a burst may be under-counted by a few,
    which a throttle can afford. The address is the one `starrating.proxy` trusts: a
    forwarded address counts only behind a proxy the settings declare.
    """
    return cache.get(_throttle_key(request), 0) >= settings.SURVEY_THROTTLE_LIMIT


def _count_failure(request) -> None:
    key, window = _throttle_key(request), settings.SURVEY_THROTTLE_WINDOW
    cache.add(key, 0, timeout=window)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)


def _check(request, code):
    """(survey, None) for a code that may vote now, else (None, error); a refusal counts
    against the address."""
    survey = service.survey_for_code(code)
    if survey is not None and survey.is_open:
        return survey, None
    _count_failure(request)
    return None, service.SlipInvalid() if survey is None else service.SurveyClosed()


def _cookie_options():
    return {
        "path": reverse("scoring:ballot"),
        "secure": settings.SESSION_COOKIE_SECURE,
        "httponly": True,
        "samesite": "Lax",
    }


def _keep_code(response, code):
    response.delete_cookie(NOTICE_COOKIE, path=_cookie_options()["path"])
    response.set_signed_cookie(
        CODE_COOKIE, code, salt=CODE_COOKIE_SALT, max_age=CODE_COOKIE_AGE, **_cookie_options()
    )
    return response


def _code_of(request) -> str | None:
    """The checked code on the voter's device, if its signature holds and it is fresh."""
    code = request.get_signed_cookie(
        CODE_COOKIE, default=None, salt=CODE_COOKIE_SALT, max_age=CODE_COOKIE_AGE
    )
    return code if code and service.looks_like_code(code) else None


def _forget_code(response):
    options = _cookie_options()
    response.delete_cookie(CODE_COOKIE, path=options["path"], samesite=options["samesite"])
    return response


def _notify(response, notice):
    response.set_cookie(NOTICE_COOKIE, notice, max_age=300, **_cookie_options())
    return response


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
    """Ask for a code; `error` explains why the code brought was not taken."""
    context = {"form": form or CodeForm(), "error": str(error) if error else ""}
    return render(request, "scoring/survey/ballot_code.html", context, status=status)


def _drop_code(request, survey):
    """Forget the device's code and say why: one message for spent/unknown, one for closed."""
    error = service.SlipInvalid() if survey is None else service.SurveyClosed()
    return _forget_code(_code_page(request, error=error))


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
    """The QR target: check the code, keep it on the device, and leave this URL at once.

    It answers every method and every outcome with a redirect: Django logs the path of
    any 4xx response (``django.request``), and this path holds the code. A code that
    passes is kept in the signed cookie; otherwise a notice cookie says why, for `ballot`
    to show.
    """
    response = redirect("scoring:ballot")
    if _throttled(request):
        return _notify(response, THROTTLED)
    code = service.normalise_code(code)[:20]
    _survey, error = _check(request, code)
    if error is not None:
        notice = CLOSED if isinstance(error, service.SurveyClosed) else INVALID
        return _notify(_forget_code(response), notice)
    return _keep_code(response, code)


_NOTICES = {INVALID: service.SlipInvalid, CLOSED: service.SurveyClosed}


@ballot_headers("same-origin")
def ballot(request):
    """Ask for a code, or show and take the ballot of the code kept on the device."""
    if request.method == "POST":
        if request.POST.get("step") == "ballot":
            return _cast(request)
        return _take_code(request)
    if request.method != "GET":
        return _code_page(request, status=405)
    notice = request.COOKIES.get(NOTICE_COOKIE)
    if notice:
        if notice == THROTTLED:
            response = _too_many(request)
        else:
            error = _NOTICES.get(notice)
            response = _code_page(request, error=error() if error else None)
        response.delete_cookie(NOTICE_COOKIE, path=_cookie_options()["path"])
        return response
    code = _code_of(request)
    if not code:
        return _code_page(request)
    survey = service.survey_for_code(code)
    if survey is None or not survey.is_open:
        return _drop_code(request, survey)
    return _ballot_page(request, survey)


def _take_code(request):
    if _throttled(request):
        return _too_many(request)
    form = CodeForm(request.POST)
    if not form.is_valid():
        _count_failure(request)
        return _code_page(request, form)
    code = form.cleaned_data["code"]
    _survey, error = _check(request, code)
    if error is not None:
        form.add_error("code", str(error))
        return _code_page(request, form)
    return _keep_code(redirect("scoring:ballot"), code)


def _cast(request):
    """Take the ballot of the device's code: the slip's DELETE and the ballot's INSERT,
    nothing else (no session, no cache, no message, no log); see the note above."""
    code = _code_of(request)
    if not code:
        return _code_page(request, error=CodeForgotten())
    survey = service.survey_for_code(code)
    if survey is None or not survey.is_open:
        return _drop_code(request, survey)
    form = BallotForm(request.POST, criteria=_criteria(survey))
    if not form.is_valid():
        return _ballot_page(request, survey, form)
    try:
        service.cast_ballot(code=code, grades=form.grades(), verdict=form.cleaned_data["verdict"])
    except (service.SlipInvalid, service.SurveyClosed) as error:
        return _forget_code(_code_page(request, error=error))
    except WorkflowError as error:
        form.add_error(None, str(error))
        return _ballot_page(request, survey, form)
    return _forget_code(redirect("scoring:ballot_thanks"))


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
