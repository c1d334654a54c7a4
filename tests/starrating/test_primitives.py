"""The clock, the audit helper, the action helper and the display tags."""

import datetime
import threading

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.template import Context, Template
from django.test import RequestFactory

from scoring.models import Campaign
from scoring.services.errors import WrongState
from starrating import audit, clock
from starrating.actions import perform


def test_frozen_clock_gives_that_moment_and_its_date():
    moment = clock.aware(datetime.date(2025, 6, 5), 23, 30)
    with clock.frozen(moment):
        assert clock.now() == moment
        assert clock.today() == datetime.date(2025, 6, 5)
    assert clock.today() != datetime.date(2025, 6, 5) or clock.now() != moment


def test_a_date_freezes_at_nine_in_the_morning():
    with clock.frozen(datetime.date(2025, 1, 2)):
        assert clock.now() == clock.aware(datetime.date(2025, 1, 2), 9)


def test_a_source_set_in_one_thread_does_not_leak_into_another():
    seen = []
    with clock.frozen(datetime.date(2001, 1, 1)):
        thread = threading.Thread(target=lambda: seen.append(clock.today()))
        thread.start()
        thread.join()
    assert seen and seen[0].year != 2001


@pytest.mark.django_db
def test_audit_save_records_actor_action_and_the_clocks_time(tree):
    campaign = Campaign(committee=tree.committee, year=2025, title="2025年度星级评定")
    moment = clock.aware(datetime.date(2025, 3, 1), 10)
    with clock.frozen(moment):
        audit.save(campaign, actor=tree.staff, action="campaign.created")
    record = campaign.history.get()
    assert record.history_user == tree.staff
    assert record.history_change_reason == "campaign.created"
    assert record.history_date == moment
    assert Campaign.history.filter(history_change_reason="campaign.created").count() == 1


def test_audit_refuses_an_unknown_action():
    with pytest.raises(audit.UnknownAction):
        audit.stamp(object(), actor=None, action="campaign.frobnicated")


def test_audit_label_translates_a_code_and_keeps_an_unknown_one():
    assert audit.label("review.submitted") == "考评已提交"
    assert audit.label("old free text") == "old free text"
    assert audit.label(None) == ""


def _request():
    request = RequestFactory().post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_perform_redirects_with_the_success_message():
    request = _request()
    response = perform(request, lambda: 3, success=lambda n: f"done {n}", then="/next/")
    assert response.status_code == 302 and response["Location"] == "/next/"
    assert [str(m) for m in get_messages(request)] == ["done 3"]


def test_perform_puts_a_refusal_on_the_form_and_returns_none():
    from django import forms

    class Form(forms.Form):
        reason = forms.CharField(required=False)

    form = Form({"reason": ""})
    assert form.is_valid()

    def refuse():
        raise WrongState("不行")

    assert perform(_request(), refuse, success="ok", then="/", form=form, field="reason") is None
    assert form.errors["reason"] == ["不行"]


def test_perform_without_a_form_flashes_the_refusal():
    request = _request()

    def refuse():
        raise WrongState("不行")

    response = perform(request, refuse, success="ok", then="/back/")
    assert response["Location"] == "/back/"
    assert [str(m) for m in get_messages(request)] == ["不行"]


def test_status_badge_has_one_label_and_colour_and_escapes():
    class Sheet:
        status = "returned"

        def get_status_display(self):
            return "<退回>"

    html = Template("{% load display %}{% status_badge sheet %}").render(
        Context({"sheet": Sheet()})
    )
    assert html == '<span class="badge text-bg-warning">&lt;退回&gt;</span>'


def test_colon_bracket_and_star_name_follow_the_language():
    from django.utils import translation

    template = Template(
        "{% load display %}截止日期{% colon %}{{ d }}{{ c|bracket }}{{ s|star_name }}"
    )
    with translation.override("zh-hans"):
        html = template.render(Context({"d": "6月5日", "c": "<JG>", "s": 5}))
    assert html == "截止日期：6月5日（&lt;JG&gt;）五星级"
    with translation.override("en"):
        html = template.render(Context({"d": "5 June", "c": "JG", "s": 0}))
    assert html == "截止日期: 5 June (JG)no star (unrated)"


def test_perform_sends_a_refusal_to_failure_when_then_needs_the_result():
    request = _request()

    def refuse():
        raise WrongState("不行")

    response = perform(request, refuse, success="ok", then=lambda r: f"/{r}/", failure="/back/")
    assert response["Location"] == "/back/"
    with pytest.raises(TypeError):
        perform(_request(), refuse, success="ok", then=lambda r: f"/{r}/")
