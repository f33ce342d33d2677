"""The search page (search.html) in headless Chromium, as a reader uses it.

A reader's word finds the book's pages (the glossary's synonyms, ``_ext/korean_search.py``), each
page is listed once, the summaries under the results are prose without TeX, contents lists or
code (``_static/search-page.js``), and the page has one search box. Served from 127.0.0.1 with
every other host blocked, and opened from disk (file://), where summaries are off by design.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

# What must never be shown in a summary: TeX delimiters and commands.
TEX_MARKERS = ("\\(", "\\)", "\\[", "\\]", "\\begin", "\\end", "\\text", "\\frac", "$$")
# The last entries of every chapter's contents list, next to each other only in that list.
CONTENTS = re.compile(r"요약\s*연습 문제")
# Code cells: a NumPy call, an import statement, the toggle of a hidden cell.
CODE = re.compile(
    r"\bnp\.\w+\(|\bimport numpy\b|\bfrom adamlib import\b"
    r"|코드 (보기|숨기기)|code cell (source|output)"
)

RESULTS = """() => [...document.querySelectorAll('#search-results ul.search > li')].map((li) => {
  const link = li.querySelector(':scope > a');
  const summary = li.querySelector('p.context');
  return {
    href: link.getAttribute('href'),
    title: link.textContent,
    object: !!li.querySelector(':scope > span'),
    summary: summary ? summary.textContent : null,
    marked: summary
      ? [...summary.querySelectorAll('.highlighted')].map((s) => s.textContent) : [],
  };
})"""

# The search has finished and every page result has its summary (objects have none; from disk
# no result has one).
DONE = """() => {
  const status = document.querySelector('#search-results .search-summary');
  if (!status || !status.textContent.trim()) return false;
  if (!DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY) return true;
  return [...document.querySelectorAll('#search-results ul.search > li')].every(
    (li) => li.querySelector(':scope > span') || li.querySelector('p.context'));
}"""

# Search boxes a reader can see: inputs and the buttons that open the search dialog.
VISIBLE_BOXES = """() => [...document.querySelectorAll(
    'input[type=search], input[name=q], .search-button__button, .search-button-field')]
  .filter((el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'
      && !el.closest('dialog:not([open])');
  })
  .map((el) => ({cls: el.className, inPage: !!el.closest('.bd-search-container')}))"""


@dataclass
class Result:
    href: str
    title: str
    object: bool
    summary: str | None
    marked: list[str] = field(default_factory=list)

    @property
    def doc(self) -> str:
        return self.href.split("#")[0].removesuffix(".html")


@dataclass
class Search:
    """One search as a reader sees it, and what went wrong in the browser meanwhile."""

    results: list[Result]
    errors: list[str]
    page: Any

    @property
    def docs(self) -> set[str]:
        return {r.doc for r in self.results}

    def summary(self, doc: str) -> str:
        found = [r.summary for r in self.results if r.doc == doc and r.summary]
        assert found, f"no summary for {doc}"
        return found[0]


@pytest.fixture
def context(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    yield context
    context.close()


def _watch(page: Any, base: str) -> list[str]:
    """Record console errors, failed requests and (blocked) requests to other hosts."""
    errors: list[str] = []

    def route(route: Any) -> None:
        url = route.request.url
        if url.startswith(base) or urlsplit(url).scheme in ("data", "blob", "about", "file"):
            route.continue_()
        else:
            errors.append(f"request to another host (blocked): {url}")
            route.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    page.on("requestfailed", lambda r: errors.append(f"{r.url} ({r.failure})"))
    page.on(
        "response",
        lambda r: errors.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None,
    )
    return errors


def search(context: Any, base: str, query: str) -> Search:
    page = context.new_page()
    errors = _watch(page, base)
    page.goto(base + "search.html?q=" + quote(query), wait_until="load")
    page.wait_for_function(DONE, timeout=30_000)
    # The result titles (chapter titles have formulas) are typeset by _static/search-page.js.
    page.wait_for_function(
        "() => [...document.querySelectorAll('#search-results ul.search li > a')]"
        ".every(a => !a.textContent.includes('\\\\('))",
        timeout=10_000,
    )
    results = [Result(**r) for r in page.evaluate(RESULTS)]
    return Search(results, errors, page)


def test_a_readers_word_finds_the_pages_of_the_books_term(context: Any, server: str) -> None:
    """기울기 is not the book's word (그래디언트 is): it must still find those pages."""
    found = search(context, server, "기울기")
    expected = {"chapters/glossary"} | {
        f"chapters/0{n}_{name}"
        for n, name in [
            (2, "second_moment"),
            (3, "bias_correction"),
            (4, "update_rule"),
            (5, "cooperation"),
        ]
    }
    assert expected <= found.docs, sorted(expected - found.docs)
    # The summary quotes the book's word, highlighted, where the reader's word is not on the page.
    summary = found.summary("chapters/02_second_moment")
    assert "그래디언트" in summary
    marked = next(r.marked for r in found.results if r.doc == "chapters/02_second_moment")
    assert "그래디언트" in marked
    assert not found.errors, found.errors


@pytest.mark.parametrize("query", ["엡실론", "epsilon"])
def test_epsilon_finds_the_chapter_about_it(context: Any, server: str, query: str) -> None:
    found = search(context, server, query)
    assert "chapters/04_update_rule" in found.docs, sorted(found.docs)
    assert "ε" in found.summary("chapters/04_update_rule")
    assert not found.errors, found.errors


def test_the_english_loanword_finds_the_pages_of_learning_rate(context: Any, server: str) -> None:
    book = search(context, server, "학습률")
    loanword = search(context, server, "러닝 레이트")
    assert len(book.docs) >= 5
    assert book.docs <= loanword.docs, sorted(book.docs - loanword.docs)
    assert not book.errors and not loanword.errors, book.errors + loanword.errors


@pytest.mark.parametrize("query", ["학습률", "엡실론", "편향 보정", "그래디언트", "기울기"])
def test_summaries_are_prose(context: Any, server: str, screenshots: Path, query: str) -> None:
    """No TeX, no contents list, no code: what a reader would quote from the page."""
    found = search(context, server, query)
    found.page.screenshot(path=screenshots / f"search_page_{query.replace(' ', '_')}.png")
    summaries = [r for r in found.results if not r.object]
    assert len(summaries) >= 3
    problems = []
    for r in summaries:
        text = r.summary or ""
        if len(text) < 40:
            problems.append(f"{r.href}: summary too short: {text!r}")
        problems += [f"{r.href}: {m!r} in {text!r}" for m in TEX_MARKERS if m in text]
        if CONTENTS.search(text):
            problems.append(f"{r.href}: quotes the contents list: {text!r}")
        if CODE.search(text):
            problems.append(f"{r.href}: quotes code: {text!r}")
    assert not problems, "\n".join(problems)
    assert not found.errors, found.errors


@pytest.mark.parametrize("query", ["학습률", "그래디언트", "편향 보정"])
def test_every_page_is_listed_once(context: Any, server: str, query: str) -> None:
    """The glossary is found as a term (an index entry) and as a page: it is listed once."""
    found = search(context, server, query)
    pages = [r.doc for r in found.results if not r.object]
    assert "chapters/glossary" in pages
    assert len(pages) == len(set(pages)), sorted(p for p in pages if pages.count(p) > 1)
    # The glossary's entry shows the term's definition, not just the term.
    glossary = next(r for r in found.results if r.doc == "chapters/glossary")
    assert glossary.summary and len(glossary.summary) > 30, glossary.summary
    assert not found.errors, found.errors


@pytest.mark.parametrize("width", [1280, 390])
def test_the_search_page_has_one_search_box(
    browser: Any, server: str, screenshots: Path, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="ko-KR")
    try:
        found = search(context, server, "엡실론")
        boxes = found.page.evaluate(VISIBLE_BOXES)
        found.page.screenshot(path=screenshots / f"search_page_one_box_{width}.png")
        assert len(boxes) == 1 and boxes[0]["inPage"], boxes
        # Ctrl+K, the theme's shortcut for the search dialog, lands in the page's box.
        found.page.evaluate("() => document.activeElement.blur()")
        found.page.keyboard.press("Control+k")
        assert found.page.evaluate("() => !!document.activeElement.closest('.bd-search-container')")
        assert not found.errors, found.errors
    finally:
        context.close()


def test_the_search_box_stays_on_the_other_pages(context: Any, server: str) -> None:
    page = context.new_page()
    errors = _watch(page, server)
    page.goto(server + "chapters/glossary.html", wait_until="load")
    assert len(page.evaluate(VISIBLE_BOXES)) >= 1
    assert not errors, errors


def test_search_works_from_disk(browser: Any, site: Path) -> None:
    """From disk (file://) the results are the same; only the summaries are off."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    try:
        page = context.new_page()
        errors = _watch(page, site.resolve().as_uri())
        page.goto((site / "search.html").resolve().as_uri() + "?q=" + quote("엡실론"))
        page.wait_for_function(DONE, timeout=30_000)
        docs = {Result(**r).doc for r in page.evaluate(RESULTS)}
        assert "chapters/04_update_rule" in docs, sorted(docs)
        assert len(page.evaluate(VISIBLE_BOXES)) == 1
        assert not errors, errors
    finally:
        context.close()
