"""Debian's chromium for the browser tests, driven by Playwright (never `playwright
install`). Locally a missing chromium skips them; on CI (``CI`` set) it fails them."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = Path("/usr/bin/chromium")
MISSING = f"{CHROMIUM} is not installed (apt-get install chromium)"
RUNNABLE = CHROMIUM.exists() or bool(os.environ.get("CI"))
"""Whether the browser tests run here (on CI they run, and fail if chromium is missing)."""


@contextlib.contextmanager
def launched() -> Iterator[Browser]:
    """Chromium, open for the block; a missing one fails the test."""
    if not CHROMIUM.exists():
        pytest.fail(MISSING, pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()
