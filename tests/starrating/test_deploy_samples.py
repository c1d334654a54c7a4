"""The sample deployment files (deploy/, docs/deploy.md) agree with the settings: the env
file passes `check --deploy`, the proxy keeps the ballot paths out of its access log and
accepts what Django accepts, gunicorn keeps no access log, the workers come back."""

import json
import re
import secrets

import pytest
from django.conf import settings

from tests.starrating.test_settings import python

DEPLOY = settings.BASE_DIR / "deploy"
PROBE = """
import json, django
django.setup()
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "max_age": db["CONN_MAX_AGE"], "health": db["CONN_HEALTH_CHECKS"],
    "proxies": s.TRUSTED_PROXY_COUNT, "stall": s.EXPORT_STALL_SECONDS, "debug": s.DEBUG,
    "media": str(s.MEDIA_ROOT), "hosts": s.ALLOWED_HOSTS,
}))
"""


def sample_env(tmp_path) -> dict:
    """deploy/starrating.env.example as a process sees it, with a real key file."""
    env = {}
    for line in (DEPLOY / "starrating.env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    key = tmp_path / "secret-key"
    key.write_text(secrets.token_urlsafe(50))
    env["DJANGO_SECRET_KEY_FILE"] = str(key)
    return env


def test_the_sample_environment_passes_check_deploy(tmp_path):
    env = sample_env(tmp_path)
    done = python("manage.py", "check", "--deploy", "--fail-level", "WARNING", **env)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "no issues" in done.stdout


def test_the_sample_environment_gives_postgresql_with_health_checks_behind_one_proxy(tmp_path):
    done = python("-c", PROBE, **sample_env(tmp_path))
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["engine"] == "django.db.backends.postgresql" and found["debug"] is False
    assert found["max_age"] == 60 and found["health"] is True
    assert found["proxies"] == 1 and found["stall"] == 120
    assert found["media"] == "/srv/starrating/media"
    assert found["hosts"] == ["rating.example.org"]


def nginx() -> str:
    return (DEPLOY / "nginx" / "starrating.conf").read_text()


def test_every_ballot_location_of_the_proxy_keeps_no_access_log():
    blocks = re.findall(r"location /v/ \{(.*?)\}", nginx(), re.S)
    assert len(blocks) == 2  # the HTTP redirect and the HTTPS site
    assert all("access_log off;" in block for block in blocks)


def test_the_proxy_accepts_the_largest_request_django_accepts():
    size = re.search(r"client_max_body_size (\d+)m;", nginx()).group(1)
    assert int(size) * 1024 * 1024 == settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert max(settings.UPLOAD_MAX_BYTES.values()) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_the_proxy_sends_the_headers_the_app_trusts_behind_one_proxy():
    conf = nginx()
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in conf
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert "non_idempotent" not in conf.split("#")[0]  # a POST is never replayed
    assert "location /media/" not in conf


@pytest.mark.parametrize("unit", ["starrating-web.service", "starrating-worker@.service"])
def test_the_units_read_the_env_file_and_come_back(unit):
    text = (DEPLOY / "systemd" / unit).read_text()
    assert "EnvironmentFile=/etc/starrating/starrating.env" in text
    assert "Restart=always" in text
    command = text.split("ExecStart=", 1)[1].split("\n\n", 1)[0].split("\nExecReload")[0]
    assert "--access-logfile" not in command and "--access-log" not in command


def test_the_worker_unit_never_reloads_and_has_a_unique_id():
    text = (DEPLOY / "systemd" / "starrating-worker@.service").read_text()
    assert "db_worker" in text and "--no-reload" in text and "--worker-id %H-%i" in text


def test_the_drill_scripts_parse():
    done = python("-m", "py_compile", "scripts/drill_multi.py")
    assert done.returncode == 0, done.stderr
    import subprocess

    done = subprocess.run(["bash", "-n", "scripts/drill-multi.sh"], cwd=settings.BASE_DIR)
    assert done.returncode == 0
