"""The home page and the site frame: to-do counts, the language menu, the date form."""

import datetime
import re

from django.urls import reverse

from scoring.services import campaigns as campaign_service
from starrating import clock


def _declaring(tree, deadline):
    draft = campaign_service.create_campaign(
        committee=tree.committee,
        year=deadline.year,
        kind="initial",
        actor=tree.staff,
        self_deadline=deadline,
    )
    return campaign_service.open_campaign(campaign=draft, actor=tree.staff)


def _card_badge(response, role):
    card = re.search(rf'data-role="{role}".*?</section>', response.content.decode(), re.S)
    return re.search(r'<span class="badge rounded-pill ([^"]+)"', card.group(0)).group(1)


def test_a_count_on_the_home_page_is_not_an_alarm(client, tree):
    _declaring(tree, clock.today() + datetime.timedelta(days=10))
    client.force_login(tree.staff)
    response = client.get(reverse("home"))
    assert _card_badge(response, "staff") == "text-bg-secondary"
    assert "已逾期" not in response.content.decode()


def test_an_overdue_count_on_the_home_page_is_red(client, tree):
    deadline = clock.today() - datetime.timedelta(days=1)
    _declaring(tree, deadline)
    client.force_login(tree.staff)
    response = client.get(reverse("home"))
    assert _card_badge(response, "staff") == "text-bg-danger"
    assert "已逾期" in response.content.decode()


def test_each_language_is_named_in_itself(client):
    for language in ("zh-hans", "en"):
        client.post(reverse("set_language"), {"language": language, "next": "/"})
        content = client.get(reverse("login")).content.decode()
        options = dict(re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', content))
        assert options == {"zh-hans": "简体中文", "en": "English"}


def test_the_home_page_dates_the_clocks_today_in_the_one_date_form(client, tree):
    client.force_login(tree.staff)
    with clock.frozen(datetime.date(2031, 3, 4)):
        content = client.get(reverse("home")).content.decode()
    assert "2031年3月4日" in content
