"""Paper ballots entered by two tellers (docs/survey.md §2.1.2, A15, A16), on any database."""

import pytest

from branches.models import Role
from scoring.models import Ballot, PaperEntry, Slip, Survey
from scoring.services import survey as service
from scoring.services.errors import NotAllowed
from tests import factories
from tests.factories import all_grades, cast, member_codes, public_codes

Entered = service.Entered


def _enter(survey, actor, code, criteria, grade="E", verdict="satisfied", **changes):
    grades = all_grades(criteria, grade)
    for position, letter in changes.items():
        grades[criteria[int(position[1:]) - 1].pk] = letter
    return service.enter_paper_ballot(
        survey=survey, actor=actor, code=code, grades=grades, verdict=verdict
    )


def _state():
    return (
        Ballot.objects.count(),
        Slip.objects.count(),
        list(PaperEntry.objects.values_list("entry_hash", "teller_tag", "grades", "verdict")),
    )


def test_a_first_entry_waits_and_counts_nothing(tree, survey, issued, criteria):
    code = member_codes(issued)[0]
    result = _enter(survey, tree.secretary, code, criteria)
    assert result.outcome == Entered.FIRST
    assert Ballot.objects.count() == 0
    assert Slip.objects.filter(code_hash=service.hash_code(code)).exists()
    entry = PaperEntry.objects.get()
    assert (entry.grades, entry.verdict, entry.differed) == ("E" * 10, "satisfied", False)
    assert service.paper_counts(survey) == service.PaperCounts(
        paper=0, phone=0, waiting=1, differed=0
    )


def test_a_matching_second_entry_casts_one_paper_ballot_and_leaves_no_entry(
    tree, survey, issued, criteria
):
    code = public_codes(issued)[0]
    _enter(survey, tree.secretary, code, criteria, grade="G", verdict="basically_satisfied")
    result = _enter(survey, tree.staff, code, criteria, grade="G", verdict="basically_satisfied")
    assert result.outcome == Entered.COUNTED
    ballot = Ballot.objects.get()
    assert (ballot.channel, ballot.kind, ballot.grades) == ("paper", "public", "G" * 10)
    assert ballot.verdict == "basically_satisfied"
    assert ballot.points == 80
    assert not PaperEntry.objects.exists()
    assert not Slip.objects.filter(code_hash=service.hash_code(code)).exists()
    assert service.participation(survey).public_voted == 1
    assert service.paper_counts(survey) == service.PaperCounts(
        paper=1, phone=0, waiting=0, differed=0
    )


def test_the_same_teller_cannot_make_both_entries(tree, survey, issued, criteria):
    code = member_codes(issued)[0]
    _enter(survey, tree.secretary, code, criteria)
    before = _state()
    with pytest.raises(service.SameTeller):
        _enter(survey, tree.secretary, code, criteria)
    assert _state() == before


def test_differing_entries_discard_both_and_say_where_but_not_what(tree, survey, issued, criteria):
    code = member_codes(issued)[0]
    _enter(survey, tree.secretary, code, criteria, c3="F", verdict="satisfied")
    result = _enter(survey, tree.staff, code, criteria, c3="G", c7="P", verdict="dissatisfied")
    assert result.outcome == Entered.DIFFERED
    assert result.items == (3, 7)
    assert result.verdict_differs
    assert Ballot.objects.count() == 0
    entry = PaperEntry.objects.get()
    assert (entry.differed, entry.grades, entry.verdict, entry.teller_tag) == (True, "", "", "")
    assert service.paper_counts(survey).differed == 1
    # Entered afresh: a new first entry (by either teller), then a matching second one.
    assert _enter(survey, tree.staff, code, criteria, c3="F").outcome == Entered.AGAIN
    assert service.paper_counts(survey).waiting == 1
    assert _enter(survey, tree.secretary, code, criteria, c3="F").outcome == Entered.COUNTED
    assert Ballot.objects.get().grades == "EEFEEEEEEE"
    assert not PaperEntry.objects.exists()


def test_only_the_verdict_differing_is_a_difference(tree, survey, issued, criteria):
    code = member_codes(issued)[0]
    _enter(survey, tree.secretary, code, criteria, verdict="satisfied")
    result = _enter(survey, tree.staff, code, criteria, verdict="basically_satisfied")
    assert (result.outcome, result.items, result.verdict_differs) == (
        Entered.DIFFERED,
        (),
        True,
    )


def test_a_slip_spent_by_phone_is_refused_on_paper_with_the_unknown_codes_message(
    tree, survey, issued, criteria
):
    code = member_codes(issued)[0]
    cast(code, criteria)
    before = _state()
    with pytest.raises(service.SlipInvalid) as spent:
        _enter(survey, tree.secretary, code, criteria)
    with pytest.raises(service.SlipInvalid) as unknown:
        _enter(survey, tree.secretary, "ABCD-EFGH-JK", criteria)
    assert str(spent.value) == str(unknown.value)
    assert _state() == before


def test_a_slip_counted_on_paper_cannot_vote_again(tree, survey, issued, criteria):
    code = member_codes(issued)[0]
    _enter(survey, tree.secretary, code, criteria)
    _enter(survey, tree.staff, code, criteria)
    with pytest.raises(service.SlipInvalid):
        cast(code, criteria)
    with pytest.raises(service.SlipInvalid):
        _enter(survey, tree.secretary, code, criteria)
    assert Ballot.objects.count() == 1
    assert not PaperEntry.objects.exists()


def test_a_slip_spent_by_phone_while_its_first_entry_waits_discards_the_entry(
    tree, survey, issued, criteria
):
    code = member_codes(issued)[0]
    _enter(survey, tree.secretary, code, criteria, grade="P")
    cast(code, criteria)  # the voter used the QR code as well: the phone was first
    with pytest.raises(service.SlipInvalid):
        _enter(survey, tree.staff, code, criteria, grade="P")
    assert not PaperEntry.objects.exists()
    assert list(Ballot.objects.values_list("channel", "grades")) == [("phone", "E" * 10)]


def test_a_code_of_another_survey_is_refused(tree, survey, campaign, criteria):
    factories.add_members(tree.branch_b, 3)
    other = factories.assessment(campaign, tree.branch_b)
    code = member_codes(
        service.open_survey(assessment=other, actor=tree.secretary_b, public_slips=0)
    )[0]
    with pytest.raises(service.SlipInvalid):
        _enter(survey, tree.staff, code, criteria)
    assert not PaperEntry.objects.exists()


@pytest.mark.parametrize("who", ["reviewer", "secretary_b", "approver", "rereviewer", "nobody"])
def test_only_the_survey_runners_may_enter_paper_ballots(tree, survey, issued, criteria, who):
    with pytest.raises(NotAllowed):
        _enter(survey, getattr(tree, who), member_codes(issued)[0], criteria)
    assert not PaperEntry.objects.exists()


def test_two_secretaries_of_the_branch_may_be_the_two_tellers(tree, survey, issued, criteria):
    deputy = factories.user(role=Role.SECRETARY, organisation=tree.branch_a)
    code = member_codes(issued)[0]
    _enter(survey, tree.secretary, code, criteria)
    assert _enter(survey, deputy, code, criteria).outcome == Entered.COUNTED


@pytest.mark.parametrize(
    "grades",
    [{}, "missing one", {"x": "E"}, "bad letter"],
    ids=["none", "missing-one", "unknown-criterion", "bad-letter"],
)
def test_a_bad_entry_stores_nothing(tree, survey, issued, criteria, grades):
    if grades == "missing one":
        grades = {c.pk: "E" for c in criteria[1:]}
    elif grades == "bad letter":
        grades = {**all_grades(criteria), criteria[0].pk: "X"}
    before = _state()
    with pytest.raises(service.BallotInvalid):
        service.enter_paper_ballot(
            survey=survey,
            actor=tree.secretary,
            code=member_codes(issued)[0],
            grades=grades,
            verdict="satisfied",
        )
    with pytest.raises(service.BallotInvalid):
        service.enter_paper_ballot(
            survey=survey,
            actor=tree.secretary,
            code=member_codes(issued)[0],
            grades=all_grades(criteria),
            verdict="happy",
        )
    assert _state() == before


def test_a_closed_survey_takes_no_paper_entry_and_closing_discards_the_waiting_ones(
    tree, survey, issued, criteria
):
    codes = member_codes(issued)
    for code in codes[:8]:
        cast(code, criteria)
    _enter(survey, tree.secretary, codes[8], criteria)
    _enter(survey, tree.secretary, codes[9], criteria)
    _enter(survey, tree.staff, codes[9], criteria, grade="P")  # differed
    service.close_survey(survey=survey, actor=tree.secretary)
    assert not PaperEntry.objects.exists()
    with pytest.raises(service.SurveyClosed):
        _enter(survey, tree.staff, codes[8], criteria)
    assert not PaperEntry.objects.exists()


def test_reissuing_the_slips_discards_the_waiting_entries(tree, survey, issued, criteria):
    _enter(survey, tree.secretary, member_codes(issued)[0], criteria)
    service.reissue_slips(survey=survey, actor=tree.secretary)
    assert not PaperEntry.objects.exists()


def test_a_waiting_entry_cannot_be_joined_to_its_slip_or_its_teller(tree, survey, issued, criteria):
    code = member_codes(issued)[0]
    _enter(survey, tree.secretary, code, criteria)
    entry = PaperEntry.objects.get()
    assert entry.entry_hash == service.paper_hash(code)
    assert entry.entry_hash not in set(Slip.objects.values_list("code_hash", flat=True))
    assert entry.teller_tag == service.teller_tag(tree.secretary, entry.entry_hash)
    assert entry.teller_tag != service.teller_tag(tree.secretary, service.paper_hash("X" * 10))
    columns = {f.column for f in PaperEntry._meta.concrete_fields}
    assert columns == {
        "id",
        "survey_id",
        "entry_hash",
        "teller_tag",
        "grades",
        "verdict",
        "differed",
    }
    assert not hasattr(PaperEntry, "history")


def test_paper_entries_write_no_history_or_audit_row(tree, survey, issued, criteria):
    rows = Survey.history.count()
    code = member_codes(issued)[0]
    _enter(survey, tree.secretary, code, criteria)
    _enter(survey, tree.staff, code, criteria, grade="G")
    _enter(survey, tree.staff, code, criteria)
    _enter(survey, tree.secretary, code, criteria)
    assert Ballot.objects.count() == 1
    assert Survey.history.count() == rows


def test_closing_keeps_each_ballots_channel(tree, survey, issued, criteria):
    codes = member_codes(issued)
    for code in codes[:7]:
        cast(code, criteria)
    for code in codes[7:]:
        _enter(survey, tree.secretary, code, criteria, grade="F")
        _enter(survey, tree.staff, code, criteria, grade="F")
    ids = set(Ballot.objects.values_list("id", flat=True))
    service.close_survey(survey=survey, actor=tree.secretary)
    assert not ids & set(Ballot.objects.values_list("id", flat=True))
    assert sorted(Ballot.objects.values_list("channel", "grades")) == sorted(
        [("phone", "E" * 10)] * 7 + [("paper", "F" * 10)] * 3
    )
    assert service.paper_counts(survey) == service.PaperCounts(
        paper=3, phone=7, waiting=0, differed=0
    )
