"""Publicity, objections, approval, re-review and demonstration sites (docs/process.md
§2.1.4, §2.1.5, §2.4, §2.6).

One service per move of the campaign (through `campaigns._move`, i.e. the
`TRANSITIONS` table) and per step of an objection or a re-review; each runs in one
transaction, locks what it changes, records it through `starrating.audit` and refuses
with a `WorkflowError` whose message says why (nothing is changed then).

The end of the window is not an act of anyone: `end_publicity_if_due` moves a campaign
whose window has passed to awaiting approval. The pages that read a campaign call it
(`due_campaigns` for the lists), approving calls it first, and the management command
`end_publicity` runs it for cron; so no page ever shows a campaign in publicity after
its window, whether or not cron runs (docs/decisions.md D-2.1.4a).
"""

import datetime
import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from branches.permissions import (
    may_approve,
    may_handle_objections,
    may_mark_demonstration_sites,
    may_publish,
    may_rereview,
)
from scoring.models import (
    Approval,
    Assessment,
    Campaign,
    CampaignKind,
    CampaignStatus,
    Correction,
    DemonstrationSite,
    Objection,
    ObjectionState,
    Rating,
    ReReview,
    Review,
    ReviewStatus,
    StarCause,
)
from scoring.models.publicity import OBJECTION_MAX_CHARS
from starrating import audit, clock, uploads

from . import versions
from .campaigns import _move
from .errors import NotAllowed, WrongState
from .recompute import COMPLETE, completeness, inputs_changed_since_recompute
from .stars import (
    change_star,
    current_star,  # noqa: F401  (its former home: callers import it from here)
    current_stars,
    latest_changes,
)


def _locked(campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def _reason(text, message) -> str:
    text = (text or "").strip()
    if not text:
        raise WrongState(message)
    return text


def _document(uploaded, use) -> str:
    """The content type of an accepted PDF or image (`use`: objections or minutes); a
    refusal otherwise."""
    try:
        return uploads.check_upload(uploaded, use)
    except ValidationError as error:
        raise WrongState(" ".join(error.messages)) from None


def _store(stash, field, uploaded) -> None:
    try:
        stash.save(field, uploaded)
    except ValidationError as error:
        raise WrongState(" ".join(error.messages)) from None


# --- What blocks publishing or approval ---------------------------------------------------


def blockers(campaign: Campaign) -> list[str]:
    """Why the campaign's results may not be published or approved now, one line each:
    the enrolled branches still incomplete (by name), and a recompute still needed."""
    lines = []

    incomplete = (
        Assessment.objects.enrolled()
        .filter(campaign=campaign)
        .exclude(COMPLETE)
        .select_related("branch")
        .order_by("branch__code")
    )
    for assessment in incomplete:
        lines.append(_("%(branch)s is not complete.") % {"branch": assessment.branch.name})
    if not lines and needs_recompute(campaign):
        lines.append(_("The results must be recomputed first."))
    return lines


def needs_recompute(campaign: Campaign, *, figures=None) -> bool:
    """No recompute yet, the stored results count other branches, an input changed, or
    an objection was upheld since the last recompute (however the branch is corrected).
    `figures`: the campaign's `completeness`, when the caller has it already."""
    if campaign.recomputed_at is None:
        return True
    upheld_since = Objection.objects.filter(
        campaign=campaign, state=ObjectionState.UPHELD, handled_at__gt=campaign.recomputed_at
    ).exists()
    figures = figures or completeness(campaign)
    return upheld_since or figures.counted_fewer or inputs_changed_since_recompute(campaign)


# --- declaring → publicity -----------------------------------------------------------------


def publish_campaign(*, campaign, actor, contact_line=None) -> Campaign:
    """Staff publish the proposed list: the window opens now and lasts the campaign's
    publicity days. Refused while a branch is incomplete or the results need a recompute
    (the refusal lists what blocks it)."""
    if not may_publish(actor):
        raise NotAllowed(_("Only committee staff may publish the results."))
    with transaction.atomic():
        campaign = _locked(campaign)
        refusal = _("Only a campaign in declaration can be published.")
        if not campaign.may_move_to(CampaignStatus.PUBLICITY):
            raise WrongState(refusal)
        if not campaign.with_publicity:
            raise WrongState(
                _("This year-end re-rating goes without publicity: submit it for approval.")
            )
        blocking = blockers(campaign)
        if blocking:
            raise WrongState(_("The results cannot be published yet:") + "\n" + "\n".join(blocking))
        now = clock.now()
        campaign.publicity_start = now
        campaign.publicity_end = now + datetime.timedelta(days=campaign.publicity_days)
        if contact_line is not None:
            campaign.contact_line = contact_line.strip()
        _move(campaign, CampaignStatus.PUBLICITY, actor=actor, refusal=refusal)
    return campaign


def set_contact_line(*, campaign, actor, contact_line) -> Campaign:
    """Staff set the contact line of the public notice."""
    if not may_publish(actor):
        raise NotAllowed(_("Only committee staff may change the notice."))
    with transaction.atomic():
        campaign = _locked(campaign)
        campaign.contact_line = (contact_line or "").strip()[:200]
        audit.save(campaign, actor=actor, action="campaign.contact_changed")
    return campaign


# --- publicity → awaiting approval ---------------------------------------------------------


def end_publicity_if_due(campaign) -> Campaign:
    """Move the campaign to awaiting approval once its window has passed (no actor: the
    clock moves it). Safe to call on any campaign, any number of times."""
    if campaign.status != CampaignStatus.PUBLICITY or not campaign.publicity_over:
        return campaign
    with transaction.atomic():
        campaign = _locked(campaign)
        if campaign.status == CampaignStatus.PUBLICITY and campaign.publicity_over:
            _move(
                campaign,
                CampaignStatus.AWAITING_APPROVAL,
                actor=None,
                refusal=_("The publicity has already ended."),
            )
    return campaign


def end_due_publicity() -> list[Campaign]:
    """End every window that has passed (the management command, the lists)."""
    due = Campaign.objects.filter(status=CampaignStatus.PUBLICITY, publicity_end__lte=clock.now())
    return [end_publicity_if_due(campaign) for campaign in due]


# --- Objections -----------------------------------------------------------------------------


def file_objection(*, assessment, text, name="", phone="", attachment=None) -> Objection:
    """Anyone files an objection to one branch during the window (no login: the public
    page adds its throttle and honeypot). Returns the objection; show the filer its
    receipt number alone."""
    text = (text or "").strip()
    if not text:
        raise WrongState(_("Write the objection."))
    if len(text) > OBJECTION_MAX_CHARS:
        raise WrongState(
            _("The objection may be at most %(n)d characters long.") % {"n": OBJECTION_MAX_CHARS}
        )
    content_type = _document(attachment, uploads.OBJECTIONS) if attachment else ""
    assessment = Assessment.objects.select_related("campaign").get(pk=assessment.pk)
    end_publicity_if_due(assessment.campaign)  # kept even when the objection is refused
    with uploads.storing() as stash, transaction.atomic():
        campaign = _locked(assessment.campaign)
        # The window may close while this waits for the lock: the moment of filing
        # decides, not whether the end has been recorded yet.
        filed_at = clock.now()
        if campaign.status != CampaignStatus.PUBLICITY or filed_at >= campaign.publicity_end:
            raise WrongState(_("The publicity period is over: objections are no longer accepted."))
        if assessment.is_withdrawn:
            raise WrongState(_("This branch does not take part in the campaign."))
        objection = Objection(
            campaign=campaign,
            assessment=assessment,
            text=text,
            name=(name or "").strip()[:50],
            phone=(phone or "").strip()[:30],
            filed_at=filed_at,
            attachment_type=content_type,
        )
        if attachment:
            _store(stash, objection.attachment, attachment)
        audit.save(objection, actor=None, action="objection.filed")
    return objection


def objections_for_staff(campaign):
    """Every objection of the campaign: open ones first, named ones first among them
    (local practice), then the oldest."""
    from django.db.models import Case, IntegerField, Value, When

    return (
        Objection.objects.filter(campaign=campaign)
        .select_related("assessment__branch__parent", "handled_by")
        .annotate(
            open_first=Case(When(state=ObjectionState.OPEN, then=Value(0)), default=Value(1)),
            named_first=Case(
                When(~Q(name="") | ~Q(phone=""), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("open_first", "named_first", "filed_at", "pk")
    )


def _locked_open_objection(objection, actor) -> Objection:
    if not may_handle_objections(actor):
        raise NotAllowed(_("Only committee staff may handle objections."))
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if not objection.is_open:
        raise WrongState(_("This objection has already been decided."))
    return objection


def record_verification(*, objection, actor, notes) -> Objection:
    """Staff record what they verified (before deciding)."""
    notes = _reason(notes, _("Write what was verified."))
    with transaction.atomic():
        objection = _locked_open_objection(objection, actor)
        objection.verification = notes
        audit.save(objection, actor=actor, action="objection.verified")
    return objection


def _decide(objection, actor, state, reason, notes, action) -> Objection:
    objection.state = state
    objection.outcome_reason = reason
    if notes is not None and notes.strip():
        objection.verification = notes.strip()
    objection.handled_by = actor
    objection.handled_at = clock.now()
    audit.save(objection, actor=actor, action=action)
    return objection


def dismiss_objection(*, objection, actor, reason, notes=None) -> Objection:
    """Staff dismiss an objection, with a reason."""
    reason = _reason(reason, _("Give the reason for dismissing the objection."))
    with transaction.atomic():
        objection = _locked_open_objection(objection, actor)
        return _decide(
            objection, actor, ObjectionState.DISMISSED, reason, notes, "objection.dismissed"
        )


def uphold_objection(*, objection, actor, reason, notes=None, return_review=True) -> Objection:
    """Staff uphold an objection: the branch is reopened. With `return_review` its review
    goes back to the reviewer (who may submit it again during publicity or while awaiting
    approval); otherwise staff correct its events. Either way the results must then be
    recomputed before approval (`needs_recompute`)."""
    reason = _reason(reason, _("Give the reason for upholding the objection."))
    with transaction.atomic():
        objection = _locked_open_objection(objection, actor)
        campaign = _locked(objection.campaign)
        if campaign.status not in (CampaignStatus.PUBLICITY, CampaignStatus.AWAITING_APPROVAL):
            raise WrongState(_("Objections are decided during publicity or before approval."))
        objection.correction = Correction.REVIEW if return_review else Correction.EVENTS
        _decide(objection, actor, ObjectionState.UPHELD, reason, notes, "objection.upheld")
        if return_review:
            review = (
                Review.objects.select_for_update()
                .filter(assessment_id=objection.assessment_id)
                .first()
            )
            if review is not None and review.status == ReviewStatus.SUBMITTED:
                audit.stamp(review, actor=actor, action="review.returned")
                versions.bump(review)
                review.status = ReviewStatus.RETURNED
                review.return_reason = reason
                review.save()
    return objection


def reopened(assessment) -> bool:
    """An upheld objection reopened this branch: its review may be submitted again after
    declaration (`scoring.services.reviews`)."""
    return Objection.objects.filter(assessment=assessment, state=ObjectionState.UPHELD).exists()


def revised_on(campaign) -> dict[int, datetime.datetime]:
    """{assessment id: when the last upheld objection revised it} (the public page)."""
    found = {}
    for assessment_id, at in Objection.objects.filter(
        campaign=campaign, state=ObjectionState.UPHELD
    ).values_list("assessment_id", "handled_at"):
        if at and (assessment_id not in found or at > found[assessment_id]):
            found[assessment_id] = at
    return found


def notice_rows(campaign) -> list[dict]:
    """The public notice's list (the page and its PDF): every enrolled branch by code with
    its parent, proposed star and, once an upheld objection revised it, that moment. No
    scores, no traces."""
    revised = revised_on(campaign)
    ratings = (
        Rating.objects.filter(assessment__campaign=campaign, assessment__withdrawn_at__isnull=True)
        .select_related("assessment__branch__parent")
        .order_by("assessment__branch__code")
    )
    return [
        {
            "branch": r.assessment.branch.name,
            "parent": r.assessment.branch.parent.name if r.assessment.branch.parent_id else "",
            "star": r.star,
            "revised": revised.get(r.assessment_id),
        }
        for r in ratings
    ]


# --- awaiting approval → approved ----------------------------------------------------------


def approved_rows(campaign) -> list[dict]:
    """The list as approved: one row per enrolled branch, by branch code."""
    ratings = (
        Rating.objects.filter(assessment__campaign=campaign, assessment__withdrawn_at__isnull=True)
        .select_related("assessment__branch__parent")
        .order_by("assessment__branch__code")
    )
    return [
        {
            "code": r.assessment.branch.code,
            "branch": r.assessment.branch.name,
            "parent": r.assessment.branch.parent.name if r.assessment.branch.parent else "",
            "score": str(r.score),
            "star": r.star,
        }
        for r in ratings
    ]


def canonical(campaign, rows, *, meeting_date, reference) -> str:
    """The approved list as canonical JSON: sorted keys, no spaces, UTF-8 text."""
    document = {
        "campaign": campaign.pk,
        "title": campaign.title,
        "year": campaign.year,
        "meeting_date": meeting_date.isoformat(),
        "reference": reference,
        "branches": rows,
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def approved_list_rows(approval) -> list[dict]:
    """The frozen list's rows, as the approved-list page shows them."""
    return json.loads(approval.snapshot)["branches"]


def approve_campaign(*, campaign, actor, meeting_date, reference, minutes=None) -> Approval:
    """The approver records the committee's decision: the campaign becomes approved,
    every branch's current star changes with a history entry, and the list is frozen.
    A year-end re-rating changes only the stars that move (晋星减星, docs/process.md §2.5):
    a branch whose star stays gets no entry.

    Refused before the window ends, while an objection is open, and while a branch is
    incomplete or the results need a recompute (after an upheld objection)."""
    if not may_approve(actor):
        raise NotAllowed(_("Only the committee's approver may record the approval."))
    reference = _reason(reference, _("Give the reference number of the decision."))[:100]
    if not isinstance(meeting_date, datetime.date):
        raise WrongState(_("Give the date of the committee meeting."))
    if meeting_date > clock.today():
        raise WrongState(_("The meeting date lies in the future."))
    content_type = _document(minutes, uploads.MINUTES) if minutes else ""
    end_publicity_if_due(campaign)
    with uploads.storing() as stash, transaction.atomic():
        campaign = _locked(campaign)
        if campaign.status == CampaignStatus.PUBLICITY:
            raise WrongState(_("The publicity period has not ended yet."))
        refusal = _("Only a campaign awaiting approval can be approved.")
        if not campaign.may_move_to(CampaignStatus.APPROVED):
            raise WrongState(refusal)
        if Objection.objects.filter(campaign=campaign, state=ObjectionState.OPEN).exists():
            raise WrongState(_("An objection is still open: decide it first."))
        blocking = blockers(campaign)
        if blocking:
            raise WrongState(_("The results cannot be approved yet:") + "\n" + "\n".join(blocking))
        rows = approved_rows(campaign)
        text = canonical(campaign, rows, meeting_date=meeting_date, reference=reference)
        approval = Approval(
            campaign=campaign,
            meeting_date=meeting_date,
            reference=reference,
            recorded_by=actor,
            recorded_at=clock.now(),
            snapshot=text,
            digest=digest_of(text),
            minutes_type=content_type,
        )
        if minutes:
            _store(stash, approval.minutes, minutes)
        audit.save(approval, actor=actor, action="approval.recorded")
        branches = {
            a.branch.code: a.branch
            for a in Assessment.objects.enrolled()
            .filter(campaign=campaign)
            .select_related("branch")
        }
        now = current_stars(b.pk for b in branches.values())
        moved_only = campaign.kind == CampaignKind.YEAR_END
        for row in rows:
            branch = branches[row["code"]]
            if moved_only and now[branch.pk] == row["star"]:
                continue
            change_star(
                branch,
                to=row["star"],
                cause=StarCause.APPROVAL,
                actor=actor,
                campaign=campaign,
                reason=reference,
                effective=meeting_date,
                from_star=now[branch.pk],
            )
        _move(campaign, CampaignStatus.APPROVED, actor=actor, refusal=refusal)
    return approval


class DigestCheck:
    """The outcome of `check_approved`: the stored list matches its digest (`intact`),
    and the list built again from the stored ratings matches it (`current`)."""

    def __init__(self, approval, intact, current):
        self.approval, self.intact, self.current = approval, intact, current

    @property
    def ok(self):
        return self.intact and self.current


def check_approved(campaign) -> DigestCheck:
    """Recompute the approved list's digest; say whether it still matches."""
    try:
        approval = Approval.objects.get(campaign=campaign)
    except Approval.DoesNotExist:
        raise WrongState(_("This campaign has not been approved.")) from None
    intact = digest_of(approval.snapshot) == approval.digest
    rebuilt = canonical(
        campaign,
        approved_rows(campaign),
        meeting_date=approval.meeting_date,
        reference=approval.reference,
    )
    return DigestCheck(approval, intact, digest_of(rebuilt) == approval.digest)


# --- Re-review; approved → closed ----------------------------------------------------------


def five_star_results(campaign):
    """The approved list's five-star rows' assessments (what the re-reviewer decides)."""
    approval = Approval.objects.get(campaign=campaign)
    codes = [row["code"] for row in json.loads(approval.snapshot)["branches"] if row["star"] == 5]
    return (
        Assessment.objects.filter(campaign=campaign, branch__code__in=codes)
        .select_related("branch__parent")
        .order_by("branch__code")
    )


def rereviews_waiting(campaign=None):
    """The approved five-star assessments not yet re-reviewed (the re-reviewer's to-do)."""
    campaigns = Campaign.objects.filter(status=CampaignStatus.APPROVED)
    if campaign is not None:
        campaigns = campaigns.filter(pk=campaign.pk)
    found = []
    for each in campaigns:
        found.extend(a for a in five_star_results(each) if not hasattr(a, "rereview"))
    return found


def rereview(*, assessment, actor, confirmed, star=None, reason="") -> ReReview:
    """The municipal re-reviewer confirms an approved five-star result, or does not, with
    a reason and the star set (at most four), kept in the branch's star history. The
    campaign is closed once every five-star result is re-reviewed."""
    if not may_rereview(actor):
        raise NotAllowed(_("Only the municipal re-reviewer may re-review five-star results."))
    reason = (reason or "").strip()
    if not confirmed:
        reason = _reason(reason, _("Give the reason why the five stars are not confirmed."))
        if star is None or not 0 <= int(star) <= 4:
            raise WrongState(_("Choose the star the branch gets: at most four."))
        star = int(star)
    else:
        star = None
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        campaign = _locked(assessment.campaign)
        if campaign.status != CampaignStatus.APPROVED:
            raise WrongState(_("Only the results of an approved campaign are re-reviewed."))
        if assessment.pk not in {a.pk for a in five_star_results(campaign)}:
            raise WrongState(_("Only an approved five-star result is re-reviewed."))
        if ReReview.objects.filter(assessment=assessment).exists():
            raise WrongState(_("This result has already been re-reviewed."))
        decision = ReReview(
            assessment=assessment,
            confirmed=bool(confirmed),
            star=star,
            reason=reason,
            by=actor,
            at=clock.now(),
        )
        action = "rereview.confirmed" if confirmed else "rereview.declined"
        audit.save(decision, actor=actor, action=action)
        if not confirmed:
            change_star(
                assessment.branch,
                to=star,
                cause=StarCause.REREVIEW,
                actor=actor,
                campaign=campaign,
                reason=reason,
            )
        if not rereviews_waiting(campaign):
            _move(
                campaign,
                CampaignStatus.CLOSED,
                actor=actor,
                refusal=_("Only an approved campaign can be closed."),
            )
    return decision


# --- Officially five-star; demonstration sites (docs/process.md §2.4) ----------------------


def officially_five_star(campaign):
    """The campaign's officially five-star assessments, by branch code: five stars in the
    approved list AND confirmed by the municipal re-review (a declined re-review, or one
    still waiting, is not five-star). Empty before approval. The certificates and the
    demonstration sites read this and nothing else."""
    approval = Approval.objects.filter(campaign=campaign).first()
    if approval is None:
        return Assessment.objects.none()
    codes = [row["code"] for row in approved_list_rows(approval) if row["star"] == 5]
    return (
        Assessment.objects.filter(
            campaign=campaign, branch__code__in=codes, rereview__confirmed=True
        )
        .select_related("branch__parent", "rereview")
        .order_by("branch__code")
    )


def five_star_refusal(campaign, branch=None) -> str | None:
    """Why `branch` is not officially five-star in `campaign` (translated), or None when
    it is: not approved yet, not five stars in the approved list, waiting for its
    re-review, or not confirmed by it. Without a branch: why the campaign has no
    officially five-star branch at all, or None when it has one."""
    approval = Approval.objects.filter(campaign=campaign).first()
    if approval is None:
        return _("The campaign has not been approved yet: no branch is officially five-star.")
    if branch is None:
        if officially_five_star(campaign).exists():
            return None
        return _("No branch of the campaign is officially five-star yet.")
    row = next((r for r in approved_list_rows(approval) if r["code"] == branch.code), None)
    names = {"branch": branch.name}
    if row is None or row["star"] != 5:
        return _("%(branch)s is not a five-star branch in the approved list.") % names
    decision = ReReview.objects.filter(
        assessment__campaign=campaign, assessment__branch=branch
    ).first()
    if decision is None:
        return _("The five stars of %(branch)s still wait for the municipal re-review.") % names
    if not decision.confirmed:
        return _("The municipal re-review did not confirm the five stars of %(branch)s.") % names
    return None


def mark_demonstration_site(*, assessment, actor, reason) -> DemonstrationSite:
    """Staff mark an officially five-star branch as a demonstration site (示范点) of its
    campaign's year, with a reason. Refused for any other branch and for one already
    marked in that campaign."""
    if not may_mark_demonstration_sites(actor):
        raise NotAllowed(_("Only committee staff may mark demonstration sites."))
    reason = _reason(reason, _("Give the reason for marking the demonstration site."))
    with transaction.atomic():
        assessment = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("branch", "campaign")
            .get(pk=assessment.pk)
        )
        refusal = five_star_refusal(assessment.campaign, assessment.branch)
        if refusal:
            raise WrongState(
                _("Only an officially five-star branch can be a demonstration site.")
                + " "
                + refusal
            )
        if DemonstrationSite.objects.filter(
            assessment=assessment, unmarked_at__isnull=True
        ).exists():
            raise WrongState(
                _("%(branch)s is already a demonstration site of this campaign.")
                % {"branch": assessment.branch.name}
            )
        site = DemonstrationSite(
            assessment=assessment, reason=reason, marked_by=actor, marked_at=clock.now()
        )
        audit.save(site, actor=actor, action="demonstration_site.marked")
    return site


def unmark_demonstration_site(*, site, actor, reason) -> DemonstrationSite:
    """Staff unmark a demonstration site, with a reason; the row stays, with who and when."""
    if not may_mark_demonstration_sites(actor):
        raise NotAllowed(_("Only committee staff may unmark demonstration sites."))
    reason = _reason(reason, _("Give the reason for unmarking the demonstration site."))
    with transaction.atomic():
        site = DemonstrationSite.objects.select_for_update().get(pk=site.pk)
        if not site.is_current:
            raise WrongState(_("This demonstration site has already been unmarked."))
        site.unmarked_reason = reason
        site.unmarked_by = actor
        site.unmarked_at = clock.now()
        audit.save(site, actor=actor, action="demonstration_site.unmarked")
    return site


def demonstration_sites():
    """The current demonstration sites, newest year first, then by branch code (the
    list page)."""
    return (
        DemonstrationSite.objects.filter(unmarked_at__isnull=True)
        .select_related("assessment__branch__parent", "assessment__campaign", "marked_by")
        .order_by(
            "-assessment__campaign__year", "assessment__campaign_id", "assessment__branch__code"
        )
    )


def demonstration_site_candidates():
    """Officially five-star assessments of every approved or closed campaign not marked
    now (the staff's mark form), newest year first. A confirmed re-review exists only for
    an approved five-star row (`rereview` checks it), so this is `officially_five_star`
    over every campaign at once."""
    return (
        Assessment.objects.filter(
            campaign__status__in=(CampaignStatus.APPROVED, CampaignStatus.CLOSED),
            rereview__confirmed=True,
        )
        .exclude(
            pk__in=DemonstrationSite.objects.filter(unmarked_at__isnull=True).values(
                "assessment_id"
            )
        )
        .select_related("branch__parent", "campaign")
        .order_by("-campaign__year", "campaign_id", "branch__code")
    )


# --- Selectors of the home page's to-dos (starrating/todos.py) -----------------------------


#: Published and not yet approved: objections are handled, a reopened branch corrected.
PUBLISHED = (CampaignStatus.PUBLICITY, CampaignStatus.AWAITING_APPROVAL)


def objections_to_handle() -> list[tuple[Campaign, int, int]]:
    """(campaign, open objections, of which named) for every published campaign with an
    objection open; one query."""
    open_ = Q(objections__state=ObjectionState.OPEN)
    named = open_ & (~Q(objections__name="") | ~Q(objections__phone=""))
    campaigns = (
        Campaign.objects.filter(status__in=PUBLISHED)
        .annotate(
            open_count=Count("objections", filter=open_),
            named_count=Count("objections", filter=named),
        )
        .filter(open_count__gt=0)
        .order_by("publicity_start", "pk")
    )
    return [(c, c.open_count, c.named_count) for c in campaigns]


def in_publicity() -> list[Campaign]:
    """Campaigns whose public notice is running, the window's end first (staff's to-do,
    with the days left until the end)."""
    return list(
        Campaign.objects.filter(status=CampaignStatus.PUBLICITY)
        .defer("quota_report")
        .order_by("publicity_end", "pk")
    )


def recompute_after_objection() -> list[Campaign]:
    """Published campaigns of which an objection was upheld and whose results must now be
    recomputed (staff's to-do)."""
    campaigns = Campaign.objects.filter(
        status__in=PUBLISHED, objections__state=ObjectionState.UPHELD
    ).distinct()
    return [c for c in campaigns.order_by("pk") if needs_recompute(c)]


def approvals_waiting() -> list[tuple[Campaign, list[str]]]:
    """(campaign, why it cannot be approved yet) for every campaign awaiting approval: an
    empty list when the approver may record the decision now (the approver's to-do)."""
    campaigns = (
        Campaign.objects.filter(status=CampaignStatus.AWAITING_APPROVAL)
        .annotate(open_count=Count("objections", filter=Q(objections__state=ObjectionState.OPEN)))
        .order_by("publicity_end", "pk")
    )
    found = []
    for campaign in campaigns:
        why = []
        if campaign.open_count:
            why.append(
                ngettext(
                    "%(n)d objection is still open.",
                    "%(n)d objections are still open.",
                    campaign.open_count,
                )
                % {"n": campaign.open_count}
            )
        why.extend(blockers(campaign))
        found.append((campaign, why))
    return found


class BranchStars:
    """A branch's stars for its secretary's home page (docs/process.md §2.6): the star
    proposed in a published campaign not yet approved (`proposed`: its `Rating`, with the
    campaign), and the official current star (`current`: the latest `StarChange`)."""

    def __init__(self, branch, proposed=None, current=None):
        self.branch, self.proposed, self.current = branch, proposed, current


def stars_of(branches) -> list[BranchStars]:
    """`BranchStars` of each of `branches`, in their order; two queries whatever their
    number."""
    branches = list(branches)
    ids = [b.pk for b in branches]
    proposed = {
        r.assessment.branch_id: r
        for r in Rating.objects.filter(
            assessment__branch_id__in=ids,
            assessment__campaign__status__in=PUBLISHED,
            assessment__withdrawn_at__isnull=True,
        )
        .select_related("assessment__campaign")
        .order_by("assessment__campaign__publicity_start")
    }
    current = latest_changes(ids)
    return [BranchStars(b, proposed.get(b.pk), current.get(b.pk)) for b in branches]
