"""The branch's audit trail speaks the reader's terms: titles, not ids; file types and sizes;
stars in words; the reader's date form; action labels; nothing internal."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from scoring.services import self_evaluation as service
from scoring.services.audit_trail import RECENT_GROUPS, action_label, audit_trail
from starrating import clock
from tests import factories


def _scores(sheet, value="8"):
    return factories.scores_for(sheet.assessment.campaign, value)


def _changes(entries):
    return [(change["field"], change["new"]) for e in entries for change in e["changes"]]


def _trail(sheet):
    with translation.override("zh-hans"):
        trail = audit_trail(sheet.assessment)
        return trail, trail.groups


def test_a_new_score_names_its_criterion_in_the_label_and_no_id(tree, sheet):
    service.save_draft(sheet=sheet, actor=tree.secretary, scores=_scores(sheet), self_star=5)
    trail, _groups = _trail(sheet)
    first = sheet.assessment.campaign.criteria.order_by("position").first()
    created = [e for e in trail if e["action"] == "+" and first.title in e["what"]]
    assert created
    fields = {field for field, _new in _changes(created)}
    assert fields == {"得分"}  # no "评分项: 17"


def test_internal_fields_are_left_out(tree, sheet):
    service.save_draft(sheet=sheet, actor=tree.secretary, scores=_scores(sheet), self_star=5)
    service.save_draft(sheet=sheet, actor=tree.secretary, scores=_scores(sheet, "9"))
    trail, _groups = _trail(sheet)
    fields = {field for field, _new in _changes(trail)}
    assert "版本" not in fields and "version" not in fields


def test_the_self_placed_star_is_shown_in_words(tree, sheet):
    service.save_draft(sheet=sheet, actor=tree.secretary, scores=_scores(sheet), self_star=5)
    trail, _groups = _trail(sheet)
    assert ("定位定星", "五星级") in _changes(trail)


def test_evidence_shows_its_file_type_and_size_in_readers_terms(tree, sheet):
    content = factories.pdf_bytes()
    pdf = SimpleUploadedFile("记录.pdf", content, "application/pdf")
    service.add_evidence(sheet=sheet, actor=tree.secretary, uploaded_file=pdf)
    trail, _groups = _trail(sheet)
    changes = dict(_changes([e for e in trail if "记录.pdf" in e["what"]]))
    assert changes["文件类型"] == "PDF 文档"
    with translation.override("zh-hans"):
        from django.template.defaultfilters import filesizeformat

        assert changes["大小"] == filesizeformat(len(content))
    assert "文件" not in changes  # the stored path says nothing


def test_times_are_in_the_readers_date_form(tree, sheet):
    moment = clock.aware(clock.today() + datetime.timedelta(days=1), 10, 5)
    with clock.frozen(moment):
        service.submit(sheet=sheet, actor=tree.secretary, scores=_scores(sheet), self_star=3)
    trail, _groups = _trail(sheet)
    day = moment.date()
    assert ("提交时间", f"{day.year}年{day.month}月{day.day}日 10:05") in _changes(trail)


def test_one_save_is_one_group_named_by_its_action(tree, sheet):
    service.save_draft(sheet=sheet, actor=tree.secretary, scores=_scores(sheet), self_star=5)
    _trail_, groups = _trail(sheet)
    saved = groups[0]
    assert saved.who == tree.secretary
    assert len(saved.entries) == 1 + sheet.assessment.campaign.criteria.count()
    with translation.override("zh-hans"):
        assert saved.label == action_label("self_evaluation.draft_saved") == "保存自评草稿"


def test_a_reason_written_before_the_action_codes_is_still_translated():
    with translation.override("zh-hans"):
        assert action_label("submitted") == "提交"
        assert action_label("self_evaluation.submitted") == "提交自评"


def test_the_branch_page_folds_the_trail_and_lists_the_latest_groups(client, tree, sheet):
    start = clock.now()
    for day in range(RECENT_GROUPS + 2):
        with clock.frozen(start + datetime.timedelta(minutes=day)):
            service.save_draft(
                sheet=sheet, actor=tree.secretary, scores=_scores(sheet, str(day % 10))
            )
    client.force_login(tree.staff)
    content = client.get(f"/assessments/{sheet.assessment_id}/").content.decode()
    trail = content[content.index('id="audit-trail"') :]
    assert trail.count('<details class="border-bottom py-2 audit-group">') >= RECENT_GROUPS + 2
    assert "<details open" not in trail
    assert 'id="audit-trail-older"' in trail
