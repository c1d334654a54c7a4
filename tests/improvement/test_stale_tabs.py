"""Two tabs editing one ledger item (docs/nonfunctional.md §7 *Races*): the second save is
refused with who saved when, the user's entries kept and the current version on the
form, so saving again is a deliberate act."""

from django.urls import reverse

from tests.improvement.test_views import item_post, world  # noqa: F401 (fixture)


def test_the_second_tab_is_told_and_keeps_its_entries(client, tree, world):  # noqa: F811
    item = world["open"]
    client.force_login(tree.secretary)
    url = reverse("improvement:item_edit", args=[item.pk])
    first = client.get(url).context["form"].initial["version"]
    second = client.get(url).context["form"].initial["version"]
    saved = item_post(world, problem="第一个标签页", version=first)
    del saved["event"]
    assert client.post(url, saved).status_code == 302
    late = item_post(world, measures="第二个标签页的措施", version=second)
    del late["event"]
    page = client.post(url, late)
    assert page.status_code == 200
    text = page.content.decode()
    assert "本次操作未作任何更改" in text
    assert "第二个标签页的措施" in text  # what the user typed is kept
    item.refresh_from_db()
    assert (item.problem, item.version) == ("第一个标签页", first + 1)
    # The form now carries the current version: saving again is taken.
    form = page.context["form"]
    assert form.data["version"] == str(first + 1)
    again = dict(form.data.items())
    assert client.post(url, again).status_code == 302
    item.refresh_from_db()
    assert item.measures == "第二个标签页的措施" and item.version == first + 2
