"""Browser tests: Debian's Chromium, driven by Playwright, against a live server.

Playwright cannot download its own browsers here, so it launches the system's
Chromium (`apt-get install chromium`; `.ci/run` installs it). Outside CI a machine
without it skips these tests; in CI a skip fails the run (see tests/conftest.py).
"""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import build_cast

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(config, items):
    """Browser tests run last: Playwright's event loop stays in the main thread until the
    session ends, and the other tests must not run beside it."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def _synchronous_database_beside_playwright():
    """Playwright's sync API keeps an event loop in the main thread from the first
    browser test to the end of the session; the tests (and pytest-django's flushes)
    still talk to the database synchronously there, which is safe. Set from the first
    browser test on only, so the other tests keep Django's guard."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, _synchronous_database_beside_playwright):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def browser_context_args(browser_context_args, live_server):
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "viewport": {"width": 1280, "height": 900},
    }


@pytest.fixture(autouse=True)
def _sign_ins_not_limited(settings):
    """The browser tests sign in from one address many times a minute, more than the
    30 a minute allauth lets one address make (portal.settings.ACCOUNT_RATE_LIMITS; the
    counts live in the cache, which outlives a test): on a fast machine a sign-in was
    refused (429) mid-suite. The limits on failed sign-ins stay as they are
    (tests/pages/test_sign_in_limits.py)."""
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "10000/m/ip"}


@pytest.fixture
def live_cast(transactional_db):
    """The cast, committed so the live server's thread sees it."""
    return build_cast()


@pytest.fixture
def shoot():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


def sign_in(page, username: str, language: str = "en") -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    if language != "en":
        page.locator(f'.language-switch button[value="{language}"]').click()
    page.locator("#id_login").fill(username)
    page.locator("#id_password").fill("tansiq-test-password")
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/")


def htmx_settled(page) -> None:
    """Wait until htmx has finished swapping and settling: its settle step moves the focus
    to the swapped form's [autofocus] field, which would take keystrokes typed before it."""
    # A locator's wait, not wait_for_function: the portal's CSP forbids the eval that a
    # polled string expression needs.
    expect(
        page.locator(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")
    ).to_have_count(0)
