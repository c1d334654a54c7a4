"""Our own pages for the errors Django would otherwise answer in English or not at all.

Django renders 400.html, 403.html, 404.html and 500.html itself (templates/); these two
cover the rest: a failed CSRF check (settings.CSRF_FAILURE_VIEW) and the empty body of a
405 from `require_POST` and class-based views.
"""

from django.shortcuts import render


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
