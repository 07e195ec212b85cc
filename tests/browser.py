"""Finding the Chromium the browser tests drive (Debian's `chromium`; Playwright downloads none).

Outside CI a machine without it skips those tests and says why; in CI (`CI=true`) they must run,
so a missing browser fails them instead.
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
# Quiet, headless and sandbox-free: the test machine runs as root with no GPU and no network.
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run")


def chromium_or_skip() -> str:
    browser = next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)
    if browser is not None:
        return browser
    why = "no Chromium found: install the Debian package `chromium` to run the browser tests"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{why} (CI must run them)")
    pytest.skip(why)
