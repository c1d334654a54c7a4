"""The tests' one set of fixtures (builders in tests/factories.py).

- `tree`: the organisation tree with one user per role.
- `campaign` (with `criteria`): an open campaign built with the ORM, nobody enrolled;
  `assessment`, `issued`, `survey`: branch A in it with ten members and its open survey;
  `ready`: branch A ready for review.
- `draft_campaign`, `enrolled`: a campaign created (and opened) through the campaign
  services, every active branch enrolled with a draft sheet; `sheet`: branch A's.
"""

import datetime
import importlib

import pytest
from django.test import override_settings
from django.urls import clear_url_caches
from django.utils import translation

import starrating.urls
from scoring.models import SelfEvaluation
from scoring.services import survey as survey_service
from scoring.services.campaigns import create_campaign, open_campaign
from starrating import clock
from tests import factories


@pytest.fixture
def tree(db):
    """An organisation tree with one user per role (see tests.factories.Tree)."""
    return factories.Tree()


@pytest.fixture(scope="session")
def chinese():
    """gettext through the app's Chinese catalogue, whatever language is active."""

    def translate(msgid):
        with translation.override("zh-hans"):
            return translation.gettext(msgid)

    return translate


@pytest.fixture
def debug_urls():
    """The URLconf as `runserver` builds it under DJANGO_DEBUG=1 (urls.py reads DEBUG on
    import)."""
    with override_settings(DEBUG=True):
        importlib.reload(starrating.urls)
        clear_url_caches()
        yield
    importlib.reload(starrating.urls)
    clear_url_caches()


@pytest.fixture(autouse=True)
def fast_pdf(monkeypatch):
    """Skip WeasyPrint where the slip sheet's content does not matter; a module that reads
    the sheet overrides this fixture with one of its own that does nothing."""
    monkeypatch.setattr(survey_service.slips, "render_slip_sheet", lambda *args, **kwargs: b"%PDF-")


# --- Built with the ORM -----------------------------------------------------------------


@pytest.fixture
def campaign(tree):
    """An open campaign of factories.YEAR with the default rubric; nobody enrolled."""
    return factories.campaign(tree.committee)


@pytest.fixture
def criteria(campaign):
    return list(campaign.criteria.order_by("position"))


@pytest.fixture
def assessment(tree, campaign):
    """Branch A in the open campaign, with 10 active members and one inactive."""
    factories.add_members(tree.branch_a, 10)
    factories.member(tree.branch_a, active=False)
    return factories.assessment(campaign, tree.branch_a)


@pytest.fixture
def issued(tree, assessment):
    """The survey of branch A, open, with 10 member slips and 4 public slips."""
    return survey_service.open_survey(assessment=assessment, actor=tree.secretary, public_slips=4)


@pytest.fixture
def survey(issued, assessment):
    assessment.refresh_from_db()
    return assessment.survey


@pytest.fixture
def ready(campaign, tree):
    """branch_a ready for review: sheet submitted, survey closed, no review yet."""
    return factories.ready_branch(campaign, tree.branch_a)


@pytest.fixture
def member_of(db):
    def make(user, branch):
        return factories.member(branch, user=user)

    return make


# --- Through the campaign services --------------------------------------------------------


@pytest.fixture
def draft_campaign(tree):
    """A draft campaign of this year, its self-evaluation deadline 30 days ahead."""
    return create_campaign(
        committee=tree.committee,
        year=factories.THIS_YEAR,
        kind="initial",
        actor=tree.staff,
        self_deadline=clock.today() + datetime.timedelta(days=30),
    )


@pytest.fixture
def enrolled(tree, draft_campaign):
    """The draft campaign opened: every active branch enrolled with a draft sheet."""
    return open_campaign(campaign=draft_campaign, actor=tree.staff)


@pytest.fixture
def sheet(tree, enrolled):
    """Branch A's draft sheet in the enrolled campaign."""
    return SelfEvaluation.objects.select_related("assessment__campaign").get(
        assessment__campaign=enrolled, assessment__branch=tree.branch_a
    )


# --- Publicity and approval (docs/process.md §2.1.4–§2.1.5) ---------------------------------


@pytest.fixture
def rated(tree):
    """A declaring campaign of three complete branches, recomputed: branch A five stars
    (audit agreed), branch B and the direct branch fewer; quotas off."""
    from scoring.models import AuditStatus, QuotaMode
    from scoring.services import recompute

    campaign = factories.campaign(tree.committee, quota_mode=QuotaMode.OFF)
    factories.ready_branch(campaign, tree.branch_a, review_total=98, audit=AuditStatus.AGREED)
    factories.ready_branch(campaign, tree.branch_b, self_total=80, review_total=80)
    factories.ready_branch(campaign, tree.direct, self_total=70, review_total=70)
    recompute.recompute_campaign(campaign=campaign, actor=tree.staff)
    campaign.refresh_from_db()
    return campaign


@pytest.fixture
def published(tree, rated):
    """`rated`, published by staff on factories.PUBLISHED."""
    from scoring.services import publicity

    with clock.frozen(factories.PUBLISHED):
        return publicity.publish_campaign(campaign=rated, actor=tree.staff, contact_line="电话 1")


@pytest.fixture
def approved(tree, published):
    """The Approval of `published`, recorded by the approver on factories.MEETING."""
    return factories.approve_in_window(published, tree.approver)
