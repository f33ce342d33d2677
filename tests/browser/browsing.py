"""Opening a page in Chromium, watched: the one place for how tests find Chromium and load pages
(the site's tests here, and tests/home/test_jupyterlab.py for JupyterLab).

Every request to a host other than the local test server is blocked and recorded; console
errors, uncaught exceptions, failed local requests and HTTP errors are recorded too.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

# Chromium's flags, its lookup and the settle wait: shared with the PDF edition (_ext/chromium.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "_ext"))
from chromium import CHROMIUM_ARGS, SETTLE, chromium_path, flag

__all__ = ["CHROMIUM_ARGS", "SETTLE", "chromium_path", "flag"]


class Record(Protocol):
    """Where :func:`watch` writes what happened (a :class:`Visit`, or conftest's PageResult)."""

    console_errors: list[str]
    failed: list[str]
    blocked: list[str]


@dataclass
class Visit:
    """What happened while one page was open."""

    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


def is_local(url: str, server: str) -> bool:
    """A URL of the test server, or one that needs no network (data:, blob:, about:)."""
    return urlsplit(url).scheme in ("data", "blob", "about") or url.startswith(server)


def watch(page: Any, server: str, record: Record) -> None:
    """Block other hosts on ``page`` and record errors and failures into ``record``."""

    def route(route: Any) -> None:
        if is_local(route.request.url, server):
            route.continue_()
        else:
            record.blocked.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.on(
        "console",
        lambda msg: record.console_errors.append(msg.text) if msg.type == "error" else None,
    )
    page.on("pageerror", lambda exc: record.console_errors.append(f"uncaught: {exc}"))
    page.on(
        "requestfailed",
        lambda req: (
            record.failed.append(f"{req.url} ({req.failure})")
            if is_local(req.url, server)
            else None
        ),
    )
    page.on(
        "response",
        lambda resp: (
            record.failed.append(f"{resp.url} (HTTP {resp.status})") if resp.status >= 400 else None
        ),
    )


def open_page(
    context: Any, server: str, path: str, timeout_ms: float = 90_000
) -> tuple[Any, Visit]:
    """Open ``path`` of the site in a new page of ``context``, watched, and let it settle."""
    visit = Visit()
    page = context.new_page()
    watch(page, server, visit)
    page.goto(server + path, wait_until="load", timeout=timeout_ms)
    page.evaluate(SETTLE)
    return page, visit
