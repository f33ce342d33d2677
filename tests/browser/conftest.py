"""Fixtures for the tests of the *built* site (``_build/html``): ``make site`` runs them.

They need ``make book`` first. Run by plain ``pytest tests`` before a build, they skip (saying
so); ``make site`` sets ``BOOK_SITE_REQUIRED=1``, which turns a missing build into a failure.

The browser tests drive Debian's Chromium (``/usr/bin/chromium``, or ``$CHROMIUM``) through
Playwright's Python package with ``executable_path``: Playwright never downloads a browser
here. Without Chromium they skip, with the reason in pytest's summary (``make site`` also prints
it plainly); with ``REQUIRE_BROWSER=1`` (set by ``.ci/run``) a missing Chromium fails instead.
The pages are served by a local HTTP server on 127.0.0.1 and a free port, started and stopped
by the tests; every request to any other host is blocked and reported.

The rendered-site matrix (fixture ``rendered``): every page is opened once per *mode* (a width,
1280 or 390 as a phone, and a colour scheme, light or dark; a fresh browser context per mode, so
the page starts in that scheme as a reader's would), two pages at a time, and every *probe* that
the collected test modules declare for that mode runs on it while it is open; the tests then only
read what the probes found. A test module declares its probes in a module-level
``PAGE_PROBES`` dict: ``{name: (order, modes, function)}``, where ``function(page, mode)``
returns anything (a dict, a list) and ``order`` sorts the probes (the full-page screenshot,
``_build/screenshots/{page}-{width}-{scheme}.png``, is taken at order 50). So each page is
loaded once per mode however many checks read it, and only the modes that some collected test
needs are visited.
"""

from __future__ import annotations

import base64
import functools
import os
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from browsing import CHROMIUM_ARGS, SETTLE, chromium_path, flag, watch

ROOT = Path(__file__).resolve().parents[2]
# $BOOK_SITE points the tests at another build (`jupyter-book build . --path-output DIR`).
SITE = Path(os.environ.get("BOOK_SITE") or ROOT / "_build" / "html")
# Beside the site: ROOT/_build/screenshots, or DIR/_build/screenshots for a build in DIR.
SCREENSHOTS = SITE.parent / "screenshots"


@pytest.fixture(scope="session")
def site() -> Path:
    """The built site; skip (or fail under ``BOOK_SITE_REQUIRED=1``) if it is not there."""
    if not (SITE / "index.html").is_file():
        message = f"no built site at {SITE} (run `make book` first)"
        if flag("BOOK_SITE_REQUIRED"):
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
        if flag("REQUIRE_BROWSER"):
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


# --- The rendered-site matrix --------------------------------------------------------------------

# Browser-context options of each width: a desktop window, and a phone (touch, 2x pixels).
WIDTHS: dict[int, dict[str, Any]] = {
    1280: {"viewport": {"width": 1280, "height": 900}},
    390: {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}
SCHEMES = ("light", "dark")
# Every mode, in the order the matrix visits them: "{width}-{scheme}".
MODES = tuple(f"{width}-{scheme}" for width in WIDTHS for scheme in SCHEMES)
SCREENSHOT_ORDER = 50
# Pages opened at the same time by the matrix (each in its own Chromium): one per core, at most 2.
WORKERS = int(os.environ.get("BROWSER_WORKERS") or max(1, min(2, os.cpu_count() or 1)))
PAGE_TIMEOUT_MS = 180_000

Probe = Callable[[Any, str], Any]
PROBES_KEY = pytest.StashKey[dict[str, tuple[int, tuple[str, ...], Probe]]]()
MATRIX_KEY = pytest.StashKey["RenderedSite"]()


def mode_parts(mode: str) -> tuple[int, str]:
    """``"390-dark"`` → ``(390, "dark")``."""
    width, scheme = mode.split("-")
    return int(width), scheme


def page_slug(path: str) -> str:
    """``chapters/01_first_moment.html`` → ``chapters_01_first_moment`` (a file name)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", path.removesuffix(".html"))


def is_redirect(site: Path, path: str) -> bool:
    """Jupyter Book's index.html is only a ``<meta http-equiv="Refresh">`` to the root page."""
    return 'http-equiv="Refresh"' in (site / path).read_text(encoding="utf-8")[:500]


@dataclass
class PageResult:
    """One page in one mode: what happened while it was open, and what each probe returned."""

    path: str
    mode: str
    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # local requests that failed or got >= 400
    blocked: list[str] = field(default_factory=list)  # requests to another host (aborted)
    errors: list[str] = field(default_factory=list)  # the page or a probe could not be run
    probes: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0  # from opening the page to closing it
    timings: dict[str, float] = field(default_factory=dict)  # seconds of "load", each probe

    @property
    def where(self) -> str:
        """``chapters/glossary.html [390-dark]``: how a failure message names the page."""
        return f"{self.path} [{self.mode}]"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Gather the ``PAGE_PROBES`` of every collected test module (see the module docstring)."""
    probes: dict[str, tuple[int, tuple[str, ...], Probe]] = {}
    seen: set[str] = set()
    for item in items:
        module = getattr(item, "module", None)
        if module is None or module.__name__ in seen:
            continue
        seen.add(module.__name__)
        for name, (order, modes, function) in getattr(module, "PAGE_PROBES", {}).items():
            unknown = set(modes) - set(MODES)
            if unknown:
                raise pytest.UsageError(f"{module.__name__}: probe {name}: modes {unknown}?")
            if name in probes and probes[name][2] is not function:
                raise pytest.UsageError(f"two test modules declare the page probe {name!r}")
            probes[name] = (order, tuple(modes), function)
    config.stash[PROBES_KEY] = probes


class RenderedSite:
    """Every page of the site, opened once per mode, with the collected probes run on it.

    The pages of a mode are shared among ``WORKERS`` threads, each with its own Playwright and
    Chromium (Playwright objects belong to the thread that made them) and one browser context
    for the mode: so MathJax, axe and the screenshots of two pages keep both cores busy. The
    heaviest pages (by size of their HTML) go first, so that no long page starts last.
    """

    def __init__(
        self,
        executable: str,
        server: str,
        site: Path,
        pages: list[str],
        screenshots: Path,
        probes: dict[str, tuple[int, tuple[str, ...], Probe]],
    ) -> None:
        self.executable = executable
        self.server = server
        self.paths = [p for p in pages if not is_redirect(site, p)]
        self.heaviest_first = sorted(self.paths, key=lambda p: -(site / p).stat().st_size)
        self.screenshots = screenshots
        self.probes = probes
        self.cache: dict[str, list[PageResult]] = {}
        self.seconds: dict[str, float] = {}

    def __call__(self, mode: str) -> list[PageResult]:
        """The results of every page in ``mode`` (visited on the first call, then cached)."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; one of {MODES}")
        if mode not in self.cache:
            start = time.perf_counter()
            self.cache[mode] = self._visit_all(mode)
            self.seconds[mode] = time.perf_counter() - start
        return self.cache[mode]

    def _steps(self, mode: str) -> list[tuple[int, str, Probe]]:
        steps = [
            (order, name, fn) for name, (order, modes, fn) in self.probes.items() if mode in modes
        ]
        steps.append((SCREENSHOT_ORDER, "screenshot", self._screenshot))
        return sorted(steps, key=lambda step: (step[0], step[1]))

    def _visit_all(self, mode: str) -> list[PageResult]:
        todo: queue.SimpleQueue[str] = queue.SimpleQueue()
        for path in self.heaviest_first:
            todo.put(path)
        done: dict[str, PageResult] = {}
        crashes: list[str] = []
        workers = [
            threading.Thread(target=self._worker, args=(mode, todo, done, crashes), daemon=True)
            for _ in range(min(WORKERS, len(self.paths)))
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        return [
            done.get(path)
            or PageResult(path=path, mode=mode, errors=[f"not visited: {'; '.join(crashes)}"])
            for path in self.paths
        ]

    def _worker(
        self,
        mode: str,
        todo: queue.SimpleQueue[str],
        done: dict[str, PageResult],
        crashes: list[str],
    ) -> None:
        from playwright.sync_api import sync_playwright

        width, scheme = mode_parts(mode)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=self.executable, headless=True, args=CHROMIUM_ARGS
                )
                try:
                    context = browser.new_context(
                        locale="ko-KR", color_scheme=scheme, **WIDTHS[width]
                    )
                    context.set_default_timeout(PAGE_TIMEOUT_MS)
                    while True:
                        try:
                            path = todo.get_nowait()
                        except queue.Empty:
                            break
                        done[path] = self._finish(*self._start(context, path, mode), mode)
                    context.close()
                finally:
                    browser.close()
        except Exception as exc:  # the pages this worker did not visit are reported as such
            crashes.append(f"browser worker failed: {exc}")

    def _start(self, context: Any, path: str, mode: str) -> tuple[Any, PageResult, float]:
        result = PageResult(path=path, mode=mode)
        start = time.perf_counter()
        page = context.new_page()
        server = self.server
        watch(page, server, result)
        try:
            page.goto(server + path, wait_until="commit")
        except Exception as exc:  # reported with the page, the matrix goes on
            result.errors.append(f"navigation failed: {exc}")
        return page, result, start

    def _finish(self, page: Any, result: PageResult, start: float, mode: str) -> PageResult:
        try:
            if not result.errors:
                page.wait_for_load_state("load")
                page.evaluate(SETTLE)
                result.timings["load"] = time.perf_counter() - start
                for _, name, probe in self._steps(mode):
                    began = time.perf_counter()
                    try:
                        result.probes[name] = probe(page, mode)
                    except Exception as exc:  # one failing probe must not hide the others
                        result.errors.append(f"probe {name} failed: {exc}")
                    result.timings[name] = time.perf_counter() - began
        except Exception as exc:
            result.errors.append(f"page did not settle: {exc}")
        finally:
            page.close()
            result.seconds = time.perf_counter() - start
        return result

    def _screenshot(self, page: Any, mode: str) -> str:
        """Save the whole page as ``{slug}-{width}-{scheme}.png`` (CSS pixels); return its name.

        The DevTools protocol's capture with ``optimizeForSpeed`` (a faster PNG encoder) takes
        about half the time of Playwright's full-page screenshot on the longest pages.
        """
        name = f"{page_slug(page.url.removeprefix(self.server).split('?')[0])}-{mode}.png"
        width, height = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
        )
        cdp = page.context.new_cdp_session(page)
        try:
            shot = cdp.send(
                "Page.captureScreenshot",
                {
                    "format": "png",
                    "captureBeyondViewport": True,
                    "optimizeForSpeed": True,
                    "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
                },
            )
        finally:
            cdp.detach()
        (self.screenshots / name).write_bytes(base64.b64decode(shot["data"]))
        return name


@pytest.fixture(scope="session")
def rendered(
    request: pytest.FixtureRequest,
    browser: Any,
    server: str,
    site: Path,
    pages: list[str],
    screenshots: Path,
) -> RenderedSite:
    """Call with a mode (``"1280-light"``, ``"390-dark"``, …) for every page's ``PageResult``.

    It asks for ``browser`` only for its skip (or failure) when there is no Chromium: the matrix
    runs its own browsers, one per worker thread.
    """
    probes = request.config.stash.get(PROBES_KEY, {})
    executable = chromium_path()
    assert executable is not None  # the browser fixture skipped (or failed) otherwise
    matrix = RenderedSite(executable, server, site, pages, screenshots, probes)
    request.config.stash[MATRIX_KEY] = matrix
    return matrix


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Where the time of the rendered-site matrix went: per mode, and per step over its pages."""
    matrix = config.stash.get(MATRIX_KEY, None)
    if matrix is None or not matrix.seconds:
        return
    terminalreporter.write_sep("-", f"rendered-site matrix ({WORKERS} pages at a time)")
    for mode, seconds in matrix.seconds.items():
        steps: dict[str, float] = {}
        for result in matrix.cache[mode]:
            for step, spent in result.timings.items():
                steps[step] = steps.get(step, 0.0) + spent
        spent = ", ".join(f"{step} {total:.0f} s" for step, total in steps.items())
        terminalreporter.write_line(
            f"{mode}: {seconds:.0f} s for {len(matrix.cache[mode])} pages (summed over pages: "
            f"{spent})"
        )
