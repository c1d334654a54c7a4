"""The to-do item shown on a home page; each app lists its own with `todos(user)`."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Todo:
    role: str  # a branches.models.Role value: the home page groups by it
    title: str
    url: str
    detail: str = ""
    count: int | None = None
    overdue: bool = False  # a deadline has passed: the home page shows the count in red
