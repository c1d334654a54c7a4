"""Home-page to-dos of the organisation side."""

from django.urls import reverse
from django.utils.translation import gettext as _

from starrating.todos import Todo

from .models import Role
from .permissions import is_staff


def todos(user) -> list[Todo]:
    if not is_staff(user):
        return []
    return [
        Todo(
            Role.STAFF,
            _("Import or update the roster"),
            reverse("branches:roster_import"),
            _("Organisations and members from an Excel file."),
        ),
    ]
