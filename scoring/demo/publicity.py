"""Last year's campaign after its recompute, through the real services on last year's
dates: published for a week, one objection dismissed and one upheld with the review
returned (re-submitted by the reviewer and recomputed), the window ended by the clock,
the committee's approval with its minutes (a PDF made by WeasyPrint), and the municipal
re-review of the five-star results (one not confirmed), which closes the campaign."""

import datetime
from collections import Counter

from django.core.files.uploadedfile import SimpleUploadedFile

from scoring.exporters.pdf import render_pdf
from scoring.models import AuditStatus, Rating
from scoring.services import publicity, reviews
from scoring.services.recompute import recompute_campaign

from .accounts import DemoUsers, reviewer_of
from .data import (
    APPROVAL_REFERENCE,
    COMMITTEE_NAME,
    DISMISSED_OBJECTION,
    DISMISSED_REASON,
    DISMISSED_VERIFICATION,
    MINUTES_TITLE,
    PUBLICITY_CONTACT,
    REREVIEW_DECLINED_REASON,
    UPHELD_OBJECTION,
    UPHELD_REASON,
    UPHELD_REMARK,
    UPHELD_VERIFICATION,
)
from .organisations import DemoOrganisations
from .steps import Played
from .timeline import DemoClock

#: Last year's calendar after the recompute of 29 June.
PUBLISHED = (7, 1)
WINDOW_ENDS = (7, 8)  # seven days after publication
MEETING = (7, 14)
APPROVED = (7, 15)
REREVIEWED = (7, 28)


def _objection_targets(played: Played, orgs: DemoOrganisations):
    """The branch objected to in vain (a five-star result) and the branch whose objection
    is upheld (three or four stars, of the first party committee, so that the reviewer
    account re-submits it): the first of each by code."""
    ratings = (
        Rating.objects.filter(assessment__campaign=played.campaign)
        .select_related("assessment__branch", "assessment__review")
        .order_by("assessment__branch__code")
    )
    five = next(r for r in ratings if r.star == 5)
    upheld = next(
        r
        for r in ratings
        if r.star in (3, 4)
        and r.assessment.branch.parent_id == orgs.parents[0].pk
        and r.assessment.review.audit_status == AuditStatus.NOT_NEEDED
    )
    return five.assessment, upheld.assessment


def publicise(
    played: Played, orgs: DemoOrganisations, users: DemoUsers, *, year: int, clock: DemoClock
):
    """Publish, decide the two objections, re-submit and recompute the reopened branch."""
    staff = users["staff"]
    clock.at(datetime.date(year, *PUBLISHED), 9)
    publicity.publish_campaign(
        campaign=played.campaign, actor=staff, contact_line=PUBLICITY_CONTACT
    )
    dismissed_at, upheld_at = _objection_targets(played, orgs)
    text, name, phone = DISMISSED_OBJECTION
    clock.at(datetime.date(year, 7, 2), 20, 15)
    dismissed = publicity.file_objection(assessment=dismissed_at, text=text, name=name, phone=phone)
    clock.at(datetime.date(year, 7, 3), 11, 40)
    upheld = publicity.file_objection(assessment=upheld_at, text=UPHELD_OBJECTION)

    clock.at(datetime.date(year, 7, 4), 10)
    publicity.dismiss_objection(
        objection=dismissed, actor=staff, reason=DISMISSED_REASON, notes=DISMISSED_VERIFICATION
    )
    clock.at(datetime.date(year, 7, 4), 15)
    publicity.uphold_objection(
        objection=upheld,
        actor=staff,
        reason=UPHELD_REASON,
        notes=UPHELD_VERIFICATION,
        return_review=True,
    )
    # The reviewer lowers the first criterion (三会一课) by a quarter of its points.
    clock.at(datetime.date(year, 7, 5), 9, 30)
    criterion = played.criteria[0]
    review = upheld_at.review
    score = review.scores.get(criterion=criterion).score
    reviews.submit_review(
        actor=reviewer_of(users, orgs, upheld_at.branch),
        assessment=upheld_at,
        scores={criterion.pk: max(score - criterion.max_points / 4, 0)},
        remarks={criterion.pk: UPHELD_REMARK},
    )
    clock.at(datetime.date(year, 7, 6), 10)
    recompute_campaign(campaign=played.campaign, actor=staff)


def minutes_pdf(campaign, *, year, meeting_date, reference) -> SimpleUploadedFile:
    """The meeting's minutes as the committee's office would scan them in: a PDF."""
    stars = Counter(
        Rating.objects.filter(
            assessment__campaign=campaign, assessment__withdrawn_at__isnull=True
        ).values_list("star", flat=True)
    )
    title = MINUTES_TITLE.format(y=year)
    content = render_pdf(
        "pdf/minutes.html",
        {
            "title": title,
            "committee": COMMITTEE_NAME,
            "campaign": campaign,
            "meeting_date": meeting_date,
            "reference": reference,
            "counts": sorted(stars.items(), reverse=True),
            "total": sum(stars.values()),
        },
    )
    return SimpleUploadedFile(f"{title}.pdf", content, content_type="application/pdf")


def approve(played: Played, users: DemoUsers, *, year: int, clock: DemoClock):
    """The window has ended by the clock; the approver records the meeting's decision
    with its minutes the day after."""
    campaign = played.campaign
    clock.at(datetime.date(year, *WINDOW_ENDS), 9, 5)
    publicity.end_due_publicity()  # as cron does (`manage.py end_publicity`)
    campaign.refresh_from_db()
    meeting_date = datetime.date(year, *MEETING)
    reference = APPROVAL_REFERENCE.format(y=year)
    clock.at(datetime.date(year, *APPROVED), 10)
    publicity.approve_campaign(
        campaign=campaign,
        actor=users["approver"],
        meeting_date=meeting_date,
        reference=reference,
        minutes=minutes_pdf(campaign, year=year, meeting_date=meeting_date, reference=reference),
    )


def rereview(played: Played, users: DemoUsers, *, year: int, clock: DemoClock):
    """The re-reviewer confirms every five-star result but the second (by code), which
    gets four stars; the last re-review closes the campaign."""
    for index, assessment in enumerate(publicity.five_star_results(played.campaign)):
        clock.at(datetime.date(year, *REREVIEWED), 14, index)
        if index == 1:
            publicity.rereview(
                assessment=assessment,
                actor=users["rereviewer"],
                confirmed=False,
                star=4,
                reason=REREVIEW_DECLINED_REASON,
            )
        else:
            publicity.rereview(assessment=assessment, actor=users["rereviewer"], confirmed=True)
