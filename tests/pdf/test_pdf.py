"""Tests of the PDF edition as printed by ``make pdf`` (``_build/pdf/adam-momentum.pdf``).

They read the PDF with poppler (``pdftotext``, ``pdffonts``, ``pdfinfo``, ``pdfimages``) and
pikepdf, never with the code that made it, except ``print_edition.named_destinations``, which
only parses ``pdfinfo -dests``. ``make pdf`` runs them right after printing and sets
``BOOK_PDF_REQUIRED=1``, so a missing PDF fails; run by plain ``pytest`` before a build, they
skip, saying so. ``BOOK_PDF_DIR`` and ``BOOK_SITE`` point them at another build.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "_ext"))
import print_edition  # noqa: E402
from chromium import flag  # noqa: E402

PDF_DIR = Path(os.environ.get("BOOK_PDF_DIR") or ROOT / "_build" / "pdf")
SITE = Path(os.environ.get("BOOK_SITE") or ROOT / "_build" / "html")
README = (ROOT / "README.md").read_text(encoding="utf-8")

# What MathJax leaves when it does not typeset: the delimiters Sphinx writes around every
# formula, and TeX's own commands for fractions and environments. (Code cells may hold
# matplotlib labels such as r"$\beta_2$", which are code, not formulas.)
RAW_TEX = re.compile(r"\\\(|\\\)|\\\[|\\\]|\$\$|\\frac|\\tfrac|\\begin\{|\\end\{")


def _run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def pdf() -> Path:
    path = PDF_DIR / print_edition.PDF_NAME
    if not path.is_file():
        message = f"no PDF edition at {path} (run `make book pdf`)"
        if flag("BOOK_PDF_REQUIRED"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def manifest(pdf: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(
        (pdf.parent / print_edition.MANIFEST_NAME).read_text(encoding="utf-8")
    )
    return result


@pytest.fixture(scope="module")
def pages(pdf: Path) -> list[str]:
    """The text of every page (``pages[0]`` is page 1), whitespace collapsed."""
    text = _run("pdftotext", "-enc", "UTF-8", str(pdf), "-")
    return [" ".join(page.split()) for page in text.split("\f")]


def _title(source: Path) -> str:
    """The first ``# `` heading of a chapter's notebook or Markdown file."""
    if source.suffix == ".ipynb":
        cells = json.loads(source.read_text(encoding="utf-8"))["cells"]
        lines = [line for c in cells if c["cell_type"] == "markdown" for line in c["source"]]
    else:
        lines = source.read_text(encoding="utf-8").splitlines()
    return next(line[2:].strip() for line in lines if line.startswith("# "))


def chapter_titles() -> list[tuple[str, str]]:
    """``(docname, title)`` in the order of ``_toc.yml``, read from the sources."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    docs = [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]
    titles = []
    for doc in docs:
        (source,) = [p for p in ROOT.glob(f"{doc}.*") if p.suffix in (".ipynb", ".md")]
        titles.append((doc, print_edition.INTRO_TITLE if doc == toc["root"] else _title(source)))
    return titles


def _words(title: str) -> list[str]:
    """The stretches of a title between its formulas ($…$), whitespace collapsed, no markup."""
    parts = re.split(r"\$[^$]*\$", title.replace("`", ""))
    return [" ".join(part.split()) for part in parts if part.strip()]


def test_every_chapter_starts_on_the_page_the_contents_give(
    manifest: dict[str, Any], pages: list[str]
) -> None:
    """Each page of _toc.yml is a chapter, in that order, its Korean title (from the notebook)
    printed on the page that the contents and the bookmarks name."""
    chapters = [e for e in manifest["contents"] if e["level"] == 1]
    titles = chapter_titles()
    assert [e["doc"] for e in chapters] == [doc for doc, _ in titles]
    numbers = [e["page"] for e in chapters]
    assert numbers == sorted(numbers), f"chapters out of order: {numbers}"
    missing = []
    for entry, (doc, title) in zip(chapters, titles, strict=True):
        text = pages[entry["page"] - 1]
        missing += [
            f"{doc}: {w!r} not on page {entry['page']}" for w in _words(title) if w not in text
        ]
    assert not missing, "\n".join(missing)


def test_the_contents_print_each_chapter_with_its_page(manifest: dict[str, Any], pdf: Path) -> None:
    first = min(e["page"] for e in manifest["contents"])
    layout = _run(
        "pdftotext", "-layout", "-enc", "UTF-8", "-f", "2", "-l", str(first - 1), str(pdf), "-"
    )
    lines = [" ".join(line.split()) for line in layout.splitlines()]
    missing = []
    for entry, (_, title) in zip(
        [e for e in manifest["contents"] if e["level"] == 1], chapter_titles(), strict=True
    ):
        head = _words(title)[0]
        if not any(line.startswith(head) and line.endswith(f" {entry['page']}") for line in lines):
            missing.append(f"{head} … {entry['page']}")
    assert not missing, "not in the printed contents: " + ", ".join(missing)


def test_every_contents_entry_links_to_its_page(manifest: dict[str, Any], pdf: Path) -> None:
    """The page numbers printed in the contents are where the PDF's links land."""
    destinations = print_edition.named_destinations(pdf)
    wrong = [
        f"{e['title_text']}: printed {e['page']}, lands on {destinations.get(e['target'])}"
        for e in manifest["contents"]
        if destinations.get(e["target"]) != e["page"]
    ]
    assert not wrong, "\n".join(wrong)


def test_bookmarks_follow_the_contents(manifest: dict[str, Any], pdf: Path) -> None:
    """Parts hold their chapters, chapters their sections, titled in plain text and landing on
    the page the contents give."""
    import pikepdf

    chapters = {e["doc"]: e for e in manifest["contents"] if e["level"] == 1}
    found: dict[str, tuple[str, int, int]] = {}
    with pikepdf.open(pdf) as document, document.open_outline() as outline:
        page_of = {page.objgen: n for n, page in enumerate(document.pages, 1)}

        def walk(items: Any, depth: int) -> None:
            for item in items:
                title = " ".join(item.title.split())
                page = page_of[item.destination[0].objgen]
                for doc, source in chapter_titles():
                    if all(w in title for w in _words(source)) and doc not in found:
                        found[doc] = (title, page, len(item.children))
                walk(item.children, depth + 1)

        walk(outline.root, 0)
    assert set(found) == set(chapters), f"chapters without a bookmark: {set(chapters) - set(found)}"
    wrong = [f"{doc}: {found[doc]}" for doc, e in chapters.items() if found[doc][1] != e["page"]]
    assert not wrong, "bookmarks landing on the wrong page: " + "; ".join(wrong)
    for doc, (title, _, children) in found.items():
        assert "\\" not in title and "$" not in title, f"TeX in a bookmark: {title}"
        sections = sum(1 for e in manifest["contents"] if e["doc"] == doc and e["level"] == 2)
        assert children == sections, f"{title}: {children} section bookmarks, {sections} sections"


def test_no_formula_is_left_as_raw_tex(pages: list[str]) -> None:
    found = [
        f"page {n}: …{text[max(0, m.start() - 40) : m.end() + 40]}…"
        for n, text in enumerate(pages, 1)
        for m in RAW_TEX.finditer(text)
    ]
    assert not found, "raw TeX in the PDF:\n" + "\n".join(found[:20])


def test_fonts_are_embedded_and_hangul_is_the_bundled_font(pdf: Path) -> None:
    rows = _run("pdffonts", str(pdf)).splitlines()
    header, rule = rows[0], rows[1]
    columns = [(m.start(), m.end()) for m in re.finditer(r"-+", rule)]
    names = [header[a:b].strip() for a, b in columns]
    fonts = [
        {n: row[a:b].strip() for n, (a, b) in zip(names, columns, strict=True)} for row in rows[2:]
    ]
    assert fonts, "pdffonts lists no font"
    not_embedded = [f["name"] for f in fonts if f["emb"] != "yes"]
    assert not not_embedded, f"fonts not embedded: {not_embedded}"
    assert any("AdamGothic" in f["name"] for f in fonts), "the bundled Hangul font is not used"


def test_the_page_count_is_in_the_stated_range(manifest: dict[str, Any], pdf: Path) -> None:
    info = _run("pdfinfo", str(pdf))
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    low, high = print_edition.PAGE_RANGE
    assert pages == manifest["pages"]
    assert low <= pages <= high, f"{pages} pages, outside {print_edition.PAGE_RANGE}"
    assert "(A4)" in info, info


def test_no_figure_is_split_across_pages(pdf: Path) -> None:
    """An image that crosses a page break is drawn on both pages from one image object."""
    rows = _run("pdfimages", "-list", str(pdf)).splitlines()[2:]
    pages_of: dict[str, set[str]] = {}
    for row in rows:
        fields = row.split()
        pages_of.setdefault(fields[10], set()).add(fields[0])
    split = {obj: sorted(p, key=int) for obj, p in pages_of.items() if len(p) > 1}
    assert not split, f"images on more than one page (object: pages): {split}"


def test_folded_code_is_left_out(pdf: Path) -> None:
    """The code of a cell the site folds (hide-input) is not printed; its output is."""
    shown, folded = set(), set()
    for notebook in sorted((ROOT / "chapters").glob("*.ipynb")):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            lines = {" ".join(line.split()) for line in cell["source"] if len(line.strip()) > 30}
            tags = cell["metadata"].get("tags", [])
            (folded if "hide-input" in tags else shown).update(lines)
    printed = {
        " ".join(line.split())
        for line in _run("pdftotext", "-enc", "UTF-8", str(pdf), "-").splitlines()
    }
    leaked = sorted(folded - shown & printed)
    assert len(folded - shown) > 50, "too few folded lines to test"
    assert not leaked, f"folded code printed: {leaked[:5]}"


def test_the_site_links_the_pdf_from_every_page() -> None:
    if not (SITE / "index.html").is_file():
        pytest.skip(f"no built site at {SITE}")
    copy = SITE / print_edition.DOWNLOADS / print_edition.PDF_NAME
    assert copy.is_file(), f"{copy} missing: make pdf copies the PDF into the site"
    assert copy.read_bytes() == (PDF_DIR / print_edition.PDF_NAME).read_bytes()
    without = []
    for page in sorted(SITE.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        if 'class="bd-sidebar-primary' not in text:
            continue  # a redirect
        href = os.path.relpath(copy, page.parent)
        if f'href="{href}"' not in text:
            without.append(page.relative_to(SITE).as_posix())
    assert not without, f"pages without the PDF link: {without}"


def test_the_readme_states_the_size_and_page_count(manifest: dict[str, Any]) -> None:
    stated = re.search(r"PDF판은 약 ([\d.]+) MB, (\d+)쪽", README)
    assert stated, "README.md should say 'PDF판은 약 … MB, …쪽'"
    megabytes, pages = float(stated.group(1)), int(stated.group(2))
    measured = manifest["bytes"] / 1e6
    assert abs(megabytes - measured) <= 0.15 * measured, (
        f"README {megabytes} MB, built {measured:.1f}"
    )
    assert abs(pages - manifest["pages"]) <= 0.1 * manifest["pages"], (
        f"README {pages} pages, built {manifest['pages']}"
    )
    low, high = print_edition.PAGE_RANGE
    assert f"{low}–{high}쪽" in README, "README should state the page range the tests accept"
