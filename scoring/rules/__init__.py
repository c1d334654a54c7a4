"""The star-rating rules engine (docs/rules.md §4): plain Python, no Django import.

Entry point: `rate(branches, policy, kind) -> Outcome`. Inputs are `BranchInput` and
`Event`; results carry their trace as `Note`s, rendered in the reader's language by the
caller (`Note.render(gettext)`). `document` reads and writes the calculator's JSON
contract (docs/rules.md §4.1); `components` holds the helpers the web app uses to form the
components it passes in.
"""

from .engine import rate
from .errors import InvalidInput
from .i18n import N_, Note, render_all, untranslated
from .model import (
    Adjustment,
    BranchInput,
    BranchResult,
    Event,
    Outcome,
    QuotaReport,
)
from .policy import Policy

__all__ = [
    "N_",
    "Adjustment",
    "BranchInput",
    "BranchResult",
    "Event",
    "InvalidInput",
    "Note",
    "Outcome",
    "Policy",
    "QuotaReport",
    "rate",
    "render_all",
    "untranslated",
]
