"""Two tabs of one reviewer (or two staff members): a save, submission, return or audit
from a page older than the review is refused, and nothing is overwritten unseen."""

import threading
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse

from branches.models import Role
from scoring.models import AuditStatus, Review, ReviewScore, ReviewStatus
from scoring.services import reviews as services
from tests import factories
from tests.factories import ready_branch
from tests.html_forms import form_data


def _url(assessment):
    return reverse("scoring:review", args=[assessment.pk])


def _scores(assessment):
    return dict(
        ReviewScore.objects.filter(review__assessment=assessment).values_list("criterion", "score")
    )


def _flashes(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _start(assessment, actor, value="8"):
    return services.save_review_draft(
        assessment=assessment,
        actor=actor,
        scores={c.pk: value for c in assessment.campaign.criteria.all()},
    )


def _score(criterion, value):
    return {f"score_{criterion.pk}": value}


def _tab(client, assessment):
    return client.get(_url(assessment))


def test_stale_tab_save_is_refused_and_both_changes_survive_the_second_save(client, tree, ready):
    _start(ready, tree.reviewer)
    first, second = ready.campaign.criteria.order_by("position")[:2]
    client.force_login(tree.reviewer)
    tab_a, tab_b = _tab(client, ready), _tab(client, ready)
    having = f"score_{first.pk}"

    saved = client.post(
        _url(ready), form_data(tab_a, having, action="save", **_score(first, "5")), follow=True
    )
    assert "草稿已保存。" in saved.content.decode()
    refused = client.post(
        _url(ready), form_data(tab_b, having, action="save", **_score(second, "6"))
    )

    assert refused.status_code == 200
    assert "草稿已保存。" not in _flashes(refused)
    page = refused.content.decode()
    assert "在另一个标签页或窗口保存了这份考评表" in page
    assert f"“{first.title}”现为 5.00（原为 8.00）" in page
    assert "其间已保存为 5.00（原为 8.00），已填入。" in page
    assert _scores(ready)[second.pk] == Decimal("8.00")
    again = form_data(refused, having, action="save")
    assert (again[f"score_{first.pk}"], again[f"score_{second.pk}"]) == ("5.00", "6")
    assert client.post(_url(ready), again).status_code == 302
    scores = _scores(ready)
    assert (scores[first.pk], scores[second.pk]) == (Decimal("5.00"), Decimal("6.00"))


def test_stale_tab_submit_is_refused_and_submits_once_shown_again(client, tree, ready):
    _start(ready, tree.reviewer)
    first, second = ready.campaign.criteria.order_by("position")[:2]
    client.force_login(tree.reviewer)
    tab_a, tab_b = _tab(client, ready), _tab(client, ready)
    having = f"score_{first.pk}"
    client.post(_url(ready), form_data(tab_a, having, action="save", **_score(first, "5")))

    refused = client.post(
        _url(ready), form_data(tab_b, having, action="submit", confirm="on", **_score(second, "6"))
    )

    assert refused.status_code == 200
    assert "在另一个标签页或窗口保存了这份考评表" in refused.content.decode()
    review = Review.objects.get(assessment=ready)
    assert review.status == ReviewStatus.DRAFT
    assert _scores(ready)[second.pk] == Decimal("8.00")
    response = client.post(_url(ready), form_data(refused, having, action="submit", confirm="on"))
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    scores = _scores(ready)
    assert (scores[first.pk], scores[second.pk]) == (Decimal("5.00"), Decimal("6.00"))


def test_two_tabs_starting_the_review_the_second_is_refused(client, tree, ready):
    first, second = ready.campaign.criteria.order_by("position")[:2]
    client.force_login(tree.reviewer)
    tab_a, tab_b = _tab(client, ready), _tab(client, ready)
    having = f"score_{first.pk}"
    client.post(_url(ready), form_data(tab_a, having, action="save", **_score(first, "5")))

    refused = client.post(
        _url(ready), form_data(tab_b, having, action="save", **_score(second, "6"))
    )

    assert refused.status_code == 200
    assert f"“{first.title}”现为 5.00（原为 （空））" in refused.content.decode()
    assert _scores(ready) == {first.pk: Decimal("5.00")}


def test_stale_page_names_the_other_staff_member(client, campaign, tree):
    direct = ready_branch(campaign, tree.direct)  # reviewed by committee staff
    colleague = factories.user("colleague", role=Role.STAFF, organisation=tree.committee)
    first = campaign.criteria.order_by("position").first()
    client.force_login(tree.staff)
    opened = _tab(client, direct)
    _start(direct, colleague)

    refused = client.post(
        _url(direct), form_data(opened, f"score_{first.pk}", action="save", **_score(first, "6"))
    )

    page = refused.content.decode()
    assert "您打开本页之后，colleague 已于" in page and "保存了这份考评表" in page
    assert f"“{first.title}”已保存为 8.00，您填写的是 6" in page
    assert _scores(direct)[first.pk] == Decimal("8.00")


def _submitted(assessment, reviewer, value="8"):
    _start(assessment, reviewer, value)
    return services.submit_review(actor=reviewer, assessment=assessment)


def test_return_from_a_page_older_than_the_review_is_refused(client, campaign, tree):
    direct = ready_branch(campaign, tree.direct)  # reviewed by committee staff
    colleague = factories.user("colleague", role=Role.STAFF, organisation=tree.committee)
    review = _submitted(direct, colleague)
    client.force_login(tree.staff)
    opened = _tab(client, direct)
    # Meanwhile the colleague returns it, changes it and submits it anew.
    services.return_review(review=review, actor=colleague, reason="请复核")
    _submitted(direct, colleague, "9")

    url = reverse("scoring:review_return", args=[direct.pk])
    refused = client.post(url, form_data(opened, "reason", reason="分数偏高"))

    assert refused.status_code == 200
    page = refused.content.decode()
    assert "colleague 已于" in page and "现为 9.00（原为 8.00）" in page
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    again = form_data(refused, "reason")
    assert again["reason"] == "分数偏高"
    assert client.post(url, again).status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.RETURNED


def test_audit_from_a_page_older_than_the_review_is_refused(client, tree, ready):
    review = _submitted(ready, tree.reviewer, "10")
    assert review.audit_status == AuditStatus.PENDING
    client.force_login(tree.staff)
    url = reverse("scoring:audit", args=[review.pk])
    opened = client.get(url)
    # Meanwhile it is sent back, and submitted anew with other scores.
    services.audit_five_star(review=review, actor=tree.staff, agree=False, reason="核实")
    first = ready.campaign.criteria.order_by("position").first()
    services.save_review_draft(assessment=ready, actor=tree.reviewer, scores={first.pk: "9.5"})
    services.submit_review(actor=tree.reviewer, assessment=ready)

    refused = client.post(url, form_data(opened, "reason", action="agree", confirm="on"))

    assert refused.status_code == 200
    assert f"“{first.title}”现为 9.50（原为 10.00）" in refused.content.decode()
    review.refresh_from_db()
    assert review.audit_status == AuditStatus.PENDING
    assert (
        client.post(url, form_data(refused, "reason", action="agree", confirm="on")).status_code
        == 302
    )
    review.refresh_from_db()
    assert review.audit_status == AuditStatus.AGREED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_tabs_starting_one_review_at_once_one_wins_the_others_are_told(tree, ready):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    tabs = 4
    criteria = list(ready.campaign.criteria.order_by("position")[:tabs])
    having = f"score_{criteria[0].pk}"
    pages = []
    for _ in criteria:
        browser = Client()
        browser.force_login(tree.reviewer)
        pages.append((browser, _tab(browser, ready)))
    barrier = threading.Barrier(tabs)
    outcomes, lock = {}, threading.Lock()

    def save(index):
        browser, page = pages[index]
        data = form_data(page, having, action="save", **_score(criteria[index], "7"))
        try:
            barrier.wait()
            response = browser.post(_url(ready), data)
            with lock:
                outcomes[index] = response
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(tabs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [i for i, response in outcomes.items() if response.status_code == 302]
    assert len(winners) == 1, {i: r.status_code for i, r in outcomes.items()}
    (winner,) = winners
    assert _scores(ready) == {criteria[winner].pk: Decimal("7.00")}
    assert Review.objects.get(assessment=ready).version == 1
    for index, response in outcomes.items():
        if index != winner:
            assert f"“{criteria[winner].title}”现为 7.00" in response.content.decode()
            assert form_data(response, having)[f"score_{criteria[index].pk}"] == "7"
