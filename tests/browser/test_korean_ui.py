"""The site's interface in Korean (``_ext/korean_ui.py``), a favicon, and no orphan page.

Every page of the built site is opened once in headless Chromium, in one browser context, and
read after its scripts ran (the themes and extensions write some of their labels from
JavaScript). No English interface string of :data:`ENGLISH` may be left in the text of the page,
in its title or in an attribute that is shown or read out (``title``, ``aria-label``,
``placeholder``, ``alt``, tooltips). The API reference's article is English by design
(generated docstrings), so its text is exempt; its controls are not. axe-core's
``label-content-name-mismatch`` rule (experimental, so off by default in the accessibility
test) must find nothing: a control's accessible name contains the text it shows. Every page
links an icon that loads (except ``index.html``, Jupyter Book's bare redirect to the first page,
where a browser finds ``/favicon.ico``), ``/favicon.ico`` exists, and sphinx-proof's unlinked
"Proof Index" (``prf-prf.html``) is not built. No page may log a console error or fail a request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import browsing

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
VIEWPORT = {"width": 1280, "height": 900}

# English interface strings found on the site before it was localised, and their neighbours
# from the same catalogues. A text or attribute equal to one of them fails.
ENGLISH = frozenset(
    {
        # pydata-sphinx-theme
        "Skip to main content",
        "Back to top",
        "Color mode",
        "Light",
        "Dark",
        "System Settings",
        "Site navigation",
        "On this page",
        "Section Navigation",
        "Version warning",
        "Announcement",
        "Breadcrumb",
        "Home",
        "Indices",
        "Collapse Sidebar",
        "Expand Sidebar",
        "previous page",
        "next page",
        "previous",
        "next",
        "Search",
        "Error",
        # sphinx-book-theme
        "Main",
        "Page",
        "Contents",
        "Toggle primary sidebar",
        "Toggle secondary sidebar",
        "Toggle navigation",
        "Fullscreen mode",
        "Download this page",
        "Download source file",
        "Download notebook file",
        "Print to PDF",
        # Sphinx
        "Link to this heading",
        "Link to this definition",
        "Link to this term",
        "Link to this equation",
        "Link to this table",
        "Link to this code",
        "Link to this image",
        "module",
        "Search Results",
        "Searching",
        "Preparing search...",
        "Hide Search Matches",
        # myst-nb, sphinx-copybutton, sphinx-togglebutton, sphinx-proof
        "Show code cell source",
        "Hide code cell source",
        "Toggle hidden content",
        "Copy",
        "Copy to clipboard",
        "Copied!",
        "Failed to copy",
        "Click to show",
        "Click to hide",
        "Proof.",
        "Proof Index",
    }
)
# Phrases that fail wherever they occur in a text or an attribute.
ENGLISH_PHRASES = (
    "Skip to main",
    "Back to top",
    "Color mode",
    "System Settings",
    "Show code cell",
    "Hide code cell",
    "Toggle hidden content",
    "Toggle primary",
    "Toggle secondary",
    "Link to this",
    "Copy to clipboard",
    "© Copyright",
    "Please activate JavaScript",
    "Search finished",
    "did not match any documents",
    "Proof. ",
)
ATTRIBUTES = (
    "title",
    "aria-label",
    "placeholder",
    "alt",
    "data-tooltip",
    "data-bs-title",
    "data-bs-original-title",
    "data-toggle-hint",
)

# Every text node and every read-out attribute of the page, with where it is. Code, formulas and
# scripts are left out; so is the API reference's article text, but not its controls.
COLLECT = """(attributes) => {
  const api = location.pathname.endsWith("/api.html");
  const controls = ".copybtn, .toggle-button, summary, .headerlink, button";
  const skipped = (el) =>
    el.closest("script, style, noscript, template, pre, code, mjx-container") ||
    (api && el.closest("article.bd-article") && !el.closest(controls));
  const found = [["document title", document.title]];
  const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.replace(/\\s+/g, " ").trim();
    if (text && /[A-Za-z]/.test(text) && node.parentElement && !skipped(node.parentElement)) {
      found.push([`text in <${node.parentElement.tagName.toLowerCase()}>`, text]);
    }
  }
  for (const el of document.querySelectorAll(attributes.map((a) => `[${a}]`).join(","))) {
    if (el.closest("script, style, noscript, template")) continue;
    if (api && el.closest("article.bd-article") && !el.closest(controls)) continue;
    for (const name of attributes) {
      const value = (el.getAttribute(name) || "").trim();
      if (value && /[A-Za-z]/.test(value)) {
        found.push([`${name} of <${el.tagName.toLowerCase()}>`, value]);
      }
    }
  }
  return found;
}"""

ICONS = """() => [...document.querySelectorAll("link[rel~='icon']")].map((l) => l.href)"""

# Only the labelled elements are handed to axe (the rule looks at nothing else): on the long API
# page, a run over the whole document takes many seconds.
NAME_MISMATCH = """async () => {
  const labelled = document.querySelectorAll("[aria-label], [aria-labelledby]");
  if (!labelled.length) return [];
  const result = await axe.run(labelled, {
    runOnly: { type: "rule", values: ["label-content-name-mismatch"] },
  });
  return result.violations.flatMap((v) => v.nodes.map((n) => n.target.join(" ")));
}"""

# The colour-mode button: its name and the title of the icon it shows, in every mode.
THEME_BUTTON = """() => {
  const button = document.querySelector(".theme-switch-button");
  const mode = document.documentElement.dataset.mode;
  const icon = button.querySelector(`.theme-switch[data-mode="${mode}"]`);
  const title = icon.getAttribute("title") || icon.querySelector("title").textContent;
  return { mode, name: button.getAttribute("aria-label"), icon: title.trim() };
}"""


def english_in(found: list[list[str]]) -> list[str]:
    """The entries of ``found`` (``[where, text]``) that are English interface strings."""
    hits = []
    for where, text in found:
        if text in ENGLISH or any(phrase in text for phrase in ENGLISH_PHRASES):
            hits.append(f"{where}: {text[:80]!r}")
    return sorted(set(hits))


def is_redirect(site: Path, path: str) -> bool:
    """Jupyter Book's index.html is only a ``<meta http-equiv="Refresh">`` to the root page."""
    return 'http-equiv="Refresh"' in (site / path).read_text(encoding="utf-8")[:500]


def open_page(context: Any, server: str, path: str) -> tuple[Any, list[str], list[str]]:
    """Open ``path``; return the page, its console errors and its failed or blocked requests."""
    page, visit = browsing.open_page(context, server, path)
    page.wait_for_timeout(300)
    failed = visit.failed + [f"{url} (another host, blocked)" for url in visit.blocked]
    return page, visit.console_errors, failed


def test_english_strings_are_recognised() -> None:
    found = [
        ["aria-label of <button>", "Color mode"],
        ["text in <p>", "Proof. Let t = 1."],
        ["text in <p>", "증명. t = 1이면"],
        ["title of <a>", "이 제목의 링크"],
        ["text in <a>", "Adam"],
    ]
    assert english_in(found) == [
        "aria-label of <button>: 'Color mode'",
        "text in <p>: 'Proof. Let t = 1.'",
    ]


def test_no_orphan_proof_index(site: Path, pages: list[str]) -> None:
    assert "prf-prf.html" not in pages
    assert not (site / "prf-prf.html").exists()
    # Sphinx's own indices stay.
    assert (site / "genindex.html").is_file()
    assert (site / "py-modindex.html").is_file()


def test_favicon_at_the_root(site: Path) -> None:
    icon = site / "favicon.ico"
    assert icon.is_file(), "no favicon.ico at the site root"
    assert icon.read_bytes()[:4] == b"\x00\x00\x01\x00", "favicon.ico is not an ICO file"
    assert (site / "_static" / "favicon.svg").is_file()


def test_every_page_is_korean_and_has_an_icon(
    browser: Any, server: str, site: Path, pages: list[str]
) -> None:
    assert AXE.is_file(), f"axe-core is not vendored at {AXE} (make vendor-axe)"
    problems: list[str] = []
    icons: set[str] = set()
    context = browser.new_context(viewport=VIEWPORT, locale="ko-KR")
    try:
        for path in pages:
            if is_redirect(site, path):
                continue
            page, console, failed = open_page(context, server, path)
            where = f"{path}:"
            problems += [
                f"{where} English {hit}"
                for hit in english_in(page.evaluate(COLLECT, list(ATTRIBUTES)))
            ]
            links = page.evaluate(ICONS)
            if not links:
                problems.append(f"{where} links no icon")
            icons.update(urljoin(server + path, link) for link in links)
            page.add_script_tag(path=str(AXE))
            problems += [
                f"{where} name leaves out visible text: {t}" for t in page.evaluate(NAME_MISMATCH)
            ]
            problems += [f"{where} console error: {m}" for m in console]
            problems += [f"{where} failed request: {m}" for m in failed]
            page.close()
        for url in sorted(icons | {server + "favicon.ico"}):
            response = context.request.get(url)
            if response.status != 200:
                problems.append(f"icon {url}: HTTP {response.status}")
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_colour_mode_button_names_the_mode_it_shows(browser: Any, server: str) -> None:
    context = browser.new_context(viewport=VIEWPORT, locale="ko-KR")
    try:
        page, console, failed = open_page(context, server, "intro.html")
        seen = []
        for _ in range(3):
            state = page.evaluate(THEME_BUTTON)
            seen.append(state["mode"])
            assert state["icon"] not in ENGLISH, state
            assert state["name"] == f"화면 모드: {state['icon']}", state
            page.locator(".bd-header-article .theme-switch-button").click()
        assert sorted(seen) == ["auto", "dark", "light"], seen
        # Its tooltip (Bootstrap's) is drawn with the page's font, which has the Hangul.
        page.locator(".bd-header-article .theme-switch-button").hover()
        tooltip = page.locator(".tooltip")
        tooltip.wait_for()
        assert tooltip.inner_text().strip() == "화면 모드"
        font = tooltip.evaluate("(el) => getComputedStyle(el).fontFamily")
        assert font.replace('"', "").startswith("AdamGothic"), font
        assert not console and not failed, console + failed
    finally:
        context.close()


def test_folding_buttons_are_named_by_their_hint(browser: Any, server: str, site: Path) -> None:
    """sphinx-togglebutton's buttons (the solutions) say "펼치기", then "접기", as they show."""
    path = next(
        p.relative_to(site).as_posix()
        for p in sorted((site / "chapters").glob("*.html"))
        if "dropdown" in p.read_text(encoding="utf-8")
    )
    context = browser.new_context(viewport=VIEWPORT, locale="ko-KR")
    try:
        page, console, failed = open_page(context, server, path)
        button = page.locator("button.toggle-button").first
        state = "(b) => [b.getAttribute('aria-label'), b.dataset.toggleHint, b.ariaExpanded]"
        assert button.evaluate(state) == ["펼치기", "펼치기", "false"]
        button.click()
        assert button.evaluate(state) == ["접기", "접기", "true"]
        assert not console and not failed, console + failed
    finally:
        context.close()
