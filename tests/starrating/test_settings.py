"""The settings under each environment, imported in a fresh process as the server would.

Safe by default: DEBUG off and HTTPS only unless asked otherwise, no start without a key
(except under DEBUG), the HTTPS header trusted only behind a declared proxy.
"""

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

PROBE = """
import json, django
django.setup()
from django.conf import settings as s
from django.test import RequestFactory
forwarded_https = RequestFactory().get("/", HTTP_X_FORWARDED_PROTO="https").is_secure()
print(json.dumps({
    "debug": s.DEBUG, "secret_key": s.SECRET_KEY, "allowed_hosts": s.ALLOWED_HOSTS,
    "ssl_redirect": s.SECURE_SSL_REDIRECT, "session_cookie_secure": s.SESSION_COOKIE_SECURE,
    "csrf_cookie_secure": s.CSRF_COOKIE_SECURE, "hsts": s.SECURE_HSTS_SECONDS,
    "proxy_header": s.SECURE_PROXY_SSL_HEADER, "proxies": s.TRUSTED_PROXY_COUNT,
    "forwarded_https_counts": forwarded_https,
}))
"""
PRODUCTION = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "rating.example.org",
}


def clean_env(**variables):
    """Only what a fresh shell has, plus *variables*: nothing from the test process."""
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    env["DJANGO_SETTINGS_MODULE"] = "starrating.settings.base"
    env.update(variables)
    return env


def python(*args, **variables):
    return subprocess.run(
        [sys.executable, *args],
        env=clean_env(**variables),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def probe(**variables) -> dict:
    done = python("-c", PROBE, **variables)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def refusal(**variables) -> str:
    done = python("-c", PROBE, **variables)
    assert done.returncode != 0, done.stdout
    return done.stderr.strip().splitlines()[-1]


@pytest.fixture
def key_file(tmp_path):
    path = tmp_path / "secret-key"
    path.write_text(secrets.token_urlsafe(50) + "\n")
    return path


def test_with_nothing_set_the_app_refuses_to_start():
    assert "DJANGO_SECRET_KEY" in refusal()


def test_debug_is_off_unless_asked_for(key_file):
    assert probe(DJANGO_SECRET_KEY_FILE=str(key_file))["debug"] is False


def test_make_run_settings_serve_plain_http_with_the_key_from_the_file(key_file):
    # What scripts/serve.sh exports for `make run`.
    found = probe(
        DJANGO_DEBUG="0", DJANGO_HTTPS="0", DJANGO_SECRET_KEY_FILE=str(key_file),
        DJANGO_ALLOWED_HOSTS="localhost,127.0.0.1",
    )  # fmt: skip
    assert found["debug"] is False
    assert found["secret_key"] == key_file.read_text().strip()
    assert not found["ssl_redirect"] and found["hsts"] == 0
    assert not found["session_cookie_secure"] and not found["csrf_cookie_secure"]


def test_a_developer_turns_debug_on_and_gets_plain_http_and_a_development_key():
    found = probe(DJANGO_DEBUG="1")
    assert found["debug"] is True
    assert found["secret_key"].startswith("dev-only")
    assert not found["ssl_redirect"] and found["hsts"] == 0


def test_a_missing_or_empty_key_file_is_refused(tmp_path):
    assert "cannot read" in refusal(DJANGO_SECRET_KEY_FILE=str(tmp_path / "missing"))
    (tmp_path / "empty").write_text("\n")
    assert "is empty" in refusal(DJANGO_SECRET_KEY_FILE=str(tmp_path / "empty"))


def test_the_key_variable_wins_over_the_key_file(key_file):
    found = probe(DJANGO_SECRET_KEY="k" * 60, DJANGO_SECRET_KEY_FILE=str(key_file))
    assert found["secret_key"] == "k" * 60


def test_production_is_https_only_and_ignores_a_forwarded_proto():
    found = probe(**PRODUCTION)
    assert found["debug"] is False
    assert found["ssl_redirect"] and found["hsts"] == 31536000
    assert found["session_cookie_secure"] and found["csrf_cookie_secure"]
    assert found["proxy_header"] is None and found["proxies"] == 0
    assert found["forwarded_https_counts"] is False


def test_behind_a_declared_proxy_its_forwarded_proto_counts():
    found = probe(DJANGO_BEHIND_PROXY="1", **PRODUCTION)
    assert found["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert found["proxies"] == 1
    assert found["forwarded_https_counts"] is True


def test_a_malformed_proxy_count_is_refused():
    assert "DJANGO_BEHIND_PROXY" in refusal(DJANGO_BEHIND_PROXY="maybe", **PRODUCTION)


@pytest.mark.parametrize("inside", ["static/uploads", "staticfiles/media", "."])
def test_uploads_may_not_live_where_static_files_are_served_from(inside):
    media = os.path.join(settings.BASE_DIR, inside)
    assert "DJANGO_MEDIA_ROOT" in refusal(DJANGO_MEDIA_ROOT=media, **PRODUCTION)


@pytest.mark.parametrize("behind_proxy", ["0", "1"])
def test_check_deploy_is_clean_with_production_variables(behind_proxy):
    done = python(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_BEHIND_PROXY=behind_proxy, **PRODUCTION,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr + done.stdout
    assert "no issues" in done.stdout
