"""The PDF edition: the built site printed as one A4 book by Debian's Chromium.

Jupyter Book's own PDF routes need either a TeX installation with Korean support or a browser
downloaded at build time; neither works offline here. The site, though, is already typeset
well by Chromium (the browser tests drive it), so the PDF is printed from the site itself:

1. :func:`assemble` reads the built pages in the order of ``_toc.yml`` and joins their articles
   into one HTML document beside the site (``_build/pdf/adam-momentum.html``): a title page, a
   table of contents, then every page as a chapter. Ids and links are rewritten so that
   cross-references, the glossary and citations become links inside the document. What only
   makes sense on screen is left out: the folded code of ``hide-input`` cells, the take-home
   box, heading anchors, anything marked ``web-only``; the site's styles and its vendored
   MathJax are reused, with ``print_edition/print.css`` on top.
2. :func:`print_book` opens it in headless Chromium laid out at the width of an A4 text block,
   waits for MathJax, the fonts and the images, shrinks a formula, table or code block wider
   than the text block until it fits, and fails on anything that still does not fit
   (:data:`LAYOUT_CHECK`) or on a visible control (slider, button, widget).
3. It prints, reads the page of every table-of-contents target back from the PDF's named
   destinations (poppler's ``pdfinfo -dests``), writes the page numbers into the table of
   contents and prints again. :func:`finish` adds bookmarks that follow the contents, sets the
   metadata and compresses the file (pikepdf).

Run ``make pdf`` (after ``make book``): it writes ``_build/pdf/adam-momentum.pdf``, a manifest
``adam-momentum.json`` (pages, contents with page numbers, what was shrunk) that
``tests/pdf/`` checks, and copies the PDF to the site's ``downloads/`` (``take_home.DOWNLOADS``),
which the sidebar and the download menu of every page link (this module is also the Sphinx
extension that adds both).
"""

from __future__ import annotations

import argparse
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chromium import CHROMIUM_ARGS, SETTLE, chromium_path
from take_home import DOWNLOADS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

#: File names of the edition, in ``_build/pdf/``; the PDF is also copied to the site.
PDF_NAME = "adam-momentum.pdf"
HTML_NAME = "adam-momentum.html"
MANIFEST_NAME = "adam-momentum.json"
STYLESHEET = HERE / "print_edition" / "print.css"
TEMPLATES_DIR = HERE / "print_edition" / "templates"

#: A4, with these margins; the footer with the page number sits in the bottom margin.
MARGINS = {"top": "16mm", "bottom": "18mm", "left": "17mm", "right": "17mm"}
#: Width of the text block in CSS pixels (96 per inch): 210 mm less both side margins.
TEXT_WIDTH_PX = round((210 - 17 - 17) / 25.4 * 96)
#: Smallest scale a wide formula, table or code block may be shrunk to before it is an error.
MIN_SCALE = 0.6
#: The page count the README states; ``tests/pdf`` fails outside it, so a big change is noticed.
PAGE_RANGE = (150, 400)

#: The book's title page: what the site's configuration says, nothing that changes per build.
SUBTITLE = "모멘텀과 적응적 학습률을 숫자와 그림으로 확인하며 읽는 Adam"
INTRO_TITLE = "들어가며"
#: Printed under an animation (``to_jshtml``), whose first frame is all that paper can show.
ANIMATION_NOTE = (
    '<p class="pe-print-note">인쇄판에는 이 애니메이션의 첫 프레임만 싣습니다. 나머지 프레임은 '
    "웹 사이트나 노트북에서 볼 수 있습니다.</p>"
)

FOOTER = (
    '<div style="width:100%;text-align:center;font-size:8pt;color:#555;'
    "font-family:'DejaVu Sans','Liberation Sans',sans-serif\">"
    '<span class="pageNumber"></span></div>'
)


@dataclass
class Entry:
    """One line of the table of contents: a chapter (level 1) or one of its sections (level 2)."""

    level: int
    doc: str  # the page (docname) it comes from
    target: str  # id in the assembled document
    title_html: str
    title_text: str
    part: str = ""
    page: int = 0


# --- the table of contents and the pages -------------------------------------------------------


def reading_order(toc_file: Path) -> list[tuple[str, str]]:
    """``(part caption, docname)`` for every page of ``_toc.yml``, root first."""
    import yaml

    toc = yaml.safe_load(toc_file.read_text(encoding="utf-8"))
    order = [("", str(toc["root"]))]
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            order.append((str(part.get("caption", "")), str(chapter["file"])))
    return order


def book_info(config_file: Path = ROOT / "_config.yml") -> dict[str, str]:
    """Title, author and copyright line of the book, from ``_config.yml``."""
    import yaml

    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    return {key: str(config.get(key, "")) for key in ("title", "author", "copyright")}


def doc_key(docname: str) -> str:
    """The id of a page's chapter in the assembled document."""
    return docname.replace("/", "-")


def anchor(docname: str, fragment: str = "") -> str:
    """The id in the assembled document of ``fragment`` on page ``docname``."""
    return f"{doc_key(docname)}--{fragment}" if fragment else doc_key(docname)


def _relative(target: Path, start: Path) -> str:
    return Path(os.path.relpath(target, start)).as_posix()


def _clean(article: Any) -> None:
    """Drop what only makes sense on screen; say what stands in for an animation."""
    from bs4 import BeautifulSoup

    for selector in (
        "a.headerlink",
        ".take-home.dropdown",  # the folded box of every chapter; the intro keeps its own
        ".web-only",
        ".tag_hide-input > details.above-input",  # folded code: its output stays
        ".tag_remove-input .cell_input",
        ".prev-next-area",
        'script[type^="application/vnd.jupyter.widget"]',
    ):
        for element in article.select(selector):
            element.decompose()
    for animation in article.select("div.animation"):
        note = BeautifulSoup(ANIMATION_NOTE, "html.parser")
        animation.insert_after(note)
    for cell in article.select("div.cell"):
        if not cell.get_text(strip=True) and cell.find(["img", "svg"]) is None:
            cell.decompose()  # a folded cell with no output (the imports)


def _rewrite(article: Any, docname: str, docs: set[str], site: Path, out_dir: Path) -> None:
    """Ids, links and sources of one page, made to work inside the assembled document."""
    here = posixpath.dirname(docname)
    for element in article.find_all(id=True):
        # Outputs keep their ids: their own scripts look them up (chapter 5's animation).
        if element.find_parent(class_="cell_output") is None:
            element["id"] = anchor(docname, element["id"])
    for link in article.find_all("a", href=True):
        href = link["href"]
        if urlsplit(href).scheme or href.startswith("//"):
            link["class"] = [*link.get("class", []), "pe-external"]
            continue
        path, fragment = urldefrag(href)
        target = docname
        if path:
            resolved = posixpath.normpath(posixpath.join(here, unquote(path)))
            if not resolved.endswith(".html") or resolved[: -len(".html")] not in docs:
                del link["href"]  # a file of the site (a download, the index): text only here
                continue
            target = resolved[: -len(".html")]
        link["href"] = "#" + anchor(target, fragment)
    for element in article.find_all(src=True):
        src = element["src"]
        if src.startswith("data:") or urlsplit(src).scheme:
            continue
        file = site / posixpath.normpath(posixpath.join(here, unquote(urldefrag(src)[0])))
        element["src"] = _relative(file, out_dir)


def _heading_html(heading: Any) -> tuple[str, str]:
    """Inner HTML and plain text of a heading (its anchor link already removed)."""
    inner = "".join(str(child) for child in heading.contents).strip()
    return inner, heading.get_text(" ", strip=True)


#: TeX in headings, as plain text for the PDF's bookmarks (which cannot hold formulas).
_TEX_SYMBOLS = {
    r"\alpha": "α", r"\beta": "β", r"\varepsilon": "ε", r"\epsilon": "ϵ", r"\phi": "φ",
    r"\rho": "ρ", r"\lambda": "λ", r"\sigma": "σ", r"\mu": "μ", r"\infty": "∞",
    r"\sqrt": "√", r"\approx": "≈", r"\le": "≤", r"\ge": "≥", r"\times": "×",
}  # fmt: skip
_SUB = dict(zip("0123456789+-=()aeiortuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢₒᵣₜᵤᵥₓ", strict=True))
_SUP = dict(zip("0123456789+-=()nit", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵗ", strict=True))


def tex_to_text(tex: str) -> str:
    """A formula of a heading in plain Unicode: ``\\beta_2 = 0.999`` becomes ``β₂ = 0.999``."""
    text = re.sub(r"\\hat\s*\{?(\w)\}?", "\\1\u0302", tex)
    for command, symbol in sorted(_TEX_SYMBOLS.items(), key=lambda kv: -len(kv[0])):
        text = re.sub(re.escape(command) + r"(?![A-Za-z])", symbol, text)

    def script(match: re.Match[str]) -> str:
        table = _SUB if match.group(1) == "_" else _SUP
        body = match.group(2) or match.group(3)
        if all(c in table for c in body):
            return "".join(table[c] for c in body)
        return match.group(0)

    text = re.sub(r"([_^])(?:\{([^{}]*)\}|(\w))", script, text)
    return re.sub(r"\\[,;: ]", " ", text).replace("{", "").replace("}", "")


def plain_title(title_html: str) -> str:
    """A heading's HTML (formulas as ``\\(…\\)``) as one line of plain text."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(title_html, "html.parser")
    for math in soup.select(".math"):
        math.replace_with(
            tex_to_text(math.get_text().strip().removeprefix("\\(").removesuffix("\\)"))
        )
    return " ".join(soup.get_text("").split())


def assemble(
    site: Path, out_dir: Path, toc_file: Path = ROOT / "_toc.yml"
) -> tuple[str, list[Entry]]:
    """The whole book as one HTML document for printing, and its table of contents.

    Parameters
    ----------
    site : Path
        The built HTML site (``_build/html``).
    out_dir : Path
        Folder the document will be written to; links to the site's styles, scripts and images
        are made relative to it.
    toc_file : Path
        The book's ``_toc.yml``, which gives the order of the pages.
    """
    from bs4 import BeautifulSoup

    order = reading_order(toc_file)
    docs = {docname for _, docname in order}
    missing = [d for d in docs if not (site / f"{d}.html").is_file()]
    if missing:
        raise FileNotFoundError(f"site={site}: pages missing from the build: {sorted(missing)}")

    first = BeautifulSoup((site / f"{order[0][1]}.html").read_text(encoding="utf-8"), "html.parser")
    head: list[str] = []
    for link in first.head.find_all("link", rel="stylesheet"):
        href = urldefrag(link["href"])[0].split("?")[0]
        head.append(f'<link rel="stylesheet" href="{_relative(site / href, out_dir)}">')
    for script in first.head.find_all("script"):
        if script.get("src") and "mathjax" in script["src"]:
            src = script["src"].split("?")[0]
            head.append(f'<script defer src="{_relative(site / src, out_dir)}"></script>')
        elif script.string and script.string.lstrip().startswith("window.MathJax"):
            head.append(f"<script>{script.string}</script>")
    book = book_info()

    chapters: list[str] = []
    entries: list[Entry] = []
    for part, docname in order:
        soup = BeautifulSoup((site / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")
        article = soup.select_one("article.bd-article")
        if article is None:
            raise ValueError(f"site={site}: {docname}.html has no <article class='bd-article'>")
        _clean(article)
        _rewrite(article, docname, docs, site, out_dir)
        h1 = article.find("h1")
        if h1 is None:
            raise ValueError(f"site={site}: {docname}.html has no <h1>")
        if docname == order[0][1]:
            h1.clear()
            h1.append(INTRO_TITLE)
        section = h1.find_parent("section")
        inner, text = _heading_html(h1)
        target = section["id"] if section is not None and section.get("id") else anchor(docname)
        entries.append(Entry(1, docname, target, inner, text, part))
        if section is not None:
            for sub in section.find_all("section", recursive=False):
                h2 = sub.find("h2", recursive=False)
                if h2 is not None and sub.get("id"):
                    inner, text = _heading_html(h2)
                    entries.append(Entry(2, docname, sub["id"], inner, text, part))
        article.name = "div"
        article["class"] = ["bd-article", "pe-doc"]
        article["id"] = anchor(docname)
        chapters.append(str(article))

    toc_lines = []
    current_part = None
    for entry in entries:
        if entry.part != current_part and entry.part:
            toc_lines.append(f'<li class="pe-toc-part">{entry.part}</li>')
        current_part = entry.part
        toc_lines.append(
            f'<li class="pe-toc-{entry.level}"><a href="#{entry.target}">'
            f'<span class="pe-toc-title">{entry.title_html}</span><span class="pe-toc-dots"></span>'
            f'<span class="pe-toc-page" data-target="{entry.target}"></span></a></li>'
        )
    style = STYLESHEET.read_text(encoding="utf-8")
    document = f"""<!DOCTYPE html>
<html lang="ko" data-theme="light" data-mode="light">
<head>
<meta charset="utf-8">
<title>{book["title"]}</title>
{chr(10).join(head)}
<style>
{style}
</style>
</head>
<body class="print-edition">
<section class="pe-cover">
<h1 class="pe-cover-title">{book["title"]}</h1>
<p class="pe-cover-subtitle">{SUBTITLE}</p>
<p class="pe-cover-note">인쇄판(A4). 웹 사이트와 같은 원고에서 만들었습니다.</p>
<p class="pe-cover-copyright">© {book["copyright"]}</p>
</section>
<nav class="pe-toc" aria-label="차례">
<h1 class="pe-toc-heading">차례</h1>
<ol>
{chr(10).join(toc_lines)}
</ol>
</nav>
<main class="bd-content">
{chr(10).join(chapters)}
</main>
</body>
</html>
"""
    return document, entries


# --- printing ----------------------------------------------------------------------------------

#: The check run in the page before printing (``print_edition/layout_check.js``): shrinks what is
#: too wide down to :data:`MIN_SCALE`, then lists what still overflows and every visible control.
LAYOUT_CHECK = (HERE / "print_edition" / "layout_check.js").read_text(encoding="utf-8")

#: After chromium.SETTLE (MathJax done, fonts loaded): every image decoded too.
IMAGES_DECODED = """
async () => {
  await Promise.all(Array.from(document.images).map((img) => img.decode().catch(() => null)));
}
"""


def named_destinations(pdf: Path) -> dict[str, int]:
    """Page (from 1) of every named destination in ``pdf``, read by poppler's ``pdfinfo``."""
    out = subprocess.run(
        ["pdfinfo", "-dests", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    pages: dict[str, int] = {}
    for line in out.splitlines():
        match = re.match(r'\s*(\d+)\s+\[.*\]\s+"(.*)"\s*$', line)
        if match:
            pages[match.group(2)] = int(match.group(1))
    return pages


def page_count(pdf: Path) -> int:
    """Number of pages of ``pdf`` (poppler's ``pdfinfo``)."""
    out = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    match = re.search(r"^Pages:\s+(\d+)", out, re.M)
    if match is None:
        raise ValueError(f"pdf={pdf}: pdfinfo reports no page count")
    return int(match.group(1))


def finish(pdf: Path, book: dict[str, str], entries: list[Entry]) -> None:
    """Give ``pdf`` its bookmarks and metadata, and compress it, in place.

    The bookmarks follow the contents: a part, its chapters, their sections, each landing where
    the contents' link lands (the named destination Chromium wrote for it), titled in plain text
    (:func:`plain_title`). Chromium's own outline is not used: with the site's styles it repeats
    a heading's text ("Adam 한눈에 보기Adam 한눈에 보기") and drops its formulas. Chromium's print
    dates and creator are dropped, so a rebuild of the same book gives the same metadata; object
    streams take the tagged structure (for screen readers), most of the file, down by a third.
    """
    import pikepdf

    staging = pdf.with_suffix(".tmp.pdf")
    with pikepdf.open(pdf) as document:
        info = document.docinfo
        for key in ("/CreationDate", "/ModDate", "/Creator"):
            if key in info:
                del info[key]
        info["/Title"] = book["title"]
        info["/Author"] = book["author"]
        info["/Subject"] = SUBTITLE
        document.Root.Lang = pikepdf.String("ko")
        destinations = document.Root.Dests
        with document.open_outline() as outline:
            outline.root.clear()
            part_item: Any = None
            part_name: str | None = None
            chapter: Any = None
            for entry in entries:
                item = pikepdf.OutlineItem(
                    plain_title(entry.title_html), destinations[pikepdf.Name("/" + entry.target)]
                )
                if entry.level == 2 and chapter is not None:
                    chapter.children.append(item)
                    continue
                chapter = item
                if not entry.part:
                    outline.root.append(item)
                    continue
                if entry.part != part_name:
                    part_name = entry.part
                    part_item = pikepdf.OutlineItem(entry.part, item.destination)
                    outline.root.append(part_item)
                part_item.children.append(item)
        document.save(
            staging,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            compress_streams=True,
            recompress_flate=True,
            deterministic_id=True,
        )
    staging.replace(pdf)


def lay_out(page: Any, min_scale: float = MIN_SCALE) -> dict[str, list[str]]:
    """Wait for the page to be ready, then fit and check it (:data:`LAYOUT_CHECK`)."""
    page.evaluate(SETTLE)
    page.evaluate(IMAGES_DECODED)
    result: dict[str, list[str]] = page.evaluate(LAYOUT_CHECK, min_scale)
    return result


def print_book(html: Path, pdf: Path, entries: list[Entry]) -> dict[str, Any]:
    """Print ``html`` to ``pdf`` twice (the second time with page numbers in the contents).

    Returns the manifest: page count, contents with pages, what was shrunk. Raises
    ``RuntimeError`` naming every element that does not fit or every control left visible.
    """
    from playwright.sync_api import sync_playwright

    options = {
        "format": "A4",
        "margin": MARGINS,
        "print_background": True,
        "display_header_footer": True,
        "header_template": "<div></div>",
        "footer_template": FOOTER,
        "tagged": True,  # a structure for screen readers; the bookmarks are made by finish()
    }
    with sync_playwright() as playwright:
        executable = chromium_path()
        if executable is None:
            raise FileNotFoundError(
                "no Chromium: CHROMIUM is unset and no chromium is on PATH (the PDF is printed "
                "by Debian's Chromium: apt-get install chromium)"
            )
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": TEXT_WIDTH_PX, "height": 1000})
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.emulate_media(media="print", color_scheme="light")
            page.goto(html.resolve().as_uri(), wait_until="load")
            layout = lay_out(page)
            if layout["problems"] or errors:
                raise RuntimeError(
                    f"html={html}: the print layout has problems:\n  "
                    + "\n  ".join([*layout["problems"], *errors])
                )
            page.pdf(path=str(pdf), **options)
            pages = named_destinations(pdf)
            lost = [e.target for e in entries if e.target not in pages]
            if lost:
                raise RuntimeError(f"pdf={pdf}: no destination for contents entries {lost}")
            page.evaluate(
                """(pages) => {
                  for (const el of document.querySelectorAll(".pe-toc-page")) {
                    el.textContent = String(pages[el.dataset.target]);
                  }
                }""",
                {e.target: pages[e.target] for e in entries},
            )
            page.pdf(path=str(pdf), **options)
        finally:
            browser.close()
    finish(pdf, book_info(), entries)
    final = named_destinations(pdf)
    moved = [e.target for e in entries if final.get(e.target) != pages[e.target]]
    if moved:
        raise RuntimeError(f"pdf={pdf}: page numbers moved when written into the contents: {moved}")
    for entry in entries:
        entry.page = final[entry.target]
    return {
        "pdf": pdf.name,
        "pages": page_count(pdf),
        "bytes": pdf.stat().st_size,
        "contents": [asdict(e) for e in entries],
        "shrunk": layout["shrunk"],
    }


def build(site: Path, out_dir: Path) -> dict[str, Any]:
    """Assemble, print and check the edition; copy the PDF into the site's downloads."""
    out_dir.mkdir(parents=True, exist_ok=True)
    document, entries = assemble(site, out_dir)
    html = out_dir / HTML_NAME
    html.write_text(document, encoding="utf-8")
    pdf = out_dir / PDF_NAME
    manifest = print_book(html, pdf, entries)
    (out_dir / MANIFEST_NAME).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    downloads = site / DOWNLOADS
    downloads.mkdir(exist_ok=True)
    shutil.copy2(pdf, downloads / PDF_NAME)
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "pdf")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        parser.error(f"--site={args.site}: no built site there (run `make book` first)")
    manifest = build(args.site, args.out)
    low, high = PAGE_RANGE
    print(
        f"{args.out / PDF_NAME}: {manifest['pages']} pages, {manifest['bytes'] / 1e6:.1f} MB; "
        f"{len(manifest['shrunk'])} wide blocks shrunk to fit; copied to {args.site / DOWNLOADS}"
    )
    if not low <= manifest["pages"] <= high:
        print(
            f"warning: {manifest['pages']} pages is outside PAGE_RANGE {PAGE_RANGE}",
            file=sys.stderr,
        )
    return 0


# --- the site's link to the PDF (Sphinx extension) ---------------------------------------------


def _config_inited(app: Any, config: Any) -> None:
    config.templates_path.insert(0, str(TEMPLATES_DIR))


def _page_context(
    app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """The PDF's address, for the sidebar's link (templates/print-edition-link.html)."""
    context["print_edition_pdf"] = f"{DOWNLOADS}/{PDF_NAME}"


def _download_menu(
    app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """An entry in the header's download menu, beside the theme's ".pdf" (which prints only the
    page shown)."""
    url = context["pathto"](context["print_edition_pdf"], 1)
    for button in context.get("header_buttons", []):
        if button.get("label") == "download-buttons":
            button["buttons"].append(
                {
                    "type": "link",
                    "url": url,
                    "text": "책 전체 PDF",
                    "tooltip": "책 전체를 A4 PDF로 받기",
                    "icon": "fas fa-book",
                    "label": "download-book-pdf-button",
                }
            )


def setup(app: Any) -> dict[str, Any]:
    app.connect("config-inited", _config_inited)
    # Before pydata-sphinx-theme renders the sidebar's templates; the menu entry after
    # sphinx-book-theme has made the header's buttons (priority 501).
    app.connect("html-page-context", _page_context, priority=400)
    app.connect("html-page-context", _download_menu, priority=600)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    sys.exit(main())
