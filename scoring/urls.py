"""URLs of the rating year; each views module lists its own routes in `urls`."""

from .views import (
    ballot,
    campaigns,
    dashboard,
    events,
    exports,
    notice,
    paper,
    publicity,
    results,
    reviews,
    second_reviews,
    self_evaluation,
    simulator,
    stars,
    survey,
)

app_name = "scoring"

urlpatterns = [
    *campaigns.urls,
    *dashboard.urls,
    *self_evaluation.urls,
    *survey.urls,
    *paper.urls,
    *ballot.urls,
    *reviews.urls,
    *second_reviews.urls,
    *results.urls,
    *exports.urls,
    *events.urls,
    *publicity.urls,
    *notice.urls,
    *stars.urls,
    *simulator.urls,
]
