"""Playwright fixtures: Debian's Chromium (never a downloaded browser) against pytest-django's live server.

Each test module gets its own browser, so the event loop Playwright's sync API runs is gone before
tests elsewhere touch the database. A failing test leaves a screenshot in test-artifacts/.
"""
import os
import re
from pathlib import Path

import pytest

from postqc.conftest import required

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
PHONE = {"viewport": {"width": 375, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def _missing() -> str | None:
    if not os.access(CHROMIUM, os.X_OK):
        return f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium; CI does)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "needs Playwright for Python (pip install -e '.[test]')"
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="module")
def _chromium():
    if reason := _missing():
        if required("browser"):
            pytest.fail(f"POSTQC_REQUIRE lists 'browser' but it is missing: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread while it is started; the ORM
    # must stay usable meanwhile. The browser lives for one module, so no other test runs under this.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


@pytest.fixture
def browser(_chromium, transactional_db, live_server):
    """Debian's Chromium, with the live server up; the test's data is committed so the server sees it."""
    return _chromium


def _page(request, browser, options):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        artifacts = Path(request.config.rootpath) / "test-artifacts"
        artifacts.mkdir(exist_ok=True)
        page.screenshot(path=str(artifacts / (re.sub(r"[^\w.-]+", "_", request.node.nodeid) + ".png")),
                        full_page=True)
    context.close()


@pytest.fixture
def phone(request, browser):
    """A page in a 375×740 touch-screen phone, the staff H5's target."""
    yield from _page(request, browser, PHONE)


@pytest.fixture
def desktop(request, browser):
    """A page in a 1280×800 desktop window, the management pages' target."""
    yield from _page(request, browser, DESKTOP)


@pytest.fixture
def sign_in(live_server):
    """sign_in(page, employee_no, password): fill in and submit the login form."""

    def go(page, employee_no, password):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("工号").fill(employee_no)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录", exact=True).click()

    return go
