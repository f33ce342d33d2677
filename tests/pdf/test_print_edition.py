"""The PDF edition's own machinery on small made-up pages: how pages are joined
(``print_edition.assemble``) and what the layout check shrinks and refuses
(``print_edition/layout_check.js``, in Chromium)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "_ext"))
import print_edition  # noqa: E402
from chromium import CHROMIUM_ARGS, chromium_path, flag  # noqa: E402

PAGE = """<!DOCTYPE html><html><head><title>t</title>
<link rel="stylesheet" href="{up}_static/book.css?v=1"></head><body>
<article class="bd-article"><section id="top">
<h1>{title}<a class="headerlink" href="#top">#</a></h1>
<div class="tip take-home dropdown admonition"><p>box</p></div>
<p><a href="{other}#sec">there</a> <a href="#top">here</a> <a href="{up}downloads/x.zip">zip</a>
<a href="https://example.org/">web</a> <img src="{up}_images/f.png"></p>
<div class="cell tag_hide-input"><details class="hide above-input"><summary>코드 보기</summary>
<div class="cell_input"><pre>secret = 1</pre></div></details>
<div class="cell_output"><div class="output">
<img id="_anim_img1" src="data:image/png;base64,AA"></div></div></div>
<div class="cell tag_hide-input"><details class="hide above-input"><summary>코드 보기</summary>
<div class="cell_input"><pre>import numpy</pre></div></details></div>
<div class="web-only"><p>press play</p></div>
<section id="sec"><h2>Section</h2><p>text</p></section>
</section></article></body></html>"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nparts:\n  - caption: 부\n    chapters:\n"
        "      - file: chapters/one\n",
        encoding="utf-8",
    )
    (tmp_path / "chapters").mkdir()
    (tmp_path / "intro.html").write_text(
        PAGE.format(up="", other="chapters/one.html", title="Book"), encoding="utf-8"
    )
    (tmp_path / "chapters" / "one.html").write_text(
        PAGE.format(up="../", other="../intro.html", title="1장. 하나"), encoding="utf-8"
    )
    return tmp_path


def test_assemble_joins_the_pages_with_links_inside_the_document(site: Path) -> None:
    from bs4 import BeautifulSoup

    out = site / "_pdf"
    document, entries = print_edition.assemble(site, out, site / "_toc.yml")
    soup = BeautifulSoup(document, "html.parser")
    assert [(e.level, e.doc, e.target) for e in entries] == [
        (1, "intro", "intro--top"),
        (2, "intro", "intro--sec"),
        (1, "chapters/one", "chapters-one--top"),
        (2, "chapters/one", "chapters-one--sec"),
    ]
    assert entries[0].title_text == print_edition.INTRO_TITLE
    assert [e.part for e in entries] == ["", "", "부", "부"]
    chapter = soup.find(id="chapters-one")
    hrefs = [a.get("href") for a in chapter.find_all("a")]
    # A link to another page lands on its id here; a file of the site loses its link; the web stays.
    assert hrefs == ["#intro--sec", "#chapters-one--top", None, "https://example.org/"]
    ids = {el["id"] for el in soup.find_all(id=True)}
    assert {"intro--sec", "chapters-one--top", "chapters-one--sec"} <= ids
    assert "_anim_img1" in ids, "ids inside outputs stay: their scripts look them up"
    assert chapter.find("img", src="../chapters/../_images/f.png") is None
    assert chapter.find("img", src="../_images/f.png") is not None
    text = chapter.get_text(" ")
    for gone in ("secret", "import numpy", "box", "press play", "코드 보기", "#"):
        assert gone not in text, gone
    assert len(chapter.select("div.cell")) == 1, "a folded cell without output is dropped"
    assert soup.find("link", href="../_static/book.css") is not None
    assert [li.get_text(" ", strip=True) for li in soup.select(".pe-toc li")] == [
        print_edition.INTRO_TITLE,
        "Section",
        "부",
        "1장. 하나",
        "Section",
    ]


def test_assemble_names_a_missing_page(site: Path) -> None:
    (site / "chapters" / "one.html").unlink()
    with pytest.raises(FileNotFoundError, match="chapters/one"):
        print_edition.assemble(site, site / "_pdf", site / "_toc.yml")


@pytest.fixture(scope="module")
def page() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        if flag("REQUIRE_BROWSER"):
            pytest.fail("REQUIRE_BROWSER=1 but no Chromium (apt-get install chromium)")
        pytest.skip("no Chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": print_edition.TEXT_WIDTH_PX, "height": 800})
        page.emulate_media(media="print")
        yield page
        browser.close()


def _check(page: Any, body: str) -> dict[str, list[str]]:
    page.set_content(f'<html><body style="margin:0"><div class="pe-doc" id="d">{body}</div></body>')
    return print_edition.lay_out(page)


WIDTH = print_edition.TEXT_WIDTH_PX


def test_layout_check_accepts_what_fits(page: Any) -> None:
    assert _check(page, "<p>짧은 문단</p><table><tr><td>1</td></tr></table>") == {
        "shrunk": [],
        "problems": [],
    }


def test_layout_check_shrinks_a_slightly_wide_formula_and_table(page: Any) -> None:
    formula = (
        '<mjx-container display="true" style="display:block"><mjx-math '
        f'style="display:inline-block;width:{WIDTH * 1.25}px">x</mjx-math></mjx-container>'
    )
    table = f'<table><tr><td><div style="width:{WIDTH * 1.2}px">1</div></td></tr></table>'
    result = _check(page, formula + table)
    assert result["problems"] == []
    assert [s.split(">")[0] for s in result["shrunk"]] == ["d: <mjx-container", "d: <table"]
    zooms = page.evaluate(
        "() => [...document.querySelectorAll('mjx-container, table')].map(e => +e.style.zoom)"
    )
    assert zooms[0] == 0.8  # 1 / 1.25
    assert 0.8 <= zooms[1] <= 1 / 1.2  # the cell's padding and spacing make it a little wider


def test_layout_check_refuses_what_cannot_fit_and_controls(page: Any) -> None:
    body = (
        f'<table><tr><td><div style="width:{WIDTH * 3}px">far too wide</div></td></tr></table>'
        f'<div style="overflow-x:auto"><div style="width:{WIDTH * 2}px">scrolls</div></div>'
        '<input type="range" aria-label="β1"><button>재생</button>'
    )
    problems = _check(page, body)["problems"]
    assert [p.split(":")[0] for p in problems] == [
        "too wide",
        "clipped",
        "visible control",
        "visible control",
    ], problems


def test_layout_check_wraps_code_too_wide_even_when_shrunk(page: Any) -> None:
    result = _check(page, f"<pre>{'x' * 400} {'y = 1; ' * 60}</pre>")
    assert result["problems"] == []
    assert result["shrunk"] == ["d: <pre> " + "x" * 60 + " (60%)"]
    style = page.evaluate("() => document.querySelector('pre').style.whiteSpace")
    assert style == "pre-wrap"
