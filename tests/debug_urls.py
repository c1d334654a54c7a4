"""The URLconf as `runserver` builds it under DJANGO_DEBUG=1 (urls.py reads DEBUG on import)."""

import importlib

import pytest
from django.test import override_settings
from django.urls import clear_url_caches

import starrating.urls


@pytest.fixture
def debug_urls():
    with override_settings(DEBUG=True):
        importlib.reload(starrating.urls)
        clear_url_caches()
        yield
    importlib.reload(starrating.urls)
    clear_url_caches()
