"""The demo's last year after its recompute, played through the real services on last
year's dates: publicity (one objection dismissed, one upheld with the review returned,
re-submitted and recomputed), the approval with its WeasyPrint minutes, and the
re-review (one five-star result not confirmed) that closes the campaign. One build for
the class, as in tests/scoring/test_demo.py."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse

from scoring.demo import build_demo
from scoring.models import (
    CampaignStatus,
    Correction,
    ObjectionState,
    Rating,
    ReReview,
    StarCause,
    StarChange,
)
from scoring.services import publicity
from tests.scoring.test_demo import TODAY, YEAR, Rollback

LAST = YEAR - 1


@pytest.fixture(scope="class")
def built_demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), pytest.raises(Rollback), transaction.atomic():
        yield build_demo(year=YEAR, today=TODAY)
        raise Rollback


@pytest.fixture
def demo(built_demo, db):
    return built_demo


class TestDemoPublicity:
    def test_last_years_campaign_is_closed_and_this_years_declaring(self, demo):
        assert demo.previous.status == CampaignStatus.CLOSED
        assert demo.campaign.status == CampaignStatus.DECLARING
        steps = list(
            demo.previous.history.order_by("history_date").values_list(
                "history_change_reason", flat=True
            )
        )
        assert steps[-5:] == [
            "campaign.published",
            "campaign.recomputed",
            "campaign.publicity_ended",
            "campaign.approved",
            "campaign.closed",
        ]

    def test_the_window_was_a_week_of_last_july(self, demo):
        previous = demo.previous
        assert previous.publicity_start.date() == datetime.date(LAST, 7, 1)
        assert previous.publicity_end - previous.publicity_start == datetime.timedelta(days=7)
        assert previous.contact_line

    def test_one_objection_was_dismissed_and_one_upheld_with_the_review_returned(self, demo):
        objections = {o.state: o for o in demo.previous.objections.all()}
        assert set(objections) == {ObjectionState.DISMISSED, ObjectionState.UPHELD}
        dismissed, upheld = objections[ObjectionState.DISMISSED], objections[ObjectionState.UPHELD]
        assert dismissed.is_named and dismissed.outcome_reason and dismissed.verification
        assert not upheld.is_named and upheld.correction == Correction.REVIEW
        # The README's walk-through names it.
        assert upheld.assessment.branch.name == "办公室党支部"
        assert upheld.assessment.branch.parent.name == "市发展和改革委员会机关党委"
        assert all(o.filed_at < demo.previous.publicity_end for o in objections.values())

    def test_the_reopened_review_was_resubmitted_and_recomputed(self, demo):
        upheld = demo.previous.objections.get(state=ObjectionState.UPHELD)
        review = upheld.assessment.review
        steps = list(
            review.history.filter(history_date__gt=upheld.handled_at)
            .order_by("history_date")
            .values_list("history_change_reason", flat=True)
        )
        assert "review.submitted" in steps
        assert review.submitted_at > upheld.handled_at
        assert demo.previous.recomputed_at > review.submitted_at
        assert Rating.objects.get(assessment=upheld.assessment).computed_at > upheld.handled_at

    def test_the_approval_carries_a_pdf_of_the_minutes_and_its_digest_holds(self, demo):
        approval = demo.previous.approval
        assert approval.meeting_date == datetime.date(LAST, 7, 14)
        assert approval.minutes_type == "application/pdf"
        with approval.minutes.open("rb") as handle:
            assert handle.read(5) == b"%PDF-"
        assert publicity.check_approved(demo.previous).ok
        approvals = StarChange.objects.filter(campaign=demo.previous, cause=StarCause.APPROVAL)
        assert approvals.count() == demo.previous.assessments.count()

    def test_one_five_star_result_was_not_confirmed_and_the_others_were(self, demo):
        decisions = ReReview.objects.filter(assessment__campaign=demo.previous)
        five = publicity.five_star_results(demo.previous)
        assert decisions.count() == five.count() >= 2
        (declined,) = decisions.filter(confirmed=False)
        assert declined.star == 4 and declined.reason
        assert publicity.current_star(declined.assessment.branch) == 4
        assert not publicity.rereviews_waiting()

    def test_the_public_notice_of_last_year_stays_readable(self, client, demo):
        page = client.get(reverse("scoring:notice", args=[demo.previous.pk])).content.decode()
        upheld = demo.previous.objections.get(state=ObjectionState.UPHELD)
        assert upheld.assessment.branch.name in page
        assert reverse("scoring:notice_list") in page

    def test_the_approver_downloads_the_minutes(self, client, demo):
        client.force_login(demo.users["approver"])
        response = client.get(reverse("scoring:approval_minutes", args=[demo.previous.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF-")

    def test_the_secretary_sees_the_branchs_current_star(self, client, demo):
        client.force_login(demo.users["secretary"])
        response = client.get(reverse("home"))
        (row,) = next(c for c in response.context["cards"] if c.role == "secretary").stars
        assert row.current is not None and row.current.to_star == publicity.current_star(row.branch)
        assert "现星级" in response.content.decode()

    def test_an_officially_five_star_branch_is_a_demonstration_site_with_its_certificate(
        self, client, demo
    ):
        from scoring.models import DemonstrationSite

        site = DemonstrationSite.objects.select_related("assessment__branch").get()
        official = publicity.officially_five_star(demo.previous)
        assert site.assessment in official and site.is_current
        assert publicity.five_star_refusal(demo.previous, site.assessment.branch) is None
        client.force_login(demo.users["staff"])
        page = client.get(reverse("scoring:demonstration_sites")).content.decode()
        assert site.assessment.branch.name in page
        url = reverse(
            "scoring:branch_certificate", args=[demo.previous.pk, site.assessment.branch.code]
        )
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
