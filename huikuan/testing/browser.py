"""Browser tests: the system Chromium driven through Playwright against Django's live server.

    from huikuan.testing.browser import BROWSER_MARKS, chart_series, log_in
    pytestmark = BROWSER_MARKS           # the `browser` fixture comes from here through the root conftest

They skip, saying why, where Chromium is not installed (`make system-packages` installs it; `.ci/run` does that).
Set HUIKUAN_SCREENSHOT_DIR to keep screenshots of the pages visited.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test are safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-quic"]

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists() and shutil.which("chromium") is None,
                       reason="system Chromium not installed at /usr/bin/chromium (make system-packages)"),
]


@pytest.fixture
def browser() -> Iterator[Any]:
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            # inside Playwright's context the test gets database connections of its own (Django keeps them per
            # context): closed here, in it — left open, they outlive the test and PostgreSQL cannot drop the test
            # database at the end of the run
            connections.close_all()


def log_in(browser: Any, base_url: str, username: str, password: str = "pw") -> Any:  # noqa: S107 — the factories' test password
    """A new page, logged in through the form (zh-CN browser), on the home page."""
    page = browser.new_page(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")
    return page


def chart_series(page: Any, element_id: str) -> list[dict[str, Any]]:
    """The series an ECharts chart was given (waits until it has drawn on a canvas): what is on screen."""
    page.wait_for_selector(f"#{element_id} canvas", timeout=10_000)
    return page.evaluate(
        """id => echarts.getInstanceByDom(document.getElementById(id)).getOption().series
                 .map(s => ({type: s.type, name: s.name === undefined ? null : s.name, data: s.data}))""",
        element_id)


def snap(page: Any, name: str) -> None:
    folder = os.environ.get("HUIKUAN_SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
