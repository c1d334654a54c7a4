"""Errors of the rules engine."""

from .i18n import N_, Note, Translate, untranslated


class InvalidInput(ValueError):
    """Input outside the contract of docs/rules.md §4.1.

    *problem* says what is wrong; *branch* (the branch id, when known) and *field* (a path
    such as ``events[2].level``, relative to the branch when *branch* is given) say where.
    The message is a `Note`, so it reaches the user in their language (`render`).
    """

    def __init__(self, problem: Note, *, branch: str | None = None, field: str | None = None):
        self.problem = problem
        self.branch = branch
        self.field = field
        super().__init__(self.render())

    @property
    def note(self) -> Note:
        """The whole message: where, then what."""
        branch, field, problem = self.branch, self.field, self.problem
        if branch is not None and field:
            params = {"branch": branch, "field": field, "problem": problem}
            return Note(N_("Branch %(branch)s, field %(field)s: %(problem)s"), params)
        if branch is not None:
            return Note(
                N_("Branch %(branch)s: %(problem)s"), {"branch": branch, "problem": problem}
            )
        if field:
            return Note(N_("Field %(field)s: %(problem)s"), {"field": field, "problem": problem})
        return problem

    def render(self, translate: Translate = untranslated) -> str:
        return self.note.render(translate)


# Problems shared by the document parser and `Policy`, so each reads the same everywhere.


def unknown_value(value: object, choices: tuple[str, ...]) -> Note:
    return Note(
        N_("unknown value %(value)s; expected one of: %(choices)s"),
        {"value": _shown(value), "choices": ", ".join(choices)},
    )


def not_a_number(value: object) -> Note:
    return Note(N_("must be a number, not %(found)s"), {"found": found(value)})


def out_of_range(low: str, high: str) -> Note:
    return Note(N_("must be between %(low)s and %(high)s"), {"low": low, "high": high})


def found(value: object) -> Note | str:
    """What kind of JSON value *value* is, for messages ("must be a number, not a string")."""
    if value is None:
        return Note(N_("null"))
    if isinstance(value, bool):
        return Note(N_("true or false"))
    if isinstance(value, str):
        return Note(N_("a string"))
    if isinstance(value, dict):
        return Note(N_("an object"))
    if isinstance(value, list):
        return Note(N_("a list"))
    if isinstance(value, float):
        return Note(N_("a binary floating-point number"))
    return _shown(value)


def _shown(value: object) -> Note | str:
    """A value as the JSON that gave it, cut short so that a message stays one line."""
    if isinstance(value, dict | list):
        return found(value)
    if value is None or isinstance(value, bool):
        return "null" if value is None else str(value).lower()
    text = f'"{value}"' if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:39] + "…"
