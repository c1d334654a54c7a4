"""The browser suite (docs/nonfunctional.md §7): Playwright for Python on Debian's
Chromium (`/usr/bin/chromium`, installed by scripts/system-deps.sh; Playwright's own
browser download is never used) against a live test server.

Each test gets a fresh database (`live_server` needs `transactional_db`), a browser
context in Chinese, and `shoot(page, name)` to save a screenshot under
`tests/browser/screenshots/` (git-ignored; `docs/screenshots/` keeps the chosen few).
"""

import os
import pathlib
import subprocess

import pytest

from scoring.services import survey as survey_service
from scoring.services.survey import slips as real_slips

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the live server's ORM calls

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = pathlib.Path(__file__).parent / "screenshots"
PASSWORD = "pw-Test-123"  # tests.factories.Tree
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "accept_downloads": True}


@pytest.fixture(autouse=True)
def fast_pdf(monkeypatch):
    """Real slip sheets: the journey reads the codes off the printed PDF."""
    monkeypatch.setattr(survey_service.slips, "render_slip_sheet", real_slips.render_slip_sheet)


@pytest.fixture(autouse=True)
def _timeouts(page):
    page.set_default_timeout(15_000)
    return page


@pytest.fixture
def site(live_server):
    """The live server's address, without a trailing slash."""
    return live_server.url.rstrip("/")


def shoot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def login(page, site, user):
    page.goto(f"{site}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{site}/")


def logout(page):
    page.locator("form[action$='/accounts/logout/'] button").click()


def pdf_text(path) -> str:
    """The text of a downloaded PDF (Debian's poppler-utils)."""
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
