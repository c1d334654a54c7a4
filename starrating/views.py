"""The role-aware home page: what this user has to do now."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from branches import todos as branch_todos
from branches.models import Role
from branches.permissions import roles_of
from scoring import todos as scoring_todos


@login_required
def home(request):
    roles = roles_of(request.user)
    items = branch_todos.todos(request.user) + scoring_todos.todos(request.user)
    groups = [
        (role, label, [item for item in items if item.role == role])
        for role, label in Role.choices
        if role in roles
    ]
    return render(request, "home.html", {"groups": groups})
