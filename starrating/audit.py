"""Audit records: every state change is saved with who did it and a dotted action code.

The history itself is django-simple-history's (one historical table per audited model).
Services never set its private attributes by hand; they call `save()` or `delete()`
here with an action code from `ACTIONS`, e.g.::

    audit.save(review, actor=actor, action="review.submitted")

The code is stored in `history_change_reason`, so the trail can be queried
(`Review.history.filter(history_change_reason="review.submitted")`), and `label()`
translates it for readers. Codes are checked when written: an unknown code is a
programming error, not a silent free-text reason. The time is `starrating.clock.now()`.
"""

from django.utils.translation import gettext_lazy as _

from starrating import clock

ACTIONS = {
    # campaigns
    "campaign.created": _("Campaign created"),
    "campaign.policy_changed": _("Policy changed"),
    "campaign.rubric_edited": _("Rubric edited"),
    "campaign.opened": _("Declaration opened"),
    # the next stage's moves of scoring.models.campaign.TRANSITIONS
    "campaign.published": _("Publicity started"),
    "campaign.publicity_ended": _("Publicity ended"),
    "campaign.approved": _("Approved by the work committee"),
    "campaign.closed": _("Campaign completed"),
    "campaign.recomputed": _("Scores and stars recomputed"),
    "campaign.contact_changed": _("Contact for objections changed"),
    "assessment.enrolled": _("Branch enrolled"),
    "assessment.withdrawn": _("Branch withdrawn from the campaign"),
    "assessment.reinstated": _("Branch reinstated in the campaign"),
    "assessment.election_refreshed": _("Election status refreshed"),
    # self-evaluation
    "self_evaluation.created": _("Self-evaluation started"),
    "self_evaluation.draft_saved": _("Self-evaluation draft saved"),
    "self_evaluation.submitted": _("Self-evaluation submitted"),
    "self_evaluation.returned": _("Self-evaluation returned for rework"),
    "self_evaluation.deadline_extended": _("Deadline extended"),
    "self_evaluation.score_saved": _("Score saved"),
    "evidence.added": _("Evidence added"),
    "evidence.removed": _("Evidence removed"),
    # survey (never slips or ballots: docs/survey.md §2.1.2)
    "survey.opened": _("Survey opened"),
    "survey.slips_issued": _("Public slips issued"),
    "survey.slips_reissued": _("Unused slips reissued"),
    "survey.closed": _("Survey closed"),
    "survey.closed_below_minimum": _("Survey closed below 80 % participation"),
    # review
    "review.started": _("Review started"),
    "review.draft_saved": _("Review draft saved"),
    "review.submitted": _("Review submitted"),
    "review.returned": _("Review returned to the reviewer"),
    "review.audit_agreed": _("Five-star proposal agreed"),
    "review.audit_sent_back": _("Five-star proposal sent back"),
    # second reviews (docs/process.md §2.1.3)
    "second_review.drawn": _("Drawn for a second review"),
    "second_review.picked": _("Picked for a second review"),
    "second_review.assigned": _("Second reviewer assigned"),
    "second_review.removed": _("Taken out of the second-review sample"),
    "second_review.draft_saved": _("Second review draft saved"),
    "second_review.submitted": _("Second review submitted"),
    "second_review.used": _("Decision: the rating uses the second review"),
    "second_review.kept_first": _("Decision: the rating keeps the first review"),
    # events
    "event.recorded": _("Event recorded"),
    "event.edited": _("Event edited"),
    "event.deleted": _("Event deleted"),
    # publicity, approval, re-review (docs/process.md §2.1.4, §2.1.5)
    "objection.filed": _("Objection filed"),
    "objection.verified": _("Objection verification recorded"),
    "objection.dismissed": _("Objection dismissed"),
    "objection.upheld": _("Objection upheld: the branch is reopened"),
    "approval.recorded": _("Committee decision recorded"),
    "rereview.confirmed": _("Five stars confirmed by re-review"),
    "rereview.declined": _("Five stars not confirmed by re-review"),
    # the use of results (docs/process.md §2.4)
    "demonstration_site.marked": _("Marked as a demonstration site"),
    "demonstration_site.unmarked": _("Demonstration site unmarked"),
    # a branch's current star (docs/process.md §2.3, §2.6) and the year-end re-rating
    "star.approved": _("Star set by the committee's approval"),
    "star.rereviewed": _("Star set by the re-review"),
    "star.downgraded": _("Star downgraded"),
    "star.restored": _("Star restored"),
    "campaign.submitted": _("Submitted for approval without publicity"),
    # improvement plans and the rectification ledger (docs/process.md §2.2)
    "plan.created": _("Improvement plan started"),
    "plan.edited": _("Improvement plan edited"),
    "plan.filed": _("Improvement plan filed"),
    "plan.acknowledged": _("Improvement plan acknowledged"),
    "plan.returned": _("Improvement plan returned"),
    "ledger.item_added": _("Rectification item added"),
    "ledger.item_edited": _("Rectification item edited"),
    "ledger.item_closed": _("Rectification item closed"),
    "ledger.item_reopened": _("Rectification item reopened"),
    # reminder e-mails (docs/process.md §2.5, Reminders)
    "reminders.opted_in": _("Reminder e-mails turned on"),
    "reminders.opted_out": _("Reminder e-mails turned off"),
    # the roster
    "roster.imported": _("Roster imported"),
    # demo data
    "demo.loaded": _("Demo data"),
}


class UnknownAction(KeyError):
    """A service used an action code that `ACTIONS` does not list."""


def check(action: str) -> str:
    if action not in ACTIONS:
        raise UnknownAction(action)
    return action


def stamp(instance, *, actor, action: str) -> None:
    """Attach who, what and when to `instance` for the history row its next save writes."""
    reason = check(action)
    instance._history_user = actor
    instance._change_reason = reason
    instance._history_date = clock.now()


def save(instance, *, actor, action: str, **save_kwargs) -> None:
    """Save `instance`, recording `actor` and `action` in its history."""
    stamp(instance, actor=actor, action=action)
    instance.save(**save_kwargs)


def delete(instance, *, actor, action: str) -> None:
    """Delete `instance`, recording `actor` and `action` in its history."""
    stamp(instance, actor=actor, action=action)
    instance.delete()


def bulk_options(*, actor, action: str) -> dict:
    """Keyword arguments for simple_history's `bulk_create_with_history` and
    `bulk_update_with_history`, so bulk writes are recorded the same way."""
    return {
        "default_user": actor,
        "default_change_reason": check(action),
        "default_date": clock.now(),
    }


def label(code: str | None) -> str:
    """A reader's label for a stored action code; an unknown (older) code is shown as is."""
    if not code:
        return ""
    return str(ACTIONS.get(code, code))
