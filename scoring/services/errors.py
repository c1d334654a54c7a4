"""Errors of the workflow services: each a specific, translatable refusal.

The two shared bases, `WorkflowError` and `NotAllowed`, live in `starrating.errors`.

Views catch `WorkflowError` and show `str(error)` (the message, in the user's language)
as a form error or a flash message; nothing was changed when one is raised.
"""

from django.utils.translation import gettext_lazy as _

from starrating.errors import NotAllowed, WorkflowError

__all__ = [
    "DeadlinePassed",
    "IncompleteSheet",
    "InvalidEvent",
    "InvalidPolicy",
    "InvalidRubric",
    "InvalidScore",
    "InvalidUpload",
    "NotAllowed",
    "WorkflowError",
    "WrongState",
]


class WrongState(WorkflowError):
    default_message = _("This is not possible in the current state.")


class InvalidPolicy(WorkflowError):
    """`field`: the campaign field at fault, when one is (a form shows the message there)."""

    default_message = _("The campaign policy is not valid.")

    def __init__(self, message=None, *, field=None):
        super().__init__(message)
        self.field = field


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
