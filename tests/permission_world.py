"""The world of the permission matrix (tests/test_permission_matrix.py) and of the
content-security-policy check of every page (tests/test_csp.py).

It is the world of tests/test_escaping.py (built once through the product's own write
paths: a campaign in declaration with branches A, B, E, D in every state, last year's
campaign approved with an objection and a re-review, a demonstration site two years
ago, A's improvement plan and ledger, A's rating-sheet job), plus what the matrix needs
besides:

- a second party committee with a branch and its own reviewer (`reviewer_x`, the
  reviewer of another parent);
- a campaign three years ago in its publicity window (the notice, the objection form,
  the objections and approval pages of a campaign before its approval);
- a year-end re-rating without publicity (submitted for approval by staff);
- an attachment on the objection and minutes on last year's approval, A's evidence and
  B's slip sheet, A's rating sheet made, so that every download has a file behind it.

`ROLES` are the matrix's columns, in their order.
"""

from django.core.files.base import ContentFile
from django.utils import timezone

from branches.models import OrgKind, Role
from scoring.models import Approval, AuditStatus, Evidence, QuotaMode, SlipSheet
from scoring.services import exports as export_service
from scoring.services import publicity, year_end
from scoring.services import recompute as recompute_service
from tests import factories
from tests.factories import PDF
from tests.test_escaping import World, build_world

#: The matrix's columns: who asks. A's parent is also B's (one party committee holds both).
ROLES = (
    "anonymous",
    "secretary_a",
    "secretary_b",
    "reviewer_a",
    "reviewer_x",
    "staff",
    "approver",
    "rereviewer",
)


def build_matrix_world() -> World:
    w = build_world()
    u, o = w.users, w.objects
    committee = o["org_committee"]
    u["reviewer_a"] = u["reviewer"]
    other_parent = factories.org(OrgKind.PARTY_COMMITTEE, parent=committee, name="机关党委乙")
    o["org_x"] = factories.branch(other_parent, name="乙一支部")
    u["reviewer_x"] = factories.user("w_reviewer_x", role=Role.REVIEWER, organisation=other_parent)

    # Three years ago: published, its window open (the public notice and its form).
    year = timezone.localdate().year - 3
    shown = factories.campaign(committee, year=year, quota_mode=QuotaMode.OFF)
    factories.ready_branch(shown, o["org_a"], review_total=90, audit=AuditStatus.NOT_NEEDED)
    recompute_service.recompute_campaign(campaign=shown, actor=u["staff"])
    o["in_publicity"] = publicity.publish_campaign(
        campaign=shown, actor=u["staff"], contact_line="电话 1"
    )

    # Two years ago's campaign (closed by its re-review) gets its year-end re-rating.
    o["year_end"] = year_end.create_year_end_campaign(
        source=o["shown"], actor=u["staff"], with_publicity=False
    )

    objection = o["objection"]
    objection.attachment.save("objection.pdf", ContentFile(PDF), save=False)
    objection.attachment_type = "application/pdf"
    objection.save(update_fields=["attachment", "attachment_type"])
    approval = Approval.objects.get(campaign=o["done"])
    approval.minutes.save("minutes.pdf", ContentFile(PDF), save=False)
    approval.minutes_type = "application/pdf"
    approval.save(update_fields=["minutes", "minutes_type"])

    # The rating-sheet job is enqueued on commit, which never comes here: run it.
    export_service.run_job(o["job"].pk)
    o["job"].refresh_from_db()

    # A big slip sheet of B's in the making (its job never runs here).
    from scoring.models import ExportJob
    from scoring.models.exports import SLIP_SHEET

    now = timezone.now()
    ExportJob.objects.create(
        kind=SLIP_SHEET,
        campaign_id=o["b"].campaign_id,
        branch_id=o["b"].branch_id,
        options={"action": "more", "slips": 150, "public": 150, "link_base": ""},
        requested_by=u["secretary_b"],
        created_at=now,
        expires_at=now + timezone.timedelta(days=1),
    )

    o["evidence_a"] = Evidence.objects.get(self_evaluation__assessment=o["a"])
    o["sheet_b"] = SlipSheet.objects.filter(survey__assessment=o["b"]).latest("pk")
    o["kind"], o["kind_sheet"] = "annual-xlsx", "rating-sheet"
    o["chart_comparison"], o["chart_distribution"] = "comparison", "distribution"
    o["wide"], o["narrow"] = "wide", "narrow"
    for tab in ("stars", "ranking", "gaps"):  # the dashboard's tabs (D-7qs)
        o[f"tab_{tab}"] = tab
    o["code_e"] = o["org_e"].code  # (B's code holds a slash)
    o["uid"], o["token"] = "MQ", "set-password"
    from reminders.services import unsubscribe_token

    o["bad_token"] = "not-a-token"
    o["unsubscribe_a"] = unsubscribe_token(u["secretary_a"])
    return w
