"""Objection attachments (staff) and approval minutes (staff, approver, re-reviewer,
D-2.1.5d) are served only through permission-checked views, as attachments that the
browser must not sniff, never from a media URL."""

import pytest
from django.urls import reverse

from scoring.models import Approval
from starrating import clock
from tests import factories
from tests.factories import DURING
from tests.factories import approve_in_window as _approve
from tests.factories import file_objection as _file

ROLES = ("secretary", "reviewer", "staff", "approver", "rereviewer", "nobody")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def attached(tree, published, media):
    return _file(published, tree.branch_a, attachment=factories.upload("证据.pdf", factories.PDF))


@pytest.fixture
def with_minutes(tree, published, media):
    return _approve(
        published, tree.approver, minutes=factories.upload("纪要.png", factories.image_bytes("PNG"))
    )


def _status(client, user, url):
    client.force_login(user)
    return client.get(url).status_code


@pytest.mark.parametrize("role", ROLES)
def test_only_staff_download_an_objections_attachment(client, tree, attached, role):
    url = reverse("scoring:objection_attachment", args=[attached.pk])
    status = _status(client, tree.users_by_role()[role], url)
    assert status == (200 if role == "staff" else 403)


def test_the_attachment_is_an_attachment_not_to_be_sniffed(client, tree, attached):
    client.force_login(tree.staff)
    response = client.get(reverse("scoring:objection_attachment", args=[attached.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"objection-{attached.receipt}.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == factories.PDF


def _sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("login") in response.url


def test_an_anonymous_visitor_is_sent_to_the_login_for_an_attachment(client, attached):
    _sent_to_login(client, reverse("scoring:objection_attachment", args=[attached.pk]))


def test_an_anonymous_visitor_is_sent_to_the_login_for_the_minutes(client, with_minutes):
    _sent_to_login(client, reverse("scoring:approval_minutes", args=[with_minutes.campaign_id]))


def test_an_objection_without_a_file_is_not_found(client, tree, published):
    objection = _file(published, tree.branch_a)
    client.force_login(tree.staff)
    assert (
        client.get(reverse("scoring:objection_attachment", args=[objection.pk])).status_code == 404
    )


def test_a_missing_stored_file_is_not_found(client, tree, attached):
    attached.attachment.storage.delete(attached.attachment.name)
    client.force_login(tree.staff)
    url = reverse("scoring:objection_attachment", args=[attached.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_staff_the_approver_and_the_rereviewer_download_the_minutes(
    client, tree, with_minutes, role
):
    url = reverse("scoring:approval_minutes", args=[with_minutes.campaign_id])
    status = _status(client, tree.users_by_role()[role], url)
    assert status == (200 if role in ("staff", "approver", "rereviewer") else 403)


def test_the_minutes_are_an_attachment_not_to_be_sniffed(client, tree, with_minutes):
    client.force_login(tree.approver)
    response = client.get(reverse("scoring:approval_minutes", args=[with_minutes.campaign_id]))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith('.png"')
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_objection_page_links_the_download_and_no_media_url(client, tree, attached):
    client.force_login(tree.staff)
    page = client.get(reverse("scoring:objection", args=[attached.pk])).content.decode()
    assert reverse("scoring:objection_attachment", args=[attached.pk]) in page
    assert attached.attachment.name not in page


def test_the_approved_list_links_the_minutes_and_no_media_url(client, tree, with_minutes):
    client.force_login(tree.rereviewer)
    url = reverse("scoring:approved_list", args=[with_minutes.campaign_id])
    page = client.get(url).content.decode()
    assert reverse("scoring:approval_minutes", args=[with_minutes.campaign_id]) in page
    assert with_minutes.minutes.name not in page


def test_an_approval_without_minutes_is_not_found(client, tree, published):
    approval = _approve(published, tree.approver)
    assert not Approval.objects.get(pk=approval.pk).minutes
    client.force_login(tree.staff)
    url = reverse("scoring:approval_minutes", args=[approval.campaign_id])
    assert client.get(url).status_code == 404


def test_the_upheld_objection_page_says_how_the_branch_is_corrected(client, tree, published):
    from scoring.services import publicity

    objection = _file(published, tree.branch_b)
    with clock.frozen(DURING):
        publicity.uphold_objection(
            objection=objection, actor=tree.staff, reason="属实", return_review=False
        )
    client.force_login(tree.staff)
    page = client.get(reverse("scoring:objection", args=[objection.pk])).content.decode()
    assert "由工委组织部更正加减分事项" in page


def test_the_rereview_page_links_the_approved_list_and_the_minutes(client, tree, with_minutes):
    client.force_login(tree.rereviewer)
    assessment = factories.assessment_of(with_minutes.campaign, tree.branch_a)
    page = client.get(reverse("scoring:rereview", args=[assessment.pk])).content.decode()
    assert reverse("scoring:approved_list", args=[with_minutes.campaign_id]) in page
    assert reverse("scoring:approval_minutes", args=[with_minutes.campaign_id]) in page
