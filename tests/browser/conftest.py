"""A real headless Chromium driven by Selenium, from the Debian packages (``make browser-deps``).

Selenium is given both the browser and the driver binary, so selenium-manager never downloads
anything. If either is missing the test FAILS (it never skips) and says how to install them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMEDRIVER_CANDIDATES = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def _find(candidates: tuple[str, ...], name: str) -> str | None:
    for path in candidates:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return shutil.which(name)


def chrome_options(user_data_dir: str, width: int = 1440, height: int = 900) -> object:
    from selenium.webdriver import ChromeOptions

    options = ChromeOptions()
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={user_data_dir}")
    options.add_argument(f"--window-size={width},{height}")
    return options


def full_page_png(driver: object) -> bytes:
    """A PNG of the whole page, beyond the viewport (Chrome DevTools' capture)."""
    import base64

    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})  # type: ignore[attr-defined]
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
    shot = driver.execute_cdp_cmd(  # type: ignore[attr-defined]
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    return base64.b64decode(shot["data"])


@pytest.fixture
def browser() -> Iterator[object]:
    """A ``selenium.webdriver.Chrome`` on headless Chromium, with a fresh profile."""
    chromium = _find(CHROMIUM_CANDIDATES, "chromium")
    driver_path = _find(CHROMEDRIVER_CANDIDATES, "chromedriver")
    if chromium is None or driver_path is None:
        missing = " and ".join(n for n, p in (("chromium", chromium), ("chromedriver", driver_path)) if p is None)
        pytest.fail(
            f"{missing} not found: the browser tests need headless Chromium and its driver; "
            "`make browser-deps` installs them (Debian packages chromium and chromium-driver)",
            pytrace=False,
        )
    from selenium import webdriver

    os.environ.setdefault("SE_OFFLINE", "true")  # selenium-manager must never go online
    profile = tempfile.mkdtemp(prefix="tweetpulse-chromium-")
    options = chrome_options(profile)
    options.binary_location = chromium  # type: ignore[attr-defined]
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=driver_path), options=options)  # type: ignore[arg-type]
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def artifacts() -> Path:
    """The git-ignored folder for test artifacts (screenshots)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
