"""URLs of the rating year; each views module lists its own routes in `urls`."""

from .views import (
    ballot,
    campaigns,
    events,
    notice,
    publicity,
    results,
    reviews,
    self_evaluation,
    stars,
    survey,
)

app_name = "scoring"

urlpatterns = [
    *campaigns.urls,
    *self_evaluation.urls,
    *survey.urls,
    *ballot.urls,
    *reviews.urls,
    *results.urls,
    *events.urls,
    *publicity.urls,
    *notice.urls,
    *stars.urls,
]
