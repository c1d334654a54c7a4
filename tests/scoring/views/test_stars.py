"""The pages of a branch's star, the star ledger and the year-end re-rating, for every role
(docs/process.md §2.3, §2.5, §2.6)."""

import datetime

import pytest
from django.urls import reverse

from scoring.models import Campaign, CampaignKind, CampaignStatus, StarCause, StarChange
from scoring.services import stars, year_end
from starrating import clock
from tests import factories
from tests.factories import REREVIEWED

TODAY = clock.today()
EARLIER = TODAY - datetime.timedelta(days=30)


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def _statuses(client, tree, url):
    return {
        role: _get(client, user, url).status_code for role, user in tree.users_by_role().items()
    }


def _approved(branch, star, actor, on=EARLIER):
    return stars.change_star(
        branch, to=star, cause=StarCause.APPROVAL, actor=actor, reason="工委决定", effective=on
    )


@pytest.fixture
def starred(tree):
    """Current stars: A four, B two (downgraded from three this year), the direct branch
    none yet."""
    _approved(tree.branch_a, 4, tree.approver)
    _approved(tree.branch_b, 3, tree.approver)
    stars.downgrade_star(branch=tree.branch_b, actor=tree.reviewer, to=2, reason="<b>滑坡</b>")
    return tree


# --- A branch's star ---------------------------------------------------------------------------


def test_who_sees_a_branchs_star_page(client, starred):
    url = reverse("scoring:branch_stars", args=[starred.branch_a.pk])
    assert _statuses(client, starred, url) == {
        "secretary": 200,
        "reviewer": 200,
        "staff": 200,
        "approver": 200,
        "rereviewer": 200,
        "nobody": 404,
    }
    assert _get(client, starred.secretary_b, url).status_code == 404


def test_only_the_parent_and_staff_get_the_forms(client, starred):
    url = reverse("scoring:branch_stars", args=[starred.branch_a.pk])
    for role, user in starred.users_by_role().items():
        if role == "nobody":
            continue
        page = _get(client, user, url).content.decode()
        assert ('id="downgrade"' in page) == (role in ("reviewer", "staff")), role


def test_the_reviewer_downgrades_through_the_page(client, starred):
    url = reverse("scoring:branch_stars", args=[starred.branch_a.pk])
    client.force_login(starred.reviewer)
    response = client.post(
        url,
        {
            "action": "downgrade",
            "downgrade-to": "2",
            "downgrade-reason": "三会一课不落实",
            "downgrade-effective": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302
    change = StarChange.objects.filter(branch=starred.branch_a).last()
    assert (change.cause, change.from_star, change.to_star, change.actor) == (
        StarCause.DOWNGRADE,
        4,
        2,
        starred.reviewer,
    )
    page = client.get(url).content.decode()
    assert "三会一课不落实" in page and "星级调整已记录" in page


def test_a_downgrade_without_a_reason_through_the_page_changes_nothing(client, starred):
    url = reverse("scoring:branch_stars", args=[starred.branch_a.pk])
    client.force_login(starred.reviewer)
    data = {"action": "downgrade", "downgrade-to": "2", "downgrade-effective": TODAY.isoformat()}
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["downgrade_form"].errors["reason"]
    assert stars.current_star(starred.branch_a) == 4


def test_a_date_before_the_last_change_is_said_on_the_form(client, starred):
    url = reverse("scoring:branch_stars", args=[starred.branch_a.pk])
    client.force_login(starred.staff)
    early = (EARLIER - datetime.timedelta(days=1)).isoformat()
    data = {
        "action": "downgrade",
        "downgrade-to": "3",
        "downgrade-reason": "滑坡",
        "downgrade-effective": early,
    }
    response = client.post(url, data)
    assert "生效日期早于上一次星级变动" in response.content.decode()
    assert stars.current_star(starred.branch_a) == 4


def test_the_parent_restores_through_the_page_up_to_the_star_before(client, starred):
    url = reverse("scoring:branch_stars", args=[starred.branch_b.pk])
    client.force_login(starred.reviewer)
    data = {
        "action": "restore",
        "restore-reason": "整改到位",
        "restore-effective": TODAY.isoformat(),
    }
    response = client.post(url, {**data, "restore-to": "4"})
    assert response.status_code == 200  # four is not offered: three was the star before
    assert stars.current_star(starred.branch_b) == 2
    assert client.post(url, {**data, "restore-to": "3"}).status_code == 302
    assert stars.current_star(starred.branch_b) == 3


@pytest.mark.parametrize("role", ["secretary", "approver", "rereviewer"])
def test_a_post_by_a_role_that_may_not_manage_is_forbidden(client, starred, role):
    client.force_login(starred.users_by_role()[role])
    url = reverse("scoring:branch_stars", args=[starred.branch_a.pk])
    data = {
        "action": "downgrade",
        "downgrade-to": "2",
        "downgrade-reason": "滑坡",
        "downgrade-effective": TODAY.isoformat(),
    }
    assert client.post(url, data).status_code == 403
    assert stars.current_star(starred.branch_a) == 4


def test_the_branch_page_shows_the_star_history_and_its_chart(client, starred, campaign):
    found = factories.assessment(campaign, starred.branch_b)
    page = _get(client, starred.secretary_b, reverse("scoring:assessment", args=[found.pk]))
    html = page.content.decode()
    assert 'id="star-history"' in html
    assert 'src="data:image/svg+xml;base64,' in html
    assert "&lt;b&gt;滑坡&lt;/b&gt;" in html and "工委决定" in html
    changes = page.context["star_changes"]
    assert [(c.from_star, c.to_star, c.cause) for c in changes] == [
        (None, 3, StarCause.APPROVAL),
        (3, 2, StarCause.DOWNGRADE),
    ]


def test_a_branch_without_a_star_shows_no_chart(client, tree, campaign):
    found = factories.assessment(campaign, tree.branch_a)
    html = _get(client, tree.staff, reverse("scoring:assessment", args=[found.pk])).content
    assert b"data:image/svg+xml" not in html
    assert "该支部尚未评定星级" in html.decode()


# --- The ledger --------------------------------------------------------------------------------


def test_who_sees_the_ledger_and_which_branches(client, starred):
    url = reverse("scoring:star_ledger")
    assert _statuses(client, starred, url) == {
        "secretary": 403,
        "reviewer": 200,
        "staff": 200,
        "approver": 200,
        "rereviewer": 200,
        "nobody": 403,
    }
    rows = _get(client, starred.reviewer, url).context["page"].object_list
    assert {b.pk for b in rows} == {starred.branch_a.pk, starred.branch_b.pk}
    rows = _get(client, starred.staff, url).context["page"].object_list
    assert {b.pk: b.current_star for b in rows} == {
        starred.branch_a.pk: 4,
        starred.branch_b.pk: 2,
        starred.direct.pk: None,
    }


def test_the_ledger_lists_this_years_changes(client, starred):
    rows = _get(client, starred.staff, reverse("scoring:star_ledger")).context["page"].object_list
    by_pk = {b.pk: b for b in rows}
    assert [c.cause for c in by_pk[starred.branch_b.pk].changes_this_year][-1] == "downgrade"


def test_an_earlier_years_change_is_not_listed_as_this_years(client, tree):
    _approved(tree.branch_a, 3, tree.approver, on=datetime.date(TODAY.year - 1, 7, 1))
    rows = _get(client, tree.staff, reverse("scoring:star_ledger")).context["page"].object_list
    found = next(b for b in rows if b.pk == tree.branch_a.pk)
    assert (found.current_star, found.changes_this_year) == (3, [])


@pytest.mark.parametrize(
    ("query", "expected"),
    [("star=4", {"branch_a"}), ("star=2", {"branch_b"}), ("star=none", {"direct"})],
)
def test_the_ledger_filters_by_star(client, starred, query, expected):
    client.force_login(starred.staff)
    rows = client.get(reverse("scoring:star_ledger") + "?" + query).context["page"].object_list
    assert {b.pk for b in rows} == {getattr(starred, name).pk for name in expected}


def test_the_ledger_filters_by_parent(client, starred):
    client.force_login(starred.staff)
    url = reverse("scoring:star_ledger") + f"?parent={starred.committee.pk}"
    assert [b.pk for b in client.get(url).context["page"].object_list] == [starred.direct.pk]


@pytest.mark.parametrize("extra", [0, 60])
def test_the_ledger_query_count_is_pinned(client, starred, django_assert_max_num_queries, extra):
    for n in range(extra):
        branch = factories.branch(starred.party_committee)
        _approved(branch, n % 6, starred.approver)
    client.force_login(starred.staff)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("scoring:star_ledger"))
    assert len(response.context["page"].object_list) == min(3 + extra, 50)


def test_the_navbar_links_the_ledger_for_those_who_see_it(client, tree):
    for role, user in tree.users_by_role().items():
        html = _get(client, user, reverse("home")).content.decode()
        link = reverse("scoring:star_ledger")
        assert (f'href="{link}"' in html) == (role not in ("secretary", "nobody")), role


# --- The year-end re-rating ------------------------------------------------------------------


def test_the_year_end_page_is_staffs_and_says_why_not(client, tree, rated):
    url = reverse("scoring:year_end_create", args=[rated.pk])
    statuses = _statuses(client, tree, url)
    assert {r for r, s in statuses.items() if s == 200} == {"staff"}
    html = _get(client, tree.staff, url).content.decode()
    assert "当年的申报创星活动经工委审批后" in html
    assert 'name="self_deadline"' not in html


def test_staff_create_the_re_rating_with_one_action(client, tree, approved):
    source = approved.campaign
    detail = _get(client, tree.staff, reverse("scoring:campaign_detail", args=[source.pk]))
    assert reverse("scoring:year_end_create", args=[source.pk]) in detail.content.decode()
    with clock.frozen(REREVIEWED):
        response = client.post(
            reverse("scoring:year_end_create", args=[source.pk]),
            {"self_deadline": datetime.date(source.year, 12, 22).isoformat()},
        )
    made = Campaign.objects.get(kind=CampaignKind.YEAR_END)
    assert response.url == reverse("scoring:campaign_detail", args=[made.pk])
    assert (made.status, made.with_publicity) == (CampaignStatus.DECLARING, False)
    html = _get(client, tree.staff, response.url).content.decode()
    assert reverse("scoring:campaign_submit", args=[made.pk]) in html
    assert reverse("scoring:campaign_publish", args=[made.pk]) not in html


def test_the_submit_page_lists_what_blocks_it(client, tree, approved):
    with clock.frozen(REREVIEWED):
        made = year_end.create_year_end_campaign(
            source=approved.campaign, actor=tree.staff, with_publicity=False
        )
    url = reverse("scoring:campaign_submit", args=[made.pk])
    assert {r for r, s in _statuses(client, tree, url).items() if s == 200} == {"staff"}
    html = _get(client, tree.staff, url).content.decode()
    assert f"{tree.branch_a.name}尚未完成" in html
    client.post(url, {"confirm": "on"})
    made.refresh_from_db()
    assert made.status == CampaignStatus.DECLARING


def test_the_approve_page_lists_the_stars_going_up_or_down(client, tree, approved):
    with clock.frozen(REREVIEWED):
        made = year_end.create_year_end_campaign(
            source=approved.campaign, actor=tree.staff, with_publicity=False
        )
    for assessment in made.assessments.select_related("branch"):
        assessment.self_evaluation.delete()
        total = 85 if assessment.branch_id == tree.direct.pk else 95
        if assessment.branch_id == tree.branch_b.pk:
            total = 80
        factories.sheet(assessment, total)
        factories.survey(assessment, factories.ballots(total, 10))
        factories.review(assessment, total)
    from scoring.services import recompute

    with clock.frozen(REREVIEWED):
        recompute.recompute_campaign(campaign=made, actor=tree.staff)
        year_end.submit_for_approval(campaign=made, actor=tree.staff)
    response = _get(client, tree.approver, reverse("scoring:campaign_approve", args=[made.pk]))
    moves = response.context["moves"]
    assert [(m.code, m.current, m.proposed) for m in moves] == [(tree.direct.code, 3, 4)]
    html = response.content.decode()
    assert 'id="star-moves"' in html and "晋星" in html
