"""The branch's audit trail covers the review and the survey, in readers' terms."""

from django.utils import translation

from scoring.services import reviews
from scoring.services.audit_trail import audit_trail
from starrating import audit


def _scores(assessment, value):
    return {c.pk: str(value) for c in assessment.campaign.criteria.all()}


def test_the_audit_trail_records_the_review_with_who_and_what(ready, tree):
    tree.reviewer.first_name, tree.reviewer.last_name = "明", "王"
    tree.reviewer.save()
    reviews.save_review_draft(assessment=ready, actor=tree.reviewer, scores=_scores(ready, 8))
    reviews.submit_review(assessment=ready, actor=tree.reviewer, scores=_scores(ready, 9))

    with translation.override("en"):
        entries = audit_trail(ready)

    review_entries = [e for e in entries if e["what"] == "Review"]
    # The trail shows the action's code or its label: either reads as the label.
    assert [audit.label(e["reason"]) for e in review_entries if e["action"] == "~"] == [
        audit.label("review.submitted"),
        audit.label("review.draft_saved"),
    ]
    assert all(e["who"] == tree.reviewer for e in review_entries)
    submitted = {c["field"]: c for c in review_entries[0]["changes"]}
    totals = [c for c in submitted.values() if c["new"] == "90.00"]
    assert totals and totals[0]["old"] == "80.00"
    score_entries = [e for e in entries if e["what"].startswith("Review score")]
    assert len(score_entries) == 2 * ready.campaign.criteria.count()


def test_the_audit_trail_shows_people_by_name_and_times_in_local_time(ready, tree):
    tree.reviewer.first_name, tree.reviewer.last_name = "明", "王"
    tree.reviewer.save()
    reviews.submit_review(assessment=ready, actor=tree.reviewer, scores=_scores(ready, 9))

    entries = audit_trail(ready)
    started = next(e for e in entries if audit.label(e["reason"]) == audit.label("review.started"))
    assert "王明" in {c["new"] for c in started["changes"]}  # the reviewer, not a user id
    submitted = next(
        e for e in entries if audit.label(e["reason"]) == audit.label("review.submitted")
    )
    submitted_at = [c["new"] for c in submitted["changes"] if c["old"] == "—"]
    assert submitted_at and all("+00:00" not in value for value in submitted_at)
