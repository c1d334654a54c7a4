"""The tellers' page for a survey's paper ballots (docs/survey.md §2.1.2, A15, A16).

The branch's secretary and committee staff (`may_enter_paper_ballots`) type each paper
ballot's code and ticked boxes; `scoring.services.survey.enter_paper_ballot` keeps a
first entry waiting and casts the ballot when a different teller's entry matches it.

Like the ballot pages, this page writes nothing but what the service writes (A8, A15):
the answer to a POST is the page itself, with the outcome on it — no redirect with a
flash message (a message would be written to the session, in a transaction next to the
ballot's), no audit row, no log line; the messages block is left out so that reading a
pending message cannot write the session either. Every answer is ``no-store``.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods

from branches.permissions import may_enter_paper_ballots, require
from scoring.forms.survey import PaperBallotForm
from scoring.models import Criterion
from scoring.services import survey as service
from scoring.services.errors import WorkflowError

from .survey import _assessment, _survey_of


def _form(survey, data=None):
    criteria = Criterion.objects.filter(campaign_id=survey.assessment.campaign_id).order_by(
        "position"
    )
    return PaperBallotForm(data, criteria=criteria)


def _page(request, assessment, survey, *, form=None, result=None, error=""):
    context = {
        "assessment": assessment,
        "survey": survey,
        "counts": service.paper_counts(survey),
        "result": result,
        "outcome": result.outcome.value if result else "",
        "error": error,
    }
    if survey.is_open:
        context["form"] = form or _form(survey)
    response = render(request, "scoring/survey/paper.html", context)
    add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def survey_paper(request, assessment_id):
    """Enter paper ballots: the code and the boxes ticked; two tellers per ballot."""
    assessment = _assessment(request, assessment_id)
    require(may_enter_paper_ballots(request.user, assessment.branch))
    survey = _survey_of(assessment)
    if request.method == "GET":
        return _page(request, assessment, survey)
    if not survey.is_open:
        return _page(request, assessment, survey, error=str(service.SurveyClosed()))
    form = _form(survey, request.POST)
    if form.is_valid():
        try:
            result = service.enter_paper_ballot(
                survey=survey,
                actor=request.user,
                code=form.cleaned_data["code"],
                grades=form.grades(),
                verdict=form.cleaned_data["verdict"],
            )
        except service.SurveyClosed as error:
            survey.refresh_from_db()
            return _page(request, assessment, survey, error=str(error))
        except WorkflowError as error:
            field = "code" if isinstance(error, service.SlipInvalid | service.SameTeller) else None
            form.add_error(field, str(error))
        else:
            return _page(request, assessment, survey, result=result)
    return _page(request, assessment, survey, form=form)


urls = [
    path("survey/<int:assessment_id>/paper/", survey_paper, name="survey_paper"),
]
