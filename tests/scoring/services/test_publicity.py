"""Publicity, objections, approval and re-review (docs/process.md §2.1.4, §2.1.5, §2.6):
every transition and every refusal of `scoring.services.publicity`."""

import datetime
import json

import pytest
from django.core.management import call_command

from scoring.models import (
    Approval,
    CampaignStatus,
    ObjectionState,
    QuotaMode,
    Rating,
    ReviewStatus,
    StarCause,
    StarChange,
)
from scoring.services import publicity, recompute, reviews
from scoring.services.errors import NotAllowed, WrongState
from starrating import clock
from tests import factories
from tests.factories import (
    AFTER,
    DURING,
    MEETING,
    PUBLISHED,
    REREVIEWED,
)
from tests.factories import approve_in_window as _approve
from tests.factories import assessment_of as _assessment
from tests.factories import file_objection as _file

# --- publish ------------------------------------------------------------------------------


def test_publishing_opens_the_window_for_the_campaigns_days(tree, published):
    assert published.status == CampaignStatus.PUBLICITY
    assert published.publicity_start == clock.aware(PUBLISHED, 9)
    assert published.publicity_end == clock.aware(PUBLISHED + datetime.timedelta(days=7), 9)
    assert published.contact_line == "电话 1"
    assert published.history.first().history_change_reason == "campaign.published"
    assert published.history.first().history_user == tree.staff


def test_publishing_with_a_branch_missing_is_refused_and_names_it(tree, rated):
    review = _assessment(rated, tree.branch_b).review
    review.status = ReviewStatus.DRAFT
    review.save()
    with pytest.raises(WrongState, match=tree.branch_b.name):
        publicity.publish_campaign(campaign=rated, actor=tree.staff)
    rated.refresh_from_db()
    assert rated.status == CampaignStatus.DECLARING


def test_publishing_before_a_needed_recompute_is_refused(tree):
    campaign = factories.campaign(tree.committee, quota_mode=QuotaMode.OFF)
    factories.ready_branch(campaign, tree.branch_a, review_total=80)
    with pytest.raises(WrongState, match="重新计算"):
        publicity.publish_campaign(campaign=campaign, actor=tree.staff)


def test_only_staff_publish(tree, rated):
    for user in (tree.approver, tree.reviewer, tree.secretary):
        with pytest.raises(NotAllowed):
            publicity.publish_campaign(campaign=rated, actor=user)


def test_publishing_twice_is_refused(tree, published):
    with pytest.raises(WrongState):
        publicity.publish_campaign(campaign=published, actor=tree.staff)


# --- the end of the window ----------------------------------------------------------------


def test_the_window_ends_by_the_clock_alone(tree, published):
    with clock.frozen(DURING):
        assert publicity.end_publicity_if_due(published).status == CampaignStatus.PUBLICITY
    with clock.frozen(AFTER):
        ended = publicity.end_publicity_if_due(published)
    assert ended.status == CampaignStatus.AWAITING_APPROVAL
    assert ended.history.first().history_change_reason == "campaign.publicity_ended"


def test_the_end_publicity_command_ends_every_window_past(tree, published):
    with clock.frozen(AFTER):
        call_command("end_publicity", verbosity=0)
    published.refresh_from_db()
    assert published.status == CampaignStatus.AWAITING_APPROVAL


# --- objections ---------------------------------------------------------------------------


def test_anyone_files_an_objection_in_the_window_and_gets_a_receipt(tree, published):
    objection = _file(published, tree.branch_a, name="张三", phone="123")
    assert objection.state == ObjectionState.OPEN
    assert len(objection.receipt) == 10
    assert objection.history.first().history_change_reason == "objection.filed"


def test_an_objection_after_the_window_is_refused(tree, published):
    with clock.frozen(AFTER), pytest.raises(WrongState, match="公示期已结束，不再受理异议"):
        publicity.file_objection(assessment=_assessment(published, tree.branch_a), text="迟了")
    published.refresh_from_db()
    assert published.status == CampaignStatus.AWAITING_APPROVAL


def test_an_objection_before_publication_is_refused(tree, rated):
    with pytest.raises(WrongState):
        publicity.file_objection(assessment=_assessment(rated, tree.branch_a), text="早了")


@pytest.mark.parametrize("text", ["", "   ", "字" * 2001])
def test_an_objection_needs_a_text_of_at_most_2000_characters(tree, published, text):
    with pytest.raises(WrongState):
        _file(published, tree.branch_a, text=text)


def test_an_objection_of_2000_characters_is_accepted(tree, published):
    assert _file(published, tree.branch_a, text="字" * 2000).pk


def test_an_attachment_is_a_pdf_or_an_image_stored_under_another_name(
    tree, published, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    pdf = factories.upload("我的证据.pdf", factories.pdf_bytes())
    objection = _file(published, tree.branch_a, attachment=pdf)
    assert objection.attachment.name.startswith("objections/")
    assert "我的证据" not in objection.attachment.name
    assert objection.attachment_type == "application/pdf"
    with pytest.raises(WrongState):
        _file(
            published, tree.branch_a, attachment=factories.upload("a.docx", factories.docx_bytes())
        )
    with pytest.raises(WrongState):
        _file(published, tree.branch_a, attachment=factories.upload("a.pdf", b"<html>x</html>"))


def test_staff_dismiss_an_objection_with_a_reason(tree, published):
    objection = _file(published, tree.branch_a)
    with pytest.raises(WrongState):
        publicity.dismiss_objection(objection=objection, actor=tree.staff, reason=" ")
    done = publicity.dismiss_objection(
        objection=objection, actor=tree.staff, reason="经核实不属实", notes="查阅会议记录"
    )
    assert (done.state, done.outcome_reason, done.handled_by) == (
        ObjectionState.DISMISSED,
        "经核实不属实",
        tree.staff,
    )
    assert done.verification == "查阅会议记录"
    with pytest.raises(WrongState):
        publicity.uphold_objection(objection=done, actor=tree.staff, reason="再议")


def test_only_staff_handle_objections(tree, published):
    objection = _file(published, tree.branch_a)
    for user in (tree.approver, tree.rereviewer, tree.reviewer):
        with pytest.raises(NotAllowed):
            publicity.dismiss_objection(objection=objection, actor=user, reason="x")
        with pytest.raises(NotAllowed):
            publicity.uphold_objection(objection=objection, actor=user, reason="x")


def test_upholding_returns_the_review_and_requires_a_recompute(tree, published):
    objection = _file(published, tree.branch_b)
    publicity.uphold_objection(objection=objection, actor=tree.staff, reason="属实")
    review = _assessment(published, tree.branch_b).review
    assert review.status == ReviewStatus.RETURNED
    assert review.return_reason == "属实"
    assert publicity.needs_recompute(published)
    # The reviewer submits again during publicity; then a recompute clears the block.
    resubmitted = reviews.submit_review(actor=tree.reviewer, review=review, version=review.version)
    assert resubmitted.status == ReviewStatus.SUBMITTED
    with pytest.raises(WrongState, match="重新计算"):
        _approve(published, tree.approver)
    recompute.recompute_campaign(campaign=published, actor=tree.staff)
    published.refresh_from_db()
    assert not publicity.needs_recompute(published)
    assert _approve(published, tree.approver).pk


def test_an_upheld_objection_without_a_review_change_still_needs_a_recompute(tree, published):
    objection = _file(published, tree.branch_b)
    publicity.uphold_objection(
        objection=objection, actor=tree.staff, reason="事件有误", return_review=False
    )
    with pytest.raises(WrongState, match="重新计算"):
        _approve(published, tree.approver)


def test_a_review_not_reopened_stays_locked_after_declaration(tree, published):
    review = _assessment(published, tree.branch_b).review
    review.status = ReviewStatus.RETURNED
    review.save()
    with pytest.raises(reviews.CampaignNotOpen):
        reviews.submit_review(actor=tree.reviewer, review=review, version=review.version)


# --- approval -----------------------------------------------------------------------------


def test_approving_before_the_window_ends_is_refused(tree, published):
    with pytest.raises(WrongState, match="公示期尚未结束"):
        _approve(published, tree.approver, today=DURING, meeting_date=DURING)


def test_approving_with_an_objection_open_is_refused(tree, published):
    _file(published, tree.branch_a)
    with pytest.raises(WrongState, match="尚有未处理的异议"):
        _approve(published, tree.approver)
    published.refresh_from_db()
    assert published.status == CampaignStatus.AWAITING_APPROVAL


def test_only_the_approver_approves(tree, published):
    for user in (tree.staff, tree.rereviewer):
        with pytest.raises(NotAllowed):
            _approve(published, user)


def test_approval_needs_a_reference_and_a_past_meeting_date(tree, published):
    with pytest.raises(WrongState):
        _approve(published, tree.approver, reference=" ")
    with pytest.raises(WrongState):
        _approve(published, tree.approver, meeting_date=MEETING + datetime.timedelta(days=1))


def test_approval_freezes_the_list_with_its_digest_and_changes_every_star(tree, approved):
    campaign = approved.campaign
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.APPROVED
    document = json.loads(approved.snapshot)
    assert document["reference"] == "工委〔2026〕7号"
    assert [row["code"] for row in document["branches"]] == sorted(
        row["code"] for row in document["branches"]
    )
    assert approved.digest == publicity.digest_of(approved.snapshot)
    stars = {r.assessment.branch_id: r.star for r in Rating.objects.select_related("assessment")}
    for branch in (tree.branch_a, tree.branch_b, tree.direct):
        change = StarChange.objects.get(branch=branch)
        assert (change.cause, change.to_star, change.from_star) == (
            StarCause.APPROVAL,
            stars[branch.pk],
            None,
        )
        assert publicity.current_star(branch) == stars[branch.pk]
    assert stars[tree.branch_a.pk] == 5


def test_the_digest_check_tells_a_changed_list(tree, approved):
    assert publicity.check_approved(approved.campaign).ok
    Rating.objects.filter(assessment__branch=tree.branch_b).update(star=5)
    check = publicity.check_approved(approved.campaign)
    assert check.intact and not check.current
    Approval.objects.filter(pk=approved.pk).update(snapshot=approved.snapshot.replace("7号", "8号"))
    assert not publicity.check_approved(approved.campaign).intact


def test_the_check_approved_command_says_whether_the_list_matches(tree, approved, capsys):
    call_command("check_approved", str(approved.campaign_id))
    assert approved.digest in capsys.readouterr().out
    Rating.objects.filter(assessment__branch=tree.branch_b).update(star=5)
    with pytest.raises(SystemExit):
        call_command("check_approved", str(approved.campaign_id))


# --- re-review ----------------------------------------------------------------------------


def test_the_rereviewer_confirms_a_five_star_result_and_the_campaign_closes(tree, approved):
    assessment = _assessment(approved.campaign, tree.branch_a)
    assert publicity.rereviews_waiting() == [assessment]
    with clock.frozen(REREVIEWED):
        publicity.rereview(assessment=assessment, actor=tree.rereviewer, confirmed=True)
    campaign = approved.campaign
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    assert campaign.history.filter(history_change_reason="campaign.closed").exists()
    assert publicity.current_star(tree.branch_a) == 5


def test_not_confirmed_needs_a_reason_and_a_star_of_at_most_four(tree, approved):
    assessment = _assessment(approved.campaign, tree.branch_a)
    kwargs = {"assessment": assessment, "actor": tree.rereviewer, "confirmed": False}
    with pytest.raises(WrongState):
        publicity.rereview(**kwargs, star=3, reason="")
    with pytest.raises(WrongState):
        publicity.rereview(**kwargs, star=5, reason="不足")
    with pytest.raises(WrongState):
        publicity.rereview(**kwargs, star=None, reason="不足")
    with clock.frozen(REREVIEWED):
        decision = publicity.rereview(**kwargs, star=4, reason="材料不足")
    assert (decision.confirmed, decision.star) == (False, 4)
    change = StarChange.objects.filter(branch=tree.branch_a).last()
    assert (change.cause, change.from_star, change.to_star, change.reason) == (
        StarCause.REREVIEW,
        5,
        4,
        "材料不足",
    )
    assert publicity.current_star(tree.branch_a) == 4


def test_rereviewing_a_star_that_is_not_five_is_refused(tree, approved):
    with pytest.raises(WrongState, match="只复审已审批的五星结果"):
        publicity.rereview(
            assessment=_assessment(approved.campaign, tree.branch_b),
            actor=tree.rereviewer,
            confirmed=True,
        )


def test_rereviewing_twice_or_before_approval_is_refused(tree, published, approved):
    assessment = _assessment(approved.campaign, tree.branch_a)
    publicity.rereview(assessment=assessment, actor=tree.rereviewer, confirmed=True)
    with pytest.raises(WrongState):
        publicity.rereview(assessment=assessment, actor=tree.rereviewer, confirmed=True)


def test_rereviewing_in_a_campaign_not_approved_is_refused(tree, published):
    with pytest.raises(WrongState):
        publicity.rereview(
            assessment=_assessment(published, tree.branch_a), actor=tree.rereviewer, confirmed=True
        )


def test_only_the_rereviewer_rereviews(tree, approved):
    for user in (tree.staff, tree.approver):
        with pytest.raises(NotAllowed):
            publicity.rereview(
                assessment=_assessment(approved.campaign, tree.branch_a),
                actor=user,
                confirmed=True,
            )


def test_staff_list_open_objections_first_and_named_ones_first_among_them(tree, published):
    anonymous = _file(published, tree.branch_a)
    named = _file(published, tree.branch_b, name="李四")
    decided = _file(published, tree.direct, phone="139")
    publicity.dismiss_objection(objection=decided, actor=tree.staff, reason="不属实")
    assert list(publicity.objections_for_staff(published)) == [named, anonymous, decided]


def test_staff_set_the_contact_line_with_a_history_row(tree, published):
    publicity.set_contact_line(campaign=published, actor=tree.staff, contact_line=" 电话 2 ")
    published.refresh_from_db()
    assert published.contact_line == "电话 2"
    assert published.history.filter(history_change_reason="campaign.contact_changed").exists()
    with pytest.raises(NotAllowed):
        publicity.set_contact_line(campaign=published, actor=tree.approver, contact_line="x")


def test_an_objection_upheld_while_awaiting_approval_reopens_the_review_too(tree, published):
    objection = _file(published, tree.branch_b)
    with clock.frozen(AFTER):
        publicity.end_publicity_if_due(published)
        publicity.uphold_objection(objection=objection, actor=tree.staff, reason="属实")
    review = _assessment(published, tree.branch_b).review
    assert review.status == ReviewStatus.RETURNED
    with clock.frozen(AFTER):
        again = reviews.submit_review(actor=tree.reviewer, review=review, version=review.version)
    assert again.status == ReviewStatus.SUBMITTED
