"""Self-evaluation workflow (docs/process.md §2.1.1): draft → submitted → (returned → submitted).

The secretary of the branch edits and submits before the deadline (the campaign's, or a
staff extension); the branch's reviewer (or staff where staff review) may return it;
staff may extend one branch's deadline, which reopens a submitted sheet.

Who may act is asked of `branches.permissions`; every change is recorded through
`starrating.audit` (codes `self_evaluation.*`, `evidence.*`) and dated by
`starrating.clock`.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from branches.models import Role
from branches.permissions import (
    is_secretary_of,
    may_extend_deadline,
    may_return_self_evaluation,
    roles_of,
)
from scoring.models import (
    Assessment,
    CampaignStatus,
    Evidence,
    SelfEvaluation,
    SelfEvaluationStatus,
    SelfScore,
)
from scoring.rules.components import sheet_total
from starrating import audit, clock, uploads
from starrating.errors import NotAllowed
from starrating.inputs import parse_decimal, parse_int

from . import versions
from .errors import DeadlinePassed, IncompleteSheet, InvalidScore, InvalidUpload, WrongState

CENT = Decimal("0.01")


class MissingScores(IncompleteSheet):
    """A submission with criteria left unscored; `criteria` lists them in rubric order."""

    def __init__(self, criteria):
        self.criteria = list(criteria)
        lines = [f"{c.position}. {c.title}" for c in self.criteria]
        super().__init__(
            _("Score every criterion before submitting; missing:") + "\n" + "\n".join(lines)
        )


def _lock(sheet) -> SelfEvaluation:
    """The sheet, locked (only its own row: the joined campaign and branch rows stay free,
    so saves of different branches' sheets never wait on each other)."""
    return (
        SelfEvaluation.objects.select_for_update(of=("self",))
        .select_related("assessment__campaign", "assessment__branch")
        .get(pk=sheet.pk)
    )


def _check_editable(sheet, actor):
    """The secretary of the branch, an editable sheet, an open campaign, before the deadline
    (the first three are `branches.permissions.may_edit_self_evaluation`, checked one by one
    here so that a refusal says which)."""
    assessment = sheet.assessment
    if not is_secretary_of(actor, assessment.branch):
        raise NotAllowed(_("Only the secretary of the branch may edit its self-evaluation."))
    if assessment.campaign.status != CampaignStatus.OPEN:
        raise WrongState(_("The campaign is not open for declaration."))
    if not sheet.is_editable:
        raise WrongState(_("The self-evaluation has already been submitted."))
    if clock.today() > sheet.deadline:
        raise DeadlinePassed(
            _("The deadline (%(date)s) has passed; ask committee staff for an extension.")
            % {"date": date_format(sheet.deadline, "DATE_FORMAT")}
        )


def _record(instance, *, actor, action, when, delete=False):
    """Save (or delete) with the audit record, dated `when`: every row of one change shares
    the moment `versions.bump` gave it, later than the sheet's earlier rows (what
    `versions.state_at` relies on)."""
    audit.stamp(instance, actor=actor, action=action)
    instance._history_date = when
    if delete:
        instance.delete()
    else:
        instance.save()


def parse_score(value, criterion) -> Decimal:
    """A score as a Decimal in 0..criterion max with at most two decimals, or InvalidScore.

    What counts as a number is `starrating.inputs.parse_decimal`'s rule.
    """
    try:
        score = parse_decimal(value)
    except ValueError:
        score = None
    if score is None:
        raise InvalidScore(
            _("“%(criterion)s”: the score is not a number.") % {"criterion": criterion.title}
        )
    if score < 0 or score > criterion.max_points:
        raise InvalidScore(
            _("“%(criterion)s”: the score must lie between 0 and %(max)s.")
            % {"criterion": criterion.title, "max": criterion.max_points}
        )
    if score != score.quantize(CENT):
        raise InvalidScore(
            _("“%(criterion)s”: at most two decimals.") % {"criterion": criterion.title}
        )
    return score.quantize(CENT)


def _parse_star(self_star):
    if self_star in (None, ""):
        return None
    try:
        star = parse_int(self_star)
    except ValueError:
        star = -1
    if not 0 <= star <= 5:
        raise InvalidScore(_("The self-placed star must be between 0 and 5."))
    return star


def _sync_total(sheet):
    """docs/rules.md §4.1: the self component is the engine's sheet total of the scores."""
    sheet.total = sheet_total(s.score for s in sheet.scores.all())


def _typed(scores, self_star) -> dict:
    """The request's values, keyed as `versions.check_version` compares them."""
    typed = {(versions.STAR, None): self_star}
    for criterion_id, (value, remark) in scores.items():
        typed[versions.SCORE, int(criterion_id)] = value
        typed[versions.REMARK, int(criterion_id)] = remark
    return typed


def save_draft(*, sheet, actor, scores: dict, self_star=None, version=None) -> SelfEvaluation:
    """Store the scores and the self-placed star; all or nothing.

    `scores` maps criterion id → (score, remark); a score of None or "" clears it.
    `version` is the sheet's version the form was loaded at: a save from an older one is
    refused with `versions.StaleVersion`, so nothing saved in between is overwritten unseen.
    """
    with transaction.atomic():
        sheet = _lock(sheet)
        _check_editable(sheet, actor)
        versions.check_version(sheet, version, actor=actor, typed=_typed(scores, self_star))
        stamp = versions.bump(sheet)
        criteria = {c.pk: c for c in sheet.assessment.campaign.criteria.all()}
        parsed = {}
        for criterion_id, (value, remark) in scores.items():
            criterion = criteria.get(int(criterion_id))
            if criterion is None:
                raise InvalidScore(_("A score refers to a criterion of another campaign."))
            empty = value is None or (isinstance(value, str) and not value.strip())
            parsed[criterion.pk] = (None if empty else parse_score(value, criterion), remark)
        star = _parse_star(self_star)
        existing = {s.criterion_id: s for s in sheet.scores.all()}
        for criterion_id, (score, remark) in parsed.items():
            row = existing.get(criterion_id)
            remark = (remark or "").strip()
            if score is None:
                if row is not None:
                    _record(
                        row,
                        actor=actor,
                        action="self_evaluation.score_saved",
                        when=stamp,
                        delete=True,
                    )
                continue
            if row is None:
                row = SelfScore(self_evaluation=sheet, criterion_id=criterion_id)
            elif row.score == score and row.remark == remark:
                continue
            row.score, row.remark = score, remark
            _record(row, actor=actor, action="self_evaluation.score_saved", when=stamp)
        sheet.self_star = star
        _sync_total(sheet)
        _record(sheet, actor=actor, action="self_evaluation.draft_saved", when=stamp)
    return sheet


def submit(
    *, sheet, actor, scores: dict | None = None, self_star=None, version=None
) -> SelfEvaluation:
    """Draft/returned → submitted: every criterion scored, a star placed, before the deadline.

    With `scores` (as for `save_draft`) the form's values are saved first, in the same
    transaction: a refused submission saves nothing. `version` as for `save_draft`: a
    submission from a page older than the sheet is refused.
    """
    with transaction.atomic():
        if scores is not None:
            save_draft(
                sheet=sheet, actor=actor, scores=scores, self_star=self_star, version=version
            )
        sheet = _lock(sheet)
        _check_editable(sheet, actor)
        if scores is None:
            versions.check_version(sheet, version, actor=actor)
            stamp = versions.bump(sheet)
        else:
            stamp = versions.next_moment(sheet)  # after the draft just saved
        criteria = list(sheet.assessment.campaign.criteria.order_by("position"))
        scored = {s.criterion_id: s for s in sheet.scores.all()}
        missing = [c for c in criteria if c.pk not in scored]
        if missing:
            raise MissingScores(missing)
        for criterion in criteria:
            parse_score(scored[criterion.pk].score, criterion)
        if sheet.self_star is None:
            raise IncompleteSheet(_("Place the branch at a star before submitting."))
        _sync_total(sheet)
        sheet.status = SelfEvaluationStatus.SUBMITTED
        sheet.submitted_at = stamp
        sheet.submitted_by = actor
        _record(sheet, actor=actor, action="self_evaluation.submitted", when=stamp)
    return sheet


def return_sheet(*, sheet, actor, reason, version=None) -> SelfEvaluation:
    """Submitted → returned with a reason, by whoever may review the branch.

    `version` is the one the reviewer's page showed: a sheet changed since is not returned.
    """
    reason = (reason or "").strip()
    if not reason:
        raise WrongState(_("Give a reason for returning the self-evaluation."))
    with transaction.atomic():
        sheet = _lock(sheet)
        if not may_return_self_evaluation(actor, sheet.assessment.branch):
            raise NotAllowed(_("Only the branch's reviewer may return its self-evaluation."))
        if sheet.assessment.campaign.status != CampaignStatus.OPEN:
            # Once published, a sheet is not sent back (docs/process.md §2.1.4).
            raise WrongState(_("The campaign is not open for declaration."))
        if sheet.status != SelfEvaluationStatus.SUBMITTED:
            raise WrongState(_("Only a submitted self-evaluation can be returned."))
        versions.check_version(sheet, version, actor=actor, editing=False)
        stamp = versions.bump(sheet)
        sheet.status = SelfEvaluationStatus.RETURNED
        sheet.return_reason = reason
        _record(sheet, actor=actor, action="self_evaluation.returned", when=stamp)
    return sheet


def extend_deadline(*, sheet, actor, until, reason) -> SelfEvaluation:
    """Staff extend one branch's deadline to `until`, with a reason (docs/process.md §2.1.1).

    A submitted sheet is returned (with the same reason) so the secretary can edit it again.
    """
    if not may_extend_deadline(actor):
        raise NotAllowed(_("Only committee staff may extend a deadline."))
    reason = (reason or "").strip()
    if not reason:
        raise WrongState(_("Give a reason for the extension."))
    if until < clock.today():
        raise WrongState(_("The new deadline cannot lie in the past."))
    with transaction.atomic():
        sheet = _lock(sheet)
        if not sheet.assessment.campaign.is_declaring:
            raise WrongState(_("The campaign is not open for declaration."))
        stamp = versions.bump(sheet)
        sheet.deadline_extended_to = until
        sheet.extension_reason = reason
        if sheet.status == SelfEvaluationStatus.SUBMITTED:
            sheet.status = SelfEvaluationStatus.RETURNED
            sheet.return_reason = reason
        _record(sheet, actor=actor, action="self_evaluation.deadline_extended", when=stamp)
    return sheet


def add_evidence(*, sheet, actor, uploaded_file) -> Evidence:
    """Attach a file (checked by content and size) while the sheet is editable."""
    try:
        content_type = uploads.check_upload(uploaded_file, uploads.EVIDENCE)
        with uploads.storing() as stash, transaction.atomic():
            sheet = _lock(sheet)
            _check_editable(sheet, actor)
            evidence = Evidence(
                self_evaluation=sheet,
                original_name=uploads.display_name(uploaded_file.name),
                content_type=content_type,
                size=uploaded_file.size,
                uploaded_by=actor,
            )
            stash.save(evidence.file, uploaded_file)
            audit.save(evidence, actor=actor, action="evidence.added")
    except ValidationError as error:
        raise InvalidUpload(" ".join(error.messages)) from None
    return evidence


def remove_evidence(*, evidence, actor) -> None:
    """Delete a file from an editable sheet (the stored file goes once committed)."""
    with transaction.atomic():
        sheet = _lock(evidence.self_evaluation)
        _check_editable(sheet, actor)
        evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
        stored = evidence.file
        audit.delete(evidence, actor=actor, action="evidence.removed")
        name, storage = stored.name, stored.storage
        transaction.on_commit(lambda: storage.delete(name))


def sheets_to_complete(user) -> list[SelfEvaluation]:
    """The user's branches' sheets still to submit in open campaigns (drafts and returned
    ones), with their branch and campaign; for the secretary's to-dos."""
    branch_ids = roles_of(user).get(Role.SECRETARY)
    if not branch_ids:
        return []
    return list(
        SelfEvaluation.objects.filter(
            assessment__branch_id__in=branch_ids,
            assessment__campaign__status=CampaignStatus.OPEN,
        )
        .exclude(status=SelfEvaluationStatus.SUBMITTED)
        .select_related("assessment__branch", "assessment__campaign")
        .order_by("assessment__branch__code", "pk")
    )


def unsubmitted_count(campaign) -> int:
    """How many sheets of the campaign's enrolled (not withdrawn) branches are not
    submitted yet."""
    return (
        SelfEvaluation.objects.filter(
            assessment__in=Assessment.objects.enrolled().filter(campaign=campaign)
        )
        .exclude(status=SelfEvaluationStatus.SUBMITTED)
        .count()
    )
