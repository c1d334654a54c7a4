"""Bad input on the reminder pages (docs/nonfunctional.md §7): never a 500, nothing
saved on an error, the message in Chinese."""

from django.urls import NoReverseMatch, reverse
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reminders.models import ReminderSettings

NASTY = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "x" * 100_000,
            "\x00",
            "on\x00",
            "\u202eno",
            "ｏｎ",
            "１",
            "-1",
            "NaN",
            "1e309",
            "<script>alert(1)</script>",
            '=HYPERLINK("http://x")',
            "+cmd|' /C calc'!A0",
            "ON",
            "off ",
        ]
    ),
    st.text(max_size=300),
)
SLOW = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SLOW
@given(value=NASTY)
def test_the_settings_form_refuses_bad_choices_in_chinese(client, tree, value):
    client.force_login(tree.secretary)
    response = client.post(reverse("reminders:settings"), {"email_reminders": value})
    if value in ("on", "off"):
        assert response.status_code == 302
        ReminderSettings.objects.all().delete()
        return
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode() or "这个字段是必填项" in (
        response.content.decode()
    )
    assert not ReminderSettings.objects.exists()


@SLOW
@given(token=NASTY)
def test_a_bad_unsubscribe_token_never_fails_and_changes_nothing(client, tree, token):
    try:
        url = reverse("reminders:unsubscribe", args=[token])
    except NoReverseMatch:
        assume(False)  # "", or a "/": no URL of this page can be formed from it
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code in (400, 404)
        if response.status_code == 400:
            assert "该退订链接无效" in response.content.decode()
    assert not ReminderSettings.objects.exists()
