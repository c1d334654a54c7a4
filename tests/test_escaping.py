"""No user text is ever rendered unescaped (docs/nonfunctional.md §7), on any page, for any role.

One world is built through the product's own write paths (the roster import, the
services) with a marker payload in every free-text field a user can fill: a script tag,
an attribute break-out with an event handler, Django template syntax and a
`javascript:` URL. Every page that shows those fields is then rendered for every role
that may see it, and parsed: each field the page shows must appear as text, exactly as
stored (so it was escaped, not interpreted, and not evaluated as a template), and the
page must hold no element, handler or URL that came out of the payload.

Two tables drive it, so that a field or a page added later is one line:
- FIELDS: every free-text field, where the world stores it. A model that gains a text
  field in neither FIELDS nor NOT_USER_TEXT fails `test_every_free_text_field_is_in_the
  _table`.
- PAGES: every page, the roles that may see it and the fields it shows.
  `test_every_page_is_in_the_table` fails when a URL is added that is in neither PAGES
  nor NOT_PAGES.

The world is built once for the module, inside a transaction rolled back at the end
(each test runs in a savepoint inside it), as tests/scoring/test_demo.py does.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.template.loader import render_to_string
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.http import urlencode

from branches.importers import import_roster
from branches.models import Member, Organisation, Role, RoleAssignment
from improvement.models import ImprovementPlan, LedgerItem
from scoring.models import (
    Approval,
    Assessment,
    Campaign,
    Criterion,
    DemonstrationSite,
    Evidence,
    Objection,
    ReReview,
    Review,
    ScoreEvent,
    SecondReview,
    SelfEvaluation,
    SelfScore,
    StarChange,
    Survey,
)
from scoring.services import campaigns as campaign_service
from scoring.services import events as event_service
from scoring.services import recompute as recompute_service
from scoring.services import reviews as review_service
from scoring.services import self_evaluation as sheet_service
from scoring.services import survey as survey_service
from starrating import clock
from tests import factories
from tests.branches.workbooks import member_row, org_row, workbook
from tests.factories import ready_branch
from tests.journey_helpers import MINIMAL_PDF

SCRIPT = '<script>alert("x")</script>'
BREAKOUT = '"><img src=x onerror=alert(1)>'
TEMPLATE = '{{ 7|add:1 }}{% now "Y" %}'
JS_URL = "javascript:alert(1)"
PAYLOAD = SCRIPT + BREAKOUT + TEMPLATE + JS_URL


def marker(key: str) -> str:
    """A field's text: its key (to tell the fields apart) and every payload."""
    return f"{key}:{PAYLOAD}"


def file_name(key: str) -> str:
    """An upload's name: the payload without '/', which no upload name can hold."""
    return f"{key}:<script>alert(1)<script>{BREAKOUT}{TEMPLATE}{JS_URL}.pdf"


# Organisation codes (32 characters at most) each carry one payload.
CODES = {
    "committee": "GW" + TEMPLATE,
    "parent": "P" + BREAKOUT,
    "a": "A" + BREAKOUT,
    "b": "B" + SCRIPT,
    "e": "E" + TEMPLATE,
    "d": "D" + JS_URL,
    "w": "W" + SCRIPT,
}


# --- The world ---------------------------------------------------------------------------


@dataclass
class World:
    users: dict = field(default_factory=dict)  # role name → user
    objects: dict = field(default_factory=dict)  # name → model instance
    text: dict = field(default_factory=dict)  # FIELDS key → the text as stored

    def arg(self, name):
        """A URL argument: the object's primary key (or the value itself, e.g. a code)."""
        value = self.objects[name]
        return getattr(value, "pk", value)


def _user(username, role, organisation, **names):
    user = get_user_model().objects.create_user(username=username, password="pw-Test-123", **names)
    RoleAssignment.objects.create(user=user, organisation=organisation, role=role)
    return user


def _roster():
    """The organisations and members, through the roster import."""
    c = CODES
    orgs = [
        org_row(c["committee"], "工委", name=marker("org.c"), start=None, end=None),
        org_row(c["parent"], "机关党委", c["committee"], name=marker("org.p")),
        org_row(c["a"], "党支部", c["parent"], name=marker("org.a")),
        org_row(c["b"], "党支部", c["parent"], name=marker("org.b")),
        org_row(c["e"], "党支部", c["parent"], name=marker("org.e")),
        org_row(c["d"], "党支部", c["committee"], name=marker("org.d")),
        org_row(c["w"], "党支部", c["parent"], name=marker("org.w")),
    ]
    members = []
    for key in ("a", "b", "e", "d"):
        members.append(member_row(f"M-{key}1", c[key], name=f"{key}1{SCRIPT}"))
        members.append(member_row(f"M-{key}2", c[key], name=f"{key}2{BREAKOUT}"))
    import_roster(workbook(orgs, members))
    return {key: Organisation.objects.get(code=code) for key, code in c.items()}


def _pdf(name):
    return SimpleUploadedFile(name, MINIMAL_PDF, content_type="application/pdf")


def _all_good(criteria):
    return {c.pk: "E" for c in criteria}


def _full_survey(assessment, secretary, criteria):
    """Every member and one public voter cast 好 / 满意; the secretary closes it."""
    issued = survey_service.open_survey(
        assessment=assessment, actor=secretary, public_slips=1, render_sheet=False
    )
    for _kind, code in issued.codes:
        survey_service.cast_ballot(code=code, grades=_all_good(criteria), verdict="satisfied")
    survey = assessment.survey
    survey_service.close_survey(survey=survey, actor=secretary)
    return survey


def _sheet(assessment, secretary, criteria, key, *, submit=True):
    sheet = assessment.self_evaluation
    scores = {c.pk: (c.max_points, marker(f"{key}.remark")) for c in criteria}
    sheet_service.save_draft(sheet=sheet, actor=secretary, scores=scores, self_star=5)
    sheet_service.add_evidence(
        sheet=sheet, actor=secretary, uploaded_file=_pdf(file_name(f"{key}.ev"))
    )
    if submit:
        sheet_service.submit(sheet=sheet, actor=secretary)
    return sheet


def _review(assessment, reviewer, criteria, key, *, total_each=None, submit=True):
    scores = {c.pk: total_each or c.max_points for c in criteria}
    remarks = {c.pk: marker(f"{key}.remark") for c in criteria}
    if submit:
        return review_service.submit_review(
            actor=reviewer, assessment=assessment, scores=scores, remarks=remarks
        )
    return review_service.save_review_draft(
        assessment=assessment, actor=reviewer, scores=scores, remarks=remarks
    )


def build_world() -> World:
    w = World()
    org = _roster()
    w.objects.update({f"org_{key}": value for key, value in org.items()})
    staff = _user("w_staff", Role.STAFF, org["committee"])
    w.users = {
        "staff": staff,
        "approver": _user("w_approver", Role.APPROVER, org["committee"]),
        "rereviewer": _user("w_rereviewer", Role.REREVIEWER, org["committee"]),
        "reviewer": _user(
            "w_reviewer", Role.REVIEWER, org["parent"], last_name=marker("user.last"), first_name=""
        ),
        "secretary_a": _user("w_sec_a", Role.SECRETARY, org["a"], first_name=marker("user.first")),
        "secretary_b": _user("w_sec_b", Role.SECRETARY, org["b"]),
        "secretary_e": _user("w_sec_e", Role.SECRETARY, org["e"]),
        "secretary_d": _user("w_sec_d", Role.SECRETARY, org["d"]),
    }
    u = w.users
    today = timezone.localdate()
    year = today.year

    # The campaign: title, a quota mode with its reason, a rubric of two criteria.
    campaign = campaign_service.create_campaign(
        committee=org["committee"],
        year=year,
        kind="initial",
        actor=staff,
        title=marker("campaign.title"),
        self_deadline=today + datetime.timedelta(days=30),
    )
    campaign_service.update_campaign(
        campaign=campaign,
        actor=staff,
        quota_mode="warn",
        quota_mode_reason=marker("campaign.quota_reason"),
    )
    campaign_service.update_rubric(
        campaign=campaign,
        actor=staff,
        criteria=[
            (marker("criterion.title"), marker("criterion.description"), Decimal(50)),
            ("第二项", marker("criterion.description2"), Decimal(50)),
        ],
    )
    # Next year's draft copies the rubric: its edit page shows the rubric's inputs.
    draft = campaign_service.create_campaign(
        committee=org["committee"],
        year=year + 1,
        kind="initial",
        actor=staff,
        title=marker("campaign.title2"),
    )
    campaign_service.open_campaign(campaign=campaign, actor=staff)
    criteria = list(campaign.criteria.order_by("position"))
    a, b, e, d, gone = (
        Assessment.objects.get(campaign=campaign, branch=org[key])
        for key in ("a", "b", "e", "d", "w")
    )
    w.objects.update(campaign=campaign, draft=draft, a=a, b=b, e=e, d=d, w=gone)

    # W: withdrawn, reinstated, withdrawn again (both reasons kept).
    campaign_service.withdraw_branch(
        assessment=gone, actor=staff, cause="merged", reason=marker("withdraw.first")
    )
    campaign_service.reinstate_branch(
        assessment=gone, actor=staff, reason=marker("assessment.reinstatement_reason")
    )
    campaign_service.withdraw_branch(
        assessment=gone, actor=staff, cause="dissolved", reason=marker("assessment.withdrawal")
    )

    # A: rated. Five stars proposed, sent back by the audit, resubmitted and agreed.
    _sheet(a, u["secretary_a"], criteria, "self_a")
    _full_survey(a, u["secretary_a"], criteria)
    review_a = _review(a, u["reviewer"], criteria, "review_a")
    review_service.audit_five_star(
        review=review_a, actor=staff, agree=False, reason=marker("review.audit_reason")
    )
    review_a = review_service.submit_review(actor=u["reviewer"], assessment=a)
    review_service.audit_five_star(review=review_a, actor=staff, agree=True)
    event_service.record_event(
        actor=staff,
        branch=org["a"],
        type="commendation",
        level="city",
        date=datetime.date(year, 1, 15),
        document_ref=marker("event.ref"),
        description=marker("event.description"),
        uploaded_file=_pdf(file_name("event.ev")),
    )
    w.objects["event"] = ScoreEvent.objects.get(branch=org["a"])

    # B: sheet extended (reopened), resubmitted, then returned by the reviewer; its
    # survey is open, so its ballot can be shown.
    _sheet(b, u["secretary_b"], criteria, "self_b")
    sheet_service.extend_deadline(
        sheet=b.self_evaluation,
        actor=staff,
        until=today + datetime.timedelta(days=40),
        reason=marker("sheet.extension_reason"),
    )
    sheet_service.submit(sheet=b.self_evaluation, actor=u["secretary_b"])
    sheet_service.return_sheet(
        sheet=b.self_evaluation, actor=u["reviewer"], reason=marker("sheet.return_reason")
    )
    issued = survey_service.open_survey(assessment=b, actor=u["secretary_b"], public_slips=1)
    w.objects["ballot_code"] = issued.codes[-1][1]

    # E: survey closed below 80 % by staff with a reason; review submitted, then returned.
    _sheet(e, u["secretary_e"], criteria, "self_e")
    survey_service.open_survey(
        assessment=e, actor=u["secretary_e"], public_slips=0, render_sheet=False
    )
    survey_service.close_survey(
        survey=e.survey, actor=staff, override_reason=marker("survey.override_reason")
    )
    review_e = _review(e, u["reviewer"], criteria, "review_e", total_each=Decimal(30))
    review_service.return_review(
        review=review_e, actor=staff, reason=marker("review.return_reason")
    )

    # D (directly managed): staff's five-star proposal waits for the audit.
    _sheet(d, u["secretary_d"], criteria, "self_d")
    _full_survey(d, u["secretary_d"], criteria)
    _review(d, staff, criteria, "review_d")
    w.objects["review_a"] = Review.objects.get(assessment=a)
    w.objects["review_d"] = Review.objects.get(assessment=d)
    for tab in ("stars", "ranking", "gaps"):  # the dashboard's tabs (D-7qs)
        w.objects[f"tab_{tab}"] = tab

    recompute_service.recompute_campaign(campaign=campaign, actor=staff)
    from scoring.services import exports as export_service

    w.objects["job"] = export_service.request_export(
        kind="rating-sheet",
        campaign=Campaign.objects.get(pk=campaign.pk),
        branch=org["a"],
        actor=u["secretary_a"],
    )
    _publicity_world(w)
    _demonstration_world(w)
    _improvement_world(w)
    _second_review_world(w)
    _read_back(w)
    return w


def _publicity_world(w: World) -> None:
    """Last year's campaign of A and D: published with a contact line, an objection filed
    and dismissed, approved, A's five stars not confirmed by the re-reviewer."""
    from scoring.models import AuditStatus, QuotaMode
    from scoring.services import publicity

    u, org = w.users, {k[4:]: v for k, v in w.objects.items() if k.startswith("org_")}
    year = timezone.localdate().year - 1
    done = factories.campaign(org["committee"], year=year, quota_mode=QuotaMode.OFF)
    ready_branch(done, org["a"], review_total=98, audit=AuditStatus.AGREED)
    ready_branch(done, org["d"], self_total=70, review_total=70)
    recompute_service.recompute_campaign(campaign=done, actor=u["staff"])
    done = publicity.publish_campaign(
        campaign=done, actor=u["staff"], contact_line=marker("campaign.contact_line")
    )
    objection = publicity.file_objection(
        assessment=done.assessments.get(branch=org["a"]),
        text=marker("objection.text"),
        name=marker("objection.name")[:50],
        phone=marker("objection.phone")[:30],
    )
    w.objects.update(done=done, objection=objection)
    publicity.dismiss_objection(
        objection=objection,
        actor=u["staff"],
        reason=marker("objection.reason"),
        notes=marker("objection.verification"),
    )
    later = done.publicity_end + datetime.timedelta(days=1)
    with clock.frozen(later):
        publicity.approve_campaign(
            campaign=done,
            actor=u["approver"],
            meeting_date=later.date(),
            reference=marker("approval.reference")[:100],
        )
        a_done = done.assessments.get(branch=org["a"])
        w.objects["a_done"] = a_done
        publicity.rereview(
            assessment=a_done,
            actor=u["rereviewer"],
            confirmed=False,
            star=4,
            reason=marker("rereview.reason"),
        )
        from scoring.services import stars

        stars.downgrade_star(
            branch=org["d"], actor=u["staff"], to=1, reason=marker("star_change.downgrade")
        )


def _demonstration_world(w: World) -> None:
    """Two years ago: A five stars, approved and confirmed by the re-reviewer, marked as a
    demonstration site, unmarked, and marked again (both reasons kept)."""
    from scoring.models import AuditStatus, QuotaMode
    from scoring.services import publicity

    u, org = w.users, {k[4:]: v for k, v in w.objects.items() if k.startswith("org_")}
    shown = factories.campaign(
        org["committee"], year=timezone.localdate().year - 2, quota_mode=QuotaMode.OFF
    )
    ready_branch(shown, org["a"], review_total=98, audit=AuditStatus.AGREED)
    recompute_service.recompute_campaign(campaign=shown, actor=u["staff"])
    shown = publicity.publish_campaign(campaign=shown, actor=u["staff"])
    later = shown.publicity_end + datetime.timedelta(days=1)
    with clock.frozen(later):
        publicity.approve_campaign(
            campaign=shown, actor=u["approver"], meeting_date=later.date(), reference="〔1〕"
        )
        a_shown = shown.assessments.get(branch=org["a"])
        publicity.rereview(assessment=a_shown, actor=u["rereviewer"], confirmed=True)
        first = publicity.mark_demonstration_site(
            assessment=a_shown, actor=u["staff"], reason=marker("site.reason") + "（旧）"
        )
        publicity.unmark_demonstration_site(
            site=first, actor=u["staff"], reason=marker("site.unmarked_reason")
        )
        site = publicity.mark_demonstration_site(
            assessment=a_shown, actor=u["staff"], reason=marker("site.reason")
        )
    w.objects.update(shown=shown, a_shown=a_shown, site=site, code_a=org["a"].code)


def _second_review_world(w: World) -> None:
    """A picked for a second review, scored by a second staff member with remarks, and
    the staff decision to use it, with its reason (docs/process.md §2.1.3)."""
    from scoring.services import second_reviews

    u, org = w.users, {k[4:]: v for k, v in w.objects.items() if k.startswith("org_")}
    u["second_reviewer"] = _user("w_second", Role.STAFF, org["committee"])
    campaign = Campaign.objects.get(pk=w.objects["campaign"].pk)
    a = Assessment.objects.get(pk=w.objects["a"].pk)
    (second,) = second_reviews.pick_branches(campaign=campaign, actor=u["staff"], assessments=[a])
    second_reviews.assign_reviewer(second=second, actor=u["staff"], reviewer=u["second_reviewer"])
    criteria = list(campaign.criteria.order_by("position"))
    second_reviews.submit_second_review(
        second=second,
        actor=u["second_reviewer"],
        scores={c.pk: c.max_points - 10 for c in criteria},
        remarks={c.pk: marker("second.remark") for c in criteria},
    )
    second_reviews.decide(
        second=second,
        actor=u["staff"],
        use_second=True,
        reason=marker("second.decision_reason"),
    )
    w.objects["second"] = second


def _improvement_world(w: World) -> None:
    """Branch A's plan of this year: filed and returned with a reason; three ledger items,
    one open, one closed with evidence, one closed and reopened with a reason."""
    from improvement import services as improvement

    u, a = w.users, w.objects["org_a"]
    secretary, responsible = u["secretary_a"], Member.objects.get(code="M-a1")
    plan = improvement.create_plan(
        actor=secretary,
        branch=a,
        campaign=Campaign.objects.get(pk=w.objects["campaign"].pk),
        target_star=5,
        measures=marker("plan.measures"),
    )
    improvement.file_plan(actor=secretary, plan=plan)
    improvement.return_plan(actor=u["reviewer"], plan=plan, reason=marker("plan.return_reason"))
    due = timezone.localdate() + datetime.timedelta(days=30)

    def item(key):
        return improvement.add_item(
            actor=secretary,
            plan=plan,
            problem=marker(f"{key}.problem"),
            measures=marker(f"{key}.measures"),
            responsible=responsible,
            due=due,
        )

    opened, closed, reopened = item("item"), item("item2"), item("item3")
    for done in (closed, reopened):
        improvement.close_item(
            actor=secretary,
            item=done,
            closed_on=timezone.localdate(),
            note=marker("item.note"),
            uploaded_file=_pdf(file_name("item.ev")),
        )
    improvement.reopen_item(actor=u["staff"], item=reopened, reason=marker("item.reopen"))
    w.objects.update(plan=plan, item_open=opened, item_closed=closed)


def _read_back(w: World) -> None:
    """The text of every FIELDS entry as stored (a validator may have changed it)."""
    for entry in FIELDS:
        w.text[entry.key] = entry.read(w)
    w.text["query"] = marker("query")  # not stored: typed into a filter or a link


# --- The fields --------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    key: str
    model_field: str  # "app_label.Model.field", for the completeness test
    read: object  # world → the stored text


def _get(model, lookup, attr):
    return lambda w: getattr(model.objects.get(**lookup(w)), attr)


def _org(key):
    return _get(Organisation, lambda w: {"pk": w.objects[f"org_{key}"].pk}, "name")


def _code(key):
    return _get(Organisation, lambda w: {"pk": w.objects[f"org_{key}"].pk}, "code")


def _self_remark(key):
    return lambda w: w.objects[key].self_evaluation.scores.order_by("criterion__position")[0].remark


def _review_remark(key):
    return lambda w: w.objects[key].review.scores.order_by("criterion__position")[0].remark


def _evidence(key):
    return lambda w: Evidence.objects.get(self_evaluation__assessment=w.objects[key]).original_name


def _history_value(model, lookup, attr):
    """A value the object no longer holds but its history keeps (shown in the audit trail)."""

    def read(w):
        values = model.history.filter(**lookup(w)).values_list(attr, flat=True)
        return next(v for v in values if v)

    return read


FIELDS = [
    Field("org.c", "branches.Organisation.name", _org("committee")),
    Field("org.p", "branches.Organisation.name", _org("parent")),
    Field("org.a", "branches.Organisation.name", _org("a")),
    Field("org.b", "branches.Organisation.name", _org("b")),
    Field("org.e", "branches.Organisation.name", _org("e")),
    Field("org.d", "branches.Organisation.name", _org("d")),
    Field("org.w", "branches.Organisation.name", _org("w")),
    Field("code.a", "branches.Organisation.code", _code("a")),
    Field("code.b", "branches.Organisation.code", _code("b")),
    Field("code.e", "branches.Organisation.code", _code("e")),
    Field("code.d", "branches.Organisation.code", _code("d")),
    # Members' names are shown on no page (the admin is out of scope): stored, checked
    # nowhere, listed so the completeness test knows they were considered.
    Field(
        "member.name",
        "branches.Member.name",
        lambda w: Member.objects.get(code="M-a1").name,
    ),
    Field("user.last", "auth.User.last_name", lambda w: w.users["reviewer"].last_name),
    Field("user.first", "auth.User.first_name", lambda w: w.users["secretary_a"].first_name),
    Field(
        "campaign.title",
        "scoring.Campaign.title",
        _get(Campaign, lambda w: {"pk": w.objects["campaign"].pk}, "title"),
    ),
    Field(
        "campaign.title2",
        "scoring.Campaign.title",
        _get(Campaign, lambda w: {"pk": w.objects["draft"].pk}, "title"),
    ),
    Field(
        "campaign.quota_reason",
        "scoring.Campaign.quota_mode_reason",
        _get(Campaign, lambda w: {"pk": w.objects["campaign"].pk}, "quota_mode_reason"),
    ),
    Field(
        "criterion.title",
        "scoring.Criterion.title",
        _get(Criterion, lambda w: {"campaign": w.objects["campaign"], "position": 1}, "title"),
    ),
    Field(
        "criterion.description",
        "scoring.Criterion.description",
        _get(
            Criterion, lambda w: {"campaign": w.objects["campaign"], "position": 1}, "description"
        ),
    ),
    Field("self_a.remark", "scoring.SelfScore.remark", _self_remark("a")),
    Field("self_b.remark", "scoring.SelfScore.remark", _self_remark("b")),
    Field("self_e.remark", "scoring.SelfScore.remark", _self_remark("e")),
    Field("self_d.remark", "scoring.SelfScore.remark", _self_remark("d")),
    Field("self_a.ev", "scoring.Evidence.original_name", _evidence("a")),
    Field("self_b.ev", "scoring.Evidence.original_name", _evidence("b")),
    Field(
        "sheet.return_reason",
        "scoring.SelfEvaluation.return_reason",
        _get(SelfEvaluation, lambda w: {"assessment": w.objects["b"]}, "return_reason"),
    ),
    Field(
        "sheet.extension_reason",
        "scoring.SelfEvaluation.extension_reason",
        _get(SelfEvaluation, lambda w: {"assessment": w.objects["b"]}, "extension_reason"),
    ),
    Field(
        "survey.override_reason",
        "scoring.Survey.close_override_reason",
        _get(Survey, lambda w: {"assessment": w.objects["e"]}, "close_override_reason"),
    ),
    Field("review_a.remark", "scoring.ReviewScore.remark", _review_remark("a")),
    Field("review_e.remark", "scoring.ReviewScore.remark", _review_remark("e")),
    Field("review_d.remark", "scoring.ReviewScore.remark", _review_remark("d")),
    Field(
        "review.return_reason",
        "scoring.Review.return_reason",
        _get(Review, lambda w: {"assessment": w.objects["e"]}, "return_reason"),
    ),
    # Cleared when the review was resubmitted; the audit trail keeps it.
    Field(
        "review.audit_reason",
        "scoring.Review.audit_reason",
        _history_value(Review, lambda w: {"assessment_id": w.objects["a"].pk}, "audit_reason"),
    ),
    Field(
        "assessment.withdrawal",
        "scoring.Assessment.withdrawal_reason",
        _get(Assessment, lambda w: {"pk": w.objects["w"].pk}, "withdrawal_reason"),
    ),
    # Shown on no page yet (the branch page's audit trail does not list assessment
    # changes): stored, checked nowhere, listed so the completeness test knows.
    Field(
        "assessment.reinstatement_reason",
        "scoring.Assessment.reinstatement_reason",
        _get(Assessment, lambda w: {"pk": w.objects["w"].pk}, "reinstatement_reason"),
    ),
    Field(
        "event.ref",
        "scoring.ScoreEvent.document_ref",
        _get(ScoreEvent, lambda w: {"pk": w.objects["event"].pk}, "document_ref"),
    ),
    Field(
        "event.description",
        "scoring.ScoreEvent.description",
        _get(ScoreEvent, lambda w: {"pk": w.objects["event"].pk}, "description"),
    ),
    Field(
        "event.ev",
        "scoring.ScoreEvent.evidence_name",
        _get(ScoreEvent, lambda w: {"pk": w.objects["event"].pk}, "evidence_name"),
    ),
    Field(
        "campaign.contact_line",
        "scoring.Campaign.contact_line",
        _get(Campaign, lambda w: {"pk": w.objects["done"].pk}, "contact_line"),
    ),
    *(
        Field(
            f"objection.{key}",
            f"scoring.Objection.{attr}",
            _get(Objection, lambda w: {"pk": w.objects["objection"].pk}, attr),
        )
        for key, attr in (
            ("text", "text"),
            ("name", "name"),
            ("phone", "phone"),
            ("reason", "outcome_reason"),
            ("verification", "verification"),
        )
    ),
    Field(
        "approval.reference",
        "scoring.Approval.reference",
        _get(Approval, lambda w: {"campaign": w.objects["done"]}, "reference"),
    ),
    *(
        Field(
            f"plan.{attr}",
            f"improvement.ImprovementPlan.{attr}",
            _get(ImprovementPlan, lambda w: {"pk": w.objects["plan"].pk}, attr),
        )
        for attr in ("measures", "return_reason")
    ),
    *(
        Field(
            key,
            f"improvement.LedgerItem.{attr}",
            _get(LedgerItem, lambda w, pk=pk: {"pk": w.objects[pk].pk}, attr),
        )
        for key, pk, attr in (
            ("item.problem", "item_open", "problem"),
            ("item.measures", "item_open", "measures"),
            ("item.note", "item_closed", "closing_note"),
            ("item.ev", "item_closed", "evidence_name"),
        )
    ),
    Field(
        "item.reopen",
        "improvement.LedgerItem.reopen_reason",
        _get(LedgerItem, lambda w: {"reopen_reason__startswith": "item.reopen"}, "reopen_reason"),
    ),
    # Shown on no page yet (the branch's star history page is still to come).
    Field(
        "rereview.reason",
        "scoring.ReReview.reason",
        _get(ReReview, lambda w: {"assessment": w.objects["a_done"]}, "reason"),
    ),
    Field(
        "star_change.reason",
        "scoring.StarChange.reason",
        _get(StarChange, lambda w: {"cause": "rereview"}, "reason"),
    ),
    Field(
        "star_change.downgrade",
        "scoring.StarChange.reason",
        _get(StarChange, lambda w: {"cause": "downgrade"}, "reason"),
    ),
]
FIELDS += [
    Field(
        "site.reason",
        "scoring.DemonstrationSite.reason",
        _get(DemonstrationSite, lambda w: {"pk": w.objects["site"].pk}, "reason"),
    ),
    # Shown on no page yet (the list shows the current sites).
    Field(
        "site.unmarked_reason",
        "scoring.DemonstrationSite.unmarked_reason",
        _get(DemonstrationSite, lambda w: {"unmarked_at__isnull": False}, "unmarked_reason"),
    ),
]
FIELDS += [
    Field(
        "second.remark",
        "scoring.SecondReviewScore.remark",
        lambda w: w.objects["second"].scores.order_by("criterion__position")[0].remark,
    ),
    Field(
        "second.decision_reason",
        "scoring.SecondReview.decision_reason",
        _get(SecondReview, lambda w: {"pk": w.objects["second"].pk}, "decision_reason"),
    ),
]
FIELD_KEYS = {f.key for f in FIELDS}

#: Text fields no user types freely: codes, hashes, sniffed types, generated values.
NOT_USER_TEXT = {
    "branches.Member.code": "member number, shown on no page",
    "branches.Member.phone": "digits, + and - only (checked by the import)",
    "scoring.Evidence.content_type": "set from the sniffed content, never from the request",
    "scoring.Slip.code_hash": "a keyed hash",
    "scoring.PaperEntry.entry_hash": "a keyed hash",
    "scoring.PaperEntry.teller_tag": "a keyed hash",
    "scoring.PaperEntry.grades": "grade letters checked against the rubric",
    "scoring.PaperEntry.verdict": "one of the verdicts, checked by the form",
    "scoring.Ballot.grades": "grade letters checked against the rubric",
    "scoring.Objection.receipt": "generated from a fixed alphabet",
    "scoring.Objection.attachment_type": "set from the sniffed content",
    "scoring.Approval.minutes_type": "set from the sniffed content",
    "scoring.Approval.digest": "a SHA-256 hex digest",
    "improvement.LedgerItem.evidence_type": "set from the sniffed content",
    "scoring.Approval.snapshot": "JSON built by the service; its names are shown by the "
    "approved-list page (checked there)",
    "scoring.ExportJob.kind": "one of scoring.exporters.KINDS",
    "scoring.ExportJob.filename": "built by the exporter from the year, ids and codes",
    "scoring.ExportJob.error": "our own message (an exporter's refusal or a fixed one)",
    "scoring.ExportJob.file": "a random storage path",
}


# --- The pages ---------------------------------------------------------------------------

SECRETARY_A, REVIEWER, STAFF, APPROVER, REREVIEWER = (
    "secretary_a",
    "reviewer",
    "staff",
    "approver",
    "rereviewer",
)
COMMITTEE = (STAFF, APPROVER, REREVIEWER)
EVERYONE_OF_A = (SECRETARY_A, REVIEWER, *COMMITTEE)
CAMPAIGN = ("campaign.title",)
TREE_A = ("org.a", "org.p")


@dataclass(frozen=True)
class Page:
    name: str
    url_name: str
    args: tuple  # names of World.objects, in the URL's order
    roles: tuple  # role names of World.users; "anonymous" for no login
    shows: tuple  # FIELDS keys every listed role must see as text ("query": the query)
    query: tuple = ()  # parameters given the query marker, for input echoed back

    def url(self, world: World) -> str:
        url = reverse(self.url_name, args=[world.arg(a) for a in self.args])
        if self.query:
            url += "?" + urlencode({name: world.text["query"] for name in self.query})
        return url


PAGES = [
    Page("home, secretary", "home", (), (SECRETARY_A,), ("org.a", "user.first")),
    Page("home, returned sheet", "home", (), ("secretary_b",), ("org.b", "sheet.return_reason")),
    Page("home, reviewer", "home", (), (REVIEWER,), ("org.p", "user.last")),
    Page("home, staff", "home", (), (STAFF,), ("org.c", *CAMPAIGN, "campaign.title2")),
    Page("home, committee", "home", (), (APPROVER, REREVIEWER), ("org.c",)),
    Page("campaign list", "scoring:campaign_list", (), COMMITTEE, ("campaign.title",)),
    Page(
        "campaign detail",
        "scoring:campaign_detail",
        ("campaign",),
        COMMITTEE,
        (
            *CAMPAIGN,
            *TREE_A,
            "org.b",
            "org.e",
            "org.d",
            "org.w",
            "code.a",
            "code.b",
            "code.e",
            "code.d",
            "assessment.withdrawal",
        ),
    ),
    Page("withdraw a branch", "scoring:assessment_withdraw", ("a",), (STAFF,), TREE_A),
    Page(
        "reinstate a branch",
        "scoring:assessment_reinstate",
        ("w",),
        (STAFF,),
        (*CAMPAIGN, "org.w", "org.p", "assessment.withdrawal"),
    ),
    Page(
        "campaign edit (open)",
        "scoring:campaign_edit",
        ("campaign",),
        (STAFF,),
        (*CAMPAIGN, "campaign.quota_reason", "criterion.title"),
    ),
    Page(
        "campaign edit (draft rubric)",
        "scoring:campaign_edit",
        ("draft",),
        (STAFF,),
        ("campaign.title2", "criterion.title", "criterion.description"),
    ),
    Page("campaign open", "scoring:campaign_open", ("draft",), (STAFF,), ("campaign.title2",)),
    Page(
        "results",
        "scoring:campaign_results",
        ("campaign",),
        COMMITTEE,
        (*CAMPAIGN, "campaign.quota_reason", *TREE_A, "code.a", "org.b", "org.e", "org.d"),
    ),
    Page(
        "branch page A",
        "scoring:assessment",
        ("a",),
        EVERYONE_OF_A,
        (*CAMPAIGN, *TREE_A, "code.a", "user.first", "user.last", "event.ref", "event.description"),
    ),
    Page(
        "branch page A, audit trail",
        "scoring:assessment",
        ("a",),
        (STAFF,),
        (
            "criterion.title",
            "self_a.remark",
            "self_a.ev",
            "review_a.remark",
            "review.audit_reason",
            "event.ref",
            "event.description",
            "event.ev",
        ),
    ),
    Page(
        "branch page B",
        "scoring:assessment",
        ("b",),
        ("secretary_b", REVIEWER, *COMMITTEE),
        ("org.b", "code.b", "sheet.return_reason"),
    ),
    Page(
        "branch page B, audit trail",
        "scoring:assessment",
        ("b",),
        (STAFF,),
        ("sheet.extension_reason", "sheet.return_reason", "self_b.remark", "self_b.ev"),
    ),
    Page(
        "branch page E",
        "scoring:assessment",
        ("e",),
        (REVIEWER, *COMMITTEE),
        ("org.e", "code.e", "survey.override_reason", "review.return_reason"),
    ),
    Page(
        "branch page E, audit trail",
        "scoring:assessment",
        ("e",),
        (STAFF,),
        ("survey.override_reason", "review.return_reason", "review_e.remark", "self_e.remark"),
    ),
    Page("branch page D", "scoring:assessment", ("d",), COMMITTEE, ("org.d", "code.d", "org.c")),
    Page(
        "self-evaluation A (read-only)",
        "scoring:self_evaluation",
        ("a",),
        EVERYONE_OF_A,
        ("org.a", "criterion.title", "self_a.remark", "self_a.ev"),
    ),
    Page(
        "self-evaluation B (editable, returned)",
        "scoring:self_evaluation",
        ("b",),
        ("secretary_b",),
        (
            "org.b",
            "criterion.title",
            "criterion.description",
            "self_b.remark",
            "self_b.ev",
            "sheet.return_reason",
        ),
    ),
    Page(
        "self-evaluation B (returned, read-only)",
        "scoring:self_evaluation",
        ("b",),
        (REVIEWER, *COMMITTEE),
        ("org.b", "criterion.title", "self_b.remark", "self_b.ev", "sheet.return_reason"),
    ),
    Page("return a sheet", "scoring:self_evaluation_return", ("a",), (REVIEWER,), ("org.a",)),
    Page("extend a deadline", "scoring:self_evaluation_extend", ("a",), (STAFF,), ("org.a",)),
    Page(
        "review A (submitted)",
        "scoring:review",
        ("a",),
        (REVIEWER,),
        (*CAMPAIGN, *TREE_A, "criterion.title", "self_a.remark", "self_a.ev", "review_a.remark"),
    ),
    Page(
        "review E (returned)",
        "scoring:review",
        ("e",),
        (REVIEWER,),
        (
            "org.e",
            "self_e.remark",
            "review_e.remark",
            "review.return_reason",
            "survey.override_reason",
        ),
    ),
    Page(
        "review D (staff)",
        "scoring:review",
        ("d",),
        (STAFF,),
        ("org.d", "org.c", "criterion.title", "self_d.remark", "review_d.remark"),
    ),
    Page(
        "review queue",
        "scoring:review_queue",
        (),
        (REVIEWER,),
        (*CAMPAIGN, "org.a", "org.b", "org.e", "org.p"),
    ),
    Page("review queue, staff", "scoring:review_queue", (), (STAFF,), ("org.d", "org.c")),
    Page("audit queue", "scoring:audit_queue", (), (STAFF,), (*CAMPAIGN, "org.d", "org.c")),
    Page(
        "audit D (pending)",
        "scoring:audit",
        ("review_d",),
        (STAFF,),
        (*CAMPAIGN, "org.d", "criterion.title", "review_d.remark"),
    ),
    Page(
        "audit A (agreed)",
        "scoring:audit",
        ("review_a",),
        (STAFF,),
        ("org.a", "criterion.title", "review_a.remark"),
    ),
    Page("rating A", "scoring:rating", ("a",), EVERYONE_OF_A, (*CAMPAIGN, "org.a")),
    Page("rating B (not rated)", "scoring:rating", ("b",), ("secretary_b",), (*CAMPAIGN, "org.b")),
    Page(
        "events",
        "scoring:event_list",
        (),
        (SECRETARY_A, REVIEWER, *COMMITTEE),
        ("org.a", "org.p", "event.ref", "event.description"),
    ),
    Page(
        "edit an event",
        "scoring:event_edit",
        ("event",),
        (STAFF,),
        ("org.a", "event.ref", "event.description", "event.ev"),
    ),
    Page("delete an event", "scoring:event_delete", ("event",), (STAFF,), ("org.a",)),
    Page("survey B (open)", "scoring:survey", ("b",), ("secretary_b", STAFF), ("org.b",)),
    Page("paper ballots of B", "scoring:survey_paper", ("b",), ("secretary_b", STAFF), ("org.b",)),
    Page(
        "survey A (closed)",
        "scoring:survey",
        ("a",),
        EVERYONE_OF_A,
        ("org.a", "criterion.title"),
    ),
    Page(
        "survey E (closed below 80 %)",
        "scoring:survey",
        ("e",),
        (REVIEWER, STAFF),
        ("org.e", "survey.override_reason"),
    ),
    Page(
        "ballot (public)",
        "scoring:ballot_code",
        ("ballot_code",),
        ("anonymous",),
        ("org.b", *CAMPAIGN, "criterion.title", "criterion.description"),
    ),
    Page("record an event", "scoring:event_create", (), (STAFF,), ("org.a", "org.d")),
    Page("new campaign", "scoring:campaign_create", (), (STAFF,), ()),
    # The import's errors quote the file: tests/branches/test_views.py.
    Page("roster import", "branches:roster_import", (), (STAFF,), ()),
    Page("ballot cast", "scoring:ballot_thanks", (), ("anonymous",), ()),
    # Input echoed back: filters, and the login page's `next`.
    Page(
        "events, filtered",
        "scoring:event_list",
        (),
        (STAFF, SECRETARY_A),
        ("query",),
        query=("year", "type", "branch"),
    ),
    Page(
        "campaign detail, filtered",
        "scoring:campaign_detail",
        ("campaign",),
        COMMITTEE,
        ("query",),
        query=("parent", "status", "survey", "review", "audit", "scope", "page"),
    ),
    Page("policy simulator", "scoring:simulator", ("campaign",), (STAFF,), CAMPAIGN),
    Page(
        "policy simulator, bad input echoed",
        "scoring:simulator",
        ("campaign",),
        (STAFF,),
        ("query",),
        query=("weight_self", "band_5", "quota_mode", "off", "sort", "page"),
    ),
    Page(
        "results, paged",
        "scoring:campaign_results",
        ("campaign",),
        (STAFF,),
        (),
        query=("page",),
    ),
    Page("dashboard", "scoring:dashboard", (), (STAFF,), (*CAMPAIGN, "org.p")),
    Page("dashboard, reviewer", "scoring:dashboard", (), (REVIEWER,), (*CAMPAIGN, "org.p")),
    Page("dashboard, stars", "scoring:dashboard", ("tab_stars",), (STAFF, REVIEWER), ("org.p",)),
    Page(
        "dashboard, ranking",
        "scoring:dashboard",
        ("tab_ranking",),
        (STAFF,),
        (*CAMPAIGN, *TREE_A, "code.a", "org.b", "code.b", "org.e", "org.d", "org.c"),
    ),
    Page(
        "dashboard, ranking, reviewer",
        "scoring:dashboard",
        ("tab_ranking",),
        (REVIEWER,),
        (*CAMPAIGN, *TREE_A),
    ),
    Page("dashboard, gaps", "scoring:dashboard", ("tab_gaps",), (STAFF, REVIEWER), CAMPAIGN),
    *(
        Page(
            f"dashboard{tab and ', ' + tab}, filtered",
            "scoring:dashboard",
            (f"tab_{tab}",) if tab else (),
            (STAFF, REVIEWER),
            # The query is echoed in the tab's own fields: the search, the margin.
            ("query",) if tab in ("ranking", "gaps") else (),
            query=("campaign", "parent", "star", "status", "q", "margin", "page"),
        )
        for tab in ("", "stars", "ranking", "gaps")
    ),
    # An unsafe `next` is dropped, not echoed (Django's LoginView).
    Page("log in", "login", (), ("anonymous",), (), query=("next",)),
    # Publicity, objections, approval, re-review (last year's campaign).
    Page(
        "publish (declaring)",
        "scoring:campaign_publish",
        ("campaign",),
        (STAFF,),
        (*CAMPAIGN, "org.b", "org.e"),
    ),
    Page(
        "objections",
        "scoring:objections",
        ("done",),
        (STAFF,),
        ("org.a", "org.p", "objection.name", "campaign.contact_line"),
    ),
    Page(
        "objection",
        "scoring:objection",
        ("objection",),
        (STAFF,),
        (
            "org.a",
            "org.p",
            "objection.text",
            "objection.name",
            "objection.phone",
            "objection.reason",
            "objection.verification",
        ),
    ),
    Page("approve", "scoring:campaign_approve", ("done",), (APPROVER,), ()),
    Page(
        "approved list",
        "scoring:approved_list",
        ("done",),
        COMMITTEE,
        ("org.a", "org.d", "org.p", "approval.reference"),
    ),
    Page("re-reviews", "scoring:rereviews", (), (REREVIEWER,), ()),
    Page("re-review A", "scoring:rereview", ("a_done",), (REREVIEWER,), ("org.a", "org.p")),
    # The public notice (no login).
    Page("public notices", "scoring:notice_list", (), ("anonymous",), ()),
    Page(
        "public notice",
        "scoring:notice",
        ("done",),
        ("anonymous",),
        ("org.a", "org.d", "org.p", "org.c", "campaign.contact_line"),
    ),
    Page("objection form (closed)", "scoring:notice_objection", ("done",), ("anonymous",), ()),
    # A branch's star, the ledger, the year-end re-rating (docs/process.md §2.3, §2.6).
    Page(
        "branch page A, star history",
        "scoring:assessment",
        ("a",),
        EVERYONE_OF_A,
        ("star_change.reason",),
    ),
    Page(
        "branch star A",
        "scoring:branch_stars",
        ("org_a",),
        EVERYONE_OF_A,
        (*TREE_A, "star_change.reason"),
    ),
    Page(
        "branch star D",
        "scoring:branch_stars",
        ("org_d",),
        COMMITTEE,
        ("org.d", "star_change.downgrade"),
    ),
    Page("star ledger", "scoring:star_ledger", (), (REVIEWER, *COMMITTEE), TREE_A),
    Page("star ledger, direct", "scoring:star_ledger", (), COMMITTEE, ("org.d", "org.c")),
    Page("year-end re-rating", "scoring:year_end_create", ("campaign",), (STAFF,), CAMPAIGN),
    Page("submit for approval", "scoring:campaign_submit", ("campaign",), (STAFF,), CAMPAIGN),
    # Demonstration sites (every logged-in user; staff with the forms).
    Page(
        "demonstration sites",
        "scoring:demonstration_sites",
        (),
        (SECRETARY_A, REVIEWER, *COMMITTEE),
        ("org.a", "org.p", "site.reason"),
    ),
    # Reminder settings (docs/process.md §2.5, Reminders): the user's own name in the menu.
    Page("reminder settings", "reminders:settings", (), (SECRETARY_A,), ("user.first",)),
    # Improvement plans and the rectification ledger (docs/process.md §2.2).
    Page("improvement overview", "improvement:overview", (), (REVIEWER, *COMMITTEE), TREE_A),
    Page(
        "improvement overview, filtered",
        "improvement:overview",
        (),
        (STAFF,),
        (),
        query=("year", "parent", "category", "page"),
    ),
    Page("focused rectification", "improvement:focused", (), (REVIEWER, STAFF), ("org.b",)),
    Page("improvement, branch A", "improvement:branch", ("org_a",), EVERYONE_OF_A, ("org.a",)),
    Page(
        "improvement plan A",
        "improvement:plan",
        ("plan",),
        EVERYONE_OF_A,
        (
            "org.a",
            "campaign.title",
            "plan.measures",
            "plan.return_reason",
            "item.problem",
            "item.measures",
            "item.note",
            "item.ev",
            "item.reopen",
            "member.name",
        ),
    ),
    Page(
        "edit plan A",
        "improvement:plan_edit",
        ("plan",),
        (SECRETARY_A,),
        ("org.a", "plan.measures", "plan.return_reason"),
    ),
    Page(
        "start plan B",
        "improvement:plan_create",
        ("org_b",),
        ("secretary_b",),
        ("org.b", "campaign.title"),
    ),
    Page("return plan A", "improvement:plan_return", ("plan",), (REVIEWER,), ("org.a",)),
    Page("starting list A", "improvement:starting_list", ("plan",), (SECRETARY_A,), ("org.a",)),
    Page(
        "add an item",
        "improvement:item_create",
        ("plan",),
        (SECRETARY_A,),
        ("org.a", "member.name"),
    ),
    Page(
        "close an item",
        "improvement:item_close",
        ("item_open",),
        (SECRETARY_A,),
        ("org.a", "item.problem"),
    ),
    Page(
        "edit an item",
        "improvement:item_edit",
        ("item_open",),
        (SECRETARY_A,),
        ("org.a", "item.problem", "item.measures", "member.name"),
    ),
    Page("reopen an item", "improvement:item_reopen", ("item_closed",), (STAFF,), ("org.a",)),
    # Reports made in the background (a rating sheet of A, asked by A's secretary).
    Page("my exports", "scoring:exports", (), (SECRETARY_A,), (*CAMPAIGN, "org.a")),
    Page("export job", "scoring:export_job", ("job",), (SECRETARY_A, STAFF), (*CAMPAIGN, "org.a")),
]

# Second reviews (docs/process.md §2.1.3): A's, scored by a second staff member, decided.
SECOND = "second_reviewer"
PAGES += [
    Page("second reviews", "scoring:second_reviews", ("campaign",), (STAFF,), (*CAMPAIGN, *TREE_A)),
    Page(
        "disagreement",
        "scoring:second_review_disagreement",
        ("campaign",),
        (STAFF,),
        (*CAMPAIGN, *TREE_A, "criterion.title", "query"),
        query=("margin",),
    ),
    Page(
        "second review decision",
        "scoring:second_review_decide",
        ("second",),
        (STAFF,),
        (*TREE_A, "criterion.title", "review_a.remark", "second.remark", "second.decision_reason"),
    ),
    Page(
        "second reviewer assignment", "scoring:second_review_assign", ("second",), (STAFF,), TREE_A
    ),
    Page("my second reviews", "scoring:second_review_queue", (), (SECOND,), (*CAMPAIGN, *TREE_A)),
    Page(
        "second review sheet",
        "scoring:second_review",
        ("second",),
        (SECOND,),
        ("org.a", "criterion.title", "self_a.remark", "self_a.ev", "second.remark"),
    ),
    Page(
        "branch page, second-review decision",
        "scoring:assessment",
        ("a",),
        EVERYONE_OF_A,
        ("org.a", "second.decision_reason"),
    ),
]

#: URL names that are not pages: POST-only actions, downloads, JSON, the admin, auth.
NOT_PAGES = {
    "scoring:recompute": "POST only",
    "scoring:review_return": "POST only",
    "scoring:evidence_upload": "POST only",
    "scoring:evidence_delete": "POST only",
    "scoring:survey_open": "POST only",
    "scoring:survey_more_slips": "POST only",
    "scoring:survey_reissue": "POST only",
    "scoring:survey_close": "POST only",
    "scoring:evidence_download": "a file download",
    "scoring:event_evidence": "a file download",
    "scoring:survey_sheet": "a PDF download (its HTML: test_slip_sheet_escapes_user_text)",
    "scoring:survey_participation": "JSON of counts",
    "scoring:survey_sheet_job": "JSON of a slip-sheet job's status and progress",
    "scoring:ballot": "reached through scoring:ballot_code",
    "branches:roster_template": "an xlsx download",
    "scoring:dashboard_export": "POST only (starts the ranking workbook's job, D-6z)",
    "scoring:dashboard_chart": "an SVG image (its text: test_a_parents_name_is_escaped_in_the_svg)",
    "scoring:export_start": "POST only",
    "scoring:simulator_export": "an xlsx download (its text: the exporters' `clean_text`)",
    "scoring:export_status": "JSON of the job's status, progress and our own message",
    "scoring:export_download": "a file download (its text: tests/scoring/exporters/)",
    "scoring:rating_sheet": "a PDF download (its text: tests/scoring/exporters/test_rating_sheet)",
    "set_language": "a redirect",
    "scoring:notice_receipt": "reached after filing; shows the receipt number alone",
    "scoring:notice_pdf": "a PDF download (its HTML: test_publicity_pdfs_escape_user_text)",
    "scoring:approved_pdf": "a PDF download (its HTML: test_publicity_pdfs_escape_user_text)",
    "scoring:certificates": "a PDF download (its HTML: test_publicity_pdfs_escape_user_text)",
    "scoring:branch_certificate": "a PDF download (as scoring:certificates)",
    "scoring:unmark_demonstration_site": "POST only",
    "reminders:unsubscribe": "shows only the account's e-mail address "
    "(tests/reminders/test_views.py: test_the_pages_escape_the_e_mail_address)",
    "improvement:plan_file": "POST only",
    "improvement:plan_acknowledge": "POST only",
    "improvement:item_evidence": "a file download",
    "scoring:objection_attachment": "a file download",
    "scoring:approval_minutes": "a file download",
    "scoring:second_reviews_draw": "POST only",
    "scoring:second_reviews_pick": "POST only",
    "scoring:second_review_remove": "POST only",
}
NOT_PAGE_PREFIXES = ("admin:",)
NOT_PAGE_MODULES = ("django.contrib.auth.views",)  # but "login" is in PAGES


# --- Reading a page ----------------------------------------------------------------------

URL_ATTRS = {"href", "src", "action", "formaction", "data", "xlink:href"}


class PageReader(HTMLParser):
    """The text and attribute values of a page, and anything the payload made live."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.live: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            self.chunks.append(value)
            if name.startswith("on") and "alert" in value:
                self.live.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRS and value.strip().lower().startswith("javascript:"):
                self.live.append(f"<{tag} {name}={value!r}>")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.live.append("<img src=x>")
        self._script = tag == "script"

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self._script = False

    def handle_data(self, data):
        if self._script and "alert" in data:
            self.live.append(f"<script>{data[:40]}")
        self.chunks.append(data)


def problems_of(html: str, expected: dict[str, str]) -> list[str]:
    """What is wrong with a page: live payload, and expected texts not shown as text."""
    reader = PageReader()
    reader.feed(html)
    reader.close()
    found = [f"live markup: {live}" for live in reader.live]
    for key, text in expected.items():
        if not any(text in chunk for chunk in reader.chunks):
            found.append(f"{key} is not shown as text: {text!r}")
    return found


# --- Tests -------------------------------------------------------------------------------


class Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), pytest.raises(Rollback), transaction.atomic():
        yield build_world()
        raise Rollback


@pytest.fixture
def world(built, db):
    return built


CASES = [(page, role) for page in PAGES for role in page.roles]


@pytest.mark.parametrize(("page", "role"), CASES, ids=[f"{p.name}·{r}" for p, r in CASES])
def test_user_text_is_shown_escaped(world, page, role):
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    response = client.get(page.url(world), follow=True)
    assert response.status_code == 200, response.redirect_chain
    expected = {key: world.text[key] for key in page.shows}
    problems = problems_of(response.content.decode(), expected)
    assert not problems, "\n".join(problems)


def test_the_world_holds_every_payload(world):
    """Every field still carries a payload as stored, so the page checks are not vacuous
    (an input filter added later that strips them shows up here)."""
    for key, text in world.text.items():
        assert text, key
        assert any(p in text for p in (SCRIPT, BREAKOUT, TEMPLATE, JS_URL, "<script>")), key


def test_the_page_reader_sees_live_markup():
    """The check itself: raw payloads are caught, escaped ones pass."""
    from django.utils.html import escape

    raw = f"<p>{marker('k')}</p>"
    assert problems_of(raw, {"k": marker("k")})
    assert problems_of(f"<p>{escape(marker('k'))}</p>", {"k": marker("k")}) == []
    assert problems_of(f'<a href="{JS_URL}">x</a>', {})
    assert problems_of("<p>8 2026</p>", {"k": TEMPLATE}), "an evaluated template is caught"


def test_slip_sheet_escapes_user_text(world):
    """The printable slips (templates/pdf/slips.html, rendered by WeasyPrint)."""
    survey = world.objects["b"].survey
    html = render_to_string(
        "pdf/slips.html",
        {
            "branch": survey.assessment.branch,
            "campaign": survey.assessment.campaign,
            "pages": [[[{"kind": "member", "kind_label": "党员", "code": "X", "qr": ""}]]],
            # The ballot part, laid out once and drawn under every page (D-7sa).
            "ballot_pages": [range(1)],
            "per_page": 1,
            "link_base": "/v/",
        },
    )
    expected = {key: world.text[key] for key in ("org.b", "campaign.title")}
    problems = problems_of(html, expected)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("kind", "campaign", "shows"),
    [
        ("notice-pdf", "done", ("org.a", "org.d", "org.p", "org.c", "campaign.contact_line")),
        ("approved-pdf", "done", ("org.a", "org.d", "org.p", "org.c", "approval.reference")),
        ("certificates", "shown", ("org.a", "org.c")),
    ],
)
def test_publicity_pdfs_escape_user_text(world, kind, campaign, shows):
    """The PDFs' pages (templates/pdf/notice.html, approved.html, certificates.html)."""
    from scoring import exporters

    html = exporters.get(kind)(world.objects[campaign]).html()
    problems = problems_of(html, {key: world.text[key] for key in shows})
    assert not problems, "\n".join(problems)


def test_review_page_keeps_the_self_remark_line_breaks_and_escapes_it(client, tree):
    """The remark beside each review score: escaped, one line per line."""
    campaign = factories.campaign(tree.committee)
    assessment = ready_branch(campaign, tree.branch_a)
    SelfScore.objects.create(
        self_evaluation=assessment.self_evaluation,
        criterion=campaign.criteria.first(),
        score=Decimal(8),
        remark="第一行\n<b>第二行</b>",
    )
    client.force_login(tree.reviewer)
    content = client.get(reverse("scoring:review", args=[assessment.pk])).content.decode()
    assert "第一行<br>&lt;b&gt;第二行&lt;/b&gt;" in content


def _text_fields():
    for model in apps.get_models():
        if model._meta.app_label not in ("branches", "scoring", "improvement", "auth"):
            continue
        if model.__name__.startswith("Historical"):
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, models.CharField | models.TextField) and not f.choices:
                yield f"{model._meta.app_label}.{model.__name__}.{f.name}"


AUTH_NOT_USER_TEXT = {
    "auth.User.username": "set by the administrator; shown only when no name is set",
    "auth.User.password": "a hash",
    "auth.User.email": "set by the administrator; shown on the reminder pages, escaped "
    "(tests/reminders/test_views.py: test_the_pages_escape_the_e_mail_address)",
    "auth.Group.name": "unused",
    "auth.Permission.name": "Django's own",
    "auth.Permission.codename": "Django's own",
}


def test_every_free_text_field_is_in_the_table():
    listed = {f.model_field for f in FIELDS} | set(NOT_USER_TEXT) | set(AUTH_NOT_USER_TEXT)
    missing = sorted(set(_text_fields()) - listed)
    assert missing == [], "add these fields to FIELDS (or to NOT_USER_TEXT, with a reason)"


def _url_names(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _url_names(entry, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}", entry.callback.__module__


def test_every_page_is_in_the_table():
    covered = {page.url_name for page in PAGES}
    missing = sorted(
        name
        for name, module in _url_names()
        if name not in covered
        and name not in NOT_PAGES
        and not name.startswith(NOT_PAGE_PREFIXES)
        and not module.startswith(NOT_PAGE_MODULES)
    )
    assert missing == [], "add these pages to PAGES (or to NOT_PAGES, with a reason)"
