"""Checks of the built site that need no browser: self-contained, links, downloads, search index.

Run by ``make site`` after ``make book`` (see conftest.py).
"""

from __future__ import annotations

import json
import os
import re
import sys
import zipfile
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urlsplit

import pytest
import yaml
from fontTools.ttLib import TTFont
from sitetext import HANGUL, ROOT, Page, docname, load_search_index, read_page

# Anything that would make the page fetch from a network host or pull in a widget/kernel stack.
EXTERNAL = re.compile(r"^(https?:)?//", re.IGNORECASE)
CSS_EXTERNAL_URL = re.compile(r"(url\(\s*['\"]?|@import\s+['\"])(https?:)?//", re.IGNORECASE)
FORBIDDEN_SCRIPTS = ("require.js", "require.min.js", "html-manager", "embed-amd", "thebe")


@pytest.fixture(scope="module")
def parsed(site: Path, pages: list[str]) -> dict[str, Page]:
    return {page: read_page(site / page) for page in pages}


def test_the_site_has_the_expected_pages(pages: list[str]) -> None:
    for page in (
        "index.html",
        "search.html",
        "chapters/glossary.html",
        "chapters/bibliography.html",
    ):
        assert page in pages
    assert "chapters/api.html" in pages, (
        "no API reference page: _toc.yml needs `- file: chapters/api` (under 참고)"
    )


def test_term_links_lead_to_the_glossary(parsed: dict[str, Page]) -> None:
    """{term} roles link to the one glossary, chapters/glossary.md, and its entries exist."""
    glossary = parsed["chapters/glossary.html"]
    terms = [i for i in glossary.ids if i.startswith("term-")]
    assert len(terms) >= 10
    linked = 0
    for page, info in parsed.items():
        for href in info.links:
            if "#term-" in href:
                assert href.split("#")[0].endswith("glossary.html") or page.endswith(
                    "glossary.html"
                ), f"{page}: term link {href} outside the glossary"
                linked += 1
    assert linked >= 3, "the chapters should link their terms to the glossary"


def test_no_page_loads_anything_from_the_network(parsed: dict[str, Page]) -> None:
    """Every script, stylesheet, font, image and frame comes from the site itself."""
    problems = [
        f"{page}: <{tag}> {url}"
        for page, info in parsed.items()
        for tag, url in info.assets
        if EXTERNAL.match(url)
    ]
    assert not problems, "external assets:\n" + "\n".join(problems)


def test_no_asset_is_loaded_twice(parsed: dict[str, Page]) -> None:
    """Jupyter Book adds every file of _static/ to every page: nothing may also come another way."""
    problems = []
    for page, info in parsed.items():
        # A <link rel="preload"> announces a script that follows; it is not a second load.
        urls = [url.split("?")[0] for tag, url in info.assets if "preload" not in tag]
        problems += [f"{page}: {url}" for url in sorted(set(urls)) if urls.count(url) > 1]
    assert not problems, "loaded twice:\n" + "\n".join(problems)


def test_no_stylesheet_loads_anything_from_the_network(site: Path) -> None:
    problems = [
        str(css.relative_to(site))
        for css in site.rglob("*.css")
        if CSS_EXTERNAL_URL.search(css.read_text(encoding="utf-8", errors="replace"))
    ]
    assert not problems, f"stylesheets with a network url(): {problems}"


def test_no_widget_manager_require_js_or_thebe(parsed: dict[str, Page]) -> None:
    """Widget output is removed from the static pages; nothing loads a kernel stack."""
    problems = []
    for page, info in parsed.items():
        for tag, url in info.assets:
            if tag == "script" and any(name in url for name in FORBIDDEN_SCRIPTS):
                problems.append(f"{page}: script {url}")
        for kind in info.script_types:
            if "jupyter.widget" in kind or "thebe" in kind:
                problems.append(f"{page}: <script type={kind!r}>")
        for body in info.scripts:
            if re.search(r"https?://", body) and ("thebe" in body or "require" in body):
                problems.append(f"{page}: inline script naming a CDN: {body[:80]!r}")
    assert not problems, "\n".join(problems)


def test_mathjax_is_vendored_and_loaded_once_where_there_is_math(
    site: Path, parsed: dict[str, Page]
) -> None:
    assert (site / "_static/mathjax/tex-chtml-full.js").is_file()
    assert (site / "_static/mathjax/LICENSE").is_file()
    fonts = list((site / "_static/mathjax/output/chtml/fonts/woff-v2").glob("*.woff"))
    assert len(fonts) >= 20
    with_math = 0
    for page, info in parsed.items():
        mathjax = [url for tag, url in info.assets if tag == "script" and "mathjax" in url.lower()]
        assert len(mathjax) <= 1, f"{page} loads MathJax {len(mathjax)} times: {mathjax}"
        with_math += bool(mathjax)
    assert with_math >= 3, "MathJax should load on the pages with formulas"


def test_internal_links_resolve(site: Path, parsed: dict[str, Page]) -> None:
    """Every relative link points at a file of the site, and its #anchor at an id there."""
    problems = []
    for page, info in parsed.items():
        base = (site / page).parent
        for href in info.links:
            if not href or EXTERNAL.match(href) or urlsplit(href).scheme in ("mailto", "data"):
                continue
            url, anchor = urldefrag(href)
            target = (base / unquote(url)).resolve() if url else (site / page).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file() or site.resolve() not in target.parents:
                problems.append(f"{page}: {href} (no such file)")
                continue
            if anchor and target.suffix == ".html":
                ids = parsed.get(target.relative_to(site.resolve()).as_posix())
                if ids is not None and unquote(anchor) not in ids.ids:
                    problems.append(f"{page}: {href} (no id {anchor!r})")
    assert not problems, "broken internal links:\n" + "\n".join(problems)


def test_every_notebook_page_offers_its_ipynb(site: Path, parsed: dict[str, Page]) -> None:
    """The theme's download button links each notebook page to its .ipynb, which is there."""
    sources = sorted((site / "_sources").rglob("*.ipynb"))
    assert sources, "no notebook page in the site"
    for source in sources:
        page = source.relative_to(site / "_sources").with_suffix(".html").as_posix()
        expected = os.path.relpath(source, (site / page).parent).replace(os.sep, "/")
        assert expected in parsed[page].links, f"{page} has no link to {expected}"
        notebook = json.loads(source.read_text(encoding="utf-8"))
        assert notebook["nbformat"] == 4 and notebook["cells"]


def _repository_url() -> str:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return ((config.get("repository") or {}).get("url") or "").strip()


def test_no_launch_or_repository_buttons_without_a_repository(
    parsed: dict[str, Page], site: Path
) -> None:
    """No public repository yet: Colab/Binder/repository buttons would be dead or point elsewhere.

    A fork that sets ``repository.url`` (README, "포크를 공개하기") gets its buttons; they must
    then name that repository and no other.
    """
    url = _repository_url()
    for page in parsed:
        html = (site / page).read_text(encoding="utf-8")
        assert "executablebooks/jupyter-book" not in html, f"{page} names Jupyter Book's repo"
        if url:
            foreign = {
                link
                for link in re.findall(r'href="(https://github\.com/[^"]+)"', html)
                if "/" in link.removeprefix("https://github.com/").strip("/")
                and not link.startswith(url.rstrip("/"))
            }
            # Only the header buttons are checked; links in the text may cite other projects.
            header = html.split('<div class="article-header-buttons">')[-1].split("</nav>")[0]
            assert not [f for f in foreign if f in header], f"{page}: {sorted(foreign)}"
            continue
        for marker in ("dropdown-launch-buttons", "colab.research.google.com", "mybinder.org"):
            assert marker not in html, f"{page} contains {marker} but there is no repository"


# --- the Hangul web font ---------------------------------------------------------------------


def test_web_font_is_a_renamed_subset_with_its_licence(site: Path) -> None:
    path = site / "_static/fonts/AdamGothic.woff2"
    assert path.is_file()
    assert path.stat().st_size < 400_000, "the subset should be far smaller than the 4.7 MB TTF"
    licence = (site / "_static/fonts/OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE" in licence and "Modified Version" in licence
    font = TTFont(path)
    names = {r.nameID: r.toUnicode() for r in font["name"].names if r.nameID in (1, 4, 6, 16)}
    assert names[1] == "AdamGothic"
    # OFL 1.1 condition 3: a Modified Version carries no Reserved Font Name.
    for name_id, value in names.items():
        assert "nanum" not in value.lower() and "나눔" not in value, (name_id, value)


def test_web_font_covers_every_hangul_character_of_the_site(
    site: Path, parsed: dict[str, Page]
) -> None:
    font = TTFont(site / "_static/fonts/AdamGothic.woff2")
    cmap = font.getBestCmap()
    used = {c for page in parsed for c in "".join(HANGUL.findall((site / page).read_text("utf-8")))}
    missing = sorted(c for c in used if ord(c) not in cmap)
    assert not missing, f"Hangul characters without a glyph in the web font: {missing}"


# --- Korean search ---------------------------------------------------------------------------

PARTICLES = ("은", "는", "이", "가", "을", "를", "의", "에", "으로", "로", "와", "과", "도", "에서")


def _docs_with_forms(parsed: dict[str, Page], stem: str) -> dict[str, set[str]]:
    """Pages whose text has ``stem`` followed by a particle, with the forms found."""
    found: dict[str, set[str]] = {}
    for page, info in parsed.items():
        if page in ("search.html", "genindex.html"):
            continue
        for word in HANGUL.findall(info.text):
            if word.startswith(stem) and word[len(stem) :] in PARTICLES:
                found.setdefault(docname(page), set()).add(word)
    return found


def _postings(mapping: dict, word: str) -> set[int]:
    """Documents of ``word`` in a searchindex mapping (Sphinx stores one document as an int)."""
    value = mapping.get(word, [])
    return {value} if isinstance(value, int) else set(value)


@pytest.mark.parametrize("stem", ["손실", "학습률", "모멘텀", "그래디언트", "편향"])
def test_a_stem_finds_every_page_with_its_forms(
    site: Path, parsed: dict[str, Page], stem: str
) -> None:
    """The stem 손실 must find the pages that only say 손실은, 손실을, … (Sphinx alone does not)."""
    index = load_search_index(site)
    forms = _docs_with_forms(parsed, stem)
    assert forms, f"no page uses {stem!r} with a particle: pick another stem for this test"
    hits = _postings(index["terms"], stem) | _postings(index["titleterms"], stem)
    hit_docs = {index["docnames"][i] for i in hits}
    missing = {doc: sorted(words) for doc, words in forms.items() if doc not in hit_docs}
    assert not missing, f"{stem!r} does not find pages with its forms: {missing}"


def test_a_form_with_a_particle_is_indexed_as_written_too(site: Path) -> None:
    index = load_search_index(site)
    assert "학습률이" in index["terms"] or "학습률이" in index["titleterms"]


def test_lone_particles_are_not_indexed(site: Path) -> None:
    index = load_search_index(site)
    for particle in ("은", "는", "을", "를", "의"):
        assert not _postings(index["terms"], particle), particle


# --- the API reference -----------------------------------------------------------------------


def test_the_api_page_documents_every_public_name(parsed: dict[str, Page]) -> None:
    """Every name of adamlib.__all__ and every public member of every public module has an entry."""
    sys.path.insert(0, str(ROOT / "_ext"))
    from api_reference import PACKAGE, canonical_name, public_members, public_modules

    import adamlib

    api = parsed.get("chapters/api.html")
    assert api is not None, "no API page: _toc.yml needs `- file: chapters/api` (under 참고)"
    ids = api.ids
    expected = {canonical_name(PACKAGE, name) for name in adamlib.__all__}
    modules = public_modules()
    assert {"adamlib.adam", "adamlib.bias", "adamlib.moments", "adamlib.trace"} <= set(modules)
    for module in modules:
        assert f"module-{module}" in ids, f"no section for {module}"
        expected |= {f"{module}.{name}" for name in public_members(module)}
    missing = sorted(name for name in expected if name not in ids)
    assert not missing, f"not in the API reference: {missing}"


# -- the README's numbers about the site ---------------------------------------------------------
README = (ROOT / "README.md").read_text(encoding="utf-8")
SIZE_ROW = re.compile(r"^\| `([^`]+)` \| ([\d.]+) MB \|", re.MULTILINE)


def _megabytes(paths: list[Path]) -> float:
    files = [f for p in paths for f in ([p] if p.is_file() else p.rglob("*")) if f.is_file()]
    return sum(f.stat().st_size for f in files) / 1e6


def _close(stated: float, measured: float) -> bool:
    return abs(stated - measured) <= max(0.15 * measured, 0.3)


def test_the_readme_states_the_site_size_as_built(site: Path) -> None:
    """The README's size table and total match the build (within 15 % or 0.3 MB)."""
    total = re.search(r"합쳐 약 (\d+) MB", README)
    assert total, "the README no longer states the site's total size"
    measured_total = _megabytes([site])
    rows = SIZE_ROW.findall(README)
    assert {name for name, _ in rows} >= {"_static/", "_sources/", "_images/", "chapters/*.html"}
    wrong = []
    if not _close(float(total.group(1)), measured_total):
        wrong.append(f"total: README {total.group(1)} MB, built {measured_total:.1f} MB")
    for name, stated in rows:
        paths = sorted(site.glob(name)) if "*" in name else [site / name.rstrip("/")]
        measured = _megabytes(paths)
        if not _close(float(stated), measured):
            wrong.append(f"{name}: README {stated} MB, built {measured:.1f} MB")
    mathjax = re.search(r"MathJax ([\d.]+) MB", README)
    assert mathjax and _close(float(mathjax.group(1)), _megabytes([site / "_static" / "mathjax"]))
    assert not wrong, "README.md (사이트의 무게) is out of date: " + "; ".join(wrong)


def _take_home() -> Any:
    sys.path.insert(0, str(ROOT / "_ext"))
    import take_home

    return take_home


def test_every_notebook_page_and_the_intro_offer_the_wheel_and_the_zip(
    site: Path, parsed: dict[str, Page]
) -> None:
    """The box "이 장을 내 컴퓨터에서 실행하기": both downloads linked (relative, so any host and
    file:// work) and there, and the commands the fresh-install test runs (tests/home/)."""
    take_home = _take_home()
    downloads = site / take_home.DOWNLOADS
    (wheel,) = downloads.glob("adamlib-*-py3-none-any.whl")
    bundle = downloads / take_home.ZIP_NAME
    assert bundle.is_file()
    sources = sorted((site / "_sources").rglob("*.ipynb"))
    assert len(sources) == 8
    pages = ["intro.html"] + [
        s.relative_to(site / "_sources").with_suffix(".html").as_posix() for s in sources
    ]
    commands = take_home.command_text(wheel.name)
    for page in pages:
        html = (site / page).read_text(encoding="utf-8")
        base = (site / page).parent
        for path in (wheel, bundle):
            href = os.path.relpath(path, base).replace(os.sep, "/")
            assert href in parsed[page].links, f"{page} does not link {href}"
            assert not EXTERNAL.match(href)
        assert len(re.findall(r'<div class="[^"]*\btake-home\b', html)) == 1, page
        box = html[html.index("take-home") :]
        shown = re.sub(r"<[^>]+>", "", box[box.index("<pre") : box.index("</pre>")])
        assert unescape(shown).strip() == commands, page


def test_the_zip_holds_the_chapters_as_committed_and_the_wheel_the_whole_package(
    site: Path,
) -> None:
    take_home = _take_home()
    downloads = site / take_home.DOWNLOADS
    with zipfile.ZipFile(downloads / take_home.ZIP_NAME) as z:
        for path in sorted((ROOT / "chapters").glob("*.ipynb")):
            assert z.read(path.name) == path.read_bytes(), path.name
        assert (
            z.read(take_home.LAB_REQUIREMENTS) == (ROOT / take_home.LAB_REQUIREMENTS).read_bytes()
        )
        assert "jupyter trust" in z.read("README.txt").decode("utf-8")
    (wheel,) = downloads.glob("adamlib-*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    for name in (
        "adamlib/experiments/data/torch_adam_vectors.npz",
        "adamlib/experiments/data/adam_step_h100.csv",
        "adamlib/fonts/NanumGothic.ttf",
    ):
        assert name in names, name
