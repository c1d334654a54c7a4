"""Home-page to-dos of the rating year; each service area lists its own."""

from starrating.todos import Todo

from .services import campaigns, reviews, self_evaluation, survey


def todos(user) -> list[Todo]:
    return [
        *campaigns.todos(user),
        *self_evaluation.todos(user),
        *survey.todos(user),
        *reviews.todos(user),
    ]
