"""Reading the built site without a browser: page text, links, assets, the search index."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parents[2]  # the repository
HANGUL = re.compile("[\uac00-\ud7a3]+")


@dataclass
class Page:
    """What the tests need of one HTML page."""

    text: str = ""  # the article's text (scripts and styles left out)
    ids: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)  # href of every <a>
    # (what, URL) for everything the page loads: "script", "img", …, "link[stylesheet]", …
    assets: list[tuple[str, str]] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)  # inline <script> bodies
    script_types: list[str] = field(default_factory=list)


class _Parser(HTMLParser):
    # Elements whose URL the browser loads when it shows the page.
    LOADED: ClassVar[dict[str, str]] = {
        "script": "src",
        "img": "src",
        "iframe": "src",
        "source": "src",
        "video": "src",
        "audio": "src",
        "embed": "src",
        "object": "data",
    }
    LOADED_LINK_RELS: ClassVar[set[str]] = {
        "stylesheet",
        "preload",
        "modulepreload",
        "icon",
        "manifest",
        "prefetch",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._skip = 0
        self._in_article = 0
        self._script: list[str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.page.ids.add(a["id"])
        if tag == "a" and "href" in a:
            self.page.links.append(a["href"])
        if tag in self.LOADED and a.get(self.LOADED[tag]):
            self.page.assets.append((tag, a[self.LOADED[tag]]))
        rels = set(a.get("rel", "").split()) & self.LOADED_LINK_RELS
        if tag == "link" and rels:
            self.page.assets.append((f"link[{' '.join(sorted(rels))}]", a.get("href", "")))
        if tag in ("script", "style"):
            self._skip += 1
            if tag == "script":
                self.page.script_types.append(a.get("type", ""))
                if not a.get("src"):
                    self._script = []
        if tag == "article":
            self._in_article += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1
            if tag == "script" and self._script is not None:
                self.page.scripts.append("".join(self._script))
                self._script = None
        if tag == "article":
            self._in_article -= 1

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)
        if not self._skip and self._in_article:
            self._text.append(data)

    def close(self) -> None:
        super().close()
        self.page.text = " ".join(self._text)


def read_page(path: Path) -> Page:
    parser = _Parser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser.page


def load_search_index(site: Path) -> dict:
    """The object that ``searchindex.js`` passes to ``Search.setIndex``."""
    text = (site / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])


def docname(page: str) -> str:
    """``chapters/glossary.html`` → ``chapters/glossary``."""
    return page.removesuffix(".html")
