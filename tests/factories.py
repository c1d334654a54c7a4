"""The tests' one factories module: plain functions with sensible defaults.

Builders named after a model (`campaign`, `assessment`, `sheet`, `survey`, `review`,
`event`, …) write rows straight with the ORM, so a test of one area does not depend on
another area's services; call them through the module (`factories.campaign(…)`): their
names are also the fixtures' names (tests/conftest.py). Then the helpers that go through a
service (`cast`), the form posts (`policy_form`, `post_data`) and the upload contents.
"""

import datetime
import io
import itertools
import zipfile
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from branches.models import Member, Organisation, OrgKind, Role, RoleAssignment
from scoring.models import (
    Assessment,
    AuditStatus,
    Ballot,
    Campaign,
    CampaignStatus,
    Criterion,
    Review,
    ReviewScore,
    ReviewStatus,
    ScoreEvent,
    SelfEvaluation,
    SelfEvaluationStatus,
    SlipKind,
    Survey,
    SurveyStatus,
    Verdict,
)
from scoring.rubric import default_rubric
from scoring.services import survey as survey_service
from starrating import clock

_seq = itertools.count(1)

#: The year of campaigns built with the ORM (fixed: their dates are fixed too).
YEAR = 2026
#: The year of campaigns built through the services, whose deadlines lie ahead of today.
THIS_YEAR = clock.today().year


def org(kind=OrgKind.BRANCH, parent=None, **fields):
    n = next(_seq)
    fields.setdefault("name", f"组织{n}")
    fields.setdefault("code", f"T{n:05d}")
    return Organisation.objects.create(kind=kind, parent=parent, **fields)


def committee(**fields):
    fields.setdefault("name", "市直机关工委")
    return org(OrgKind.COMMITTEE, **fields)


def branch(parent, **fields):
    fields.setdefault("term_start", datetime.date(2024, 1, 1))
    fields.setdefault("term_end", datetime.date(2029, 1, 1))
    return org(OrgKind.BRANCH, parent=parent, **fields)


def member(branch, **fields):
    n = next(_seq)
    fields.setdefault("name", f"党员{n}")
    fields.setdefault("code", f"M{n:06d}")
    return Member.objects.create(branch=branch, **fields)


def user(username=None, *, role=None, organisation=None, **fields):
    username = username or f"user{next(_seq)}"
    account = get_user_model().objects.create_user(
        username=username, password="pw-Test-123", **fields
    )
    if role:
        RoleAssignment.objects.create(user=account, organisation=organisation, role=role)
    return account


class Tree:
    """A committee with one party committee, two branches under it, one directly
    managed branch, and a user for each role (each with password pw-Test-123).

    The committee is coded GW, as in the roster workbooks of tests/branches: a roster
    holds one work committee, the one already imported."""

    def __init__(self):
        self.committee = committee(code="GW")
        self.party_committee = org(
            OrgKind.PARTY_COMMITTEE, parent=self.committee, name="机关党委甲"
        )
        self.branch_a = branch(self.party_committee, name="第一党支部")
        self.branch_b = branch(self.party_committee, name="第二党支部")
        self.direct = branch(self.committee, name="直属党支部")
        self.secretary = user("secretary_a", role=Role.SECRETARY, organisation=self.branch_a)
        self.secretary_b = user("secretary_b", role=Role.SECRETARY, organisation=self.branch_b)
        self.reviewer = user("reviewer", role=Role.REVIEWER, organisation=self.party_committee)
        self.staff = user("staff", role=Role.STAFF, organisation=self.committee)
        self.approver = user("approver", role=Role.APPROVER, organisation=self.committee)
        self.rereviewer = user("rereviewer", role=Role.REREVIEWER, organisation=self.committee)
        self.nobody = user("nobody")

    def users_by_role(self):
        return {
            "secretary": self.secretary,
            "reviewer": self.reviewer,
            "staff": self.staff,
            "approver": self.approver,
            "rereviewer": self.rereviewer,
            "nobody": self.nobody,
        }


def policy_form(**overrides) -> dict:
    """The campaign form's policy fields at the defaults of docs/rules.md §4, as a browser
    posts them (weights and shares in percent)."""
    data = {
        "weight_self": "20",
        "weight_survey": "30",
        "weight_review": "50",
        "band_5": "90",
        "band_4": "80",
        "band_3": "70",
        "band_2": "60",
        "band_1": "50",
        "five_star_share": "10",
        "low_share": "10",
        "quota_mode": "enforce",
        "quota_mode_reason": "",
        "publicity_days": "7",
    }
    return {**data, **overrides}


# --- Campaigns and what a branch hands in (straight with the ORM) -------------------------


def campaign(committee, *, year=YEAR, **fields):
    """An open campaign of `year` with the default rubric (ten criteria of 10 points)."""
    fields.setdefault("title", f"{year}年度星级评定")
    fields.setdefault("status", CampaignStatus.OPEN)
    fields.setdefault("self_deadline", datetime.date(year, 6, 5))
    made = Campaign.objects.create(year=year, committee=committee, **fields)
    criteria(made)
    return made


def criteria(campaign, rubric=None):
    """The campaign's criteria from `rubric` ((title, description, max points) triples;
    the default rubric unless given)."""
    return Criterion.objects.bulk_create(
        Criterion(campaign=campaign, position=i, title=t, description=d, max_points=m)
        for i, (t, d, m) in enumerate(rubric or default_rubric(), start=1)
    )


def assessment(campaign, branch, **fields):
    return Assessment.objects.create(campaign=campaign, branch=branch, **fields)


def add_members(branch, count, **fields):
    return [member(branch, **fields) for _ in range(count)]


def sheet(assessment, total, *, status=SelfEvaluationStatus.SUBMITTED, self_star=4):
    """The branch's self-evaluation with its total (no criterion scores)."""
    return SelfEvaluation.objects.create(
        assessment=assessment, status=status, total=Decimal(total), self_star=self_star
    )


def survey(assessment, ballots, *, status=SurveyStatus.CLOSED, electorate=None):
    """A survey with its ballots; `ballots`: a list of (points, verdict), every ballot a
    member's. The electorate is the number of ballots unless given."""
    count = len(ballots)
    electorate = count if electorate is None else electorate
    made = Survey.objects.create(
        assessment=assessment,
        status=status,
        electorate=electorate,
        member_slips_issued=count,
    )
    Ballot.objects.bulk_create(
        Ballot(
            survey=made,
            kind=SlipKind.MEMBER,
            cast_on=datetime.date(assessment.campaign.year, 5, 1),
            grades="E" * 10,
            verdict=verdict,
            points=Decimal(points),
        )
        for points, verdict in ballots
    )
    return made


def ballots(points, satisfied, basically=0, dissatisfied=0):
    """Ballots all worth `points`, with the given verdict counts."""
    return (
        [(points, Verdict.SATISFIED)] * satisfied
        + [(points, Verdict.BASICALLY_SATISFIED)] * basically
        + [(points, Verdict.DISSATISFIED)] * dissatisfied
    )


def review(
    assessment, total, *, reviewer=None, status=ReviewStatus.SUBMITTED, audit=AuditStatus.NOT_NEEDED
):
    """A review whose criterion scores share `total` evenly (all criteria scored)."""
    criteria = list(assessment.campaign.criteria.all())
    total = Decimal(total)
    share = (total / len(criteria)).quantize(Decimal("0.01"))
    made = Review.objects.create(
        assessment=assessment, reviewer=reviewer, status=status, total=total, audit_status=audit
    )
    scores = [share] * (len(criteria) - 1)
    scores.append(total - sum(scores))
    pairs = zip(criteria, scores, strict=True)
    ReviewScore.objects.bulk_create(
        ReviewScore(review=made, criterion=c, score=s) for c, s in pairs
    )
    return made


def event(branch, type, *, date=None, **fields):
    return ScoreEvent.objects.create(
        branch=branch, type=type, date=date or datetime.date(YEAR, 3, 1), **fields
    )


def ready_branch(
    campaign,
    branch,
    *,
    self_total=90,
    survey_points=90,
    satisfied=10,
    basically=0,
    dissatisfied=0,
    review_total=None,
    audit=AuditStatus.NOT_NEEDED,
):
    """An assessment with a submitted sheet, a closed survey and (optionally) a review."""
    made = assessment(campaign, branch)
    sheet(made, self_total)
    survey(made, ballots(survey_points, satisfied, basically, dissatisfied))
    if review_total is not None:
        review(made, review_total, audit=audit)
    return made


# --- Ballots through the survey service -------------------------------------------------


def member_codes(issued):
    return [code for kind, code in issued.codes if kind == SlipKind.MEMBER]


def public_codes(issued):
    return [code for kind, code in issued.codes if kind == SlipKind.PUBLIC]


def all_grades(criteria, grade="E"):
    return {criterion.pk: grade for criterion in criteria}


def cast(code, criteria, grade="E", verdict="satisfied"):
    return survey_service.cast_ballot(
        code=code, grades=all_grades(criteria, grade), verdict=verdict
    )


# --- Forms as a browser posts them ----------------------------------------------------


def scores_for(campaign, value="8", remark=""):
    """{criterion id: (value, remark)} for every criterion of the campaign."""
    return {c.pk: (value, remark) for c in campaign.criteria.all()}


def post_data(campaign, value="8", star="3", action="save", version=0):
    """The sheet form as a browser posts it; `version` is the one the page was loaded at."""
    data = {f"score_{c.pk}": value for c in campaign.criteria.all()}
    data.update({f"remark_{c.pk}": "" for c in campaign.criteria.all()})
    data["self_star"] = star
    data["version"] = str(version)
    data[action] = "1"
    if action == "submit":
        data["confirm"] = "on"  # the box that confirms a submission
    return data


# --- Upload contents ------------------------------------------------------------------


def pdf_bytes():
    """A minimal well-formed PDF: one empty page, a cross-reference table, the trailer."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def image_bytes(format):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format=format)
    return buffer.getvalue()


PNG = image_bytes("PNG")
PDF = pdf_bytes()
JPG = image_bytes("JPEG")


def zip_with(*names):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


def docx_bytes():
    return zip_with("word/document.xml")


def xlsx_bytes():
    import openpyxl

    buffer = io.BytesIO()
    book = openpyxl.Workbook()
    book.active["A1"] = "证明"
    book.save(buffer)
    return buffer.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- Publicity and approval through the services (docs/process.md §2.1.4–§2.1.5) ----------

#: Days ahead of today, so that every row the builders write with today's time lies
#: before the recompute, and the recompute before the window (fixtures `published`…).
PUBLISHED = clock.today() + datetime.timedelta(days=1)
DURING = PUBLISHED + datetime.timedelta(days=2)
AFTER = PUBLISHED + datetime.timedelta(days=8)
MEETING = AFTER + datetime.timedelta(days=1)
REREVIEWED = MEETING + datetime.timedelta(days=3)


def assessment_of(campaign, branch):
    return campaign.assessments.get(branch=branch)


def file_objection(campaign, branch, **fields):
    """An objection to `branch`, filed during the window (`DURING`)."""
    from scoring.services import publicity

    with clock.frozen(DURING):
        return publicity.file_objection(
            assessment=assessment_of(campaign, branch), text=fields.pop("text", "不属实"), **fields
        )


def approve_in_window(campaign, actor, **fields):
    """The committee's approval recorded on `MEETING` (unless `today` says otherwise)."""
    from scoring.services import publicity

    with clock.frozen(fields.pop("today", MEETING)):
        return publicity.approve_campaign(
            campaign=campaign,
            actor=actor,
            meeting_date=fields.pop("meeting_date", MEETING),
            reference=fields.pop("reference", "工委〔2026〕7号"),
            **fields,
        )


# --- Improvement plans and the rectification ledger (docs/process.md §2.2) ---------------


def plan(campaign, branch, **fields):
    """A plan of `branch` following `campaign`, written with the ORM (a draft unless told)."""
    from improvement.models import Category, ImprovementPlan, PlanStatus

    fields.setdefault("year", campaign.year)
    fields.setdefault("category", Category.FOCUSED)
    fields.setdefault("target_star", 3)
    fields.setdefault("measures", "加强组织生活")
    fields.setdefault("created_at", clock.now())
    if fields.get("status", PlanStatus.DRAFT) != PlanStatus.DRAFT:
        fields.setdefault("filed_at", clock.now())
    return ImprovementPlan.objects.create(branch=branch, campaign=campaign, **fields)


def ledger_item(plan, *, responsible=None, **fields):
    """An open item of `plan`'s ledger, due in 30 days unless told; closed items get a
    closing date and an evidence path."""
    from improvement.models import ItemStatus, LedgerItem

    fields.setdefault("problem", "三会一课不规范")
    fields.setdefault("measures", "按月召开支委会")
    fields.setdefault("due", clock.today() + datetime.timedelta(days=30))
    fields.setdefault("created_at", clock.now())
    if fields.get("status") == ItemStatus.CLOSED:
        fields.setdefault("closed_on", clock.today())
        fields.setdefault("evidence", "ledger/xx/evidence.pdf")
    return LedgerItem.objects.create(
        plan=plan, responsible=responsible or member(plan.branch), **fields
    )
