"""Settings for 星级评定, read from the environment.

Safe by default: DEBUG is off and HTTPS is required unless the environment says otherwise,
and without DEBUG the app refuses to start with no secret key.
Production sets DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and DATABASE_URL (PostgreSQL), and
DJANGO_BEHIND_PROXY=1 behind a reverse proxy; `manage.py check --deploy` is then clean.
`make run` (scripts/serve.sh) sets DJANGO_SECRET_KEY_FILE and DJANGO_HTTPS=0 to serve plain
HTTP on this machine; developers add DJANGO_DEBUG=1.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_count(name):
    """A count of things, 0 when unset; yes/true count as 1."""
    value = os.environ.get(name, "").strip().lower()
    if value in {"", "0", "no", "false", "off"}:
        return 0
    if value in {"yes", "true", "on"}:
        return 1
    if value.isdigit():
        return int(value)
    raise ImproperlyConfigured(f"{name} must be 0, 1 or a number of proxies, not {value!r}.")


def read_secret_key(debug):
    """DJANGO_SECRET_KEY, else the contents of the file DJANGO_SECRET_KEY_FILE names (`make run`
    writes a random key there on its first run and keeps it). With neither, DEBUG gets a
    fixed development key and anything else refuses to start."""
    key = os.environ.get("DJANGO_SECRET_KEY", "").strip()
    path = os.environ.get("DJANGO_SECRET_KEY_FILE", "").strip()
    if not key and path:
        try:
            key = Path(path).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ImproperlyConfigured(
                f"DJANGO_SECRET_KEY_FILE: cannot read {path} ({error.strerror})."
            ) from None
        if not key:
            raise ImproperlyConfigured(f"DJANGO_SECRET_KEY_FILE: {path} is empty.")
    if not key:
        if not debug:
            raise ImproperlyConfigured(
                "Set DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) when DJANGO_DEBUG is off."
            )
        key = "dev-only-insecure-key-do-not-use-in-production"
    return key


# Off unless asked for: with DEBUG on, Django shows technical pages (every URL pattern,
# settings, tracebacks) to whoever hits an error.
DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = read_secret_key(DEBUG)
ALLOWED_HOSTS = [
    h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "starrating",
    "branches",
    "scoring",
    "improvement",
    "reminders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "starrating.error_pages.MethodNotAllowedPageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "starrating.urls"
WSGI_APPLICATION = "starrating.wsgi.application"
ASGI_APPLICATION = "starrating.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "starrating.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers (web + task worker) wait instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20})
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache shared by every process (the ballot throttle counts across workers), kept in
# the database so that no cache server is needed; its table is made by a migration.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "starrating_cache",
    }
}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes, with a limit per lockout parameter: starrating.login_lockout).
# Five failures lock an account from that address; thirty failures from one address, whatever
# the accounts, lock the address (an office behind one NAT address has many users, so it gets
# more); both for 30 minutes. A successful log-in forgives only that account's own failures.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("AXES_ADDRESS_FAILURE_LIMIT", "30"))
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "starrating.login_lockout.LoginAttemptHandler"
AXES_CLIENT_IP_CALLABLE = "starrating.proxy.client_address"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules/bootstrap/dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules/bootstrap-icons/font"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [
    "jpg",
    "jpeg",
    "png",
    "gif",
    "webp",
    "zip",
    "gz",
    "tgz",
    "bz2",
    "tbz",
    "xz",
    "br",
    "swf",
    "flv",
    "woff",
    "woff2",
    "map",
    "scss",
    "ts",
]
# Uploads (evidence, slip sheets with plain codes) are served only by the permission-checked
# views, never at MEDIA_URL (starrating/urls.py routes nothing there), and never by
# WhiteNoise: MEDIA_ROOT may not lie in a folder that static files are collected from or to.
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))


def refuse_overlap(media_root, static_folders):
    media = Path(media_root).resolve()
    for folder in static_folders:
        static = Path(folder[1] if isinstance(folder, tuple) else folder).resolve()
        if media.is_relative_to(static) or static.is_relative_to(media):
            raise ImproperlyConfigured(f"DJANGO_MEDIA_ROOT ({media}) overlaps {static}.")


refuse_overlap(MEDIA_ROOT, [STATIC_ROOT, *STATICFILES_DIRS])

# Uploads (starrating/uploads.py): the size limit of each use, by its storage folder;
# the roster workbook, read and never stored, has its own (branches/importers.py).
# A request's fields other than files may not exceed DATA_UPLOAD_MAX_MEMORY_SIZE (Django
# answers 400, starrating.views.bad_request says why); a request's whole size is the
# front server's limit (docs/nonfunctional.md §7, D-7n).
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
UPLOAD_MAX_BYTES = {
    "evidence": 10 * 1024 * 1024,
    "events": 10 * 1024 * 1024,
    "ledger": 10 * 1024 * 1024,
    "objections": 10 * 1024 * 1024,
    "minutes": 10 * 1024 * 1024,
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
CSRF_FAILURE_VIEW = "starrating.error_pages.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content security policy (django-csp, docs/nonfunctional.md §7): our own origin only, no
# inline script, style or handler anywhere (no 'unsafe-inline', no nonce: every script
# is a file under static/js, every style a class of static/css/app.css); images also
# as data: URIs (the pygal charts, the QR codes); nobody may frame a page (D-7g).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Permissions-Policy (django-permissions-policy, D-7h): no page uses a device or a
# powerful feature, so every one is off for the page and any frame.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}
# HTTPS only (redirect plain HTTP, secure cookies, HSTS): on by default without DEBUG, as in
# production; `make run` sets DJANGO_HTTPS=0 to serve plain HTTP on this machine.
if env_bool("DJANGO_HTTPS", not DEBUG):
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# Behind a reverse proxy (DJANGO_BEHIND_PROXY=1, or the number of proxies in a chain), and
# only then, the app believes what the proxy says: X-Forwarded-Proto for HTTPS, and the
# client address it appends to X-Forwarded-For (login lockout, ballot throttle; see
# starrating.proxy). Otherwise those headers come from the client and count for nothing.
TRUSTED_PROXY_COUNT = env_count("DJANGO_BEHIND_PROXY")
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Keyed hash for ballot slip codes (docs/survey.md §2.1.2): a separate key so that rotating
# SECRET_KEY for sessions does not silently invalidate printed slips.
SLIP_HASH_KEY = os.environ.get("STARRATING_SLIP_KEY", SECRET_KEY)
# Ballot pages: failed code checks per client address and window (seconds). Successful
# checks and casts are not counted, so a meeting behind one office address is not held up.
SURVEY_THROTTLE_LIMIT = int(os.environ.get("STARRATING_THROTTLE_LIMIT", "120"))
SURVEY_THROTTLE_WINDOW = 600
# Reports made in the background (docs/reports.md §6): a finished file is kept this many
# hours for its requester, then purged (`manage.py purge_exports`, and on each request).
EXPORT_KEEP_HOURS = int(os.environ.get("STARRATING_EXPORT_KEEP_HOURS", "24"))
# A running report whose worker shows no sign of life for this many seconds lost it (killed,
# its server restarted): it is queued again once, then failed (docs/decisions.md D-7r).
EXPORT_STALL_SECONDS = int(os.environ.get("STARRATING_EXPORT_STALL_SECONDS", "120"))

# E-mail (the reminders, docs/process.md §2.5): printed to the console unless an SMTP host
# is given; DJANGO_EMAIL_BACKEND overrides the choice (docs/nonfunctional.md §5).
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "").strip()
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "").strip() or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL", False)
EMAIL_USE_TLS = not EMAIL_USE_SSL and env_bool("DJANGO_EMAIL_USE_TLS", True)
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "465" if EMAIL_USE_SSL else "587"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_TIMEOUT = int(os.environ.get("DJANGO_EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "星级评定 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address the site is reached at, for the links in e-mails (no request to take it from).
STARRATING_SITE_URL = os.environ.get("STARRATING_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Request lines would carry ballot URLs (the code is in the path); the ballot
        # views redirect at once, and we keep request logging off the code path.
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "weasyprint": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "fontTools": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
