"""Self-evaluation workflow (docs/process.md §2.1.1): draft → submitted → (returned → submitted).

The secretary of the branch edits and submits before the deadline (the campaign's, or a
staff extension); the branch's reviewer (or staff where staff review) may return it.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from branches.models import Role
from branches.permissions import is_secretary_of, may_review, roles_of
from scoring.models import (
    CampaignStatus,
    Evidence,
    SelfEvaluation,
    SelfEvaluationStatus,
    SelfScore,
)
from scoring.uploads import check_upload
from starrating.inputs import parse_decimal, parse_int
from starrating.todos import Todo

from . import versions
from .errors import (
    DeadlinePassed,
    IncompleteSheet,
    InvalidScore,
    InvalidUpload,
    NotAllowed,
    WrongState,
)

CENT = Decimal("0.01")


def _lock(sheet) -> SelfEvaluation:
    return (
        SelfEvaluation.objects.select_for_update()
        .select_related("assessment__campaign", "assessment__branch")
        .get(pk=sheet.pk)
    )


def _check_editable(sheet, actor):
    """The secretary of the branch, an editable sheet, an open campaign, before the deadline."""
    assessment = sheet.assessment
    if not is_secretary_of(actor, assessment.branch):
        raise NotAllowed(_("Only the secretary of the branch may edit its self-evaluation."))
    if assessment.campaign.status != CampaignStatus.OPEN:
        raise WrongState(_("The campaign is not open for declaration."))
    if sheet.status == SelfEvaluationStatus.SUBMITTED:
        raise WrongState(_("The self-evaluation has already been submitted."))
    if timezone.localdate() > sheet.deadline:
        raise DeadlinePassed(
            _("The deadline (%(date)s) has passed; ask committee staff for an extension.")
            % {"date": sheet.deadline.isoformat()}
        )


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
    total = sum((s.score for s in sheet.scores.all()), Decimal(0))
    sheet.total = total.quantize(CENT, rounding=ROUND_HALF_UP)


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
                    row._history_user = actor
                    row._history_date = stamp
                    row.delete()
                continue
            if row is None:
                row = SelfScore(self_evaluation=sheet, criterion_id=criterion_id)
            elif row.score == score and row.remark == remark:
                continue
            row.score, row.remark = score, remark
            row._history_user = actor
            row._history_date = stamp
            row._change_reason = gettext_noop("self-evaluation saved")
            row.save()
        sheet.self_star = star
        _sync_total(sheet)
        sheet._history_user = actor
        sheet._change_reason = gettext_noop("draft saved")
        sheet.save()
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
            versions.bump(sheet)
        criteria = list(sheet.assessment.campaign.criteria.all())
        scored = {s.criterion_id: s for s in sheet.scores.all()}
        missing = [c.title for c in criteria if c.pk not in scored]
        if missing:
            raise IncompleteSheet(
                _("Score every criterion before submitting; missing: %(list)s")
                % {"list": "、".join(missing)}
            )
        for criterion in criteria:
            parse_score(scored[criterion.pk].score, criterion)
        if sheet.self_star is None:
            raise IncompleteSheet(_("Place the branch at a star before submitting."))
        _sync_total(sheet)
        sheet.status = SelfEvaluationStatus.SUBMITTED
        sheet.submitted_at = timezone.now()
        sheet.submitted_by = actor
        sheet._history_user = actor
        sheet._change_reason = gettext_noop("submitted")
        sheet.save()
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
        if not may_review(actor, sheet.assessment.branch):
            raise NotAllowed(_("Only the branch's reviewer may return its self-evaluation."))
        if sheet.status != SelfEvaluationStatus.SUBMITTED:
            raise WrongState(_("Only a submitted self-evaluation can be returned."))
        versions.check_version(sheet, version, actor=actor, editing=False)
        versions.bump(sheet)
        sheet.status = SelfEvaluationStatus.RETURNED
        sheet.return_reason = reason
        sheet._history_user = actor
        sheet._change_reason = gettext_noop("returned")
        sheet.save()
    return sheet


def add_evidence(*, sheet, actor, uploaded_file) -> Evidence:
    """Attach a file (checked by content and size) while the sheet is editable."""
    try:
        content_type = check_upload(uploaded_file)
    except ValidationError as error:
        raise InvalidUpload(" ".join(error.messages)) from None
    with transaction.atomic():
        sheet = _lock(sheet)
        _check_editable(sheet, actor)
        evidence = Evidence(
            self_evaluation=sheet,
            original_name=(uploaded_file.name or "")[-200:],
            content_type=content_type,
            size=uploaded_file.size,
            uploaded_by=actor,
        )
        evidence.file.save(uploaded_file.name, uploaded_file, save=False)
        evidence._history_user = actor
        evidence._change_reason = gettext_noop("evidence added")
        evidence.save()
    return evidence


def remove_evidence(*, evidence, actor) -> None:
    """Delete a file from an editable sheet (the stored file goes once committed)."""
    with transaction.atomic():
        sheet = _lock(evidence.self_evaluation)
        _check_editable(sheet, actor)
        evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
        stored = evidence.file
        evidence._history_user = actor
        evidence._change_reason = gettext_noop("evidence removed")
        evidence.delete()
        name, storage = stored.name, stored.storage
        transaction.on_commit(lambda: storage.delete(name))


def todos(user) -> list[Todo]:
    """Secretary: fill in / submit the self-evaluation; returned sheets with the reason."""
    branch_ids = roles_of(user).get(Role.SECRETARY)
    if not branch_ids:
        return []
    sheets = (
        SelfEvaluation.objects.filter(
            assessment__branch_id__in=branch_ids,
            assessment__campaign__status=CampaignStatus.OPEN,
        )
        .exclude(status=SelfEvaluationStatus.SUBMITTED)
        .select_related("assessment__branch", "assessment__campaign")
    )
    items = []
    for sheet in sheets:
        url = reverse("scoring:self_evaluation", args=[sheet.assessment_id])
        if sheet.status == SelfEvaluationStatus.RETURNED:
            title = _("Rework the returned self-evaluation of %(branch)s")
            detail = sheet.return_reason
        else:
            title = _("Fill in and submit the self-evaluation of %(branch)s")
            detail = _("Deadline: %(date)s") % {"date": sheet.deadline.isoformat()}
        items.append(
            Todo(
                role=Role.SECRETARY,
                title=title % {"branch": sheet.assessment.branch.name},
                url=url,
                detail=detail,
            )
        )
    return items
