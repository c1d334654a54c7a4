"""`make run`'s server, started the way `make run` starts it (scripts/serve.sh).

A newcomer's first run must look like production: our own Chinese pages for a wrong
address (never Django's technical 404 listing every URL pattern), static files through
WhiteNoise, plain HTTP on this machine, uploads nowhere at /media/, and the task worker
under the same settings as the web server.
"""

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.starrating.test_settings import clean_env

BASE_DIR = Path(settings.BASE_DIR)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port, path, host=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Host": host or f"127.0.0.1:{port}"})
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    connection.close()
    return response, body


def processes_of(group):
    """{pid: (command line, environment)} of the processes in a process group."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[2]) != group:
                continue
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            environ = dict(
                item.split("=", 1)
                for item in (entry / "environ").read_bytes().decode().split("\0")
                if "=" in item
            )
        except (OSError, IndexError, ValueError):
            continue
        found[int(entry.name)] = (command, environ)
    return found


@pytest.fixture
def first_run(tmp_path):
    """serve.sh on 0.0.0.0 after what `make run` does before it, into temporary folders."""
    key_file = tmp_path / "secret-key"
    key_file.write_text(secrets.token_urlsafe(50) + "\n")  # as `make` writes it
    env = clean_env(
        DJANGO_SETTINGS_MODULE="starrating.settings.base",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
        DJANGO_SECRET_KEY_FILE=str(key_file),
    )
    for command in (["collectstatic", "--noinput"], ["migrate", "--noinput"]):
        subprocess.run(
            [sys.executable, "manage.py", *command, "-v", "0"],
            env=env, cwd=BASE_DIR, check=True, timeout=300,
        )  # fmt: skip
    sheet = tmp_path / "media" / "survey-slips" / "0123456789abcdef.pdf"
    sheet.parent.mkdir(parents=True)
    sheet.write_bytes(b"%PDF-1.4 plain codes\n")
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        ["scripts/serve.sh", "0.0.0.0", str(port)],
        env=env, cwd=BASE_DIR, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                get(port, "/accounts/login/")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail((tmp_path / "serve.log").read_text())
                time.sleep(0.5)
        yield port, server.pid
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


def test_first_run_serves_like_production_over_plain_http(first_run):
    port, group = first_run

    response, body = get(port, "/no-such-branch/")
    assert response.status == 404
    assert '<html lang="zh-CN"' in body and "页面不存在" in body
    assert "URLconf" not in body and "DEBUG = True" not in body

    # The machine's own name is an allowed host under HOST=0.0.0.0; another name is not.
    response, _ = get(port, "/no-such-branch/", host=f"{socket.gethostname()}:{port}")
    assert response.status == 404
    response, body = get(port, "/", host="evil.example")
    assert response.status == 400 and "请求有误" in body

    response, _ = get(port, "/")
    assert response.status == 302
    assert response.getheader("Location").startswith("/accounts/login/")  # no HTTPS redirect
    assert "Strict-Transport-Security" not in dict(response.getheaders())

    stylesheet = re.search(r'href="(/static/css/app\.[0-9a-f]+\.css)"', body_of(port))
    assert stylesheet, "the page links the hashed stylesheet collected for WhiteNoise"
    response, _ = get(port, stylesheet.group(1))
    assert response.status == 200 and response.getheader("Content-Type").startswith("text/css")

    response, body = get(port, "/media/survey-slips/0123456789abcdef.pdf")
    assert response.status == 404 and "plain codes" not in body

    processes = processes_of(group).values()
    worker = [env for command, env in processes if "db_worker" in command]
    web = [env for command, env in processes if "runserver" in command]
    assert worker and web
    names = ["DJANGO_DEBUG", "DJANGO_HTTPS", "DJANGO_SECRET_KEY_FILE", "DJANGO_ALLOWED_HOSTS"]
    assert worker[0]["DJANGO_DEBUG"] == "0"
    assert {n: worker[0].get(n) for n in names} == {n: web[0].get(n) for n in names}


def body_of(port):
    return get(port, "/accounts/login/")[1]
