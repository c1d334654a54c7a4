"""The improvement pages, mounted under /improvement/ (starrating/urls.py)."""

from .views import urls

app_name = "improvement"
urlpatterns = urls
