"""The chapters in JupyterLab as a reader runs them: ``make lab``, driven by headless Chromium.

What this proves, on copies of the chapter notebooks (JupyterLab autosaves, so the repository's
own notebooks are never opened):

1. ``make lab`` starts JupyterLab (trusting the notebooks first) and chapter 4 opens *unmodified*:
   no dirty marker on its tab, so nothing (a kernelspec mismatch, a renderer) rewrites it on open.
2. Run → Run All Cells executes every code cell on the venv's kernel: each gets an execution count.
3. No output is an error or stderr, and the browser console shows no error except the known,
   explicitly filtered noise of jupyterlab-myst's cross-references (see ``unexplained``).
4. jupyterlab-myst renders the book's MyST markup: every markdown cell goes through its renderer,
   the ``prf:algorithm`` box has its title and typeset (KaTeX) steps, and no role or directive
   (``{term}``, ``{cite:p}``, ``{prf:ref}``, fences, ``$…$`` LaTeX source) shows as raw text;
   ``{prf:ref}`` and ``{ref}`` resolve to their numbered targets. Citations do NOT resolve
   (jupyterlab-myst cannot read a bibliography): ``test_citations_resolve`` is a strict xfail.
5. The ε explorer (``adamlib.explorer``: ipywidgets sliders above an image widget) is live:
   moving a slider, by keyboard and by mouse, redraws its figure (the ``<img>`` changes).
6. Chapter 5, opened without running it, plays its stored ``to_jshtml`` animation and its stored
   explorer twin redraws when the problem changes: ``make lab`` trusted the notebook, and the
   server sees the signature (in the run's own Jupyter data dir).

Screenshots go to ``_build/screenshots/jupyterlab-*.png``. Chromium is Debian's (``$CHROMIUM`` or
``chromium`` on the PATH) driven by Playwright's Python package, never a downloaded browser;
without it the tests skip, or fail under ``REQUIRE_BROWSER=1`` (as in ``tests/browser``). The test
never installs anything: it needs ``make lab-install`` done, and runs ``make lab`` with the venv
stamps marked old (``make -o``), so a newer requirements file does not make it call pip.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))

from browsing import CHROMIUM_ARGS, chromium_path, flag, watch

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = ROOT / "chapters"
SCREENSHOTS = ROOT / "_build" / "screenshots"
# The venv's stamps, named as in the Makefile (relative to ROOT, for `make -o`).
MAKE_STAMP = ".venv/.installed"
MAKE_LAB_STAMP = ".venv/.lab-installed"
STAMP, LAB_STAMP = ROOT / MAKE_STAMP, ROOT / MAKE_LAB_STAMP
# Hangul for the screenshots: the headless machine may have no Hangul system font (everything
# Korean would be boxes). Chromium is pointed at the font bundled with adamlib through fontconfig;
# this changes what the screenshots look like, not what JupyterLab renders or what is checked.
HANGUL_FONT_DIR = ROOT / "adamlib" / "fonts"

CHAPTER_1 = "01_first_moment.ipynb"
CHAPTER_4 = "04_update_rule.ipynb"
CHAPTER_5 = "05_cooperation.ipynb"

# JupyterLab settings of the test's own (empty) config dir, so no state of earlier runs leaks in.
LAB_SETTINGS = {
    # Attach every cell to the DOM at once (the default, "contentVisibility", attaches cells
    # while the browser is idle), so the checks see the whole notebook, deterministically.
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    # No "Would you like to get notified about official Jupyter news?" toast over the screenshots.
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false"},
}

START_TIMEOUT_S = 120
RUN_ALL_TIMEOUT_S = 180  # chapter 4 takes ~15 s in nbclient; the machine may be busy
REDRAW_TIMEOUT_MS = 20_000
STOP_TIMEOUT_S = 20


# --- The server ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _proc_stat(pid: str) -> tuple[str, int] | None:
    """(state, process group) of a live process from /proc, or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
    return fields[0], int(fields[2])


def _group_alive(pgid: int) -> list[int]:
    """The processes of group ``pgid`` that are still running (zombies excluded)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _proc_stat(entry.name)
            if stat is not None and stat[1] == pgid and stat[0] != "Z":
                alive.append(int(entry.name))
    return alive


def _processes_using(path: Path) -> list[int]:
    """Live processes whose command line mentions ``path`` (kernels: their connection file)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        stat = _proc_stat(entry.name)
        if str(path) in cmdline and stat is not None and stat[0] != "Z":
            found.append(int(entry.name))
    return found


@dataclass
class Lab:
    """A JupyterLab started by ``make lab`` for this test module."""

    url: str  # http://127.0.0.1:PORT/
    token: str
    process: subprocess.Popen[bytes]
    log: Path
    runtime_dir: Path
    notebooks: Path  # the copied chapters/ that JupyterLab serves

    def log_tail(self, lines: int = 60) -> str:
        """The end of the server's output (make, jupyter trust, jupyter lab), for failures."""
        text = self.log.read_text(errors="replace").splitlines()
        return "\n--- JupyterLab server log (last lines) ---\n" + "\n".join(text[-lines:])

    def api(self, path: str, method: str = "GET") -> Any:
        """Call the server's REST API (``api/...``) with the token; the decoded JSON or None."""
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def page_url(self, workspace: str, notebook: str) -> str:
        """A notebook opened in its own JupyterLab workspace (fresh layout, no other tabs)."""
        return f"{self.url}lab/workspaces/{workspace}/tree/{notebook}?token={self.token}"


def _copy_book(base: Path) -> Path:
    """Copy the chapter notebooks, and nothing else (their data comes with adamlib), into
    ``base``; return its chapters/."""
    notebooks = base / "chapters"
    notebooks.mkdir(parents=True)
    for notebook in sorted(CHAPTERS.glob("*.ipynb")):
        shutil.copy2(notebook, notebooks / notebook.name)
    return notebooks


def _write_settings(config_dir: Path) -> None:
    for plugin, values in LAB_SETTINGS.items():
        file = config_dir / "lab" / "user-settings" / f"{plugin}.jupyterlab-settings"
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(json.dumps(values))


def _stop(lab: Lab) -> list[str]:
    """Stop the server's whole process group and its kernels; return what had to be killed."""
    problems: list[str] = []
    try:  # kernels run in sessions of their own: shut them down through the server first
        for kernel in lab.api("api/kernels") or []:
            lab.api(f"api/kernels/{kernel['id']}", method="DELETE")
    except (OSError, ValueError) as exc:
        problems.append(f"could not shut the kernels down through the API: {exc}")
    pgid = lab.process.pid  # start_new_session: make leads its own group
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while _group_alive(pgid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if not _group_alive(pgid):
            break
        problems.append(f"JupyterLab did not stop on SIGTERM within {STOP_TIMEOUT_S} s: SIGKILL")
    try:
        lab.process.wait(timeout=STOP_TIMEOUT_S)  # reap make
    except subprocess.TimeoutExpired:
        problems.append("make did not exit")
    if _group_alive(pgid):
        problems.append(f"processes of the server group remain: {_group_alive(pgid)}")
    leftovers = _processes_using(lab.runtime_dir)
    for pid in leftovers:  # a kernel (its connection file is in our runtime dir), ours to kill
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    if leftovers:
        problems.append(f"kernel processes remained after the server stopped: {leftovers}")
    return problems


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's Chromium; skipped (visibly), or failed under ``REQUIRE_BROWSER=1``, if absent."""
    executable = chromium_path()
    if executable is None:
        message = (
            "JupyterLab browser test SKIPPED: no Chromium found (looked for $CHROMIUM, "
            "`chromium`, `chromium-browser`); on Debian: apt-get install chromium"
        )
        if flag("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return executable


@pytest.fixture(scope="module")
def lab(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """``make lab`` on copies of the chapters, on 127.0.0.1 and a free port; stopped at the end."""
    if not (STAMP.exists() and LAB_STAMP.exists()):
        pytest.skip("JupyterLab is not installed in .venv: run `make lab-install` first")
    base = tmp_path_factory.mktemp("lab")
    notebooks = _copy_book(base / "book")
    config_dir, data_dir, runtime_dir = base / "config", base / "data", base / "runtime"
    runtime_dir.mkdir()
    _write_settings(config_dir)
    token, port = secrets.token_hex(16), _free_port()
    args = (
        f"--no-browser --ip=127.0.0.1 --port={port} --ServerApp.open_browser=False"
        f" --IdentityProvider.token={token}"  # ServerApp.token is deprecated (warns) since 2.0
    )
    env = {
        **os.environ,
        # Fresh user-level Jupyter dirs, so nothing of earlier runs leaks in: config (settings,
        # workspaces), runtime (kernel connection files, cookie secret) and data: `make lab`'s
        # `jupyter trust` writes its signing key and the notebook signatures there and the server
        # reads them from there (same environment), so chapter 5's animation works only if this
        # run's `make lab` trusted it; the user's signature database would remember any earlier
        # run. (Kernelspecs and lab extensions are the venv's, under sys.prefix, still found.)
        "JUPYTER_CONFIG_DIR": str(config_dir),
        "JUPYTER_DATA_DIR": str(data_dir),
        "JUPYTER_RUNTIME_DIR": str(runtime_dir),
    }
    log = base / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                "make",
                "-C",
                str(ROOT),
                # Make's names of the stamps, relative to ROOT: never (re)install from a test
                # (even if a requirements file is newer than them): `make lab` only trusts the
                # notebooks and starts JupyterLab.
                *("-o", MAKE_STAMP, "-o", MAKE_LAB_STAMP),
                "lab",
                f"LAB_DIR={notebooks}",
                f"LAB_ARGS={args}",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    server = Lab(f"http://127.0.0.1:{port}/", token, process, log, runtime_dir, notebooks)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"make lab exited with {process.returncode}{server.log_tail()}")
            try:
                server.api("api/status")
                break
            except (OSError, ValueError):
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"JupyterLab did not answer in {START_TIMEOUT_S} s{server.log_tail()}"
                    )
                time.sleep(0.5)
        yield server
    finally:
        problems = _stop(server)
        if problems:
            pytest.fail("; ".join(problems) + server.log_tail())


# --- The browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Chromium (Debian's, through Playwright), with the Hangul font for screenshots."""
    from playwright.sync_api import sync_playwright

    env = dict(os.environ)
    if (HANGUL_FONT_DIR / "NanumGothic.ttf").exists():
        fonts = tmp_path_factory.mktemp("fontconfig")
        (fonts / "fonts.conf").write_text(
            '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
            '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
            f"  <dir>{HANGUL_FONT_DIR}</dir>\n  <cachedir>{fonts / 'cache'}</cachedir>\n"
            "</fontconfig>\n"
        )
        env["FONTCONFIG_FILE"] = str(fonts / "fonts.conf")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS, env=env
        )
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Notebook:
    """A notebook open in JupyterLab in its own page, and what the page reported meanwhile."""

    name: str
    page: Any
    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # local requests that failed or got >= 400
    blocked: list[str] = field(default_factory=list)  # requests to any other host (aborted)
    dirty_on_open: bool | None = None
    source: dict[str, Any] = field(default_factory=dict)  # the notebook's JSON

    def markdown_sources(self) -> list[str]:
        return ["".join(c["source"]) for c in self.source["cells"] if c["cell_type"] == "markdown"]

    def cell(self, index: int) -> Any:
        """The cell widget of the notebook's ``index``-th cell (as in the .ipynb)."""
        return self.page.locator(".jp-Notebook .jp-Cell").nth(index)


def _watch(notebook: Notebook, server: str) -> None:
    """Block requests to other hosts; record console errors, uncaught exceptions, failures."""
    watch(notebook.page, server, notebook)


# The notebook is ready: every cell attached, and its kernel started and idle (the status bar
# says "Python 3 (.venv) | Idle"; before the kernel connects it says "No Kernel | Initializing"
# while the toolbar's execution indicator already reads idle).
READY = """([cells]) => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel || panel.querySelectorAll('.jp-Notebook .jp-Cell').length !== cells) return false;
  const status = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  const kernel = document.querySelector('.jp-StatusBar-TextItem[title^="Change kernel"]');
  return !!status && status.dataset.status === 'idle' && !!kernel
    && /^(?!No Kernel).+ [|] Idle$/.test(kernel.textContent.trim());
}"""

DIRTY = """(name) => [...document.querySelectorAll('.lm-DockPanel-tabBar .lm-TabBar-tab')]
  .filter((tab) => tab.textContent.trim() === name)
  .map((tab) => tab.classList.contains('jp-mod-dirty'))"""


@contextmanager
def _open(lab: Lab, browser: Any, notebook: str, workspace: str) -> Iterator[Notebook]:
    """Open ``notebook`` in a fresh browser context and JupyterLab workspace; close it after."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    context.set_default_timeout(60_000)
    source = json.loads((lab.notebooks / notebook).read_text(encoding="utf-8"))
    opened = Notebook(notebook, context.new_page(), source=source)
    _watch(opened, lab.url)
    try:
        opened.page.goto(lab.page_url(workspace, notebook), wait_until="load")
        try:
            opened.page.wait_for_function(READY, arg=[len(source["cells"])], timeout=90_000)
        except Exception as exc:  # the Playwright timeout, with what the server said
            pytest.fail(f"{notebook} did not open with an idle kernel: {exc}")
        # Give a late change (a kernelspec rewrite, a renderer touching the model) time to mark
        # the notebook modified, then read the dirty marker of its tab.
        time.sleep(2)
        markers = opened.page.evaluate(DIRTY, notebook)
        assert len(markers) == 1, f"expected one tab named {notebook}, found {len(markers)}"
        opened.dirty_on_open = markers[0]
        yield opened
    finally:
        context.close()


@pytest.fixture(scope="module")
def chapter4(lab: Lab, browser: Any) -> Iterator[Notebook]:
    """Chapter 4 open in JupyterLab, not run yet (tests that need it run use ``chapter4_run``)."""
    with _open(lab, browser, CHAPTER_4, "chapter4") as notebook:
        yield notebook


@pytest.fixture(scope="module")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


# --- 1. Opening does not modify the notebook -----------------------------------------------------


def test_chapter_4_opens_unmodified(chapter4: Notebook, screenshots: Path) -> None:
    """Right after opening (cells rendered, kernel idle), the tab has no dirty marker."""
    chapter4.page.screenshot(path=screenshots / "jupyterlab-04-open.png")
    assert chapter4.dirty_on_open is False, (
        f"{CHAPTER_4} is marked modified (jp-mod-dirty) right after opening, before anything "
        "ran: JupyterLab changed it on load (e.g. its kernelspec does not match the kernel's)"
    )


# --- 2. Run All ----------------------------------------------------------------------------------

# Each code cell's prompt ("[3]:", "[*]:", "[ ]:"), the kernel status, and error/stderr outputs.
RUN_STATE = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
    .map((p) => p.textContent.trim());
  const status = panel.querySelector('.jp-Notebook-ExecutionIndicator').dataset.status;
  const bad = [...panel.querySelectorAll(
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
    + '.jp-OutputArea-output.jp-mod-error, .jp-RenderedText[data-mime-type$="error"]')]
    .map((o) => o.textContent.slice(0, 2000));
  return {prompts, status, bad};
}"""


@dataclass
class RunResult:
    prompts: list[str]
    status: str
    bad_outputs: list[str]
    seconds: float


def _run_all(notebook: Notebook) -> RunResult:
    """Run → Run All Cells from the menu bar; wait until every cell ran or the kernel gave up."""
    page = notebook.page
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    start = time.monotonic()
    idle_since: float | None = None
    while True:
        state = page.evaluate(RUN_STATE)
        done = all(re.fullmatch(r"\[\d+\]:", p) for p in state["prompts"])
        if state["status"] == "idle" and done:
            break
        # Run All stops at an error: the kernel is idle, later cells keep "[ ]:". Give up then.
        idle_since = (idle_since or time.monotonic()) if state["status"] == "idle" else None
        if idle_since is not None and time.monotonic() - idle_since > 10:
            break
        if time.monotonic() - start > RUN_ALL_TIMEOUT_S:
            break
        time.sleep(0.25)
    return RunResult(state["prompts"], state["status"], state["bad"], time.monotonic() - start)


@pytest.fixture(scope="module")
def chapter4_run(chapter4: Notebook, lab: Lab) -> RunResult:
    """Chapter 4 after Run All Cells."""
    return _run_all(chapter4)


def test_run_all_executes_every_code_cell(
    chapter4: Notebook, chapter4_run: RunResult, lab: Lab
) -> None:
    """Every code cell gets an execution count (no ``[*]``, no ``[ ]``) and the kernel is idle."""
    not_run = [
        (index, prompt)
        for index, prompt in enumerate(chapter4_run.prompts)
        if not re.fullmatch(r"\[\d+\]:", prompt)
    ]
    assert not not_run and chapter4_run.status == "idle", (
        f"after {chapter4_run.seconds:.0f} s the kernel is {chapter4_run.status!r} and these code "
        f"cells (index among code cells, prompt) did not run: {not_run}; error or stderr "
        f"outputs: {chapter4_run.bad_outputs}"
    )
    counts = [int(p[1:-2]) for p in chapter4_run.prompts]
    assert counts == sorted(counts), f"cells ran out of order: {counts}"
    kernels = lab.api("api/kernels")
    assert [k["execution_state"] for k in kernels] == ["idle"], f"kernels: {kernels}"


# --- 3. No error output, no console error --------------------------------------------------------


def test_no_error_or_stderr_output(chapter4_run: RunResult) -> None:
    assert not chapter4_run.bad_outputs, "cells wrote errors or to stderr:\n\n" + "\n\n".join(
        chapter4_run.bad_outputs
    )


def unexplained(messages: list[str], labels: set[str]) -> list[str]:
    """The lines of console errors that are not known, understood noise.

    jupyterlab-myst logs ``Cross reference target was not found: X`` (as an error, several
    per message) while it resolves references:

    * ``X = term-…``: a ``{term}`` role. The glossary is chapters/glossary.md, which a notebook
      alone cannot see; the term still shows as its text (checked by ``test_roles_are_rendered``).
    * ``X`` a label defined in this same notebook (an exercise further down): logged while the
      cells render top to bottom, before the target's cell is parsed; ``test_roles_are_rendered``
      checks that every such reference resolves in the end.
    """
    lines = []
    for message in messages:
        for line in message.splitlines():
            found = re.fullmatch(r"Cross reference target was not found: (.+)", line.strip())
            if line.strip() and not (
                found and (found[1].startswith("term-") or found[1] in labels)
            ):
                lines.append(line)
    return lines


def _labels(notebook: Notebook) -> set[str]:
    return {
        label
        for text in notebook.markdown_sources()
        for label in re.findall(r":label: (\S+)", text)
    }


def test_no_console_errors(chapter4: Notebook, chapter4_run: RunResult) -> None:
    """No console error or uncaught exception (known noise aside), no failed or outside request."""
    labels = _labels(chapter4)
    errors = unexplained(chapter4.console_errors, labels)
    assert not errors, "console errors in JupyterLab:\n" + "\n".join(errors)
    assert not chapter4.failed, f"failed requests: {chapter4.failed}"
    assert not chapter4.blocked, f"requests to other hosts (blocked): {chapter4.blocked}"


# --- 4. jupyterlab-myst renders the MyST markup --------------------------------------------------

# For each markdown cell: whether jupyterlab-myst rendered it (its widget has class "myst"), its
# text with the typeset math (KaTeX) taken out, and what the checks below look for.
MARKDOWN = """() => [...document.querySelectorAll(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownCell')].map((cell) => {
    const out = cell.querySelector('.jp-Cell-inputWrapper .myst');
    if (!out) return {myst: false, html: (cell.querySelector('.jp-RenderedHTMLCommon') || cell)
      .innerHTML.slice(0, 300)};
    const text = out.cloneNode(true);
    text.querySelectorAll('.katex').forEach((k) => k.replaceWith(' '));
    return {
      myst: true,
      text: text.textContent,
      katex: out.querySelectorAll('.katex').length,
      katexErrors: [...out.querySelectorAll('.katex-error')].map((e) => e.textContent),
      pre: out.querySelectorAll('pre').length,
      links: [...out.querySelectorAll('a')].map((a) => ({href: a.getAttribute('href'),
        text: a.textContent.trim()})),
      cites: [...out.querySelectorAll('.cite-group')].map((c) => ({text: c.textContent.trim(),
        missing: c.querySelectorAll('[title="Citation Not Found"]').length})),
      proofs: [...out.querySelectorAll('aside.myst-proof')].map((p) => ({id: p.id,
        title: (p.querySelector('.myst-proof-title') || p).textContent.trim(),
        katex: p.querySelectorAll('.myst-proof-body .katex').length,
        items: p.querySelectorAll('.myst-proof-body li').length})),
    };
  })"""

ROLE = re.compile(r"\{([a-z]+(?::[a-z]+)?)\}`([^`]*)`")
# Markup that must never be visible: a role or directive name in braces, a code fence or
# colon fence, and LaTeX source (a dollar sign, a backslash command such as \leftarrow).
RAW = re.compile(r"\{[a-z]+(?::[a-z-]+)?\}|```|:::|\$|\\[A-Za-z]{2,}")
FENCE = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})(.*)$")


def plain_code_blocks(markdown: str) -> int:
    """How many fenced code blocks (not ``{directive}`` fences) ``markdown`` has."""
    count, open_fences = 0, []
    for line in markdown.splitlines():
        found = FENCE.match(line)
        if not found:
            continue
        fence, info = found[1], found[2].strip()
        closes = bool(open_fences) and fence[0] == open_fences[-1][0]
        if closes and len(fence) >= len(open_fences[-1]) and not info:
            open_fences.pop()
            continue
        open_fences.append(fence)
        count += not info.startswith("{") and fence[0] != ":"
    return count


def _roles(notebook: Notebook) -> dict[str, list[str]]:
    """Role name → contents, over the notebook's markdown cells."""
    roles: dict[str, list[str]] = {}
    for text in notebook.markdown_sources():
        for name, content in ROLE.findall(text):
            roles.setdefault(name, []).append(content)
    return roles


def _shown(content: str) -> str:
    """What a role shows: ``text <target>`` → text."""
    return re.sub(r"\s*<[^>]*>$", "", content).strip()


@pytest.fixture(scope="module")
def chapter4_markdown(chapter4: Notebook) -> list[dict[str, Any]]:
    return chapter4.page.evaluate(MARKDOWN)


def test_every_markdown_cell_is_rendered_by_jupyterlab_myst(
    chapter4: Notebook, chapter4_markdown: list[dict[str, Any]]
) -> None:
    assert len(chapter4_markdown) == len(chapter4.markdown_sources())
    plain = [cell for cell in chapter4_markdown if not cell["myst"]]
    assert not plain, f"markdown cells not rendered by jupyterlab-myst: {plain[:3]}"


def test_no_raw_myst_markup_or_latex(
    chapter4: Notebook, chapter4_markdown: list[dict[str, Any]]
) -> None:
    """No role, directive, fence or LaTeX source is visible; all math typesets without error."""
    raw = []
    for index, cell in enumerate(chapter4_markdown):
        if cell["myst"]:
            raw += [
                (index, m[0], cell["text"][max(0, m.start() - 40) : m.end() + 40])
                for m in RAW.finditer(cell["text"])
            ]
    assert not raw, "raw markup in rendered markdown (cell, match, context):\n" + "\n".join(
        map(repr, raw)
    )
    errors = [e for cell in chapter4_markdown if cell["myst"] for e in cell["katexErrors"]]
    assert not errors, f"KaTeX could not typeset: {errors}"
    # A directive that jupyterlab-myst did not know would come out as a code block.
    fences = sum(plain_code_blocks(text) for text in chapter4.markdown_sources())
    blocks = sum(cell["pre"] for cell in chapter4_markdown if cell["myst"])
    assert blocks == fences, f"{blocks} code blocks rendered, the source has {fences}"


def test_algorithm_box_is_rendered(
    chapter4: Notebook, chapter4_markdown: list[dict[str, Any]], screenshots: Path
) -> None:
    """``prf:algorithm``: a box titled "Algorithm N (Adam)", its steps a list of typeset math."""
    proofs = [proof for cell in chapter4_markdown if cell["myst"] for proof in cell["proofs"]]
    boxes = [proof for proof in proofs if proof["id"] == "alg-adam-update"]
    assert len(boxes) == 1, f"no algorithm box alg-adam-update among {proofs}"
    box = boxes[0]
    assert re.fullmatch(r"Algorithm \d+ \(Adam\)", box["title"]), box
    # 2 steps, 7 sub-steps; every step has a formula, plus the inputs and output.
    assert box["items"] >= 9 and box["katex"] >= 12, box
    element = chapter4.page.locator("aside#alg-adam-update")
    element.scroll_into_view_if_needed()
    element.screenshot(path=screenshots / "jupyterlab-04-algorithm.png")


def test_roles_are_rendered(chapter4: Notebook, chapter4_markdown: list[dict[str, Any]]) -> None:
    """``{term}`` shows its text as a link, ``{prf:ref}``/``{ref}`` resolve, ``{cite:p}`` cites."""
    roles = _roles(chapter4)
    assert {"term", "cite:p", "prf:ref"} <= roles.keys(), f"chapter 4 changed? roles: {roles}"
    links = [link for cell in chapter4_markdown if cell["myst"] for link in cell["links"]]
    texts = {link["text"] for link in links}
    missing_terms = {_shown(t) for t in roles["term"]} - texts
    assert not missing_terms, f"{{term}} roles not shown as their text: {missing_terms}"
    for content in roles["prf:ref"] + roles.get("ref", []):
        label = re.sub(r".*<([^>]*)>$", r"\1", content)
        targets = [link["text"] for link in links if link["href"] == f"#{label}"]
        assert targets and all(re.fullmatch(r"[A-Z][a-z]+\s\d+", t) for t in targets), (
            f"reference to {label} not resolved to a numbered target: {targets}"
        )
    cites = [cite for cell in chapter4_markdown if cell["myst"] for cite in cell["cites"]]
    assert len(cites) == len(roles["cite:p"]), f"{len(roles['cite:p'])} {{cite:p}} roles: {cites}"


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,  # only the assertion below is expected to fail, not the setup
    reason="jupyterlab-myst 2.6.0 cannot read the book's bibliography (references.bib): every "
    "{cite:p} shows its bare key with a 'Citation Not Found' marker (jupyterlab-myst PR #93)",
)
def test_citations_resolve(
    chapter4: Notebook, chapter4_markdown: list[dict[str, Any]], screenshots: Path
) -> None:
    """Documents a known limitation: if a future jupyterlab-myst resolves them, this XPASSes."""
    cites = [cite for cell in chapter4_markdown if cell["myst"] for cite in cell["cites"]]
    first = chapter4.page.locator(".cite-group").first
    first.scroll_into_view_if_needed()
    first.locator("xpath=ancestor::div[contains(@class, 'jp-MarkdownCell')]").screenshot(
        path=screenshots / "jupyterlab-04-citation.png"
    )
    assert cites and not any(cite["missing"] for cite in cites), cites


# --- 5. The ε explorer redraws when a slider moves -----------------------------------------------

EXPLORER_IMAGE = "img.widget-image"


def _explorer_cell(notebook: Notebook) -> int:
    """The cell that displays the chapter's explorer (``explorers.…(…)``)."""
    for index, cell in enumerate(notebook.source["cells"]):
        if cell["cell_type"] == "code" and "".join(cell["source"]).startswith("explorers."):
            return index
    raise AssertionError(f"no explorer cell in {notebook.name}")


def _wait_for_new_image(cell: Any, old: str, selector: str = EXPLORER_IMAGE) -> str:
    """Wait until the explorer's figure (``selector`` in ``cell``) is a PNG other than ``old``
    and stays the same for a second (a drag redraws at every value it passes); return its src."""
    try:
        cell.page.wait_for_function(
            """([cell, old, selector]) => {
              const img = cell.querySelector(selector);
              const src = img ? img.src : '';
              const shown = src.startsWith('data:image/png') || src.startsWith('blob:');
              return !!shown && img.src !== old;
            }""",
            arg=[cell.element_handle(), old, selector],
            timeout=REDRAW_TIMEOUT_MS,
        )
    except Exception as exc:  # Playwright's timeout
        raise AssertionError(
            f"the explorer's figure did not change within {REDRAW_TIMEOUT_MS / 1000:.0f} s"
        ) from exc
    image = cell.locator(selector)
    src, since = str(image.get_attribute("src")), time.monotonic()
    deadline = since + REDRAW_TIMEOUT_MS / 1000
    while time.monotonic() - since < 1.0 and time.monotonic() < deadline:
        time.sleep(0.2)
        now = image.get_attribute("src") if image.count() == 1 else None
        if now != src:
            src, since = str(now), time.monotonic()
    assert src.startswith(("data:image/png", "blob:")), f"the explorer shows no figure: {src[:40]}"
    return src


def test_explorer_slider_redraws_the_figure(
    chapter4: Notebook, chapter4_run: RunResult, screenshots: Path
) -> None:
    """ArrowRight on the ε slider's handle, then a mouse drag of the scale slider: new figures."""
    cell = chapter4.cell(_explorer_cell(chapter4))
    handles = cell.locator(".widget-slider .noUi-handle")
    assert handles.count() == 2, f"the explorer has {handles.count()} slider handles, not 2"
    image = cell.locator(EXPLORER_IMAGE)
    image.wait_for(state="visible")
    cell.scroll_into_view_if_needed()
    first = str(image.get_attribute("src"))
    assert first.startswith(("data:image/png", "blob:")), first[:40]
    cell.screenshot(path=screenshots / "jupyterlab-04-explorer-before.png")

    eps = handles.nth(0)
    before = eps.get_attribute("aria-valuenow")
    eps.focus()
    chapter4.page.keyboard.press("ArrowRight")
    second = _wait_for_new_image(cell, first)
    assert eps.get_attribute("aria-valuenow") != before, "ArrowRight did not move the ε slider"

    scale = handles.nth(1)
    before = scale.get_attribute("aria-valuenow")
    box = scale.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    mouse = chapter4.page.mouse
    mouse.move(x, y)
    mouse.down()
    mouse.move(x + 40, y, steps=8)
    mouse.up()
    _wait_for_new_image(cell, second)
    assert scale.get_attribute("aria-valuenow") != before, "dragging did not move the slider"
    cell.screenshot(path=screenshots / "jupyterlab-04-explorer-after.png")


def test_chapter_1_explorer_draws_before_its_slider_moves(
    lab: Lab, browser: Any, screenshots: Path
) -> None:
    """Chapter 1's β1 explorer shows its first figure as soon as its cell runs, and a new one
    when the slider moves."""
    with _open(lab, browser, CHAPTER_1, "chapter1") as chapter1:
        result = _run_all(chapter1)
        assert not result.bad_outputs, result.bad_outputs
        assert all(re.fullmatch(r"\[\d+\]:", p) for p in result.prompts), result.prompts
        cell = chapter1.cell(_explorer_cell(chapter1))
        cell.scroll_into_view_if_needed()
        image = cell.locator(EXPLORER_IMAGE)
        try:
            image.wait_for(state="visible", timeout=REDRAW_TIMEOUT_MS)
        except Exception as exc:  # Playwright's timeout
            raise AssertionError(
                "chapter 1's explorer shows no figure before its slider moves"
            ) from exc
        first = str(image.get_attribute("src"))
        assert first.startswith(("data:image/png", "blob:")), first[:40]
        cell.screenshot(path=screenshots / "jupyterlab-01-explorer-before.png")
        handle = cell.locator(".widget-slider .noUi-handle")
        assert handle.count() == 1
        handle.focus()
        chapter1.page.keyboard.press("ArrowRight")
        _wait_for_new_image(cell, first)


# --- 6. Chapter 5's stored animation plays on open (the notebook is trusted) ---------------------


def test_chapter_5_animation_works_without_running(
    lab: Lab, browser: Any, screenshots: Path
) -> None:
    """The ``to_jshtml`` output's script ran: its ``<img>`` shows a frame, its buttons step it."""
    with _open(lab, browser, CHAPTER_5, "chapter5") as chapter5:
        page = chapter5.page
        assert chapter5.dirty_on_open is False, f"{CHAPTER_5} is marked modified on open"
        stored = [
            index
            for index, cell in enumerate(chapter5.source["cells"])
            for out in cell.get("outputs", [])
            if "_anim_img" in "".join(out.get("data", {}).get("text/html", ""))
        ]
        assert len(stored) == 1, f"{len(stored)} stored animations in {CHAPTER_5}, expected 1"
        output = chapter5.cell(stored[0]).locator(
            '.jp-OutputArea-output[data-mime-type="text/html"]'
        )
        output.scroll_into_view_if_needed()
        assert "jp-mod-trusted" in (output.get_attribute("class") or ""), (
            "the animation's output is not trusted, so JupyterLab sanitized it (no script): "
            "`make lab` did not sign it with `jupyter trust`, or the server did not see that"
        )
        image = output.locator('img[id^="_anim_img"]')
        assert image.count() == 1, f"{image.count()} animation images in the output"
        try:  # the animation's script sets the first frame
            page.wait_for_function(
                "(img) => img.src.startsWith('data:image/')",
                arg=image.element_handle(),
                timeout=10_000,
            )
        except Exception as exc:  # Playwright's timeout
            raise AssertionError("the animation shows no frame: its script did not run") from exc
        buttons = output.locator("button")
        assert buttons.count() >= 9, f"{buttons.count()} animation buttons"
        frame = image.get_attribute("src")
        output.locator('button[title="다음 프레임"]').click()
        page.wait_for_function(
            "([img, old]) => img.src !== old", arg=[image.element_handle(), frame]
        )
        output.screenshot(path=screenshots / "jupyterlab-05-animation.png")
        # the explorer's stored twin (adamlib.explorer) also runs before the notebook does
        twin = chapter5.cell(_explorer_cell(chapter5)).locator(".adamlib-explorer")
        twin.scroll_into_view_if_needed()
        try:
            page.wait_for_function(
                "(el) => el.dataset.ready === 'true'", arg=twin.element_handle(), timeout=10_000
            )
        except Exception as exc:  # Playwright's timeout
            raise AssertionError("chapter 5's stored explorer did not start in JupyterLab") from exc
        path = twin.locator("svg path").nth(1)
        before = path.get_attribute("d")
        twin.locator("select").select_option(index=1)
        assert path.get_attribute("d") != before, "choosing a problem redrew nothing"
        twin.screenshot(path=screenshots / "jupyterlab-05-explorer-twin.png")
        labels = _labels(chapter5)
        errors = unexplained(chapter5.console_errors, labels)
        assert not errors, "console errors in JupyterLab:\n" + "\n".join(errors)
