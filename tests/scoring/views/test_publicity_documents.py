"""The downloads of the notice, approved-list and certificate PDFs, and the
demonstration-site page (docs/reports.md §6, docs/process.md §2.4), for every role."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from scoring.models import DemonstrationSite
from scoring.services import publicity
from starrating import clock
from tests.factories import DURING, REREVIEWED
from tests.factories import assessment_of as _assessment

COMMITTEE = {"staff", "approver", "rereviewer"}


def _status(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def _is_pdf(response):
    return (
        response.status_code == 200
        and response["Content-Type"] == "application/pdf"
        and b"".join(response.streaming_content).startswith(b"%PDF")
    )


def _flashed(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def confirmed(tree, approved):
    with clock.frozen(REREVIEWED):
        publicity.rereview(
            assessment=_assessment(approved.campaign, tree.branch_a),
            actor=tree.rereviewer,
            confirmed=True,
        )
    return approved.campaign


# --- the notice -------------------------------------------------------------------------


def test_anyone_downloads_the_notice_pdf_of_a_published_campaign(client, tree, published):
    url = reverse("scoring:notice_pdf", args=[published.pk])
    with clock.frozen(DURING):
        response = client.get(url)
    assert _is_pdf(response)
    assert response["Content-Disposition"].startswith("attachment")


def test_the_public_notice_page_links_its_pdf(client, published):
    with clock.frozen(DURING):
        page = client.get(reverse("scoring:notice", args=[published.pk])).content.decode()
    assert reverse("scoring:notice_pdf", args=[published.pk]) in page


def test_the_notice_pdf_of_a_campaign_never_published_is_not_found(client, tree, rated):
    for user in (None, tree.staff):
        assert (
            _status(client, user, reverse("scoring:notice_pdf", args=[rated.pk])).status_code == 404
        )


def test_staff_find_the_notice_pdf_on_their_objections_page(client, tree, published):
    client.force_login(tree.staff)
    with clock.frozen(DURING):
        page = client.get(reverse("scoring:objections", args=[published.pk])).content.decode()
    assert reverse("scoring:notice_pdf", args=[published.pk]) in page


# --- the approved list ------------------------------------------------------------------


def test_the_approved_pdf_is_for_the_committees_roles(client, tree, approved):
    url = reverse("scoring:approved_pdf", args=[approved.campaign.pk])
    for role, user in tree.users_by_role().items():
        response = _status(client, user, url)
        if role in COMMITTEE:
            assert _is_pdf(response), role
        else:
            assert response.status_code == 403, role
    assert _status(client, None, url).status_code == 302  # to the login page


def test_the_approved_pdf_before_approval_is_refused_with_a_message(client, tree, published):
    client.force_login(tree.staff)
    with clock.frozen(DURING):
        response = client.get(reverse("scoring:approved_pdf", args=[published.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("scoring:campaign_detail", args=[published.pk])
    assert any("尚未审批" in m for m in _flashed(response))


def test_the_approved_list_page_offers_the_pdf_and_the_certificates(client, tree, confirmed):
    client.force_login(tree.approver)
    page = client.get(reverse("scoring:approved_list", args=[confirmed.pk])).content.decode()
    assert reverse("scoring:approved_pdf", args=[confirmed.pk]) in page
    assert reverse("scoring:certificates", args=[confirmed.pk]) in page
    assert reverse("scoring:branch_certificate", args=[confirmed.pk, tree.branch_a.code]) in page
    assert (
        reverse("scoring:branch_certificate", args=[confirmed.pk, tree.branch_b.code]) not in page
    )


def test_the_approved_list_page_offers_no_certificate_before_the_re_review(client, tree, approved):
    client.force_login(tree.staff)
    url = reverse("scoring:approved_list", args=[approved.campaign.pk])
    page = client.get(url).content.decode()
    assert reverse("scoring:certificates", args=[approved.campaign.pk]) not in page


# --- the certificates -------------------------------------------------------------------


def test_the_certificates_are_for_the_committees_roles(client, tree, confirmed):
    urls = (
        reverse("scoring:certificates", args=[confirmed.pk]),
        reverse("scoring:branch_certificate", args=[confirmed.pk, tree.branch_a.code]),
    )
    for url in urls:
        for role, user in tree.users_by_role().items():
            response = _status(client, user, url)
            if role in COMMITTEE:
                assert _is_pdf(response), (role, url)
            else:
                assert response.status_code == 403, (role, url)


def test_a_four_star_branchs_certificate_is_refused_with_a_message(client, tree, confirmed):
    client.force_login(tree.staff)
    url = reverse("scoring:branch_certificate", args=[confirmed.pk, tree.branch_b.code])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("scoring:approved_list", args=[confirmed.pk])
    assert any("不是五星级" in m for m in _flashed(response))


def test_certificates_before_the_re_review_are_refused_with_a_message(client, tree, approved):
    client.force_login(tree.staff)
    response = client.get(reverse("scoring:certificates", args=[approved.campaign.pk]))
    assert response.status_code == 302
    assert any("尚无经复审确认的五星级" in m for m in _flashed(response))


def test_a_certificate_of_a_branch_not_in_the_campaign_is_not_found(client, tree, confirmed):
    client.force_login(tree.staff)
    url = reverse("scoring:branch_certificate", args=[confirmed.pk, "NOPE"])
    assert client.get(url).status_code == 404


# --- demonstration sites ----------------------------------------------------------------


def _sites_url():
    return reverse("scoring:demonstration_sites")


def test_every_logged_in_user_sees_the_demonstration_sites_and_only_staff_the_forms(
    client, tree, confirmed
):
    site = publicity.mark_demonstration_site(
        assessment=_assessment(confirmed, tree.branch_a), actor=tree.staff, reason="<b>示范</b>"
    )
    unmark = reverse("scoring:unmark_demonstration_site", args=[site.pk])
    for role, user in tree.users_by_role().items():
        response = _status(client, user, _sites_url())
        assert response.status_code == 200, role
        page = response.content.decode()
        assert tree.branch_a.name in page and "&lt;b&gt;示范&lt;/b&gt;" in page
        assert (unmark in page) == (role == "staff"), role
    assert _status(client, None, _sites_url()).status_code == 302


def test_the_navbar_links_the_demonstration_sites(client, tree):
    client.force_login(tree.secretary)
    assert _sites_url() in client.get(reverse("home")).content.decode()


def test_staff_mark_a_site_through_the_page(client, tree, confirmed):
    client.force_login(tree.staff)
    assessment = _assessment(confirmed, tree.branch_a)
    page = client.get(_sites_url()).content.decode()
    assert f'value="{assessment.pk}"' in page
    response = client.post(_sites_url(), {"assessment": assessment.pk, "reason": "党建引领"})
    assert response.status_code == 302
    site = DemonstrationSite.objects.get()
    assert (site.assessment, site.reason, site.marked_by) == (assessment, "党建引领", tree.staff)


def test_a_branch_not_officially_five_star_is_not_offered_nor_accepted(client, tree, confirmed):
    client.force_login(tree.staff)
    other = _assessment(confirmed, tree.branch_b)
    assert f'value="{other.pk}"' not in client.get(_sites_url()).content.decode()
    response = client.post(_sites_url(), {"assessment": other.pk, "reason": "理由"})
    assert response.status_code == 200  # the form again, with its error
    assert not DemonstrationSite.objects.exists()


def test_marking_without_a_reason_shows_the_form_again(client, tree, confirmed):
    client.force_login(tree.staff)
    assessment = _assessment(confirmed, tree.branch_a)
    response = client.post(_sites_url(), {"assessment": assessment.pk, "reason": " "})
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not DemonstrationSite.objects.exists()


@pytest.mark.parametrize("role", ["secretary", "reviewer", "approver", "rereviewer", "nobody"])
def test_only_staff_mark_and_unmark_through_the_page(client, tree, confirmed, role):
    site = publicity.mark_demonstration_site(
        assessment=_assessment(confirmed, tree.branch_a), actor=tree.staff, reason="示范"
    )
    client.force_login(tree.users_by_role()[role])
    assessment = _assessment(confirmed, tree.branch_a)
    assert (
        client.post(_sites_url(), {"assessment": assessment.pk, "reason": "x"}).status_code == 403
    )
    unmark = reverse("scoring:unmark_demonstration_site", args=[site.pk])
    assert client.post(unmark, {"reason": "x"}).status_code == 403
    site.refresh_from_db()
    assert site.is_current and DemonstrationSite.objects.count() == 1


def test_staff_unmark_through_the_page_with_a_reason(client, tree, confirmed):
    site = publicity.mark_demonstration_site(
        assessment=_assessment(confirmed, tree.branch_a), actor=tree.staff, reason="示范"
    )
    client.force_login(tree.staff)
    unmark = reverse("scoring:unmark_demonstration_site", args=[site.pk])
    response = client.post(unmark, {"reason": ""})
    assert any("请填写取消示范点的理由" in m for m in _flashed(response))
    site.refresh_from_db()
    assert site.is_current
    client.post(unmark, {"reason": "已撤并"})
    site.refresh_from_db()
    assert (site.is_current, site.unmarked_reason) == (False, "已撤并")
    assert client.get(unmark).status_code == 405


def _many_sites(tree, confirmed, count):
    """`count` more officially five-star branches marked (the ORM, for the query count)."""
    from django.utils import timezone

    from scoring.models import Assessment, ReReview
    from tests import factories

    for i in range(count):
        branch = factories.branch(tree.party_committee, name=f"示范支部{i}")
        assessment = Assessment.objects.create(campaign=confirmed, branch=branch)
        ReReview.objects.create(assessment=assessment, confirmed=True, at=timezone.now())
        DemonstrationSite.objects.create(
            assessment=assessment, reason="示范", marked_at=timezone.now()
        )


@pytest.mark.parametrize("count", [1, 20])
def test_the_demonstration_site_page_reads_in_a_fixed_number_of_queries(
    client, tree, confirmed, django_assert_max_num_queries, count
):
    _many_sites(tree, confirmed, count)
    client.force_login(tree.staff)
    with django_assert_max_num_queries(6):
        response = client.get(_sites_url())
    assert response.content.decode().count("示范支部") >= count


def test_the_notice_pdf_is_in_chinese_for_an_english_reader(client, published, tmp_path):
    import subprocess

    client.cookies["django_language"] = "en"
    with clock.frozen(DURING):
        response = client.get(reverse("scoring:notice_pdf", args=[published.pk]))
    path = tmp_path / "notice.pdf"
    path.write_bytes(b"".join(response.streaming_content))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert f"关于{published.year}年度党支部星级评定结果的公示" in text
    assert "Public notice" not in text


def test_the_branch_page_offers_the_certificate_of_an_officially_five_star_branch(
    client, tree, confirmed
):
    url_a = reverse("scoring:assessment", args=[_assessment(confirmed, tree.branch_a).pk])
    url_b = reverse("scoring:assessment", args=[_assessment(confirmed, tree.branch_b).pk])
    certificate = reverse("scoring:branch_certificate", args=[confirmed.pk, tree.branch_a.code])
    client.force_login(tree.staff)
    assert certificate in client.get(url_a).content.decode()
    assert 'id="branch-certificate"' not in client.get(url_b).content.decode()
    client.force_login(tree.secretary)
    assert certificate not in client.get(url_a).content.decode()
