"""The declaration workflow end to end, through the web UI, role by role.

One demo committee (scoring.demo's builders: about 40 branches, the demo accounts) and one
campaign run from creation to the stored ratings:

- staff create and open the campaign on the campaign pages;
- two branches go through every page: branch A (under the first party committee,
  reviewed by `reviewer`, proposed five stars and audited by staff) and branch D
  (directly managed, reviewed by staff, with a criticism recorded on the events page);
- the members of A and D vote from their phones with the codes printed on the slip
  sheet downloaded from the survey page;
- twelve more branches run through the services so that the quotas have work to do;
- staff recompute on the results page, and every stored rating is checked against the
  calculator (`manage.py rate`) fed with a document built from the raw rows.

Pages are asserted on behaviour (status, redirects, context, database), not on Chinese
text; the one message checked word for word is read on an English phone.
"""

import datetime
import json
import random
from decimal import Decimal
from fractions import Fraction
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from branches.models import Member, Role
from scoring import demo
from scoring.models import (
    Assessment,
    AuditStatus,
    Ballot,
    Campaign,
    CampaignStatus,
    Evidence,
    Rating,
    Review,
    ReviewStatus,
    ScoreEvent,
    SelfEvaluationStatus,
    SlipKind,
    SurveyStatus,
    Verdict,
)
from scoring.services import reviews as review_service
from scoring.services import self_evaluation as self_service
from scoring.services import survey as survey_service
from scoring.services.events import record_event
from tests import factories
from tests.journey_helpers import (
    MINIMAL_PDF,
    ballot_data,
    campaign_document,
    follow_ok,
    form_errors,
    home_todos,
    participation_plan,
    phone,
    slip_codes_from_pdf,
    slip_kind,
    to_json,
)

CENT = Decimal("0.01")
PUBLIC_SLIPS = 6


@pytest.fixture
def fast_pdf():
    """Overrides the conftest stub: the journey reads the codes off the real sheet."""


@pytest.fixture
def demo_org(db):
    """The demo's organisations and accounts (its draft campaign is left out: staff
    create this year's campaign on the pages)."""
    year = timezone.localdate().year
    orgs = demo.build_organisations(random.Random(demo.SEED), year=year)
    users = demo.build_users(orgs)
    return orgs, users


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def points(criterion, share) -> Decimal:
    return (criterion.max_points * Decimal(share)).quantize(CENT)


# --- Staff: the campaign ---------------------------------------------------------------


def staff_creates_and_opens_campaign(staff, year) -> Campaign:
    client = logged_in(staff)
    assert (Role.STAFF, reverse("scoring:campaign_create")) in home_todos(client)
    # Three weeks to declare, within the campaign year (terms are judged at the deadline).
    today = timezone.localdate()
    deadline = min(today + datetime.timedelta(days=21), datetime.date(year, 12, 31))
    response = client.post(
        reverse("scoring:campaign_create"),
        factories.policy_form(
            year=year,
            kind="initial",
            title="",
            self_deadline=deadline.isoformat(),
            review_deadline=(deadline + datetime.timedelta(days=14)).isoformat(),
        ),
        follow=True,
    )
    follow_ok(response)
    campaign = Campaign.objects.get(year=year, kind="initial")
    assert response.redirect_chain[-1][0] == reverse("scoring:campaign_edit", args=[campaign.pk])
    assert campaign.status == CampaignStatus.DRAFT
    assert (Role.STAFF, reverse("scoring:campaign_edit", args=[campaign.pk])) in home_todos(client)

    follow_ok(client.get(reverse("scoring:campaign_open", args=[campaign.pk])))
    response = client.post(
        reverse("scoring:campaign_open", args=[campaign.pk]), {"confirm": "on"}, follow=True
    )
    follow_ok(response)
    assert response.redirect_chain[-1][0] == reverse("scoring:campaign_detail", args=[campaign.pk])
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN
    assert campaign.assessments.count() == response.context["total"] > 30
    return campaign


# --- Secretary: self-evaluation, evidence, survey --------------------------------------


def secretary_fills_self_evaluation(client, assessment, criteria, share, star):
    url = reverse("scoring:self_evaluation", args=[assessment.pk])
    assert (Role.SECRETARY, url) in home_todos(client)
    page = follow_ok(client.get(url))
    assert page.context["editable"]

    half = criteria[: len(criteria) // 2]
    draft = {f"score_{c.pk}": points(c, share) for c in half}
    draft.update({f"remark_{c.pk}": "见附件" for c in half})
    draft["self_star"] = str(star)
    draft["version"] = page.context["form"]["version"].value()
    response = client.post(url, draft, follow=True)
    follow_ok(response)
    sheet = assessment.self_evaluation
    sheet.refresh_from_db()
    assert sheet.status == SelfEvaluationStatus.DRAFT
    assert sheet.scores.count() == len(half) and sheet.self_star == star

    # A submission with a criterion left empty is refused and changes nothing.
    version = response.context["form"]["version"].value()
    partial = {**draft, "version": version, "submit": "1", "confirm": "on"}
    response = client.post(url, partial)
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    sheet.refresh_from_db()
    assert sheet.status == SelfEvaluationStatus.DRAFT

    response = client.post(
        reverse("scoring:evidence_upload", args=[assessment.pk]),
        {"file": SimpleUploadedFile("支部活动记录.pdf", MINIMAL_PDF, "application/pdf")},
        follow=True,
    )
    follow_ok(response)
    evidence = Evidence.objects.get(self_evaluation=sheet)
    assert evidence.content_type == "application/pdf"
    download = client.get(reverse("scoring:evidence_download", args=[evidence.pk]))
    assert b"".join(download.streaming_content) == MINIMAL_PDF

    full = {f"score_{c.pk}": points(c, share) for c in criteria}
    full.update({"self_star": str(star), "version": version, "submit": "1", "confirm": "on"})
    follow_ok(client.post(url, full, follow=True))
    sheet.refresh_from_db()
    assert sheet.status == SelfEvaluationStatus.SUBMITTED
    assert sheet.total == sum(points(c, share) for c in criteria)
    assert (Role.SECRETARY, url) not in home_todos(client)


def secretary_opens_survey(client, assessment) -> list[str]:
    """Open with public slips, download the sheet from the survey page, read its codes."""
    page = reverse("scoring:survey", args=[assessment.pk])
    assert (Role.SECRETARY, page) in home_todos(client)
    response = client.post(
        reverse("scoring:survey_open", args=[assessment.pk]),
        {"public_slips": PUBLIC_SLIPS, "open": "1"},
        follow=True,
    )
    follow_ok(response)
    survey = assessment.survey
    assert survey.status == SurveyStatus.OPEN
    electorate = Member.objects.filter(branch=assessment.branch, active=True).count()
    assert survey.electorate == electorate
    (sheet,) = response.context["sheets"]
    download = client.get(reverse("scoring:survey_sheet", args=[assessment.pk, sheet.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    codes = slip_codes_from_pdf(b"".join(download.streaming_content))
    assert len(codes) == electorate + PUBLIC_SLIPS
    kinds = [slip_kind(code) for code in codes]
    assert kinds.count(SlipKind.MEMBER) == electorate
    assert kinds.count(SlipKind.PUBLIC) == PUBLIC_SLIPS
    return codes


def member_votes(number, code, criteria, grades, verdict):
    """One member on a phone: QR link, ballot, every grade and the verdict, thanks."""
    handset = phone(number)
    response = handset.get(reverse("scoring:ballot_code", args=[code]))
    assert response.status_code == 302 and response.url == reverse("scoring:ballot")
    assert response["Referrer-Policy"] == "no-referrer"
    ballot_page = handset.get(reverse("scoring:ballot"))
    assert ballot_page.status_code == 200
    assert code.replace("-", "") not in ballot_page.content.decode()
    assert len(ballot_page.context["form"].criteria) == len(criteria)
    response = handset.post(
        reverse("scoring:ballot"), ballot_data(criteria, grades, verdict), follow=True
    )
    follow_ok(response)
    assert response.redirect_chain == [(reverse("scoring:ballot_thanks"), 302)]
    return handset


def run_survey(client, assessment, codes, criteria, grade_plan, verdict_plan, *, refuse=False):
    """Members (then the public) vote until the plan is met; with `refuse`, the secretary
    first tries to close one ballot short of 80 % and is refused with the numbers."""
    survey = assessment.survey
    members = [c for c in codes if slip_kind(c) == SlipKind.MEMBER]
    public = [c for c in codes if slip_kind(c) == SlipKind.PUBLIC]
    member_votes_needed, public_votes = participation_plan(survey.electorate, len(public))
    least = -(-4 * survey.electorate // 5)
    voters = members[:member_votes_needed] + public[:public_votes]
    closing_url = reverse("scoring:survey_close", args=[assessment.pk])
    for i, code in enumerate(voters):
        if refuse and i == least - 1:
            before = Ballot.objects.filter(survey=survey).count()
            response = client.post(closing_url, {"close": "1", "confirm": "on"})
            assert response.status_code == 200
            (message,) = form_errors(response, "close_form")
            assert f"{least - 1}" in message and f"{survey.electorate}" in message
            survey.refresh_from_db()
            assert survey.status == SurveyStatus.OPEN
            assert Ballot.objects.filter(survey=survey).count() == before
        member_votes(assessment.pk * 100 + i, code, criteria, grade_plan(i), verdict_plan(i))
    assert survey_service.participation(survey).enough
    response = client.post(closing_url, {"close": "1", "confirm": "on"}, follow=True)
    follow_ok(response)
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.CLOSED
    assert Ballot.objects.filter(survey=survey).count() == len(voters)
    assert response.context["figures"].valid_ballots == len(voters)
    return voters


# --- Reviewer / staff: review and audit ------------------------------------------------


def review_through_pages(client, assessment, criteria, share) -> Review:
    queue = follow_ok(client.get(reverse("scoring:review_queue")))
    assert assessment in [row[0] for row in queue.context["rows"]]
    url = reverse("scoring:review", args=[assessment.pk])
    page = follow_ok(client.get(url))
    assert page.context["editable"] and page.context["sheet"].status == "submitted"
    data = {f"score_{c.pk}": points(c, share) for c in criteria}
    data.update({f"remark_{c.pk}": "材料齐全" for c in criteria})
    data["version"] = page.context["form"]["version"].value()
    follow_ok(client.post(url, {**data, "action": "save"}, follow=True))
    page = follow_ok(client.get(url))
    proposal = page.context["proposal"]
    assert proposal.result is not None and page.context["trace"]
    data["version"] = page.context["form"]["version"].value()
    follow_ok(client.post(url, {**data, "action": "submit", "confirm": "on"}, follow=True))
    review = Review.objects.get(assessment=assessment)
    assert review.status == ReviewStatus.SUBMITTED
    assert review.proposed_star == proposal.result.star
    assert review.total == sum(points(c, share) for c in criteria)
    return review


# --- The background branches, through the services -------------------------------------

# (self share, review share, grade letters cycle, verdict cycle, self star)
PROFILES = {
    "strong": ("0.95", "0.96", "E", ["satisfied"], 5),
    "good": ("0.88", "0.85", "EGG", ["satisfied", "satisfied", "basically_satisfied"], 4),
    "fair": ("0.76", "0.72", "GF", ["satisfied", "basically_satisfied", "dissatisfied"], 3),
    "weak": ("0.62", "0.58", "FFP", ["basically_satisfied", "dissatisfied"], 2),
}


def drive_through_services(assessment, criteria, profile, *, reviewer, staff, monkeypatch):
    self_share, review_share, letters, verdicts, star = PROFILES[profile]
    secretary = factories.user(role=Role.SECRETARY, organisation=assessment.branch)
    self_service.submit(
        sheet=assessment.self_evaluation,
        actor=secretary,
        scores={c.pk: (points(c, self_share), "") for c in criteria},
        self_star=star,
    )
    with monkeypatch.context() as patch:  # the printed sheet is the web journey's business
        patch.setattr(survey_service.slips, "render_slip_sheet", lambda *a, **kw: b"%PDF-1.4 stub")
        issued = survey_service.open_survey(
            assessment=assessment, actor=secretary, public_slips=PUBLIC_SLIPS
        )
    members = [code for kind, code in issued.codes if kind == SlipKind.MEMBER]
    public = [code for kind, code in issued.codes if kind == SlipKind.PUBLIC]
    survey = assessment.survey
    n_members, n_public = participation_plan(survey.electorate, len(public))
    for i, code in enumerate(members[:n_members] + public[:n_public]):
        grades = {c.pk: letters[(i + j) % len(letters)] for j, c in enumerate(criteria)}
        survey_service.cast_ballot(code=code, grades=grades, verdict=verdicts[i % len(verdicts)])
    survey_service.close_survey(survey=survey, actor=secretary)
    review = review_service.submit_review(
        actor=reviewer,
        assessment=assessment,
        scores={c.pk: points(c, review_share) for c in criteria},
    )
    if review.audit_status == AuditStatus.PENDING:
        review_service.audit_five_star(review=review, actor=staff, agree=True)


# --- The journey -----------------------------------------------------------------------


def test_a_campaign_runs_from_creation_to_ratings_the_calculator_confirms(demo_org, monkeypatch):
    orgs, users = demo_org
    staff, reviewer = users["staff"], users["reviewer"]
    year = timezone.localdate().year
    first_parent = orgs.parents[0]
    branch_a = orgs.branches_under(first_parent)[0]
    branch_d = orgs.direct_branches[0]

    # Before any campaign the secretary has nothing to fill in.
    secretary = logged_in(users["secretary"])
    assert not {todo for todo in home_todos(secretary) if todo[0] == Role.SECRETARY}

    campaign = staff_creates_and_opens_campaign(staff, year)
    criteria = list(campaign.criteria.order_by("position"))
    a = Assessment.objects.get(campaign=campaign, branch=branch_a)
    d = Assessment.objects.get(campaign=campaign, branch=branch_d)

    # Secretaries: the self-evaluation (A perfect, D middling) with evidence.
    secretary_fills_self_evaluation(secretary, a, criteria, "1", 5)
    secretary2 = logged_in(users["secretary2"])
    secretary_fills_self_evaluation(secretary2, d, criteria, "0.82", 4)

    # Staff record a criticism of D on the events page.
    staff_client = logged_in(staff)
    response = staff_client.post(
        reverse("scoring:event_create"),
        {
            "branch": branch_d.pk,
            "type": "criticism",
            "level": "",
            "issuer": "work_committee",
            "severity": "",
            "count": "1",
            "date": timezone.localdate().isoformat(),
            "document_ref": "机关工委通报〔2026〕3号",
            "description": "组织生活会未按期召开",
        },
        follow=True,
    )
    follow_ok(response)
    assert ScoreEvent.objects.filter(branch=branch_d, type="criticism").count() == 1

    # Surveys: slips from the printed sheet, ballots from phones.
    codes_a = secretary_opens_survey(secretary, a)

    def all_good(i):
        return "E" * len(criteria)

    def pleased(i):
        return "basically_satisfied" if i % 4 == 3 else "satisfied"

    voters_a = run_survey(secretary, a, codes_a, criteria, all_good, pleased, refuse=True)

    # A spent code: the "not valid or used" message, and nothing stored.
    ballots = Ballot.objects.count()
    english_phone = phone(9999, language="en")
    response = english_phone.get(reverse("scoring:ballot_code", args=[voters_a[0]]), follow=True)
    follow_ok(response)
    assert "not valid or has already been used" in response.context["error"]
    response = english_phone.post(
        reverse("scoring:ballot"), ballot_data(criteria, all_good(0), "satisfied")
    )
    assert response.status_code == 200 and Ballot.objects.count() == ballots

    codes_d = secretary_opens_survey(secretary2, d)

    def mixed(i):
        return "".join("GFEG"[(i + j) % 4] for j in range(len(criteria)))

    def some_unhappy(i):
        return list(Verdict.values)[i % 3]

    run_survey(secretary2, d, codes_d, criteria, mixed, some_unhappy)

    # Nothing is waiting for the five-star audit yet.
    assert (Role.STAFF, reverse("scoring:audit_queue")) not in home_todos(staff_client)

    # Reviewer: A is waiting; the review proposes five stars, which staff must audit.
    reviewer_client = logged_in(reviewer)
    assert (Role.REVIEWER, reverse("scoring:review_queue")) in home_todos(reviewer_client)
    review_a = review_through_pages(reviewer_client, a, criteria, "1")
    assert review_a.proposed_star == 5 and review_a.audit_status == AuditStatus.PENDING

    # Staff review the directly managed branch D.
    assert (Role.STAFF, reverse("scoring:review_queue")) in home_todos(staff_client)
    review_d = review_through_pages(staff_client, d, criteria, "0.78")
    assert review_d.audit_status == AuditStatus.NOT_NEEDED

    # Twelve more branches, through the services: another five-star branch (so the cap
    # bites), one weak branch (so the floor does), a strong one whose election is overdue
    # (so a limit holds it at four stars), the rest in between.
    others = list(
        Assessment.objects.filter(campaign=campaign)
        .exclude(pk__in=[a.pk, d.pk])
        .select_related("branch")
        .order_by("branch__code")
    )
    on_time = [x for x in others if x.election == "on_time"]
    background = [x for x in on_time if x.branch.parent_id == first_parent.pk][:8]
    background += [x for x in on_time if x.branch.parent_id != first_parent.pk][:3]
    background += [x for x in others if x.election == "overdue"][:1]
    assert len(background) == 12
    profiles = ["strong", "good", "fair", "weak", "good", "fair", "good", "fair", "good"]
    profiles += ["fair", "good", "strong"]
    record_event(
        actor=staff,
        branch=background[1].branch,
        type="commendation",
        level="city",
        date=timezone.localdate(),
    )
    for assessment, profile in zip(background, profiles, strict=True):
        acting = reviewer if assessment.branch.parent_id == first_parent.pk else staff
        drive_through_services(
            assessment, criteria, profile, reviewer=acting, staff=staff, monkeypatch=monkeypatch
        )

    # Staff: two five-star proposals wait for the audit; A is agreed on its page.
    assert (Role.STAFF, reverse("scoring:audit_queue")) in home_todos(staff_client)
    queue = follow_ok(staff_client.get(reverse("scoring:audit_queue")))
    assert review_a.pk in [row["pk"] for row in queue.context["reviews"]]  # rows, D-7qf
    audit_url = reverse("scoring:audit", args=[review_a.pk])
    page = follow_ok(staff_client.get(audit_url))
    assert page.context["pending"]
    version = page.context["form"]["version"].value()
    response = staff_client.post(
        audit_url,
        {"action": "agree", "confirm": "on", "reason": "", "version": version},
        follow=True,
    )
    follow_ok(response)
    assert response.redirect_chain[-1][0] == reverse("scoring:audit_queue")
    review_a.refresh_from_db()
    assert review_a.audit_status == AuditStatus.AGREED and review_a.audited_by == staff
    assert (Role.STAFF, reverse("scoring:audit_queue")) not in home_todos(staff_client)

    # Staff: recompute on the results page; the ranked list and the quota check.
    results_url = reverse("scoring:campaign_results", args=[campaign.pk])
    response = staff_client.post(reverse("scoring:recompute", args=[campaign.pk]), follow=True)
    follow_ok(response)
    assert response.redirect_chain[-1][0] == results_url
    rated = [a, d, *background]
    ranked = [rating for _rank, rating in response.context["ranked"]]
    assert {r.assessment_id for r in ranked} == {x.pk for x in rated}
    assert [r.score for r in ranked] == sorted((r.score for r in ranked), reverse=True)
    quota = response.context["quota"]
    assert (quota.total, quota.five_star_max, quota.low_min) == (14, 1, 2)
    moved = {(move.code, move.from_star, move.to_star) for move in quota.adjusted}
    assert (background[0].branch.code, 5, 4) in moved  # the cap: A outranks it
    assert any(to == 1 for _code, _from, to in moved)  # the floor
    assert Rating.objects.get(assessment=a).star == 5
    held = Rating.objects.get(assessment=background[-1])
    assert (held.band, held.star, held.limits) == (5, 4, ["election_overdue"])
    assert len(response.context["progress"].missing) == campaign.assessments.count() - 14

    # The calculator, fed from the raw rows, agrees with every stored rating.
    document = campaign_document(
        campaign,
        Assessment.objects.filter(pk__in=[x.pk for x in rated])
        .select_related("branch", "campaign")
        .order_by("branch__code"),
    )
    path = tmp_file(to_json(document))
    out = StringIO()
    call_command("rate", str(path), stdout=out)
    output = json.loads(out.getvalue())
    stored = {
        r.assessment.branch.code: r
        for r in Rating.objects.filter(assessment__campaign=campaign).select_related(
            "assessment__branch"
        )
    }
    by_id = {b["id"]: b for b in document["branches"]}
    assert [r["id"] for r in output["results"]] == list(by_id)
    for result in output["results"]:
        rating = stored[result["id"]]
        for name in ("base", "bonus", "penalty", "score"):
            assert Decimal(result[name]) == getattr(rating, name), (result["id"], name)
        assert (result["band"], result["star"]) == (rating.band, rating.star), result["id"]
        assert result["limits"] == rating.limits
        given = by_id[result["id"]]
        assert Fraction(Decimal(given["satisfaction"])) == rating.satisfaction
        for name in ("self", "survey", "review"):
            assert Decimal(given["components"][name]) == getattr(rating, f"{name}_component")
    campaign.refresh_from_db()
    report = campaign.quota_report
    for name in ("mode", "total", "five_star_max", "low_min"):
        assert output["quota"][name] == report[name]
    assert [(x["id"], x["from"], x["to"]) for x in output["quota"]["adjusted"]] == [
        (x["id"], x["from"], x["to"]) for x in report["adjusted"]
    ]
    assert stored[branch_d.code].penalty >= 3  # the criticism recorded on the events page

    # The pages that show the outcome render for those who read them.
    page = follow_ok(secretary.get(reverse("scoring:rating", args=[a.pk])))
    assert page.context["rating"].star == 5
    page = follow_ok(staff_client.get(reverse("scoring:assessment", args=[d.pk])))
    assert page.context["history"] and page.context["rating"].assessment_id == d.pk
    page = follow_ok(reviewer_client.get(reverse("scoring:survey", args=[a.pk])))
    assert page.context["figures"].valid_ballots == len(voters_a)


def tmp_file(text):
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp(prefix="journey-"))
    path = folder / "campaign.json"
    path.write_text(text, encoding="utf-8")
    return path
