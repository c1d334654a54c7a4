"""The site's URLs plus views that fail, for the error-page tests."""

from django.urls import path

from starrating.urls import urlpatterns as site


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), *site]
