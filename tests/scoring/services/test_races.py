"""Races of the year on PostgreSQL, with real threads each on its own connection
(docs/nonfunctional.md §7 *Integrity*): nothing is lost or applied twice, and the loser
is told why. The slip posted from twenty threads is in test_survey_concurrency.py.
"""

import datetime
import threading

import pytest
from django.db import connection

from improvement import services as improvement
from scoring.models import Approval, Ballot, CampaignStatus, Objection, Rating, Slip, StarChange
from scoring.services import publicity, recompute
from scoring.services import survey as survey_service
from scoring.services.errors import WrongState
from scoring.services.versions import StaleVersion
from starrating import clock
from tests import factories
from tests.factories import MEETING, PUBLISHED, all_grades, member_codes

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


def race(*calls):
    """Run each call in its own thread, all released at once; return what each returned
    or raised, in the order given."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as error:  # the loser's refusal, kept for the assertions
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def at(moment, call):
    """`call` under the clock at `moment` (a thread starts with the real clock)."""

    def timed():
        with clock.frozen(moment):
            return call()

    return timed


def split(outcomes):
    won = [o for o in outcomes if not isinstance(o, Exception)]
    lost = [o for o in outcomes if isinstance(o, Exception)]
    return won, lost


def test_two_staff_publishing_at_once_publish_once(tree, rated):
    def publish():
        return publicity.publish_campaign(campaign=rated, actor=tree.staff, contact_line="电话")

    won, lost = split(race(at(PUBLISHED, publish), at(PUBLISHED, publish)))
    assert len(won) == 1 and len(lost) == 1
    assert isinstance(lost[0], WrongState) and "只有申报中的评定活动可以发布公示" in str(lost[0])
    rated.refresh_from_db()
    assert rated.status == CampaignStatus.PUBLICITY
    assert rated.history.filter(history_change_reason="campaign.published").count() == 1


def test_two_approvals_of_one_campaign_record_one(tree, published):
    def approve():
        return publicity.approve_campaign(
            campaign=published, actor=tree.approver, meeting_date=MEETING, reference="工委7号"
        )

    won, lost = split(race(at(MEETING, approve), at(MEETING, approve)))
    assert len(won) == 1 and len(lost) == 1
    assert isinstance(lost[0], WrongState)
    assert Approval.objects.filter(campaign=published).count() == 1
    # Every branch's star changed once, not twice.
    branches = published.assessments.count()
    assert StarChange.objects.filter(campaign=published).count() == branches


def test_an_objection_filed_as_the_window_closes_is_taken_or_refused_never_after(tree, published):
    """The filer's clock reads just before the end when the page is checked and just
    after it by the time the lock is granted; the clock, not the stored status, decides."""
    end = published.publicity_end
    readings = iter([end - datetime.timedelta(microseconds=1)])

    def ticking():
        return next(readings, end + datetime.timedelta(microseconds=1))

    def file():
        with clock.use(ticking):
            return publicity.file_objection(
                assessment=factories.assessment_of(published, tree.branch_b), text="不属实"
            )

    def close():
        with clock.frozen(end):
            return publicity.end_publicity_if_due(published)

    outcomes = race(file, close)
    assert isinstance(outcomes[0], WrongState) and "公示期已结束" in str(outcomes[0])
    assert not Objection.objects.exists()
    published.refresh_from_db()
    assert published.status == CampaignStatus.AWAITING_APPROVAL


def test_objections_filed_as_the_window_closes_are_all_within_it(tree, published):
    end = published.publicity_end
    moments = [end - datetime.timedelta(microseconds=n) for n in (2, 1, 0)]
    moments += [end + datetime.timedelta(microseconds=1)]
    calls = [
        at(
            moment,
            lambda: publicity.file_objection(
                assessment=factories.assessment_of(published, tree.branch_b), text="异议"
            ),
        )
        for moment in moments
    ]
    calls.append(at(end, lambda: publicity.end_publicity_if_due(published)))
    outcomes = race(*calls)
    taken = [o for o in outcomes[:-1] if isinstance(o, Objection)]
    refused = [o for o in outcomes[:-1] if isinstance(o, WrongState)]
    assert len(taken) + len(refused) == len(moments)
    assert len(refused) >= 2  # filed at the end itself and after it
    assert all(o.filed_at < end for o in Objection.objects.all())
    assert Objection.objects.count() == len(taken)


def test_a_recompute_while_ballots_arrive_loses_no_ballot(tree, campaign, assessment, criteria):
    factories.ready_branch(campaign, tree.branch_b, review_total=85)
    issued = survey_service.open_survey(assessment=assessment, actor=tree.secretary, public_slips=0)
    grades = all_grades(criteria)

    def cast(code):
        return lambda: survey_service.cast_ballot(code=code, grades=grades, verdict="satisfied")

    def recompute_twice():
        first = recompute.recompute_campaign(campaign=campaign, actor=tree.staff)
        return first, recompute.recompute_campaign(campaign=campaign, actor=tree.staff)

    codes = member_codes(issued)
    outcomes = race(recompute_twice, *(cast(code) for code in codes))
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert Ballot.objects.filter(survey__assessment=assessment).count() == len(codes)
    assert not Slip.objects.filter(survey__assessment=assessment).exists()  # all spent
    assert Rating.objects.filter(assessment__campaign=campaign).count() == 1


def test_two_tabs_saving_one_ledger_item_keep_both_or_tell_the_loser(tree, campaign):
    item = factories.ledger_item(factories.plan(campaign, tree.branch_a))
    fields = {
        "problem": item.problem,
        "measures": item.measures,
        "responsible": item.responsible,
        "due": item.due,
        "criterion": item.criterion,
    }
    loaded = item.version

    def save(**changed):
        return lambda: improvement.update_item(
            actor=tree.secretary, item=item, version=loaded, **{**fields, **changed}
        )

    won, lost = split(race(save(problem="第一个标签页"), save(measures="第二个标签页")))
    assert len(won) == 1 and len(lost) == 1
    assert isinstance(lost[0], StaleVersion)
    assert "本次操作未作任何更改" in str(lost[0])
    item.refresh_from_db()
    assert item.version == loaded + 1
    kept = (item.problem, item.measures)
    assert kept in (("第一个标签页", fields["measures"]), (fields["problem"], "第二个标签页"))
    assert item.history.filter(history_change_reason="ledger.item_edited").count() == 1


def test_ballots_after_the_race_still_equal_spent_slips(tree, assessment, criteria):
    """Ten phones at once, each with its own slip: ten ballots, ten slips gone."""
    issued = survey_service.open_survey(assessment=assessment, actor=tree.secretary, public_slips=0)
    grades = all_grades(criteria)
    codes = member_codes(issued)
    outcomes = race(
        *(
            (
                lambda c=code: survey_service.cast_ballot(
                    code=c, grades=grades, verdict="basically_satisfied"
                )
            )
            for code in codes
        )
    )
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert Ballot.objects.count() == len(codes)
    assert not Slip.objects.filter(survey__assessment=assessment).exists()
