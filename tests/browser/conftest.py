"""Debian's chromium, driven by Playwright, for the browser tests."""

from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
# Without the networking flags chromium tries to reach its vendor's hosts,
# which this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser(transactional_db, monkeypatch):
    """A headless chromium. Playwright's sync API runs an event loop in this
    thread, so Django's async-safety check is lifted for the test only."""
    if not Path(CHROMIUM).exists():
        pytest.skip("needs Debian's chromium (apt-get install chromium)")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
