"""Fixtures for the tests of the *built* site (``_build/html``): ``make site`` runs them.

They need ``make book`` first. Run by plain ``pytest tests`` before a build, they skip (saying
so); ``make site`` sets ``BOOK_SITE_REQUIRED=1``, which turns a missing build into a failure.

The browser tests drive Debian's Chromium (``/usr/bin/chromium``, or ``$CHROMIUM``) through
Playwright's Python package with ``executable_path``: Playwright never downloads a browser
here. Without Chromium they skip, with the reason in pytest's summary (``make site`` also prints
it plainly); with ``REQUIRE_BROWSER=1`` (set by ``.ci/run``) a missing Chromium fails instead.
The pages are served by a local HTTP server on 127.0.0.1 and a free port, started and stopped
by the tests; every request to any other host is blocked and reported.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"

# The flags that work on a machine with no network and no display (as root, no sandbox).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",  # containers often have a small /dev/shm
]


def _flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0")


def chromium_path() -> str | None:
    """``$CHROMIUM`` if set, else Debian's ``chromium`` on the PATH, else None."""
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def site() -> Path:
    """The built site; skip (or fail under ``BOOK_SITE_REQUIRED=1``) if it is not there."""
    if not (SITE / "index.html").is_file():
        message = f"no built site at {SITE} (run `make book` first)"
        if _flag("BOOK_SITE_REQUIRED"):
            pytest.fail(message)
        pytest.skip(message)
    return SITE


@pytest.fixture(scope="session")
def pages(site: Path) -> list[str]:
    """Every HTML page of the site, as paths relative to its root (``chapters/glossary.html``)."""
    return sorted(
        p.relative_to(site).as_posix() for p in site.rglob("*.html") if "_static" not in p.parts
    )


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def server(site: Path) -> Iterator[str]:
    """Serve the site on 127.0.0.1 and a free port; yield its base URL (ending in ``/``)."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium from Debian, driven by Playwright; skipped (visibly) if absent."""
    executable = chromium_path()
    if executable is None:
        message = (
            "browser tests SKIPPED: no Chromium found (looked for $CHROMIUM, `chromium`, "
            "`chromium-browser`); on Debian: apt-get install chromium"
        )
        if _flag("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
