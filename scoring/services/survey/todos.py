"""The secretary's survey to-dos: open it, follow it, close it."""

from django.urls import reverse
from django.utils.translation import gettext as _

from branches.models import Role
from branches.permissions import roles_of
from scoring.models import Assessment, CampaignStatus, SurveyStatus
from starrating.todos import Todo

from .life import participation_of


def todos(user) -> list[Todo]:
    """One to-do per branch of the user's in an open campaign whose survey is not closed."""
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
    items = []
    for assessment in assessments:
        url = reverse("scoring:survey", args=[assessment.pk])
        survey = surveys[assessment.pk]
        if survey is None or survey.status == SurveyStatus.NOT_OPEN:
            items.append(
                Todo(
                    Role.SECRETARY,
                    _("Open the member/public survey"),
                    url,
                    detail=f"{assessment.branch} · {assessment.campaign}",
                )
            )
        elif survey.is_open:
            count = counts[survey.pk]
            title = (
                _("Close the member/public survey")
                if count.enough
                else _("Member/public survey running")
            )
            items.append(
                Todo(
                    Role.SECRETARY,
                    title,
                    url,
                    detail=_("%(voted)d of %(electorate)d members voted (%(percent)d%%)")
                    % {
                        "voted": count.members_voted,
                        "electorate": count.electorate,
                        "percent": count.percent or 0,
                    },
                    count=count.members_voted,
                )
            )
    return items
