"""A big slip sheet's progress bar on the survey page (docs/survey.md §2.1.2, D-7sb): the
reports' bar, polled from the survey's own status URL, then the sheet's download; under
the content security policy, without a violation."""

import re

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from scoring.models import Survey
from scoring.services import exports
from scoring.services import survey as survey_service
from scoring.services.survey import sheet_jobs
from tests import factories
from tests.task_worker import DATABASE_TASKS

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_survey_page_follows_a_big_sheet_until_it_can_be_downloaded(page, site, tree):
    campaign = factories.campaign(tree.committee)
    factories.add_members(tree.branch_a, 4)
    assessment = factories.assessment(campaign, tree.branch_a)
    survey_service.open_survey(assessment=assessment, actor=tree.secretary, public_slips=0)
    survey = Survey.objects.get(assessment=assessment)
    with override_settings(TASKS=DATABASE_TASKS):  # queued for a worker, not run at once
        job = sheet_jobs.request_more(survey=survey, actor=tree.secretary, count=120)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    login(page, site, tree.secretary)
    page.goto(f"{site}/survey/{assessment.pk}/")
    expect(page.locator("#export-job")).to_be_visible()
    expect(page.locator("#export-job")).to_contain_text("120")
    expect(page.locator("#export-bar")).to_have_attribute("style", re.compile(r"width: 0%"))
    expect(page.locator("#export-download")).to_be_hidden()

    exports.run_job(job.pk)  # the worker's part
    job.refresh_from_db()
    download = page.locator("#export-download")
    expect(download).to_be_visible(timeout=30_000)  # polled every second
    expect(download).to_have_attribute(
        "href", f"/survey/{assessment.pk}/sheets/{job.options['sheet']}/"
    )
    expect(page.locator("#export-bar")).to_have_attribute("style", re.compile(r"width: 100%"))
    assert not errors, errors
