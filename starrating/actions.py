"""The one way a view runs a workflow service and reports its outcome.

A service either succeeds or raises a `WorkflowError` whose message is translated and
says why nothing changed. `perform` turns that into what the user sees: on success a
flash message and a redirect; on refusal the message on the form (which the view
re-renders) or, for a plain button, a flash message and the same redirect.
"""

from django.contrib import messages
from django.shortcuts import redirect

from starrating.errors import WorkflowError


def perform(request, call, *, success, then, form=None, field=None, failure=None):
    """Run `call()`; return the response to send, or None to re-render `form`.

    - `success`: the flash message on success (str, or a callable taking the result);
    - `then`: where to go afterwards (a URL, a model, a URL name with no arguments, or a
      callable taking the result and returning one of those);
    - `form`: when given, a refusal is added to it (as an error of `field`, or of the
      whole form) and None is returned, so the view renders the form again;
      without a form, a refusal is flashed and the user is sent to `failure` (by default
      `then`, which must then not depend on the result).
    """
    back = then if failure is None else failure
    if form is None and callable(back):
        raise TypeError("perform(): a refusal has no result; give `failure` as a URL")
    try:
        result = call()
    except WorkflowError as error:
        if form is not None:
            form.add_error(field, str(error))
            return None
        messages.error(request, str(error))
        return redirect(back)
    messages.success(request, success(result) if callable(success) else success)
    return redirect(then(result) if callable(then) else then)


def perform_keeping_refusal(request, call, **options):
    """`perform`, and the refusal it showed (or None on success), for the pages that show
    more of it than its message: a stale page comes back with the saved values, a score's
    error goes on its field, unscored criteria are marked."""
    refusals = []

    def guarded():
        try:
            return call()
        except WorkflowError as error:
            refusals.append(error)
            raise

    response = perform(request, guarded, **options)
    return response, (refusals[0] if refusals else None)
