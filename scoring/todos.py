"""Home-page to-dos of the rating year (filled in by the declaration workflow)."""

from starrating.todos import Todo


def todos(user) -> list[Todo]:
    return []
