"""The permission matrix (docs/nonfunctional.md §7): every named URL (the admin aside) ×
every role × GET and POST → the status code the product must answer.

The world is tests/permission_world.py: built once for the module inside a transaction
rolled back at the end, and every single check runs in a savepoint of its own that is
rolled back too, so a POST that changes something (staff's empty POST to "recompute")
never leaks into the next check.

How to read and add a row
-------------------------
One row per URL name, in `MATRIX`:

    #         anon  sec_a sec_b rev_a rev_x staff appr  rerev
    Row("scoring:campaign_detail", ("campaign",),
        get= "302   403   403   403   403   200   200   200",
        post="302   403   403   403   403   200   200   200"),

- the name as `reverse()` takes it;
- the URL's arguments, as names of `World.objects` in the URL's order (a value that is
  not a model instance, e.g. a report's kind or a code, is used as it is);
- `get` and `post`: eight status codes, one per role in the order of
  `permission_world.ROLES` (anonymous, secretary of A, secretary of B, reviewer of A's
  parent, reviewer of another parent, committee staff, approver, re-reviewer). The
  POST is sent with no data: it checks the door, not the form, and must never give 500
  (the test client raises the view's exception). A view that reads which action is
  asked before its permission (a page with two forms) gets it in `data={…}`
  (`Obj("name")`: a value of the world);
- `label`, when a name has more than one row (objects of another branch or state).

The columns are aligned under the role comment heading each group; the table is kept
out of `ruff format` (`# fmt: off`) so that a row stays three lines.

A URL that has no row in `MATRIX` fails
`test_every_named_url_has_a_row`, which lists the missing names: a new view cannot
ship without its row.

Reading the codes: 302 for anonymous is the login redirect (200 on public pages); 302
for a user is a redirect after the action or to the page that fits; 403 a role that may
never do it; 404 another branch's object (or an object in a state the page does not
exist in); 405 the wrong method.
"""

import copy
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.permission_world import ROLES, build_matrix_world


@dataclass(frozen=True)
class Obj:
    """A value of the POST data taken from the world: `World.arg(name)`."""

    name: str


@dataclass(frozen=True)
class Row:
    name: str
    args: tuple
    get: str
    post: str
    label: str = ""
    data: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.name}[{self.label}]" if self.label else self.name

    def url(self, world) -> str:
        return reverse(self.name, args=[world.arg(a) for a in self.args])

    def post_data(self, world) -> dict:
        return {
            key: world.arg(value.name) if isinstance(value, Obj) else value
            for key, value in self.data.items()
        }

    def expected(self, method: str) -> dict[str, int]:
        codes = [int(code) for code in getattr(self, method).split()]
        assert len(codes) == len(ROLES), f"{self.id}: {method} needs {len(ROLES)} codes"
        return dict(zip(ROLES, codes, strict=True))


# fmt: off
MATRIX = [
    # --- Accounts, the home page, the language switch (Django's auth views included)
    #         anon  sec_a sec_b rev_a rev_x staff appr  rerev
    Row("reminders:settings", (),
        get= "302   200   200   200   200   200   200   200",
        post="302   200   200   200   200   200   200   200"),
    Row("reminders:unsubscribe", ("unsubscribe_a",),
        get= "200   200   200   200   200   200   200   200",
        post="200   200   200   200   200   200   200   200"),
    Row("reminders:unsubscribe", ("bad_token",), label="a bad token",
        get= "400   400   400   400   400   400   400   400",
        post="400   400   400   400   400   400   400   400"),
    Row("home", (),
        get= "302   200   200   200   200   200   200   200",
        post="302   200   200   200   200   200   200   200"),
    Row("login", (),
        get= "200   200   200   200   200   200   200   200",
        post="200   200   200   200   200   200   200   200"),
    Row("logout", (),
        get= "405   405   405   405   405   405   405   405",
        post="302   302   302   302   302   302   302   302"),
    Row("password_change", (),
        get= "302   200   200   200   200   200   200   200",
        post="302   200   200   200   200   200   200   200"),
    Row("password_change_done", (),
        get= "302   200   200   200   200   200   200   200",
        post="302   405   405   405   405   405   405   405"),
    Row("password_reset", (),
        get= "200   200   200   200   200   200   200   200",
        post="200   200   200   200   200   200   200   200"),
    Row("password_reset_done", (),
        get= "200   200   200   200   200   200   200   200",
        post="405   405   405   405   405   405   405   405"),
    Row("password_reset_confirm", ("uid", "token"),
        get= "200   200   200   200   200   200   200   200",
        post="200   200   200   200   200   200   200   200"),
    Row("password_reset_complete", (),
        get= "200   200   200   200   200   200   200   200",
        post="405   405   405   405   405   405   405   405"),
    Row("set_language", (),
        get= "302   302   302   302   302   302   302   302",
        post="302   302   302   302   302   302   302   302"),
    # --- The organisation: the roster
    #         anon  sec_a sec_b rev_a rev_x staff appr  rerev
    Row("branches:roster_import", (),
        get= "302   403   403   403   403   200   403   403",
        post="302   403   403   403   403   200   403   403"),
    Row("branches:roster_template", (),
        get= "302   403   403   403   403   200   403   403",
        post="302   403   403   403   403   405   403   403"),
    # --- Campaigns, a branch's page, withdrawal
    #         anon  sec_a sec_b rev_a rev_x staff appr  rerev
    Row("scoring:simulator", ("campaign",),
        get= "302   403   403   403   403   200   403   403",
        post="405   405   405   405   405   405   405   405"),
    Row("scoring:simulator_export", ("campaign",),
        get= "302   403   403   403   403   200   403   403",
        post="405   405   405   405   405   405   405   405"),
    # --- Second reviews (docs/process.md §2.1.3): A is sampled, its second reviewer is
    # a staff member of the world who holds none of the matrix's roles.
    #         anon  sec_a sec_b rev_a rev_x staff appr  rerev
    Row("scoring:second_reviews", ("campaign",),
        get= "302   403   403   403   403   200   403   403",
        post="405   405   405   405   405   405   405   405"),
    Row("scoring:second_review_disagreement", ("campaign",),
        get= "302   403   403   403   403   200   403   403",
        post="405   405   405   405   405   405   405   405"),
    Row("scoring:second_reviews_draw", ("campaign",),
        get= "405   405   405   405   405   405   405   405",
        post="302   403   403   403   403   200   403   403"),
    Row("scoring:second_reviews_pick", ("campaign",),
        get= "405   405   405   405   405   405   405   405",
        post="302   403   403   403   403   200   403   403"),
    Row("scoring:second_review_remove", ("second",),
        get= "405   405   405   405   405   405   405   405",
        post="302   403   403   403   403   302   403   403"),
    Row("scoring:second_review_assign", ("second",),
        get= "302   403   403   403   403   200   403   403",
        post="302   403   403   403   403   200   403   403"),
    Row("scoring:second_review_decide", ("second",),
        get= "302   403   403   403   403   200   403   403",
        post="302   403   403   403   403   200   403   403"),
    Row("scoring:second_review_queue", (),
        get= "302   403   403   200   200   200   403   403",
        post="405   405   405   405   405   405   405   405"),
    Row("scoring:second_review", ("second",),
        get= "302   404   404   404   404   403   404   404",
        post="302   404   404   404   404   403   404   404"),
    Row("scoring:campaign_list", (),
        get= "302   403   403   403   403   200   200   200",
        post="302   403   403   403   403   200   200   200"),
    Row("scoring:campaign_create", (),
        get= "302   403   403   403   403   200   403   403",
        post="302   403   403   403   403   200   403   403"),
    Row("scoring:campaign_detail", ("campaign",),
        get= "302   403   403   403   403   200   200   200",
        post="302   403   403   403   403   200   200   200"),
    Row("scoring:campaign_edit", ("campaign",),
        get= "302   403   403   403   403   200   403   403",
        post="302   403   403   403   403   200   403   403"),
    Row("scoring:campaign_open", ("draft",),
        get= "302   403   403   403   403   200   403   403",
        post="302   403   403   403   403   200   403   403"),
    Row("scoring:assessment", ("a",),
        get= "302   200   404   200   404   200   200   200",
        post="302   200   404   200   404   200   200   200"),
    Row("scoring:assessment", ("b",), label="B",
        get= "302   404   200   200   404   200   200   200",
        post="302   404   200   200   404   200   200   200"),
    Row("scoring:assessment", ("d",), label="D direct",
        get= "302   404   404   404   404   200   200   200",
        post="302   404   404   404   404   200   200   200"),
    Row("scoring:assessment_withdraw", ("a",),
        get= "302   403   403   403   403   200   403   403",
        post="302   403   403   403   403   200   403   403"),
    Row("scoring:assessment_reinstate", ("w",),
        get= "302   403   403   403   403   200   403   403",
        post="302   403   403   403   403   200   403   403"),
    # --- Self-evaluation and its evidence
    #         anon  sec_a sec_b rev_a rev_x staff appr  rerev
    Row("scoring:self_evaluation", ("a",),
        get= "302   200   404   200   404   200   200   200",
        post="302   200   404   403   404   403   403   403"),
    Row("scoring:self_evaluation", ("b",), label="B",
        get= "302   404   200   200   404   200   200   200",
        post="302   404   200   403   404   403   403   403"),
    Row("scoring:evidence_upload", ("a",),
        get= "302   405   405   405   405   405   405   405",
        post="302   302   404   403   404   403   403   403"),
    Row("scoring:self_evaluation_return", ("a",),
        get= "302   403   404   200   404   403   403   403",
        post="302   403   404   200   404   403   403   403"),
    Row("scoring:self_evaluation_extend", ("a",),
        get= "302   403   404   403   404   200   403   403",
        post="302   403   404   403   404   200   403   403"),
    Row("scoring:evidence_download", ("evidence_a",),
        get= "302   200   404   200   404   200   200   200",
        post="302   200   404   200   404   200   200   200"),
    Row("scoring:evidence_delete", ("evidence_a",),
        get= "302   405   405   405   405   405   405   405",
        post="302   302   404   403   404   403   403   403"),
    # --- The survey and the anonymous ballot
    #         anon  sec_a sec_b rev_a rev_x staff appr  rerev
    Row("scoring:survey", ("a",),
        get= "302   200   404   200   404   200   200   200",
        post="302   405   405   405   405   405   405   405"),
    Row("scoring:survey", ("b",), label="B",
        get= "302   404   200   200   404   200   200   200",
        post="302   405   405   405   405   405   405   405"),
    Row("scoring:survey_open", ("a",),
        get= "302   405   405   405   405   405   405   405",
        post="302   200   404   403   404   200   403   403"),
    Row("scoring:survey_more_slips", ("a",),
        get= "302   405   405   405   405   405   405   405",
        post="302   200   404   403   404   200   403   403"),
    Row("scoring:survey_reissue", ("a",),
        get= "302   405   405   405   405   405   405   405",
        post="302   200   404   403   404   200   403   403"),
    Row("scoring:survey_close", ("a",),
        get= "302   405   405   405   405   405   405   405",
        post="302   200   404   403   404   200   403   403"),
    Row("scoring:survey_sheet", ("b", "sheet_b"),
        get= "302   404   200   403   404   200   403   403",
        post="302   405   405   405   405   405   405   405"),
    Row("scoring:survey_sheet", ("a", "sheet_b"), label="B's sheet under A",
        get= "302   404   404   403   404   404   403   403",
        post="302   405   405   405   405   405   405   405"),
    Row("scoring:survey_sheet_job", ("b",),
        get= "302   404   200   403   404   200   403   403",
        post="302   405   405   405   405   405   405   405"),
    Row("scoring:survey_sheet_job", ("a",), label="no sheet in the making",
        get= "302   404   404   403   404   404   403   403",
        post="302   405   405   405   405   405   405   405"),
    Row("scoring:survey_paper", ("a",),
        get= "302   200   404   403   404   200   403   403",
        post="302   200   404   403   404   200   403   403"),
    Row("scoring:survey_participation", ("a",),
        get= "302   200   404   200   404   200   200   200",
        post="302   405   405   405   405   405   405   405"),
    Row("scoring:ballot", (),
        get= "200   200   200   200   200   200   200   200",
        post="200   200   200   200   200   200   200   200"),
    Row("scoring:ballot_thanks", (),
        get= "200   200   200   200   200   200   200   200",
        post="405   405   405   405   405   405   405   405"),
    Row("scoring:ballot_code", ("ballot_code",),
        get= "302   302   302   302   302   302   302   302",
        post="302   302   302   302   302   302   302   302"),
    # --- Reviews and the five-star audit
    #         anon  sec_a sec_b rev_a rev_x staff appr  rerev
    Row("scoring:review_queue", (),
        get= "302   403   403   200   200   200   403   403",
        post="302   403   403   200   200   200   403   403"),
    Row("scoring:review", ("a",),
        get= "302   403   403   200   404   403   403   403",
        post="302   403   403   403   404   403   403   403"),
    Row("scoring:review", ("b",), label="B",
        get= "302   403   403   200   404   403   403   403",
        post="302   403   403   200   404   403   403   403"),
    Row("scoring:review", ("d",), label="D direct",
        get= "302   403   403   404   404   200   403   403",
        post="302   403   403   404   404   403   403   403"),
    Row("scoring:review_return", ("a",),
        get= "405   405   405   405   405   405   405   405",
        post="302   403   403   403   403   302   403   403"),
    Row("scoring:audit_queue", (),
        get= "302   403   403   403   403   200   403   403",
        post="302   403   403   403   403   200   403   403"),
    Row("scoring:audit", ("review_a",),
        get= "302   403   403   403   403   200   403   403",
        post="302   403   403   403   403   200   403   403"),
    Row("scoring:audit", ("review_d",), label="D pending",
        get= "302   403   403   403   403   200   403   403",
        post="302   403   403   403   403   200   403   403"),
    # --- Results, the dashboard, reports
    #         anon  sec_a sec_b rev_a rev_x staff appr  rerev
    Row("scoring:dashboard", (),
        get= "302   403   403   200   200   200   403   403",
        post="405   405   405   405   405   405   405   405"),
    Row("scoring:dashboard", ("tab_stars",), label="stars",
        get= "302   403   403   200   200   200   403   403",
        post="405   405   405   405   405   405   405   405"),
    Row("scoring:dashboard", ("tab_ranking",), label="ranking",
        get= "302   403   403   200   200   200   403   403",
        post="405   405   405   405   405   405   405   405"),
    Row("scoring:dashboard", ("tab_gaps",), label="gaps",
        get= "302   403   403   200   200   200   403   403",
        post="405   405   405   405   405   405   405   405"),
    # The other parent's reviewer counts no branch of the campaign: nothing to draw, 404.
    Row("scoring:dashboard_chart", ("chart_comparison", "wide"),
        get= "302   403   403   200   404   200   403   403",
        post="405   405   405   405   405   405   405   405"),
    Row("scoring:dashboard_chart", ("chart_distribution", "narrow"), label="distribution",
        get= "302   403   403   200   404   200   403   403",
        post="405   405   405   405   405   405   405   405"),
    Row("scoring:dashboard_export", (),
        get= "405   405   405   405   405   405   405   405",
        post="302   403   403   302   302   302   403   403"),
    Row("scoring:rating", ("a",),
        get= "302   200   404   200   404   200   200   200",
        post="302   200   404   200   404   200   200   200"),
    Row("scoring:rating", ("b",), label="B",
        get= "302   404   200   200   404   200   200   200",
        post="302   404   200   200   404   200   200   200"),
    Row("scoring:campaign_results", ("campaign",),
        get= "302   403   403   403   403   200   200   200",
        post="302   403   403   403   403   200   200   200"),
    Row("scoring:recompute", ("campaign",),
        get= "405   405   405   405   405   405   405   405",
        post="302   403   403   403   403   302   403   403"),
    Row("scoring:export_start", ("campaign", "kind"),
        get= "405   405   405   405   405   405   405   405",
        post="302   403   403   403   403   302   403   403"),
    Row("scoring:export_start", ("campaign", "kind_sheet"), label="A's rating sheet",
        data={"branch": Obj("code_a")},
        get= "405   405   405   405   405   405   405   405",
        post="302   302   403   302   403   302   302   302"),
    Row("scoring:exports", (),
        get= "302   200   200   200   200   200   200   200",
        post="405   405   405   405   405   405   405   405"),
    Row("scoring:export_job", ("job",),
        get= "302   200   404   404   404   200   404   404",
        post="405   405   405   405   405   405   405   405"),
    Row("scoring:export_status", ("job",),
        get= "302   200   404   404   404   200   404   404",
        post="405   405   405   405   405   405   405   405"),
    Row("scoring:export_download", ("job",),
        get= "302   200   404   404   404   200   404   404",
        post="405   405   405   405   405   405   405   405"),
    Row("scoring:rating_sheet", ("a",),
        get= "302   200   404   200   404   200   200   200",
        post="405   405   405   405   405   405   405   405"),
    Row("scoring:rating_sheet", ("b",), label="B",
        get= "302   404   302   302   404   302   302   302",
        post="405   405   405   405   405   405   405   405"),
    # --- Bonus and penalty events
    #         anon  sec_a sec_b rev_a rev_x staff appr  rerev
    Row("scoring:event_list", (),
        get= "302   200   200   200   200   200   200   200",
        post="302   200   200   200   200   200   200   200"),
    Row("scoring:event_create", (),
        get= "302   403   403   403   403   200   403   403",
        post="302   403   403   403   403   200   403   403"),
    Row("scoring:event_edit", ("event",),
        get= "302   403   403   403   403   200   403   403",
        post="302   403   403   403   403   200   403   403"),
    Row("scoring:event_delete", ("event",),
        get= "302   403   403   403   403   200   403   403",
        post="302   403   403   403   403   302   403   403"),
    Row("scoring:event_evidence", ("event",),
        get= "302   200   404   200   404   200   200   200",
        post="302   200   404   200   404   200   200   200"),
    # --- Publicity, objections, approval, re-review, the documents, demonstration sites
    #         anon  sec_a sec_b rev_a rev_x staff appr  rerev
    Row("scoring:campaign_publish", ("campaign",),
        get= "302   403   403   403   403   200   403   403",
        post="302   403   403   403   403   200   403   403"),
    Row("scoring:objections", ("in_publicity",),
        get= "302   403   403   403   403   200   403   403",
        post="302   403   403   403   403   200   403   403"),
    Row("scoring:objections", ("done",), label="approved",
        get= "302   403   403   403   403   200   403   403",
        post="302   403   403   403   403   200   403   403"),
    Row("scoring:objection", ("objection",),
        get= "302   403   403   403   403   200   403   403",
        post="302   403   403   403   403   200   403   403"),
    Row("scoring:campaign_approve", ("in_publicity",),
        get= "302   403   403   403   403   403   200   403",
        post="302   403   403   403   403   403   200   403"),
    Row("scoring:campaign_approve", ("done",), label="approved",
        get= "302   403   403   403   403   403   200   403",
        post="302   403   403   403   403   403   200   403"),
    Row("scoring:approved_list", ("done",),
        get= "302   403   403   403   403   200   200   200",
        post="302   403   403   403   403   200   200   200"),
    Row("scoring:approval_minutes", ("done",),
        get= "302   403   403   403   403   200   200   200",
        post="405   405   405   405   405   405   405   405"),
    Row("scoring:objection_attachment", ("objection",),
        get= "302   403   403   403   403   200   403   403",
        post="405   405   405   405   405   405   405   405"),
    Row("scoring:rereviews", (),
        get= "302   403   403   403   403   403   403   200",
        post="302   403   403   403   403   403   403   200"),
    Row("scoring:rereview", ("a_done",),
        get= "302   403   403   403   403   403   403   200",
        post="302   403   403   403   403   403   403   200"),
    Row("scoring:approved_pdf", ("done",),
        get= "302   403   403   403   403   200   200   200",
        post="405   405   405   405   405   405   405   405"),
    Row("scoring:certificates", ("shown",),
        get= "302   403   403   403   403   200   200   200",
        post="405   405   405   405   405   405   405   405"),
    Row("scoring:branch_certificate", ("shown", "code_a"),
        get= "302   403   403   403   403   200   200   200",
        post="405   405   405   405   405   405   405   405"),
    Row("scoring:branch_certificate", ("shown", "code_e"), label="E, no certificate",
        get= "302   403   403   403   403   404   404   404",
        post="405   405   405   405   405   405   405   405"),
    Row("scoring:demonstration_sites", (),
        get= "302   200   200   200   200   200   200   200",
        post="302   403   403   403   403   200   403   403"),
    Row("scoring:unmark_demonstration_site", ("site",),
        get= "405   405   405   405   405   405   405   405",
        post="302   403   403   403   403   302   403   403"),
    # --- The public notice (no login)
    #         anon  sec_a sec_b rev_a rev_x staff appr  rerev
    Row("scoring:notice_list", (),
        get= "200   200   200   200   200   200   200   200",
        post="200   200   200   200   200   200   200   200"),
    Row("scoring:notice", ("in_publicity",),
        get= "200   200   200   200   200   200   200   200",
        post="200   200   200   200   200   200   200   200"),
    Row("scoring:notice", ("done",), label="approved",
        get= "200   200   200   200   200   200   200   200",
        post="200   200   200   200   200   200   200   200"),
    Row("scoring:notice_pdf", ("in_publicity",),
        get= "200   200   200   200   200   200   200   200",
        post="200   200   200   200   200   200   200   200"),
    Row("scoring:notice_objection", ("in_publicity",),
        get= "200   200   200   200   200   200   200   200",
        post="200   200   200   200   200   200   200   200"),
    Row("scoring:notice_objection", ("done",), label="closed",
        get= "200   200   200   200   200   200   200   200",
        post="200   200   200   200   200   200   200   200"),
    Row("scoring:notice_receipt", ("in_publicity",),
        get= "302   302   302   302   302   302   302   302",
        post="302   302   302   302   302   302   302   302"),
    # --- A branch's star, the ledger, the year-end re-rating
    #         anon  sec_a sec_b rev_a rev_x staff appr  rerev
    Row("scoring:star_ledger", (),
        get= "302   403   403   200   200   200   200   200",
        post="302   403   403   200   200   200   200   200"),
    Row("scoring:branch_stars", ("org_a",), data={"action": "downgrade"},
        get= "302   200   404   200   404   200   200   200",
        post="302   403   404   200   404   200   403   403"),
    Row("scoring:branch_stars", ("org_b",), label="B", data={"action": "downgrade"},
        get= "302   404   200   200   404   200   200   200",
        post="302   404   403   200   404   200   403   403"),
    Row("scoring:year_end_create", ("done",),
        get= "302   403   403   403   403   200   403   403",
        post="302   403   403   403   403   200   403   403"),
    Row("scoring:campaign_submit", ("year_end",),
        get= "302   403   403   403   403   200   403   403",
        post="302   403   403   403   403   200   403   403"),
    # --- Improvement plans and the rectification ledger
    #         anon  sec_a sec_b rev_a rev_x staff appr  rerev
    Row("improvement:overview", (),
        get= "302   302   302   200   200   200   200   200",
        post="302   302   302   200   200   200   200   200"),
    Row("improvement:focused", (),
        get= "302   403   403   200   200   200   200   200",
        post="302   403   403   200   200   200   200   200"),
    Row("improvement:branch", ("org_a",),
        get= "302   200   404   200   404   200   200   200",
        post="302   200   404   200   404   200   200   200"),
    Row("improvement:branch", ("org_b",), label="B",
        get= "302   404   200   200   404   200   200   200",
        post="302   404   200   200   404   200   200   200"),
    Row("improvement:plan_create", ("org_a",),
        get= "302   200   404   403   404   403   403   403",
        post="302   200   404   403   404   403   403   403"),
    Row("improvement:plan_create", ("org_b",), label="B",
        get= "302   404   200   403   404   403   403   403",
        post="302   404   200   403   404   403   403   403"),
    Row("improvement:plan", ("plan",),
        get= "302   200   404   200   404   200   200   200",
        post="302   200   404   200   404   200   200   200"),
    Row("improvement:plan_edit", ("plan",),
        get= "302   200   404   403   404   403   403   403",
        post="302   200   404   403   404   403   403   403"),
    Row("improvement:plan_file", ("plan",),
        get= "302   405   405   405   405   405   405   405",
        post="302   302   404   403   404   403   403   403"),
    Row("improvement:plan_acknowledge", ("plan",),
        get= "302   405   405   405   405   405   405   405",
        post="302   403   404   302   404   302   403   403"),
    Row("improvement:plan_return", ("plan",),
        get= "302   403   404   200   404   200   403   403",
        post="302   403   404   200   404   200   403   403"),
    Row("improvement:starting_list", ("plan",),
        get= "302   200   404   403   404   403   403   403",
        post="302   200   404   403   404   403   403   403"),
    Row("improvement:item_create", ("plan",),
        get= "302   200   404   403   404   403   403   403",
        post="302   200   404   403   404   403   403   403"),
    Row("improvement:item_edit", ("item_open",),
        get= "302   200   404   403   404   403   403   403",
        post="302   200   404   403   404   403   403   403"),
    Row("improvement:item_close", ("item_open",),
        get= "302   200   404   403   404   403   403   403",
        post="302   200   404   403   404   403   403   403"),
    Row("improvement:item_reopen", ("item_closed",),
        get= "302   403   404   200   404   200   403   403",
        post="302   403   404   200   404   200   403   403"),
    Row("improvement:item_evidence", ("item_closed",),
        get= "302   200   404   200   404   200   200   200",
        post="302   200   404   200   404   200   200   200"),
]
# fmt: on


# --- Running it ----------------------------------------------------------------------------


class Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), pytest.raises(Rollback), transaction.atomic():
        yield build_matrix_world()
        raise Rollback


@pytest.fixture
def world(built, db):
    return built


@pytest.fixture
def clients(world):
    """One client per role, logged in (inside the test's savepoint)."""
    made = {}
    for role in ROLES:
        client = Client()
        if role != "anonymous":
            client.force_login(world.users[role])
        made[role] = client
    return made


def answer(client, method, url, data=None):
    """The response to one request, whatever it changed rolled back: the database and
    the client's cookies (a POST to logout or to the language switch changes them)."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        response = client.post(url, data or {}) if method == "post" else client.get(url)
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def answers(clients, world, row):
    url, data = row.url(world), row.post_data(world)
    return {
        (method, role): answer(clients[role], method, url, data).status_code
        for method in ("get", "post")
        for role in ROLES
    }


def _url_names(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _url_names(entry, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}"


def named_urls() -> list[str]:
    """Every named URL but the admin's, each once (`login` is named twice: ours shadows
    django.contrib.auth.urls' own)."""
    return sorted({name for name in _url_names() if not name.startswith("admin:")})


@pytest.mark.parametrize("row", MATRIX, ids=[row.id for row in MATRIX])
def test_the_door_answers_as_the_matrix_says(clients, world, row):
    got = answers(clients, world, row)
    wrong = [
        f"{method.upper()} {role}: expected {want}, got {got[method, role]}"
        for method in ("get", "post")
        for role, want in row.expected(method).items()
        if got[method, role] != want
    ]
    assert not wrong, f"{row.id} {row.url(world)}\n" + "\n".join(wrong)


def test_every_named_url_has_a_row(capsys):
    rows = {row.name for row in MATRIX}
    missing = [name for name in named_urls() if name not in rows]
    checks = len(MATRIX) * len(ROLES) * 2
    with capsys.disabled():
        print(
            f"\npermission matrix: {len(rows)} URLs ({len(MATRIX)} rows) × {len(ROLES)} roles"
            f" × 2 methods = {checks} checks"
        )
    assert missing == [], "add a row to MATRIX for each of these URL names"
    assert rows <= set(named_urls()), "rows of URL names that no longer exist"


# --- The content security policy of every page the matrix visits -------------------------


class InlineFinder(HTMLParser):
    """What a page holds that the policy would block: inline scripts, style blocks and
    attributes, event-handler attributes, javascript: URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            self.found.append(f"<script> without src at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> at line {self.getpos()[0]}")
        for name, value in attrs:
            if name == "style" or re.fullmatch(r"on[a-z]+", name):
                self.found.append(f"<{tag} {name}={value!r}>")
            if (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def inline_of(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    finder.close()
    return finder.found


def policy_problems(response) -> list[str]:
    policy = response.get("Content-Security-Policy", "")
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip()
    )
    problems = []
    if not policy:
        problems.append("no Content-Security-Policy header")
    if "unsafe-inline" in policy or "unsafe-eval" in policy:
        problems.append(f"an unsafe source in {policy!r}")
    for name, want in (("script-src", "'self'"), ("style-src", "'self'")):
        if directives.get(name, "").strip() != want:
            problems.append(f"{name} is {directives.get(name)!r}, not {want}")
    if directives.get("frame-ancestors", "").strip() != "'none'":
        problems.append("frame-ancestors is not 'none'")
    if "camera=()" not in response.get("Permissions-Policy", ""):
        problems.append("no Permissions-Policy turning the camera off")
    return problems


PAGE_ROWS = [row for row in MATRIX if "200" in row.get.split()]


@pytest.mark.parametrize("row", PAGE_ROWS, ids=[row.id for row in PAGE_ROWS])
def test_every_page_carries_the_policy_and_nothing_inline(clients, world, row):
    """docs/nonfunctional.md §7: every 200 HTML answer of the matrix's GETs has the
    content security policy (no 'unsafe-inline') and the Permissions-Policy, and its body
    holds no inline script, style or handler the policy would block."""
    url, problems, pages = row.url(world), [], 0
    for role, status in row.expected("get").items():
        if status != 200:
            continue
        response = answer(clients[role], "get", url)
        if not response["Content-Type"].startswith("text/html"):
            continue
        pages += 1
        problems += [f"{role}: {p}" for p in policy_problems(response)]
        problems += [f"{role}: {p}" for p in inline_of(response.content.decode())]
    assert not problems, f"{row.id} {url}\n" + "\n".join(sorted(set(problems)))


def test_the_inline_finder_sees_what_the_policy_blocks():
    assert inline_of('<script src="/static/js/a.js"></script><p class="x">ok</p>') == []
    for html in (
        "<script>alert(1)</script>",
        '<div style="width: 5%">',
        "<style>p{}</style>",
        '<select onchange="this.form.submit()">',
        '<a href="javascript:void(0)">',
    ):
        assert inline_of(html), html
