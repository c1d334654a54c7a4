"""ASGI entry point (gunicorn starrating.asgi)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "starrating.settings.base")
application = get_asgi_application()
