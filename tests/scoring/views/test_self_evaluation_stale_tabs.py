"""Two tabs of one secretary: a save from the older page is refused, nothing is overwritten
unseen, and the page shown again lets the user save both changes deliberately."""

import threading
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse

from scoring.models import SelfEvaluationStatus, SelfScore
from scoring.services import self_evaluation as service
from tests.factories import scores_for
from tests.html_forms import form_data


@pytest.fixture
def filled(tree, sheet):
    """The sheet saved once: every criterion 8, star 3."""
    return service.save_draft(
        sheet=sheet,
        actor=tree.secretary,
        scores=scores_for(sheet.assessment.campaign, "8"),
        self_star=3,
    )


def _url(sheet):
    return reverse("scoring:self_evaluation", args=[sheet.assessment_id])


def _scores(sheet):
    return dict(SelfScore.objects.filter(self_evaluation=sheet).values_list("criterion", "score"))


def _flashes(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _two_tabs(client, sheet):
    return client.get(_url(sheet)), client.get(_url(sheet))


def test_stale_tab_save_is_refused_and_both_changes_survive_the_second_save(client, tree, filled):
    first, second = filled.assessment.campaign.criteria.order_by("position")[:2]
    client.force_login(tree.secretary)
    tab_a, tab_b = _two_tabs(client, filled)

    saved = client.post(
        _url(filled), form_data(tab_a, "version", **{f"score_{first.pk}": "5"}), follow=True
    )
    assert saved.redirect_chain and "草稿已保存。" in saved.content.decode()
    refused = client.post(_url(filled), form_data(tab_b, "version", **{f"score_{second.pk}": "6"}))

    assert refused.status_code == 200
    assert "草稿已保存。" not in _flashes(refused)
    page = refused.content.decode()
    assert "您本人已于" in page and "在另一个标签页或窗口保存了这份自评表" in page
    assert f"“{first.title}”现为 5.00（原为 8.00）" in page
    assert "其间已保存为 5.00（原为 8.00），已填入。" in page
    assert _scores(filled)[first.pk] == Decimal("5.00")
    assert _scores(filled)[second.pk] == Decimal("8.00")

    again = form_data(refused, "version")
    assert again[f"score_{first.pk}"] == "5.00"  # untouched here: the saved value
    assert again[f"score_{second.pk}"] == "6"  # typed here: kept
    response = client.post(_url(filled), again)
    assert response.status_code == 302
    assert "草稿已保存。" in _flashes(response)
    scores = _scores(filled)
    assert (scores[first.pk], scores[second.pk]) == (Decimal("5.00"), Decimal("6.00"))


def test_both_tabs_change_one_criterion_the_second_sees_the_saved_value_beside_its_own(
    client, tree, filled
):
    first = filled.assessment.campaign.criteria.order_by("position").first()
    client.force_login(tree.secretary)
    tab_a, tab_b = _two_tabs(client, filled)
    client.post(_url(filled), form_data(tab_a, "version", **{f"score_{first.pk}": "5"}))

    refused = client.post(_url(filled), form_data(tab_b, "version", **{f"score_{first.pk}": "6"}))

    page = refused.content.decode()
    assert f"“{first.title}”已保存为 5.00，您填写的是 6" in page
    assert "其间已保存为 5.00；您填写的是 6。" in page
    assert form_data(refused, "version")[f"score_{first.pk}"] == "6"
    assert _scores(filled)[first.pk] == Decimal("5.00")


def test_stale_tab_remark_and_star_changes_are_shown_escaped(client, tree, filled):
    first = filled.assessment.campaign.criteria.order_by("position").first()
    client.force_login(tree.secretary)
    tab_a, tab_b = _two_tabs(client, filled)
    client.post(
        _url(filled),
        form_data(tab_a, "version", self_star="4", **{f"remark_{first.pk}": "<b>见附件</b>"}),
    )

    refused = client.post(_url(filled), form_data(tab_b, "version"))

    page = refused.content.decode()
    assert f"“{first.title}”的说明" in page and "“定位定星”现为 4（原为 3）" in page
    assert "&lt;b&gt;见附件&lt;/b&gt;" in page and "<b>见附件</b>" not in page
    again = form_data(refused, "version")
    assert again["self_star"] == "4" and again[f"remark_{first.pk}"] == "<b>见附件</b>"


def test_stale_tab_submit_is_refused_and_submits_once_shown_again(client, tree, filled):
    first, second = filled.assessment.campaign.criteria.order_by("position")[:2]
    client.force_login(tree.secretary)
    tab_a, tab_b = _two_tabs(client, filled)
    client.post(_url(filled), form_data(tab_a, "version", **{f"score_{first.pk}": "5"}))

    refused = client.post(
        _url(filled),
        form_data(tab_b, "version", submit="1", confirm="on", **{f"score_{second.pk}": "6"}),
    )

    assert refused.status_code == 200
    assert "在另一个标签页或窗口保存了这份自评表" in refused.content.decode()
    filled.refresh_from_db()
    assert filled.status == SelfEvaluationStatus.DRAFT
    assert _scores(filled)[second.pk] == Decimal("8.00")
    response = client.post(_url(filled), form_data(refused, "version", submit="1", confirm="on"))
    assert response.status_code == 302
    filled.refresh_from_db()
    assert filled.status == SelfEvaluationStatus.SUBMITTED
    scores = _scores(filled)
    assert (scores[first.pk], scores[second.pk]) == (Decimal("5.00"), Decimal("6.00"))


def test_return_from_a_page_older_than_the_sheet_is_refused(client, tree, filled):
    service.submit(sheet=filled, actor=tree.secretary)
    reviewer = Client()
    reviewer.force_login(tree.reviewer)
    url = reverse("scoring:self_evaluation_return", args=[filled.assessment_id])
    opened = reviewer.get(url)
    # Meanwhile, in another tab, it is returned; the secretary changes it and submits anew.
    service.return_sheet(sheet=filled, actor=tree.reviewer, reason="补材料")
    service.save_draft(
        sheet=filled,
        actor=tree.secretary,
        scores=scores_for(filled.assessment.campaign, "9"),
        self_star=3,
    )
    service.submit(sheet=filled, actor=tree.secretary)

    refused = reviewer.post(url, form_data(opened, "version", reason="分数偏高"))

    assert refused.status_code == 200
    page = refused.content.decode()
    assert "secretary_a 已于" in page and "保存了这份自评表" in page
    assert "现为 9.00（原为 8.00）" in page and "请重新查看后再作决定" in page
    filled.refresh_from_db()
    assert filled.status == SelfEvaluationStatus.SUBMITTED
    again = form_data(refused, "version")
    assert again["reason"] == "分数偏高"
    assert reviewer.post(url, again).status_code == 302
    filled.refresh_from_db()
    assert filled.status == SelfEvaluationStatus.RETURNED


def test_a_post_without_the_version_saves_nothing(client, tree, filled):
    first = filled.assessment.campaign.criteria.order_by("position").first()
    client.force_login(tree.secretary)
    data = form_data(client.get(_url(filled)), "version", **{f"score_{first.pk}": "5"})
    del data["version"]
    response = client.post(_url(filled), data)
    assert response.status_code == 200
    assert "本页面已过期，请刷新后再操作。" in response.content.decode()
    assert _scores(filled)[first.pk] == Decimal("8.00")


def test_service_names_the_other_saver_and_the_values(tree, filled):
    from scoring.services.versions import StaleVersion

    first = filled.assessment.campaign.criteria.order_by("position").first()
    loaded = filled.version
    service.save_draft(
        sheet=filled,
        actor=tree.secretary,
        scores={first.pk: ("5", "")},
        self_star=3,
        version=loaded,
    )
    with pytest.raises(StaleVersion) as refused:
        service.save_draft(
            sheet=filled,
            actor=tree.secretary,
            scores={first.pk: ("7", "")},
            self_star=3,
            version=loaded,
        )
    (change,) = refused.value.changes
    assert (change.criterion_id, change.saved, change.loaded, change.typed) == (
        first.pk,
        Decimal("5.00"),
        Decimal("8.00"),
        "7",
    )
    assert change.yours
    assert refused.value.saved_by == tree.secretary and refused.value.saved_at is not None
    assert refused.value.version == loaded + 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_tabs_saving_one_version_at_once_one_wins_the_others_are_told(tree, filled):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    tabs = 4
    criteria = list(filled.assessment.campaign.criteria.order_by("position")[:tabs])
    clients = []
    for _ in criteria:
        browser = Client()
        browser.force_login(tree.secretary)
        clients.append((browser, browser.get(_url(filled))))
    barrier = threading.Barrier(tabs)
    outcomes, lock = {}, threading.Lock()

    def save(index):
        browser, page = clients[index]
        data = form_data(page, "version", **{f"score_{criteria[index].pk}": "1"})
        try:
            barrier.wait()
            response = browser.post(_url(filled), data)
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
    scores = _scores(filled)
    for index, criterion in enumerate(criteria):
        assert scores[criterion.pk] == Decimal("1.00" if index == winner else "8.00")
    for index, response in outcomes.items():
        if index == winner:
            continue
        page = response.content.decode()
        assert response.status_code == 200
        assert f"“{criteria[winner].title}”现为 1.00（原为 8.00）" in page
        again = form_data(response, "version")
        assert again[f"score_{criteria[index].pk}"] == "1"  # the loser's own value, kept
        assert again[f"score_{criteria[winner].pk}"] == "1.00"  # the winner's, filled in
