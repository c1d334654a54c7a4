"""Admin for the rating year: one module per area, imported here so Django finds them."""

from . import campaign, events, review, self_evaluation, survey  # noqa: F401
