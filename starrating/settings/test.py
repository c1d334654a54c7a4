"""Test settings: fast hashing, immediate tasks, plain static storage, plain HTTP."""

import os
import tempfile

# The base settings refuse to start without a key when DEBUG is off (its default).
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-" + "k" * 50)

from .base import *  # noqa: E402, F403

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
# The test client speaks plain HTTP from one address, whatever the shell exports.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
SECURE_PROXY_SSL_HEADER = None
TRUSTED_PROXY_COUNT = 0
