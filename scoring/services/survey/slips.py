"""Slips and their sheet: issue, reissue, render, store, drop (docs/survey.md §2.1.2).

A slip is a row only while unspent (A1, A3); the plain codes exist only in what an
issue returns and on the printed sheet, which is stored under a random name for the
branch's secretary and committee staff to download while the survey is open (A13).
"""

from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.permissions import may_run_survey
from scoring.models import PaperEntry, Slip, SlipKind, SlipSheet, Survey, SurveyStatus
from starrating import audit, clock

from ..errors import NotAllowed, WorkflowError, WrongState
from .codes import format_code, hash_code, new_code, normalise_code

#: docs/decisions.md D-2.1.2d: public slips per issue.
MAX_PUBLIC_SLIPS = 500


class InvalidSlipCount(WorkflowError):
    default_message = gettext_lazy("The number of slips is not valid.")


@dataclass(frozen=True)
class IssuedSlips:
    """What an issue returns, once: the plain codes (kind, code) and the stored sheet
    (None when the caller asked for no sheet)."""

    codes: list[tuple[str, str]]
    sheet: SlipSheet | None


def _require_runner(actor, branch) -> None:
    if not may_run_survey(actor, branch):
        raise NotAllowed(_("Only the branch's secretary or committee staff may run its survey."))


def _lock_survey(survey: Survey) -> Survey:
    return (
        Survey.objects.select_for_update(of=("self",))
        .select_related("assessment__branch", "assessment__campaign")
        .get(pk=survey.pk)
    )


def _check_count(count, *, least: int) -> int:
    if (
        not isinstance(count, int)
        or isinstance(count, bool)
        or not (least <= count <= MAX_PUBLIC_SLIPS)
    ):
        raise InvalidSlipCount(
            _("The number of public slips must be a whole number from %(least)d to %(most)d.")
            % {"least": least, "most": MAX_PUBLIC_SLIPS}
        )
    return count


def slips_left(slips) -> dict[int, dict[str, int]]:
    """{survey id: {kind: unspent slips}} for a queryset of slips, in one query."""
    rows = (
        slips.values("survey_id")
        .annotate(
            member=Count("id", filter=Q(kind=SlipKind.MEMBER)),
            public=Count("id", filter=Q(kind=SlipKind.PUBLIC)),
        )
        .order_by()
        .values_list("survey_id", "member", "public")
    )  # one row per survey, as plain tuples
    return {
        survey_id: {SlipKind.MEMBER: member, SlipKind.PUBLIC: public}
        for survey_id, member, public in rows
    }


def _new_codes(members: int, public: int) -> list[tuple[str, str]]:
    """Fresh plain codes, (kind, code), distinct; in memory only (A13)."""
    codes: dict[str, str] = {}
    for kind, count in ((SlipKind.MEMBER, members), (SlipKind.PUBLIC, public)):
        made = 0
        while made < count:
            code = new_code()
            if code not in codes:
                codes[code] = kind.value
                made += 1
    return [(kind, code) for code, kind in codes.items()]


def _create_slips(survey: Survey, codes: list[tuple[str, str]]) -> None:
    Slip.objects.bulk_create(
        Slip(survey=survey, kind=kind, code_hash=hash_code(code)) for kind, code in codes
    )


def ballot_link(link_base: str, code: str) -> str:
    """The QR target: the ballot URL with the code in the path (never the query string)."""
    base = link_base or reverse("scoring:ballot")
    if not base.endswith("/"):
        base += "/"
    return f"{base}{normalise_code(code)}/"


#: Slips a page of the sheet: two (each half an A4 page, a paper ballot with its
#: criteria) for a rubric of up to `SHORT_RUBRIC` criteria, else one (D-2.1.2w).
SHORT_RUBRIC = 12
#: Up to this many slips (the sheets made in a request, `sheet_jobs.IN_REQUEST`) the QR
#: codes are made in this process; a bigger sheet's in a pool of processes (D-7sd).
QR_IN_PROCESS = 100
#: The sheet's image URLs: `qr:<index of the slip>`, answered by `_qr_fetcher`.
QR_SCHEME = "qr:"


def render_slip_sheet(
    survey: Survey, codes: list[tuple[str, str]], link_base: str, *, progress=None
) -> bytes:
    """The A4 sheet of slips (templates/pdf/slips.html), as PDF bytes.

    Each slip doubles as a paper ballot (docs/survey.md A15): its QR code and printed
    code, then the criteria of the campaign's frozen rubric with a box to tick per grade,
    and the overall verdict's boxes. The ballot is the same on every slip, so it is laid
    out once and drawn under each page's QR codes and codes (`_lay_ballots_under`,
    docs/decisions.md D-7sa): a sheet of 1,000 slips takes seconds, not minutes.
    The QR codes of a sheet of more than `QR_IN_PROCESS` slips are made by a pool of
    processes while WeasyPrint reads the HTML, and handed to it as it builds the pages
    (`scoring.services.slip_qr`, D-7sd); the PDF is the same either way.
    `progress` (a percentage callback) follows WeasyPrint's steps and pages.
    """
    from scoring.exporters.pdf import html_to_pdf
    from scoring.models import Criterion, Grade, Verdict
    from scoring.services.slip_qr import QrImages

    labels = dict(SlipKind.choices)
    slips = [
        {
            "kind": kind,
            "kind_label": labels[kind],
            "code": format_code(code),
            # One pixel a module, printed 27 mm wide without smoothing (the template).
            "qr": f"{QR_SCHEME}{index}",
        }
        for index, (kind, code) in enumerate(codes)
    ]
    assessment = survey.assessment
    criteria = list(
        Criterion.objects.filter(campaign_id=assessment.campaign_id).order_by("position")
    )
    per_page = 2 if len(criteria) <= SHORT_RUBRIC else 1
    pages = [slips[page : page + per_page] for page in range(0, len(slips), per_page)]
    # One ballot page per number of slips on a page: the full one, and the last page's.
    sizes = sorted({len(page) for page in pages}, reverse=True)
    links = [ballot_link(link_base, code) for _kind, code in codes]
    # The pool starts first: its processes start and make codes while the HTML is made.
    with QrImages(links, pooled=len(codes) > QR_IN_PROCESS) as images:
        html = render_to_string(
            "pdf/slips.html",
            {
                "branch": assessment.branch,
                "campaign": assessment.campaign,
                "criteria": criteria,
                "grades": Grade.choices,
                "verdicts": Verdict.choices,
                "per_page": per_page,
                "ballot_pages": [range(size) for size in sizes],
                "pages": pages,
                "link_base": link_base or reverse("scoring:ballot"),
            },
        )

        def finish(_document, pdf):
            _lay_ballots_under(pdf, [sizes.index(len(page)) for page in pages], len(sizes))

        fetcher = _qr_fetcher(images)
        pdf = html_to_pdf(
            html,
            progress=progress,
            pages=len(pages) + len(sizes),
            finisher=finish,
            url_fetcher=fetcher,
        )
    if fetcher.failures:  # WeasyPrint only logs an image it could not fetch
        raise fetcher.failures[0]
    return pdf


def _qr_fetcher(images):
    """WeasyPrint's URL fetcher, answering `qr:<index>` with `images[index]` (PNG)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class QrFetcher(URLFetcher):
        def __init__(self):
            super().__init__()
            self.failures: list[Exception] = []

        def fetch(self, url, headers=None):
            if not url.startswith(QR_SCHEME):
                return super().fetch(url, headers)
            try:
                png = images[int(url.removeprefix(QR_SCHEME))]
            except Exception as error:
                self.failures.append(error)
                raise
            return URLFetcherResponse(url, png, {"Content-Type": "image/png"})

    return QrFetcher()


def _lay_ballots_under(pdf, ballot_of: list[int], ballots: int) -> None:
    """Draw the ballot page `ballot_of[i]` (the document's first `ballots` pages) under
    stamp page i, then drop the ballot pages from the page tree.

    WeasyPrint writes every page with the document's one resource dictionary, so a ballot
    page's content stream can be drawn on any other page as it is; `q … Q` keeps its
    coordinate transform from the stamp's own.
    """
    import pydyf

    kids = pdf.pages["Kids"]
    numbers = kids[::3]  # [number, 0, "R"] a page
    ballot_pages = [pdf.objects[number] for number in numbers[:ballots]]
    save, restore = pydyf.Stream(["q"]), pydyf.Stream(["Q"])
    pdf.add_object(save)
    pdf.add_object(restore)
    for number, ballot in zip(numbers[ballots:], ballot_of, strict=True):
        page = pdf.objects[number]
        page["Contents"] = pydyf.Array(
            [save.reference, ballot_pages[ballot]["Contents"], restore.reference, page["Contents"]]
        )
    del kids[: 3 * ballots]
    pdf.pages["Count"] -= ballots
    for page in ballot_pages:  # an object no page tree names, left empty
        page.clear()


def _store_sheet(survey: Survey, codes: list[tuple[str, str]], pdf: bytes) -> SlipSheet:
    sheet = SlipSheet(
        survey=survey,
        member_slips=sum(1 for kind, _code in codes if kind == SlipKind.MEMBER),
        public_slips=sum(1 for kind, _code in codes if kind == SlipKind.PUBLIC),
        created_on=clock.today(),
    )
    sheet.file.save("slips.pdf", ContentFile(pdf), save=True)
    return sheet


def _drop_sheets(survey: Survey, *, delete=False) -> None:
    """Void the survey's stored sheets (`delete`: remove their rows) and delete their
    files once the change commits."""
    sheets = list(SlipSheet.objects.filter(survey=survey, void=False))
    names = [sheet.file.name for sheet in sheets if sheet.file]
    if delete:
        SlipSheet.objects.filter(survey=survey).delete()
    else:
        SlipSheet.objects.filter(pk__in=[s.pk for s in sheets]).update(void=True)

    def remove():
        storage = SlipSheet._meta.get_field("file").storage
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove)


def _open_survey_of(survey: Survey, actor, *, lock=False) -> Survey:
    survey = (
        _lock_survey(survey)
        if lock
        else Survey.objects.select_related("assessment__branch", "assessment__campaign").get(
            pk=survey.pk
        )
    )
    _require_runner(actor, survey.assessment.branch)
    if survey.status != SurveyStatus.OPEN:
        raise WrongState(_("Slips can only be issued while the survey is open."))
    return survey


def _locked_open_survey(survey: Survey, actor) -> Survey:
    return _open_survey_of(survey, actor, lock=True)


def _render(survey, codes, link_base, progress) -> bytes:
    # Positional, as the tests' stand-in takes it; the progress only when a job follows it.
    if progress is None:
        return render_slip_sheet(survey, codes, link_base)
    return render_slip_sheet(survey, codes, link_base, progress=progress)


def issue_more_public_slips(
    *, survey: Survey, actor, count: int, link_base: str = "", progress=None, finish=None
) -> IssuedSlips:
    """Issue `count` more public slips to an open survey, on a new sheet (D-2.1.2d).

    The sheet is rendered before the transaction (the codes in memory only); the
    transaction then checks the survey again, creates the slips, counts and audits them
    and stores the sheet, all or nothing. `progress` follows the rendering; `finish(sheet)`
    runs last inside the transaction (a background job marks itself done there, D-7sb).
    """
    _check_count(count, least=1)
    survey = _open_survey_of(survey, actor)
    codes = _new_codes(0, count)
    pdf = _render(survey, codes, link_base, progress)
    with transaction.atomic():
        survey = _locked_open_survey(survey, actor)
        _create_slips(survey, codes)
        survey.public_slips_issued += count
        audit.save(survey, actor=actor, action="survey.slips_issued")
        sheet = _store_sheet(survey, codes, pdf)
        if finish is not None:
            finish(sheet)
    return IssuedSlips(codes=codes, sheet=sheet)


def slips_to_reissue(survey: Survey) -> dict[str, int]:
    """{kind: unspent slips} of the survey: what a reissue replaces."""
    left = slips_left(Slip.objects.filter(survey=survey)).get(survey.pk, {})
    return {kind: left.get(kind, 0) for kind in (SlipKind.MEMBER, SlipKind.PUBLIC)}


def reissue_slips(
    *, survey: Survey, actor, link_base: str = "", progress=None, finish=None
) -> IssuedSlips:
    """Replace every unspent slip by a new one (a sheet was lost): old codes stop working.

    Counts issued stay as they were, so participation is unchanged (A4, D-2.1.2h);
    earlier sheets are marked void and their files deleted. The new sheet is rendered
    first (`issue_more_public_slips`); a ballot cast meanwhile changes the slips to
    replace, and the reissue is then refused, nothing changed.
    """
    survey = _open_survey_of(survey, actor)
    left = slips_to_reissue(survey)
    codes = _new_codes(left[SlipKind.MEMBER], left[SlipKind.PUBLIC])
    pdf = _render(survey, codes, link_base, progress)
    with transaction.atomic():
        survey = _locked_open_survey(survey, actor)
        if slips_to_reissue(survey) != left:
            raise WrongState(
                _("Ballots were cast while the new sheet was made; reissue the slips again.")
            )
        Slip.objects.filter(survey=survey).delete()
        # The old codes stop working: paper entries of them can never count (A15).
        PaperEntry.objects.filter(survey=survey).delete()
        _create_slips(survey, codes)
        _drop_sheets(survey)
        audit.save(survey, actor=actor, action="survey.slips_reissued")
        sheet = _store_sheet(survey, codes, pdf)
        if finish is not None:
            finish(sheet)
    return IssuedSlips(codes=codes, sheet=sheet)
