"""The objection form's branch field, as an anonymous visitor: the branch is found by
typing part of its name among the campaign's branches, with no script (an input with
its datalist, resolved on the server), and a clear message when the text matches no
branch or several. And the public notice is linked in the navigation bar for all."""

import re

import pytest
from django.urls import reverse

from branches.forms import branch_label
from scoring.models import Assessment, Objection, WithdrawalCause
from starrating import clock
from tests import factories
from tests.factories import DURING


def _url(campaign):
    return reverse("scoring:notice_objection", args=[campaign.pk])


def _post(client, campaign, branch_text):
    with clock.frozen(DURING):
        return client.post(_url(campaign), {"branch": branch_text, "text": "会议记录不全。"})


@pytest.fixture
def namesake(tree, published):
    """A second 第一党支部, under the committee, enrolled in the published campaign."""
    twin = factories.branch(tree.committee, name=tree.branch_a.name)
    factories.assessment(published, twin)
    return twin


def test_the_field_offers_every_enrolled_branch_in_a_datalist(client, tree, published):
    with clock.frozen(DURING):
        page = client.get(_url(published)).content.decode()
    field = re.search(r'<input[^>]*name="branch"[^>]*>', page).group(0)
    assert 'list="id_branch-list"' in field and 'type="text"' in field
    datalist = re.search(r'<datalist id="id_branch-list">(.*?)</datalist>', page, re.S).group(1)
    for branch in (tree.branch_a, tree.branch_b, tree.direct):
        assert f'<option value="{branch_label(branch)}">' in datalist
    assert "输入党支部名称中的几个字" in page


def test_the_form_page_has_no_inline_script_or_style(client, published):
    with clock.frozen(DURING):
        page = client.get(_url(published)).content.decode()
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", page)
    assert "<style" not in page and " style=" not in page


def test_part_of_a_name_finds_the_one_branch_it_matches(client, tree, published):
    response = _post(client, published, " 第二 ")
    assert response.status_code == 302
    assert Objection.objects.get().assessment.branch == tree.branch_b


def test_the_suggestion_as_offered_picks_one_of_two_namesakes(client, tree, published, namesake):
    response = _post(client, published, branch_label(namesake))
    assert response.status_code == 302
    assert Objection.objects.get().assessment.branch == namesake


def test_a_name_two_branches_share_is_refused_naming_both(client, tree, published, namesake):
    response = _post(client, published, "第一党支部")
    assert response.status_code == 200
    page = response.content.decode()
    assert "有 2 个党支部与“第一党支部”相符" in page
    assert branch_label(tree.branch_a) in page and branch_label(namesake) in page
    assert 'value="第一党支部"' in page  # what was typed is kept
    assert not Objection.objects.exists()


def test_a_text_matching_several_branches_is_refused(client, published):
    response = _post(client, published, "党支部")
    assert "有 3 个党支部与“党支部”相符" in response.content.decode()
    assert not Objection.objects.exists()


def test_a_text_matching_no_branch_is_refused(client, published):
    response = _post(client, published, "第九党支部")
    assert "本次评定中没有与“第九党支部”相符的党支部" in response.content.decode()
    assert not Objection.objects.exists()


def test_an_empty_branch_is_refused(client, published):
    response = _post(client, published, "  ")
    assert response.status_code == 200
    assert "必填" in response.content.decode()
    assert not Objection.objects.exists()


def test_a_branch_of_another_campaign_or_withdrawn_is_not_found(client, tree, published):
    other = factories.branch(tree.party_committee, name="第三党支部")  # not enrolled
    withdrawn = factories.branch(tree.party_committee, name="第四党支部")
    factories.assessment(published, withdrawn)
    Assessment.objects.filter(campaign=published, branch=withdrawn).update(
        withdrawn_at=clock.aware(DURING, 8), withdrawal_cause=WithdrawalCause.DISSOLVED
    )
    for name in (other.name, withdrawn.name):
        assert "没有与" in _post(client, published, name).content.decode()
    with clock.frozen(DURING):
        page = client.get(_url(published)).content.decode()
    assert "第三党支部" not in page and "第四党支部" not in page
    assert not Objection.objects.exists()


def test_the_branch_code_finds_the_branch(client, tree, published):
    assert _post(client, published, tree.direct.code).status_code == 302
    assert Objection.objects.get().assessment.branch == tree.direct


# --- the navigation bar -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["login", "scoring:notice_list"])
def test_an_anonymous_visitor_finds_the_notice_in_the_navbar(client, db, name):
    page = client.get(reverse(name)).content.decode()
    assert f'id="nav-notice" href="{reverse("scoring:notice_list")}"' in page


@pytest.mark.parametrize(
    "role", ["secretary", "reviewer", "staff", "approver", "rereviewer", "nobody"]
)
def test_every_logged_in_user_finds_the_notice_in_the_navbar(client, tree, role):
    client.force_login(tree.users_by_role()[role])
    page = client.get(reverse("home")).content.decode()
    assert f'id="nav-notice" href="{reverse("scoring:notice_list")}"' in page
    assert "公示" in page


def test_branch_names_and_typed_text_are_escaped(client, tree, published):
    marked = factories.branch(tree.party_committee, name='<b>党支部"</b>')
    factories.assessment(published, marked)
    with clock.frozen(DURING):
        page = client.get(_url(published)).content.decode()
    assert "<b>党支部" not in page
    assert "&lt;b&gt;党支部&quot;&lt;/b&gt;" in page
    page = _post(client, published, '<i>x"</i>').content.decode()
    assert "<i>x" not in page and "&lt;i&gt;x&quot;&lt;/i&gt;" in page
