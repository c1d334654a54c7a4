"""Template context shared by every page."""

from django.utils.functional import SimpleLazyObject

from branches.permissions import roles_of


def roles(request):
    """`my_roles`: the role values the user holds, for menus (never for permission checks)."""
    return {"my_roles": SimpleLazyObject(lambda: frozenset(roles_of(request.user)))}
