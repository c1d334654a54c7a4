"""The reminder pages, mounted under /reminders/ (starrating/urls.py)."""

from .views import urls

app_name = "reminders"
urlpatterns = urls
