from django.urls import path

from . import views

app_name = "branches"

urlpatterns = [
    path("roster/", views.roster_import, name="roster_import"),
    path("roster/template.xlsx", views.roster_template, name="roster_template"),
]
