"""What the secretary's survey to-dos read (`starrating.todos` builds them)."""

from branches.models import Role
from branches.permissions import roles_of
from scoring.models import Assessment, CampaignStatus, Survey, SurveyStatus

from .life import Participation, participation_of


def surveys_to_run(user) -> list[tuple[Assessment, Survey | None, Participation | None]]:
    """The secretary's branches in open campaigns whose survey is not closed, in code order:
    (assessment, its survey or None, the participation of an open survey), in three queries
    (for the home page's to-dos)."""
    branch_ids = roles_of(user).get(Role.SECRETARY, ())
    if not branch_ids:
        return []
    assessments = list(
        Assessment.objects.filter(branch_id__in=branch_ids, campaign__status=CampaignStatus.OPEN)
        .select_related("branch", "campaign", "survey")
        .order_by("branch__code")
    )
    surveys = {a.pk: getattr(a, "survey", None) for a in assessments}
    counts = participation_of(s for s in surveys.values() if s is not None and s.is_open)
    found = []
    for assessment in assessments:
        survey = surveys[assessment.pk]
        if survey is None or survey.status == SurveyStatus.NOT_OPEN:
            found.append((assessment, survey, None))
        elif survey.is_open:
            found.append((assessment, survey, counts[survey.pk]))
    return found
