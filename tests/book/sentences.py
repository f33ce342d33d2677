"""The prose sentences of the book, as the Korean editor's rubric counts them.

The editor's review (``../shared/reviews/2026-11-29-korean-editor.md``, appendix, rule 0.3) counts
sentence lengths this way, and this module does the same so that a test can hold the book to it:

* code fences, ``{math}`` blocks, directive option lines (``:class: dropdown``), headings, tables,
  HTML and ``(label)=`` targets are removed; the bodies of admonitions, exercises and solutions
  are kept, because they are prose;
* every formula ``$…$`` or ``$$…$$`` becomes one character ``M`` (a display formula inside an
  unfinished sentence does not end the sentence), and each sentence counts its formulas;
* Markdown syntax the reader does not see is removed: ``**``, link targets
  (``[text](url)`` → ``text``), roles (``{doc}`3장 <03_x>``` → ``3장``; a citation becomes
  ``[1]``);
* a sentence ends at ``.``, ``?`` or ``!`` followed by white space, or at the end of a paragraph
  or list item;
* a sentence's length counts characters including spaces.

``python tests/book/sentences.py [N]`` prints every sentence longer than N characters (default
100), longest first, with the chapter and cell it stands in.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = ROOT / "chapters"

_FENCE = re.compile(r"^\s*(`{3,}|:{3,})(.*)$")
_DISPLAY_MATH = re.compile(r"\$\$.*?\$\$", re.S)
_INLINE_MATH = re.compile(r"(?<!\\)\$(?!\$)(?:\\.|[^$\\])+?\$")
_ROLE_WITH_TEXT = re.compile(r"\{[a-z:]+\}`([^`<]*?)\s*<[^`]*>`")
_CITE = re.compile(r"\{cite(?::[a-z]+)?\}`[^`]*`")
_ROLE = re.compile(r"\{[a-z:]+\}`([^`]*)`")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_HTML = re.compile(r"<[^>]+>")
#: Stands for one formula while a sentence is cut; shown as ``M``, as the rubric writes it.
_FORMULA = "\x00"
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+|(?<=[.?!][)'’”])\s+")


@dataclass(frozen=True)
class Sentence:
    """One prose sentence, where it stands, and how many formulas it holds."""

    where: str
    text: str
    formulas: int = 0

    def __len__(self) -> int:
        return len(self.text)


def _prose_lines(source: str) -> Iterator[str]:
    """The lines of a Markdown cell a reader reads as prose, with blank lines as breaks."""
    fences: list[tuple[str, bool]] = []  # (marker, is the body prose?)
    for line in source.splitlines():
        stripped = line.strip()
        fence = _FENCE.match(line)
        if fence and fences and stripped == fences[-1][0]:
            fences.pop()
            yield ""
            continue
        if fence and fence.group(2).strip():
            name = fence.group(2).strip()
            prose = name.startswith("{") and not name.startswith(("{math}", "{code", "{glossary}"))
            fences.append((fence.group(1), prose))
            yield ""
            continue
        if fences and not fences[-1][1]:
            continue
        if fences and stripped.startswith(":") and not stripped.startswith(":::"):
            continue  # a directive option line
        if stripped.startswith(("#", "|", "(")) and (
            not stripped.startswith("(") or stripped.endswith(")=")
        ):
            yield ""
            continue
        if stripped.startswith(("- ", "* ", "> ")) or re.match(r"\d+\.\s", stripped):
            yield ""  # a list item or quote starts a new sentence
            stripped = re.sub(r"^(?:[-*>]|\d+\.)\s+", "", stripped)
        yield stripped


def sentences_of(source: str, where: str = "") -> list[Sentence]:
    """The prose sentences of one Markdown source."""
    prose = _DISPLAY_MATH.sub(f" {_FORMULA} ", "\n".join(_prose_lines(source)))
    # A display formula between blank lines continues the sentence around it.
    prose = re.sub(rf"\n\s*\n\s*{_FORMULA}\s*\n\s*\n", f" {_FORMULA} ", prose)
    found: list[Sentence] = []
    for paragraph in prose.split("\n\n"):
        text = _INLINE_MATH.sub(_FORMULA, paragraph)
        text = _CITE.sub("[1]", text)
        text = _ROLE_WITH_TEXT.sub(r"\1", text)
        text = _ROLE.sub(r"\1", text)
        text = _LINK.sub(r"\1", text)
        text = _HTML.sub("", text)
        text = text.replace("**", "").replace("`", "")
        text = re.sub(r"\s+", " ", text).strip()
        for piece in _SENTENCE_END.split(text):
            if re.search("[\uac00-\ud7a3]", piece):
                formulas = piece.count(_FORMULA)
                found.append(Sentence(where, piece.strip().replace(_FORMULA, "M"), formulas))
    return found


def chapter_sentences(path: Path) -> list[Sentence]:
    """Every prose sentence of a chapter notebook or Markdown page."""
    if path.suffix == ".md":
        return sentences_of(path.read_text(encoding="utf-8"), path.stem)
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    found: list[Sentence] = []
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "markdown":
            found += sentences_of("".join(cell["source"]), f"{path.stem}[{i}]")
    return found


def book_sentences() -> list[Sentence]:
    """Every prose sentence of the chapters, in book order."""
    found: list[Sentence] = []
    for path in sorted(CHAPTERS.glob("[0-9][0-9]_*.ipynb")):
        found += chapter_sentences(path)
    return found


def main(argv: list[str]) -> None:
    limit = int(argv[0]) if argv else 100
    every = book_sentences()
    long = sorted((s for s in every if len(s) > limit), key=len, reverse=True)
    for s in long:
        print(f"{len(s):4d}  {s.where}: {s.text}")
    over80 = sum(len(s) > 80 for s in every)
    print(f"{len(every)} sentences, {len(long)} over {limit}, {over80} over 80", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
