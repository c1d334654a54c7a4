"""manage.py export for the PDFs of publicity and approval (docs/reports.md §6):
`notice-pdf`, `approved-pdf`, `certificates` (all, or one branch with --branch)."""

import io

import pytest
from django.core.management import CommandError, call_command

from scoring.services import publicity
from starrating import clock
from tests.factories import DURING, REREVIEWED
from tests.factories import assessment_of as _assessment


def run(*args):
    out = io.StringIO()
    call_command("export", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def refused(*args) -> str:
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert caught.value.returncode == 2
    return str(caught.value)


def _rereview(tree, campaign, *, confirmed):
    fields = {} if confirmed else {"star": 3, "reason": "不符合"}
    with clock.frozen(REREVIEWED):
        publicity.rereview(
            assessment=_assessment(campaign, tree.branch_a),
            actor=tree.rereviewer,
            confirmed=confirmed,
            **fields,
        )


def _written(target):
    assert target.read_bytes().startswith(b"%PDF")
    return True


def test_the_notice_pdf_is_written(published, tmp_path):
    target = tmp_path / "notice.pdf"
    with clock.frozen(DURING):
        assert "公示" in run("notice-pdf", "--campaign", str(published.pk), "-o", str(target))
    assert _written(target)


def test_the_notice_pdf_of_a_campaign_never_published_exits_2(rated, tmp_path):
    target = tmp_path / "notice.pdf"
    assert "尚未公示" in refused("notice-pdf", "--campaign", str(rated.pk), "-o", str(target))
    assert list(tmp_path.iterdir()) == []


def test_the_approved_pdf_is_written_after_approval_and_refused_before(
    published, approved, tmp_path
):
    target = tmp_path / "approved.pdf"
    run("approved-pdf", "--campaign", str(published.pk), "-o", str(target))
    assert _written(target)


def test_the_approved_pdf_before_approval_exits_2(published, tmp_path):
    target = tmp_path / "approved.pdf"
    assert "尚未审批" in refused("approved-pdf", "--campaign", str(published.pk), "-o", str(target))
    assert list(tmp_path.iterdir()) == []


def test_one_branchs_certificate_and_all_of_them_are_written(tree, approved, tmp_path):
    _rereview(tree, approved.campaign, confirmed=True)
    pk = str(approved.campaign.pk)
    one, every = tmp_path / "one.pdf", tmp_path / "all.pdf"
    run("certificates", "--campaign", pk, "--branch", tree.branch_a.code, "-o", str(one))
    run("certificates", "--campaign", pk, "-o", str(every))
    assert _written(one) and _written(every)


@pytest.mark.parametrize(
    ("confirmed", "branch", "message"),
    [
        (True, "b", "不是五星级"),  # four stars
        (None, "a", "尚待市委组织部复审"),  # before the re-review
        (False, "a", "复审未确认"),  # the re-review declined
        (None, None, "尚无经复审确认的五星级"),  # the all-in-one before any is confirmed
        (False, None, "尚无经复审确认的五星级"),
    ],
)
def test_a_certificate_not_officially_five_star_exits_2(
    tree, approved, tmp_path, confirmed, branch, message
):
    if confirmed is not None:
        _rereview(tree, approved.campaign, confirmed=confirmed)
    target = tmp_path / "c.pdf"
    args = ["certificates", "--campaign", str(approved.campaign.pk), "-o", str(target)]
    if branch:
        args += ["--branch", {"a": tree.branch_a, "b": tree.branch_b}[branch].code]
    assert message in refused(*args)
    assert list(tmp_path.iterdir()) == []


def test_certificates_before_approval_exit_2(tree, published, tmp_path):
    target = tmp_path / "c.pdf"
    assert "尚未审批" in refused("certificates", "--campaign", str(published.pk), "-o", str(target))


def test_a_certificate_of_a_branch_not_in_the_campaign_exits_2(tree, approved, tmp_path):
    target = tmp_path / "c.pdf"
    args = ["certificates", "--campaign", str(approved.campaign.pk), "--branch", "NOPE"]
    assert "没有代码为 NOPE 的支部" in refused(*args, "-o", str(target))


def test_branch_is_refused_for_the_notice(tree, published, tmp_path):
    target = tmp_path / "n.pdf"
    args = ["notice-pdf", "--campaign", str(published.pk), "--branch", tree.branch_a.code]
    assert "只有 certificates, rating-sheet 可以指定 --branch" in refused(*args, "-o", str(target))
