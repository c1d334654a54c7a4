"""Errors of the workflow services: each a specific, translatable refusal.

Views catch `WorkflowError` and show `str(error)` (the message, in the user's language)
as a form error or a flash message; nothing was changed when one is raised.
"""

from django.utils.translation import gettext_lazy as _


class WorkflowError(Exception):
    """A refused transition or bad input; `message` is translatable."""

    default_message = _("This action is not allowed now.")

    def __init__(self, message=None):
        self.message = message if message is not None else self.default_message
        super().__init__(self.message)

    def __str__(self):
        return str(self.message)


class NotAllowed(WorkflowError):
    default_message = _("You may not do this.")


class WrongState(WorkflowError):
    default_message = _("This is not possible in the current state.")


class InvalidPolicy(WorkflowError):
    default_message = _("The campaign policy is not valid.")


class InvalidRubric(WorkflowError):
    default_message = _("The rubric is not valid.")


class DeadlinePassed(WorkflowError):
    default_message = _("The deadline has passed.")


class IncompleteSheet(WorkflowError):
    default_message = _("The sheet is incomplete.")


class InvalidScore(WorkflowError):
    default_message = _("A score is not valid.")


class InvalidUpload(WorkflowError):
    default_message = _("This file is not accepted.")


class InvalidEvent(WorkflowError):
    default_message = _("The event is not valid.")
