"""The product's refusals: the two exceptions every layer shares.

- `WorkflowError`: a refused transition or bad input, with a translatable `message`;
  nothing was changed when one is raised. Views show the message (`starrating.actions`).
- `NotAllowed`: the one exception for "this user may not do this", raised alike by
  `branches.permissions.require` in views and by the services' own checks. It is a
  `WorkflowError` (a view that runs a service shows its message) and a
  `PermissionDenied` (uncaught, Django answers 403 with our page).

Specific refusals of the workflow subclass these in `scoring.services.errors`.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _


class WorkflowError(Exception):
    """A refused transition or bad input; `message` is translatable."""

    default_message = _("This action is not allowed now.")

    def __init__(self, message=None):
        self.message = message if message is not None else self.default_message
        super().__init__(self.message)

    def __str__(self):
        return str(self.message)


class NotAllowed(WorkflowError, PermissionDenied):
    default_message = _("You may not do this.")
