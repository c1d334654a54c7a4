"""Test settings: fast hashing, immediate tasks, plain static storage."""

import tempfile

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = tempfile.mkdtemp(prefix="starrating-test-media-")
# Static files come from the finders in tests; an empty root keeps WhiteNoise quiet.
STATIC_ROOT = tempfile.mkdtemp(prefix="starrating-test-static-")
AXES_ENABLED = True
AXES_FAILURE_LIMIT = 5
LOGIN_ADDRESS_FAILURE_LIMIT = 30
TRUSTED_PROXY_COUNT = 0
