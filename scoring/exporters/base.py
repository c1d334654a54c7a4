"""The one shape of every report (docs/reports.md §6): an exporter yields its sheets of
rows (or renders its HTML); the file formats are written once, in `xlsx.py`.

An exporter is a class with an `identifier` (the `KIND` of `manage.py export`), a
Chinese-translatable `verbose_name`, and `sheets()` — a generator of `Sheet`s whose rows
are generators too, so a writer never holds a whole campaign twice. `render(fp)` writes
the file and calls `progress(percent)` as it goes, for the background job's bar.
Exporters read only stored results (`Rating`, the campaign's quota report) through the
services' read models: the engine alone computes stars.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

Progress = Callable[[int], None]


class ExportRefused(Exception):  # noqa: N818 — a refusal, not a fault
    """The export cannot be made now (the campaign's status, no results yet); the message
    is for the user, already translated."""


@dataclass(frozen=True)
class Column:
    """A column: its header, its width in characters, its Excel number format (None: as
    written)."""

    header: str
    width: int = 12
    number_format: str | None = None


@dataclass
class Sheet:
    """One sheet: its title, its columns, its rows (an iterable of tuples, one value a
    column), and how many rows it will yield if known (for progress). `notes` are lines
    written above the header (kept empty for list sheets, which start with the header)."""

    title: str
    columns: list[Column]
    rows: Iterable[tuple]
    total: int | None = None
    notes: list[str] = field(default_factory=list)
    autofilter: bool = True


class Exporter:
    """Base of every report. Subclasses set the class attributes and `sheets()`."""

    identifier: str = ""
    verbose_name = ""
    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    needs_branch = False
    #: A branch may be given (one branch's file instead of the whole campaign's).
    takes_branch = False
    #: Made for the user who asks (its rows are that user's scope): given `actor=`.
    needs_actor = False
    #: Choices a report offers, name → default (a flag each, e.g. the annual PDF's
    #: appendix); given as keyword arguments, kept in `self.options`.
    OPTIONS: dict[str, bool] = {}

    def __init__(self, campaign, *, branch=None, **options):
        unknown = set(options) - set(self.OPTIONS)
        if unknown:
            raise TypeError(f"{self.identifier} takes no option {', '.join(sorted(unknown))}")
        self.campaign = campaign
        self.branch = branch
        self.options = {**self.OPTIONS, **options}

    @staticmethod
    def may_make(actor, branch=None) -> bool:
        """Whether `actor` may have this report (`branches.permissions.may_export`)."""
        from branches.permissions import may_export

        return may_export(actor, branch)

    def refusal(self) -> str | None:
        """Why the export cannot be made now (translated), or None when it can."""
        return None

    def sheets(self) -> Iterator[Sheet]:
        raise NotImplementedError

    def filename(self) -> str:
        return f"{self.identifier}-{self.campaign.year}-{self.campaign.pk}.{self.extension}"

    def render(self, fp, *, progress: Progress | None = None) -> None:
        """Write the file to the binary file object `fp`; `ExportRefused` when refused."""
        reason = self.refusal()
        if reason:
            raise ExportRefused(reason)
        from .xlsx import write_workbook

        write_workbook(self.sheets(), fp, progress=progress)
