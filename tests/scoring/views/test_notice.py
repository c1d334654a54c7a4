"""The public notice and the objection form, as an anonymous visitor (no login)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scoring.models import Objection, Rating
from scoring.views import notice as notice_views
from starrating import clock
from tests.factories import AFTER, DURING, PUBLISHED
from tests.journey_helpers import MINIMAL_PDF


def _page(client, url):
    response = client.get(url)
    return response, response.content.decode()


def _form_data(tree, **fields):
    return {"branch": tree.branch_a.name, "text": "该支部的会议记录不全。", **fields}


def test_the_list_shows_the_campaigns_in_publicity_only(client, tree, rated, published):
    with clock.frozen(PUBLISHED):
        _response, page = _page(client, reverse("scoring:notice_list"))
    assert reverse("scoring:notice", args=[published.pk]) in page
    with clock.frozen(AFTER):
        _response, page = _page(client, reverse("scoring:notice_list"))
    assert reverse("scoring:notice", args=[published.pk]) not in page
    assert "目前没有正在公示的评定结果" in page


def test_the_notice_shows_the_window_branches_and_stars_but_no_scores(client, tree, published):
    with clock.frozen(DURING):
        response, page = _page(client, reverse("scoring:notice", args=[published.pk]))
    assert response.status_code == 200
    assert f"关于{published.year}年度党支部星级评定结果的公示" in page
    assert tree.committee.name in page
    assert "剩余5天" in page  # published PUBLISHED, 7 days, now 2 days later
    for branch in (tree.branch_a, tree.branch_b, tree.direct):
        assert branch.name in page
    assert tree.branch_a.parent.name in page
    assert "五星级" in page
    assert "电话 1" in page  # the contact line
    assert reverse("scoring:notice_objection", args=[published.pk]) in page
    for rating in Rating.objects.filter(assessment__campaign=published):
        assert str(rating.score) not in page


def test_the_notice_stays_readable_after_its_window(client, tree, published):
    with clock.frozen(AFTER):
        response, page = _page(client, reverse("scoring:notice", args=[published.pk]))
    assert response.status_code == 200
    assert "公示期已结束" in page
    assert tree.branch_a.name in page
    assert reverse("scoring:notice_objection", args=[published.pk]) not in page


def test_a_campaign_never_published_is_not_found(client, rated):
    for name in ("scoring:notice", "scoring:notice_objection", "scoring:notice_receipt"):
        assert client.get(reverse(name, args=[rated.pk])).status_code == 404


def test_an_objection_is_filed_and_only_its_receipt_shown(client, tree, published):
    url = reverse("scoring:notice_objection", args=[published.pk])
    pdf = SimpleUploadedFile("证明.pdf", MINIMAL_PDF, content_type="application/pdf")
    with clock.frozen(DURING):
        form = client.get(url).content.decode()
        assert 'name="website"' in form and "form-trap" in form
        response = client.post(
            url, _form_data(tree, name="张三", phone="13900000000", attachment=pdf), follow=True
        )
    objection = Objection.objects.get()
    assert (objection.assessment.branch, objection.name) == (tree.branch_a, "张三")
    assert objection.attachment_type == "application/pdf"
    page = response.content.decode()
    assert objection.receipt in page
    assert "张三" not in page and "13900000000" not in page and "会议记录" not in page


def test_a_text_of_2001_characters_is_refused(client, tree, published):
    url = reverse("scoring:notice_objection", args=[published.pk])
    with clock.frozen(DURING):
        response = client.post(url, _form_data(tree, text="字" * 2001))
    assert response.status_code == 200
    assert "2001" in response.content.decode()  # the length error names the count
    assert not Objection.objects.exists()
    with clock.frozen(DURING):
        client.post(url, _form_data(tree, text="字" * 2000))
    assert Objection.objects.count() == 1


def test_a_file_that_is_not_a_pdf_or_image_is_refused(client, tree, published):
    url = reverse("scoring:notice_objection", args=[published.pk])
    fake = SimpleUploadedFile("证明.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with clock.frozen(DURING):
        response = client.post(url, _form_data(tree, attachment=fake))
    assert response.status_code == 200
    assert not Objection.objects.exists()
    # The form's file field checks it (starrating.uploads), beside the field.
    assert "只接受PDF文件或图片（JPG、PNG）。" in response.content.decode()


def test_a_filled_honeypot_saves_nothing_and_gives_no_receipt(client, tree, published):
    url = reverse("scoring:notice_objection", args=[published.pk])
    with clock.frozen(DURING):
        response = client.post(url, _form_data(tree, website="http://spam.example"))
    assert response.status_code == 200
    assert not Objection.objects.exists()
    page = response.content.decode()
    assert 'id="objection-refused"' in page and "objection-receipt" not in page


def test_filing_is_throttled_per_address(client, tree, published, monkeypatch):
    monkeypatch.setattr(notice_views, "THROTTLE_LIMIT", 2)
    url = reverse("scoring:notice_objection", args=[published.pk])
    with clock.frozen(DURING):
        for _i in range(2):
            client.post(url, _form_data(tree))
        response = client.post(url, _form_data(tree))
        assert response.status_code == 429
        assert Objection.objects.count() == 2
        other = client.post(url, _form_data(tree), REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 302 and Objection.objects.count() == 3


def test_the_form_refuses_after_the_window(client, tree, published):
    url = reverse("scoring:notice_objection", args=[published.pk])
    with clock.frozen(AFTER):
        response = client.post(url, _form_data(tree))
    assert not Objection.objects.exists()
    page = response.content.decode()
    assert "公示期已结束，不再受理异议。" in page and 'name="text"' not in page


def test_an_entry_revised_by_an_upheld_objection_is_marked_with_its_date(client, tree, published):
    from scoring.services import publicity
    from tests.factories import file_objection

    objection = file_objection(published, tree.branch_a)
    with clock.frozen(DURING):
        publicity.uphold_objection(objection=objection, actor=tree.staff, reason="属实")
        _response, page = _page(client, reverse("scoring:notice", args=[published.pk]))
    assert f"（{DURING:%Y-%m-%d}修订）" in page
    assert page.count("修订）") == 1
