"""Our own pages for the errors Django would otherwise answer in English or not at all.

Django renders 400.html, 403.html, 404.html and 500.html itself (templates/); these
cover the rest: a failed CSRF check (settings.CSRF_FAILURE_VIEW), the empty body of a
405 from `require_POST` and class-based views, and a database that cannot be reached
(`server_error`, the site's handler500: a 503 page instead of the 500 one).
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views import defaults

logger = logging.getLogger(__name__)

#: Seconds a client is asked to wait before retrying when the database is unreachable
#: (docs/decisions.md D-7q).
RETRY_AFTER_SECONDS = 10


def csrf_failure(request, reason=""):
    """The CSRF failure page in the user's language, with the site's layout; the reason is
    for the log (Django logs it as django.security.csrf), not for the visitor."""
    return render(request, "403_csrf.html", status=403)


class MethodNotAllowedPageMiddleware:
    """Gives an empty 405 response our page, keeping its Allow header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.streaming and not response.content:
            page = render(request, "405.html", status=405)
            if response.has_header("Allow"):
                page["Allow"] = response["Allow"]
            return page
        return response


def database_unavailable(error) -> bool:
    """Whether `error` says the database could not be reached or dropped the connection
    (a restart, a fail-over, a network cut): a transient state, not a bug of ours."""
    return isinstance(error, (OperationalError, InterfaceError))


def server_error(request):
    """The handler500: a 503 "try again" page when the database is unreachable, else
    Django's own 500 page (templates/500.html).

    Django calls it while handling the exception, so `sys.exc_info()` holds it. The 503 is
    rendered with no request, as 500.html is: the context processors and the user would
    query the database again. Its log line names the error's class only, never the path
    (a ballot's path holds its code, docs/survey.md A12); Django's own "Service
    Unavailable: <path>" line is suppressed the way Django marks a logged response.
    """
    error = sys.exc_info()[1]
    if not database_unavailable(error):
        return defaults.server_error(request)
    logger.error("Database unavailable: %s", type(error).__name__)
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response._has_been_logged = True
    return response
