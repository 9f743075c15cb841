"""How the browser tests (test_site.py, test_browser_canvas.py) find and start Debian's headless Chromium."""

import shutil

import pytest

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str | None:
    return next(filter(None, (shutil.which(name) for name in ("chromium", "chromium-browser"))), None)


def require_chromium(what: str) -> str:
    """The Chromium executable and playwright, or skip the test `what` and say why."""
    path = find_chromium()
    if path is None:
        pytest.skip(f"browser test of {what} skipped: no Chromium on this machine (Debian: apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="browser test skipped: the playwright package is missing")
    return path
