"""Reading a chapter in Chromium: figures open full size, have Korean alt text, follow dark mode;
a formula or table wider than a phone scrolls in its own box, by finger and by keyboard.

What is measured here is what ``_static/book.js`` and ``_static/book.css`` promise; the
page-by-page layout matrix (widths, clipping, word breaking) is in ``test_layout.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from browsing import SETTLE, Visit, watch

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
HANGUL = re.compile("[\uac00-\ud7a3]")
CHAPTERS = [f"chapters/{name}.html" for name in (
    "00_overview", "01_first_moment", "02_second_moment", "03_bias_correction",
    "04_update_rule", "05_cooperation", "06_advantages", "07_limits",
)]  # fmt: skip


@pytest.fixture
def phone(browser: Any, server: str) -> Iterator[Any]:
    context = browser.new_context(locale="ko-KR", **PHONE)
    page = context.new_page()
    watch(page, server, Visit())
    yield page
    context.close()


def _open(page: Any, server: str, path: str) -> None:
    page.goto(server + path, wait_until="load")
    page.evaluate(SETTLE)
    page.wait_for_timeout(200)


def test_every_figure_has_korean_alt_text(browser: Any, server: str) -> None:
    context = browser.new_context(locale="ko-KR", **DESKTOP)
    page = context.new_page()
    watch(page, server, Visit())
    missing = []
    try:
        for path in CHAPTERS:
            _open(page, server, path)
            for alt, src in page.evaluate(
                """() => [...document.querySelectorAll("article img")]
                    .map((img) => [img.getAttribute("alt") || "", img.getAttribute("src") || ""])"""
            ):
                if not HANGUL.search(alt) or alt.endswith(".png") or len(alt) < 15:
                    missing.append(f"{path}: {src[-40:]!r} alt={alt[:40]!r}")
    finally:
        context.close()
    assert not missing, f"{len(missing)} figures without Korean alt text:\n" + "\n".join(missing)


def test_a_figure_opens_at_full_size_and_closes(phone: Any, server: str) -> None:
    _open(phone, server, "chapters/04_update_rule.html")
    figures = phone.locator("article div.cell_output a.book-zoom img")
    assert figures.count() >= 3, "figures are not wrapped in zoom links"
    shown = figures.first.bounding_box()
    natural = figures.first.evaluate("(img) => img.naturalWidth")
    assert shown["width"] < natural, "the test needs a figure shrunk to fit the phone"
    figures.first.scroll_into_view_if_needed()
    figures.first.click()
    big = phone.locator("dialog.book-lightbox[open] img")
    big.wait_for(state="visible")
    assert big.evaluate("(img) => img.getBoundingClientRect().width") == pytest.approx(
        natural, abs=1
    )
    assert phone.locator("dialog.book-lightbox button").inner_text() == "닫기"
    phone.keyboard.press("Escape")
    phone.locator("dialog.book-lightbox").wait_for(state="detached")
    # Without JavaScript the link still leads to the image itself.
    href = phone.locator("article a.book-zoom").first.get_attribute("href")
    assert href and href.endswith(".png")


def test_figures_follow_dark_mode(browser: Any, server: str) -> None:
    context = browser.new_context(color_scheme="dark", **DESKTOP)
    page = context.new_page()
    watch(page, server, Visit())
    try:
        _open(page, server, "chapters/01_first_moment.html")
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        filters = page.evaluate(
            """() => [...document.querySelectorAll("article div.cell_output img")]
                .map((img) => getComputedStyle(img).filter)"""
        )
        assert filters and all("invert" in f for f in filters), filters
        # The book's HTML outputs (tables) sit on the dark page, not on a light card.
        ground = page.evaluate(
            """() => getComputedStyle(document.querySelector(
                 "div.cell_output .text_html")).backgroundColor"""
        )
        assert ground in ("rgba(0, 0, 0, 0)", "transparent"), ground
    finally:
        context.close()


def test_a_wide_formula_scrolls_in_its_own_box_by_keyboard(phone: Any, server: str) -> None:
    _open(phone, server, "chapters/04_update_rule.html")
    boxes = phone.locator(".book-scrolls")
    assert boxes.count() >= 1, "no overflowing box was marked scrollable on a phone"
    info = phone.evaluate(
        """() => [...document.querySelectorAll(".book-scrolls")].map((el) => ({
            tab: el.tabIndex,
            label: el.getAttribute("aria-label") || el.getAttribute("role"),
            over: el.scrollWidth - el.clientWidth,
        }))"""
    )
    assert info and all(i["tab"] == 0 and i["label"] and i["over"] > 0 for i in info), info
    box = phone.locator("mjx-container.book-scrolls:visible, span.math.book-scrolls:visible").first
    box.scroll_into_view_if_needed()
    box.focus()
    assert box.evaluate("(el) => el === document.activeElement")
    phone.keyboard.press("ArrowRight")
    phone.keyboard.press("ArrowRight")
    # Keyboard scrolling is animated: wait for it to move (fails after 5 s if it never does).
    box.evaluate(
        """(el) => new Promise((done, fail) => {
            const t0 = performance.now();
            const poll = () => el.scrollLeft > 0 ? done() :
                performance.now() - t0 > 5000 ? fail(new Error("did not scroll")) :
                requestAnimationFrame(poll);
            poll();
        })"""
    )
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_table_that_grows_late_becomes_reachable_by_keyboard(browser: Any, server: str) -> None:
    """A box that starts to overflow with no resize of the window (a web font that arrives
    after the first check, as in a CI run where axe found chapter 0's step table unreachable)
    is marked scrollable, and unmarked when it fits again."""
    context = browser.new_context(locale="ko-KR", **DESKTOP)
    page = context.new_page()
    watch(page, server, Visit())
    try:
        _open(page, server, "chapters/01_first_moment.html")
        table = page.locator(".adamlib-table-scroll").first
        state = """(el) => [el.tabIndex, el.classList.contains("book-scrolls"),
                             el.scrollWidth > el.clientWidth + 1]"""
        assert table.evaluate(state) == [-1, False, False], "the test needs a table that fits"
        table.evaluate("(el) => { el.firstElementChild.style.fontSize = '2.5rem'; }")
        page.wait_for_function(
            "(el) => el.tabIndex === 0 && el.classList.contains('book-scrolls')",
            arg=table.element_handle(),
            timeout=2000,
        )
        assert table.evaluate(state) == [0, True, True]
        table.evaluate("(el) => { el.firstElementChild.style.fontSize = ''; }")
        page.wait_for_function(
            "(el) => el.tabIndex === -1", arg=table.element_handle(), timeout=2000
        )
    finally:
        context.close()


def test_the_contents_button_opens_the_navigation_on_a_phone(phone: Any, server: str) -> None:
    """On a phone the visible "책 목차" button opens the navigation (book.js), which ends with
    the link to the PDF edition."""
    _open(phone, server, "chapters/03_bias_correction.html")
    phone.locator("button.primary-toggle >> visible=true").first.click()
    drawer = phone.locator("dialog#pst-primary-sidebar-modal[open]")
    drawer.wait_for(state="visible")
    assert drawer.locator("a.reference", has_text="4장").first.is_visible()
    link = drawer.locator(".print-edition-link a")
    link.scroll_into_view_if_needed()
    assert link.is_visible() and "PDF" in link.inner_text()
    assert link.get_attribute("href") == "../downloads/adam-momentum.pdf"
    phone.keyboard.press("Escape")
    phone.locator("dialog#pst-primary-sidebar-modal").wait_for(state="hidden")


def test_the_sidebar_and_the_download_menu_link_the_pdf_edition(browser: Any, server: str) -> None:
    context = browser.new_context(locale="ko-KR", **DESKTOP)
    page = context.new_page()
    watch(page, server, Visit())
    try:
        _open(page, server, "intro.html")
        link = page.locator(".bd-sidebar-primary .print-edition-link a")
        link.scroll_into_view_if_needed()
        assert link.is_visible()
        assert link.get_attribute("href") == "downloads/adam-momentum.pdf"
        assert link.get_attribute("download") is not None
        # The header's download menu offers it too, beside the theme's print of one page.
        page.locator("button.dropdown-toggle[aria-label='이 페이지 다운로드']").first.click()
        item = page.locator(".btn-download-book-pdf-button")
        item.wait_for(state="visible")
        assert item.inner_text().strip() == "책 전체 PDF"
        assert item.get_attribute("href") == "downloads/adam-momentum.pdf"
    finally:
        context.close()
