"""The event pages: a branch is picked by name, parent and code, grouped by parent; the
empty choice says 请选择 in the form and 全部 in the filter; a future date is refused."""

import datetime
import re

from django.urls import reverse

from scoring.models import ScoreEvent
from starrating import clock
from tests import factories


def _select(content, name):
    return re.search(rf'<select name="{name}".*?</select>', content, re.S).group(0)


def test_branches_of_the_same_name_are_told_apart_by_parent_and_code(client, tree):
    other = factories.org(kind="party_committee", parent=tree.committee, name="机关党委乙")
    twin = factories.branch(other, name=tree.branch_a.name)
    client.force_login(tree.staff)
    select = _select(client.get(reverse("scoring:event_create")).content.decode(), "branch")
    assert f"{tree.branch_a.name}（机关党委甲，{tree.branch_a.code}）" in select
    assert f"{twin.name}（机关党委乙，{twin.code}）" in select
    assert '<optgroup label="机关党委甲">' in select and '<optgroup label="机关党委乙">' in select


def test_the_forms_empty_choices_say_please_choose(client, tree):
    client.force_login(tree.staff)
    content = client.get(reverse("scoring:event_create")).content.decode()
    assert "---------" not in content
    for name in ("branch", "type"):
        assert '<option value="" selected>请选择</option>' in _select(content, name)


def test_the_filters_empty_choices_say_all(client, tree):
    client.force_login(tree.staff)
    content = client.get(reverse("scoring:event_list")).content.decode()
    assert "---------" not in content
    for name in ("branch", "type"):
        assert '<option value="" selected>全部</option>' in _select(content, name)


def test_an_event_dated_after_today_is_refused_on_the_form(client, tree):
    client.force_login(tree.staff)
    ahead = clock.today() + datetime.timedelta(days=365)
    response = client.post(
        reverse("scoring:event_create"),
        {"branch": tree.branch_a.pk, "type": "absence", "count": "1", "date": ahead.isoformat()},
    )
    assert response.status_code == 200
    assert "尚未到来：请在事项发生后再登记。" in response.content.decode()
    assert not ScoreEvent.objects.exists()


def test_the_date_picker_stops_at_today(client, tree):
    client.force_login(tree.staff)
    content = client.get(reverse("scoring:event_create")).content.decode()
    assert f'max="{clock.today().isoformat()}"' in content


def test_a_phone_gets_the_events_as_a_list(client, tree):
    ScoreEvent.objects.create(branch=tree.branch_a, date=clock.today(), type="absence")
    client.force_login(tree.staff)
    content = client.get(reverse("scoring:event_list")).content.decode()
    assert 'class="table-responsive d-none d-md-block"' in content
    assert 'class="list-group list-group-flush d-md-none"' in content
