"""The dashboard's "export as shown" as a background job (D-6z, docs/reports.md §6): who may
start it, the filters kept as shown and the requester's scope at run time, bad filters
refused with a Chinese message and nothing started, never an error page."""

import io
import re

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from scoring.models import ExportJob, ExportStatus
from scoring.services import dashboard, exports
from tests.scoring.services.test_dashboard import World

EXPORT = reverse("scoring:dashboard_export")
BOARD = reverse("scoring:dashboard", args=["ranking"])  # the ranking's tab (D-7qs)
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def world(tree):
    return World(tree)


def run_and_read(client, job):
    exports.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE, job.error
    response = client.get(reverse("scoring:export_download", args=[job.pk]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    _header, *rows = book.worksheets[0].iter_rows(values_only=True)
    return [row[2] for row in rows], dict(book.worksheets[1].iter_rows(values_only=True))


@pytest.mark.parametrize("role", ["staff", "reviewer"])
def test_staff_and_reviewers_start_a_job_and_land_on_its_page(client, tree, world, role):
    user = getattr(tree, role)
    client.force_login(user)
    response = client.post(EXPORT, {"campaign": world.campaign.pk})
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("scoring:export_job", args=[job.pk])
    assert job.kind == "ranking-xlsx" and job.requested_by == user and job.branch is None
    assert job.status == ExportStatus.QUEUED
    page = client.get(response["Location"])
    assert page.status_code == 200 and "排名表" in page.content.decode()


@pytest.mark.parametrize("role", ["secretary", "approver", "rereviewer", "nobody"])
def test_other_roles_get_403_and_nothing_is_started(client, tree, world, role):
    client.force_login(getattr(tree, role))
    assert client.post(EXPORT, {"campaign": world.campaign.pk}).status_code == 403
    assert not ExportJob.objects.exists()


def test_anonymous_goes_to_login_and_get_is_not_allowed(client, tree, world):
    response = client.post(EXPORT)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(tree.staff)
    assert client.get(EXPORT).status_code == 405
    assert not ExportJob.objects.exists()


def test_the_page_posts_its_filters_back_with_the_csrf_token(client, tree, world):
    client.force_login(tree.staff)
    html = client.get(BOARD, {"status": "rated", "q": "支部"}).content.decode()
    pattern = f'<form method="post" action="{EXPORT}".*?</form>'
    form = re.search(pattern, html, re.S).group(0)
    assert 'name="csrfmiddlewaretoken"' in form
    assert 'name="status" value="rated"' in form and 'name="q" value="支部"' in form


def test_the_job_writes_the_rows_as_shown_with_the_filters(client, tree, world):
    client.force_login(tree.staff)
    client.post(EXPORT, {"parent": tree.party_committee.pk, "status": "rated"})
    codes, conditions = run_and_read(client, ExportJob.objects.get())
    expected = dashboard.ranking(
        dashboard.scope(tree.staff, world.campaign),
        parent=tree.party_committee,
        status=dashboard.RATED,
    )
    assert codes == [a.branch.code for a in expected] and codes
    assert conditions["上级党组织"] == tree.party_committee.name
    assert conditions["状态"] == "已评定"


def test_a_reviewers_job_holds_its_own_branches_only(client, tree, world):
    client.force_login(tree.reviewer)
    client.post(EXPORT)
    codes, _conditions = run_and_read(client, ExportJob.objects.get())
    assert set(codes) == {tree.branch_a.code, tree.branch_b.code, world.c.code}


def test_nobody_else_sees_the_job(client, tree, world):
    client.force_login(tree.reviewer)
    client.post(EXPORT)
    job = ExportJob.objects.get()
    exports.run_job(job.pk)
    client.force_login(tree.secretary)
    for name in ("export_job", "export_status", "export_download"):
        assert client.get(reverse(f"scoring:{name}", args=[job.pk])).status_code == 404


def test_the_same_request_twice_gives_the_pending_job_back(client, tree, world):
    client.force_login(tree.staff)
    first = client.post(EXPORT, {"status": "rated"})
    second = client.post(EXPORT, {"status": "rated"})
    assert first["Location"] == second["Location"] and ExportJob.objects.count() == 1
    client.post(EXPORT, {"status": "incomplete"})
    assert ExportJob.objects.count() == 2


# --- Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["campaign", "parent", "star", "status", "q", "margin"])
def test_a_huge_bad_filter_is_refused_and_dropped_from_the_way_back(client, tree, world, field):
    client.force_login(tree.staff)
    response = client.post(EXPORT, {field: "x" * 100_000})
    assert response.status_code == 302 and response["Location"].startswith(BOARD)
    assert len(response["Location"]) < 100 and not ExportJob.objects.exists()
    assert [m for m in get_messages(response.wsgi_request) if CJK.search(str(m))]


NASTY = st.sampled_from(
    [
        "",
        " ",
        "x" * 100_000,
        "\x00",
        "a\x00b",
        "\x01\x1f\x7f",
        "\u202egnp.exe",
        "１２３",
        "-1",
        "-0",
        "NaN",
        "nan",
        "1e309",
        "-1e309",
        "Infinity",
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        '=HYPERLINK("http://x")',
        "+1+1",
        "@SUM(A1)",
        "9",
        "5",
        "rated",
        "99999999999999999999",
    ]
)
FIELDS = ("campaign", "parent", "star", "status", "q", "margin")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.dictionaries(st.sampled_from(FIELDS), NASTY | st.text(max_size=40), max_size=6))
def test_bad_filters_never_break_the_export_and_start_nothing(client, tree, world, data):
    ExportJob.objects.all().delete()
    client.force_login(tree.staff)
    response = client.post(EXPORT, data)
    assert response.status_code == 302
    job = ExportJob.objects.first()
    if response["Location"].startswith(BOARD):
        # Refused: back to the ranking, a Chinese message, nothing written.
        event("refused")
        assert job is None
        notices = [str(m) for m in get_messages(response.wsgi_request)]
        assert notices and all(CJK.search(n) for n in notices), notices
        assert client.get(response["Location"]).status_code == 200
        return
    # Accepted: the filters were valid; the job runs to its file, no error.
    event("accepted")
    assert job is not None and job.kind == "ranking-xlsx"
    exports.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE, job.error
