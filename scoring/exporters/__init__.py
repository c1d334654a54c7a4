"""The reports, one exporter class each (docs/reports.md §6), and the registry of kinds.

`KINDS` lists every kind of the `export` contract in its order; `EXPORTERS` holds those
built. The web and `manage.py export` find an exporter here and nowhere else.
"""

from django.utils.translation import gettext_lazy as _

from .annual import AnnualWorkbook
from .annual_pdf import AnnualPdf
from .base import Column, Exporter, ExportRefused, Sheet
from .ledger import LedgerWorkbook
from .publicity import ApprovedListPdf, Certificates, NoticePdf
from .ranking import RankingWorkbook
from .rating_sheet import RatingSheet

__all__ = [
    "EXPORTERS",
    "KINDS",
    "WEB_KINDS",
    "AnnualPdf",
    "AnnualWorkbook",
    "Column",
    "ExportRefused",
    "Exporter",
    "RatingSheet",
    "Sheet",
    "get",
]

#: Every kind of the contract: identifier → its name (docs/reports.md §6).
KINDS = {
    "annual-xlsx": _("Annual workbook"),
    "annual-pdf": _("Annual PDF report"),
    "notice-pdf": _("Publicity notice"),
    "approved-pdf": _("Approved list"),
    "rating-sheet": _("Branch rating sheet"),
    "certificates": _("Five-star certificates"),
    "ledger-xlsx": _("Rectification ledger workbook"),
}

#: The kinds made only from a web page, as background jobs (not kinds of `export`: they
#: take the asking user's scope): identifier → its name.
WEB_KINDS = {
    "ranking-xlsx": _("Ranking workbook"),
}

#: The kinds built so far: identifier → exporter class.
EXPORTERS: dict[str, type[Exporter]] = {
    exporter.identifier: exporter
    for exporter in (
        AnnualWorkbook,
        AnnualPdf,
        NoticePdf,
        ApprovedListPdf,
        RatingSheet,
        Certificates,
        LedgerWorkbook,
        RankingWorkbook,
    )
}


def get(kind: str) -> type[Exporter] | None:
    """The exporter of `kind`, None when the kind is known but not built yet; KeyError
    for a kind the contract does not know."""
    if kind not in KINDS and kind not in WEB_KINDS:
        raise KeyError(kind)
    return EXPORTERS.get(kind)
