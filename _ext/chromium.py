"""Chromium, as the book's tools and tests use it: Debian's build, found once, with the flags that
work here, and the wait for a page to be typeset.

The PDF edition (``print_edition.py``) prints with it; the site's browser tests
(``tests/browser/browsing.py``) and the JupyterLab test drive it. Playwright's Python package
drives it through ``executable_path``, so nothing ever downloads a browser.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

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


def flag(name: str) -> bool:
    """An environment variable set to anything but empty or 0 (REQUIRE_BROWSER=1, ...)."""
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


# After the load event: wait until MathJax has typeset everything it was asked to (startup and
# any later typesetPromise call, which chain onto MathJax.startup.promise), then for the fonts in
# use (MathJax's own are requested while it typesets), then for two frames of layout.
SETTLE = """async () => {
  for (let k = 0; k < 20 && window.MathJax && MathJax.startup && MathJax.startup.promise; k++) {
    const promise = MathJax.startup.promise;
    await promise;
    if (promise === MathJax.startup.promise) break;
  }
  await document.fonts.ready;
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  await document.fonts.ready;
}"""
