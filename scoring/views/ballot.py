"""The anonymous ballot pages under ``/v/`` (docs/survey.md §2.1.2): no login, for phones,
working without JavaScript.

``/v/<code>/`` (the QR target) checks the code, keeps it on the device in a signed
cookie and redirects at once, so the code leaves the address bar and the history;
``/v/`` asks for a code or shows the ballot. Every response sends
``Cache-Control: no-store`` and a strict ``Referrer-Policy`` (`ballot_headers`); failed
code checks are throttled per client address (`_throttled`). Nothing here logs a code;
the dev server's request log is at WARNING (settings) and the redirect keeps the code
out of later request lines.

The request that casts a ballot writes nothing but the slip's DELETE and the ballot's
INSERT (A8): any row written in a neighbouring transaction would carry a neighbouring
``xmin`` and tie the ballot to a user, an address or a time. So these pages never touch
the session (a logged-in voter's session row stays as it is), add no message, log
nothing, and write to the cache only to count a failed code check. (That is also why
they do not run the service through `starrating.actions.perform`: its flash message
would be written to the session.)

Between the scan and the cast the code lives on the voter's device only (A9): a signed,
HttpOnly, short-lived cookie scoped to /v/, set once the code has passed a check. The
cast trusts that signature instead of checking the throttle again, so it does not read
the cache either (a cache read may delete an expired row).
"""

from functools import wraps

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from scoring.forms.survey import BallotForm, CodeForm
from scoring.models import SurveyStatus
from scoring.services import survey as service
from scoring.services.errors import WorkflowError
from starrating import throttle

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


def _throttled(request) -> bool:
    """Whether the client's address has used up its failed code checks in this window.

    Only *failed* checks count (`_count_failure`), so a meeting behind one office address
    is never held up by its own ballots, and a successful check or cast writes no cache
    row (`starrating.throttle`).
    """
    return throttle.exceeded(
        request,
        "survey",
        limit=settings.SURVEY_THROTTLE_LIMIT,
        window=settings.SURVEY_THROTTLE_WINDOW,
    )


def _count_failure(request) -> None:
    throttle.count(request, "survey", window=settings.SURVEY_THROTTLE_WINDOW)


def _check(request, code):
    """None for a code that may vote now, else why not; a refusal counts against the
    address. Only the survey's status is read (the pages under /v/ read the rubric)."""
    status = service.survey_status_for_code(code)
    if status == SurveyStatus.OPEN:
        return None
    _count_failure(request)
    return service.SlipInvalid() if status is None else service.SurveyClosed()


def _cookie_options():
    return {
        "path": reverse("scoring:ballot"),
        "secure": settings.SESSION_COOKIE_SECURE,
        "httponly": True,
        "samesite": "Lax",
    }


def _keep_code(response, code):
    options = _cookie_options()
    response.delete_cookie(NOTICE_COOKIE, path=options["path"])
    response.set_signed_cookie(
        CODE_COOKIE, code, salt=CODE_COOKIE_SALT, max_age=CODE_COOKIE_AGE, **options
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
    return render(request, "scoring/ballot/throttled.html", status=429)


def _code_page(request, form=None, *, error=None, status=200):
    """Ask for a code; `error` explains why the code brought was not taken."""
    context = {"form": form or CodeForm(), "error": str(error) if error else ""}
    return render(request, "scoring/ballot/code.html", context, status=status)


def _drop_code(request, survey):
    """Forget the device's code and say why: one message for spent/unknown, one for closed."""
    error = service.SlipInvalid() if survey is None else service.SurveyClosed()
    return _forget_code(_code_page(request, error=error))


def _ballot_form(survey, data=None):
    """The ballot of `survey` (a `service.CodeSurvey`, read with its rubric)."""
    return BallotForm(data, criteria=survey.criteria)


def _ballot_page(request, survey, form=None, status=200):
    form = form or _ballot_form(survey)
    return render(
        request, "scoring/ballot/ballot.html", {"form": form, "survey": survey}, status=status
    )


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
    error = _check(request, code)
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
    error = _check(request, code)
    if error is not None:
        form.add_error("code", str(error))
        return _code_page(request, form)
    return _keep_code(redirect("scoring:ballot"), code)


def _cast(request):
    """Take the ballot of the device's code: the slip's DELETE and the ballot's INSERT,
    nothing else (no session, no cache, no message, no log; A8)."""
    code = _code_of(request)
    if not code:
        return _code_page(request, error=CodeForgotten())
    survey = service.survey_for_code(code)
    if survey is None or not survey.is_open:
        return _drop_code(request, survey)
    form = _ballot_form(survey, request.POST)
    if not form.is_valid():
        return _ballot_page(request, survey, form)
    try:
        service.cast_ballot(
            code=code,
            grades=form.grades(),
            verdict=form.cleaned_data["verdict"],
            criteria=form.criteria,
            survey_id=survey.survey_id,
        )
    except (service.SlipInvalid, service.SurveyClosed) as error:
        return _forget_code(_code_page(request, error=error))
    except WorkflowError as error:
        form.add_error(None, str(error))
        return _ballot_page(request, survey, form)
    return _forget_code(redirect("scoring:ballot_thanks"))


@ballot_headers("same-origin")
@require_GET
def ballot_thanks(request):
    return render(request, "scoring/ballot/thanks.html")


urls = [
    path("v/", ballot, name="ballot"),
    path("v/thanks/", ballot_thanks, name="ballot_thanks"),
    path("v/<str:code>/", ballot_code, name="ballot_code"),
]
