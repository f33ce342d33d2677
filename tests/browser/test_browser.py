"""The built site in headless Chromium, page by page, as a reader sees it.

Every page is opened from a local HTTP server on 127.0.0.1 with all other hosts blocked, and must
load with no console error, no failed request and no request to another host; formulas must be
typeset by MathJax, images must load, and Hangul must be drawn with the bundled web font. The
kernel-free animations must react to every control, and the Korean search must find a stem's
forms. The per-page checks run on the page loads of the rendered-site matrix (fixture
``rendered``, conftest.py), which also saves a full-page screenshot of every page in every mode
to ``_build/screenshots/{page}-{width}-{scheme}.png``; the other tests add screenshots of what
they exercise (``controls_…``, ``search_…``, ``file_…``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from browsing import SETTLE, open_page
from sitetext import docname, load_search_index, read_page

WEB_FONT = "AdamGothic"
# Its two faces (regular and bold, _static/hangul-webfont.css), each loaded where a page has Hangul.
WEB_FONT_FACES = ["loaded", "loaded"]
VIEWPORT = {"width": 1280, "height": 900}

# What a reader would notice: untypeset or failed math, broken images, the font of Hangul.
INSPECT = """() => {
  const math = [...document.querySelectorAll("article .math")];
  const hangul = /[\\uac00-\\ud7a3]/;
  let probe = null;
  for (const el of document.querySelectorAll("article h1, article p, article li, article td")) {
    if ([...el.childNodes].some((n) => n.nodeType === 3 && hangul.test(n.textContent))) {
      probe = el;
      break;
    }
  }
  if (probe) probe.setAttribute("data-font-probe", "1");
  const faces = [...document.fonts].filter((f) => f.family.replace(/"/g, "") === "__FONT__");
  return {
    math: math.length,
    untypeset: math
      .filter((el) => !el.querySelector("mjx-container"))
      .map((el) => el.textContent.slice(0, 60)),
    mathErrors: document.querySelectorAll("mjx-merror").length,
    rawTex: [...document.querySelectorAll("nav a, article h1, article h2, article h3")]
      .filter((el) => el.textContent.includes("\\\\(") || el.textContent.includes("\\\\["))
      .map((el) => el.textContent.trim().slice(0, 60)),
    brokenImages: [...document.images]
      .filter((img) => !img.complete || img.naturalWidth === 0)
      .map((img) => img.src.slice(0, 100)),
    images: document.images.length,
    probe: probe ? probe.textContent.trim().slice(0, 40) : null,
    fontFaces: faces.map((f) => f.status),
    fontCheck: document.fonts.check("16px __FONT__", "손실"),
    bodyFont: getComputedStyle(document.body).fontFamily,
  };
}""".replace("__FONT__", WEB_FONT)


@pytest.fixture
def context(browser: Any, server: str) -> Any:
    context = browser.new_context(viewport=VIEWPORT, locale="ko-KR")
    yield context
    context.close()


def platform_fonts(page: Any, selector: str) -> list[dict[str, Any]]:
    """The fonts Chromium really drew the text of ``selector`` with (DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()


def screenshot_name(path: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", docname(path)) + ".png"


def test_index_leads_to_the_first_page(context: Any, server: str, site: Path) -> None:
    assert 'http-equiv="Refresh"' in (site / "index.html").read_text(encoding="utf-8")[:500]
    page = context.new_page()
    page.goto(server + "index.html")
    page.wait_for_url("**/intro.html")
    assert page.locator("article h1").count() == 1


def probe_inspect(page: Any, mode: str) -> dict[str, Any]:
    """What ``INSPECT`` finds on an open page, and the fonts that drew its first Hangul text."""
    seen = page.evaluate(INSPECT)
    seen["platformFonts"] = (
        platform_fonts(page, "[data-font-probe]") if seen["probe"] is not None else []
    )
    return seen


MODES = ("1280-light", "1280-dark", "390-light", "390-dark")
PAGE_PROBES = {"inspect": (20, MODES, probe_inspect)}


@pytest.mark.parametrize("mode", MODES)
def test_every_page_renders_offline(rendered: Any, mode: str) -> None:
    problems: list[str] = []
    for result in rendered(mode):
        where = f"{result.where}:"
        problems += [f"{where} {e}" for e in result.errors]
        problems += [f"{where} console error: {m}" for m in result.console_errors]
        problems += [f"{where} failed request: {m}" for m in result.failed]
        problems += [f"{where} request to another host (blocked): {u}" for u in result.blocked]
        seen = result.probes.get("inspect")
        if seen is None:
            continue
        problems += [f"{where} formula not typeset: {t!r}" for t in seen["untypeset"]]
        problems += [f"{where} raw TeX in navigation or heading: {t!r}" for t in seen["rawTex"]]
        if seen["mathErrors"]:
            problems.append(f"{where} {seen['mathErrors']} MathJax errors")
        problems += [f"{where} image did not load: {src}" for src in seen["brokenImages"]]
        if seen["probe"] is not None:
            if seen["fontFaces"] != WEB_FONT_FACES:
                problems.append(f"{where} web font {WEB_FONT}: {seen['fontFaces']}")
            fonts = seen["platformFonts"]
            used = {f["familyName"] for f in fonts if f.get("glyphCount", 0)}
            if WEB_FONT not in used:
                problems.append(f"{where} Hangul {seen['probe']!r} drawn with {sorted(used)}")
            others = [f["familyName"] for f in fonts if "nanum" in f["familyName"].lower()]
            if others:
                problems.append(f"{where} system Hangul font used as well: {others}")
    assert not problems, "\n".join(problems)


def test_hangul_is_drawn_with_the_bundled_font(context: Any, server: str) -> None:
    page, _ = open_page(context, server, "chapters/glossary.html")
    seen = page.evaluate(INSPECT)
    assert seen["fontCheck"] is True
    assert seen["fontFaces"] == WEB_FONT_FACES
    assert seen["bodyFont"].replace('"', "").startswith(WEB_FONT)
    fonts = platform_fonts(page, "article h1")
    custom = [f for f in fonts if f["familyName"] == WEB_FONT]
    assert custom and custom[0]["isCustomFont"] and custom[0]["glyphCount"] > 0, fonts
    # Bold Hangul (a part caption of the sidebar) is drawn with the bold face, not thickened.
    bold = platform_fonts(page, "nav.bd-docs-nav p.caption span")
    assert [f["postScriptName"] for f in bold if f["familyName"] == WEB_FONT] == [
        "AdamGothic-Bold"
    ], bold


def test_math_is_typeset(context: Any, server: str) -> None:
    page, visit = open_page(context, server, "chapters/glossary.html")
    assert page.locator("article mjx-container").count() >= 10
    assert page.locator("mjx-merror").count() == 0
    assert not visit.blocked and not visit.console_errors


def test_the_site_works_from_disk(browser: Any, site: Path, screenshots: Path) -> None:
    """Opened as a file (file://), with no server and no network, a page still shows everything."""
    context = browser.new_context(viewport=VIEWPORT, locale="ko-KR")
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("requestfailed", lambda r: errors.append(f"{r.url} ({r.failure})"))
        page.goto((site / "chapters" / "glossary.html").resolve().as_uri(), wait_until="load")
        page.evaluate(SETTLE)
        seen = page.evaluate(INSPECT)
        page.screenshot(path=screenshots / "file_chapters_glossary.png")
        assert not errors, errors
        assert seen["math"] and not seen["untypeset"] and not seen["mathErrors"]
        assert seen["fontFaces"] == WEB_FONT_FACES and not seen["brokenImages"]
        # Search works from disk too (without the summaries, which a browser may not fetch there).
        page.goto((site / "search.html").resolve().as_uri() + "?q=" + quote("손실"))
        page.wait_for_function(
            "() => { const s = document.querySelector('#search-results .search-summary');"
            " return s && s.textContent.trim().length > 0; }",
            timeout=30_000,
        )
        assert page.locator("#search-results ul.search li").count() >= 1
        assert not errors, errors
    finally:
        context.close()


def _animations(site: Path, pages: list[str]) -> list[str]:
    return [p for p in pages if 'class="animation"' in (site / p).read_text(encoding="utf-8")]


# The buttons of a ``to_jshtml`` player: matplotlib's English titles, or the book's Korean ones.
PLAYER_TITLES = {
    "Play": "재생",
    "Pause": "일시 정지",
    "Play backwards": "거꾸로 재생",
    "First frame": "첫 프레임",
    "Previous frame": "이전 프레임",
    "Next frame": "다음 프레임",
    "Last frame": "마지막 프레임",
    "Increase speed": "빠르게",
    "Decrease speed": "느리게",
}


def _exercise_player(page: Any, player: Any, path: str) -> None:
    """Use every control of one ``to_jshtml`` player and check that it does what it says."""
    player.scroll_into_view_if_needed()
    img = player.locator("img")
    img_id = img.get_attribute("id")
    anim = "anim" + img_id.removeprefix("_anim_img")
    page.wait_for_function(f"() => window[{anim!r}] !== undefined")
    frames = page.evaluate(f"() => window[{anim!r}].frames.length")
    assert frames >= 2, f"{path}: animation {anim} has {frames} frame(s)"

    def src() -> str:
        return img.get_attribute("src") or ""

    def button(title: str) -> Any:
        titles = (title, PLAYER_TITLES[title])
        return player.locator(", ".join(f"button[title='{t}']" for t in titles))

    def interval() -> float:
        return page.evaluate(f"() => window[{anim!r}].interval")

    button("Pause").click()
    button("First frame").click()
    first = src()
    button("Next frame").click()
    assert src() != first, f"{path}: 'Next frame' did not change the frame"
    button("Previous frame").click()
    assert src() == first, f"{path}: 'Previous frame' did not go back"
    button("Last frame").click()
    last = src()
    assert last != first, f"{path}: 'Last frame' did not change the frame"
    button("First frame").click()
    assert src() == first, f"{path}: 'First frame' did not go back"
    slider = player.locator("input[type=range]")
    slider.fill(str(frames - 1))
    assert src() == last, f"{path}: the slider did not move to the last frame"
    slider.fill("0")
    assert src() == first, f"{path}: the slider did not move to the first frame"
    normal = interval()
    button("Increase speed").click()
    faster = interval()
    button("Decrease speed").click()
    button("Decrease speed").click()
    slower = interval()
    assert faster < normal < slower, f"{path}: speed buttons: {faster, normal, slower}"
    labels = player.locator("form.anim-state label")
    for k, mode in enumerate(("once", "loop", "reflect")):
        labels.nth(k).click()
        assert page.evaluate(f"() => window[{anim!r}].get_loop_state()") == mode
    labels.first.click()
    button("Play").click()
    page.wait_for_function(
        f"() => document.getElementById({img_id!r}).src !== {first!r}", timeout=10_000
    )
    button("Pause").click()
    button("Last frame").click()
    button("Play backwards").click()
    page.wait_for_function(
        f"() => document.getElementById({img_id!r}).src !== {last!r}", timeout=10_000
    )
    button("Pause").click()


def test_every_animation_control_changes_what_is_shown(
    context: Any, server: str, site: Path, pages: list[str], screenshots: Path
) -> None:
    """The kernel-free players (``to_jshtml``): every button, the slider and the modes work."""
    with_animation = _animations(site, pages)
    if not with_animation:
        pytest.skip("no page has a kernel-free animation (to_jshtml) yet")
    for path in with_animation:
        page, visit = open_page(context, server, path)
        players = page.locator("div.animation")
        assert players.count() >= 1
        for k in range(players.count()):
            _exercise_player(page, players.nth(k), path)
        page.screenshot(path=screenshots / ("controls_" + screenshot_name(path)))
        assert not visit.console_errors and not visit.failed and not visit.blocked
        page.close()


def _search(context: Any, server: str, query: str) -> tuple[list[str], Any]:
    page, visit = open_page(context, server, "search.html?q=" + quote(query))
    page.wait_for_function(
        "() => { const s = document.querySelector('#search-results .search-summary');"
        " return s && s.textContent.trim().length > 0; }",
        timeout=30_000,
    )
    # Result titles are typeset by _static/search-page.js once they are all there.
    page.wait_for_function(
        "() => [...document.querySelectorAll('#search-results ul.search li > a')]"
        ".every(a => !a.textContent.includes('\\\\('))",
        timeout=10_000,
    )
    hrefs = page.eval_on_selector_all(
        "#search-results ul.search li > a", "els => els.map(e => e.getAttribute('href'))"
    )
    assert not visit.console_errors and not visit.failed and not visit.blocked
    docs = sorted({h.split("#")[0].removesuffix(".html") for h in hrefs})
    return docs, page


PARTICLES = "은|는|이|가|을|를|의|에|으로|로|와|과|도|에서"


@pytest.mark.parametrize(
    ("query", "pattern"),
    [
        ("손실", f"손실({PARTICLES})"),  # the stem finds every form with a particle
        ("학습률", f"학습률({PARTICLES})"),
        ("모멘텀", f"모멘텀({PARTICLES})"),
        ("학습률이", "학습률이"),  # a form as typed finds the pages with that form
        ("adam", "[Aa]dam(?![A-Za-z])"),
    ],
)
def test_korean_search_finds_the_forms_of_a_word(
    context: Any,
    server: str,
    site: Path,
    pages: list[str],
    screenshots: Path,
    query: str,
    pattern: str,
) -> None:
    word = re.compile(rf"(?<![\uac00-\ud7a3A-Za-z])({pattern})(?![\uac00-\ud7a3])")
    indexed = set(load_search_index(site)["docnames"])
    expected = {
        docname(p) for p in pages if docname(p) in indexed and word.search(read_page(site / p).text)
    }
    assert expected, f"no page matches {pattern!r}: pick another example"
    docs, page = _search(context, server, query)
    page.screenshot(path=screenshots / f"search_{query}.png")
    missing = expected - set(docs)
    assert not missing, f"searching {query!r} misses pages with {pattern!r}: {sorted(missing)}"
