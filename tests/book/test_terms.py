"""One term per concept, enforced: the glossary's "같은 말" are never the book's own words.

`chapters/glossary.md` is the one source of the book's terms. Each entry names a concept by its
term lines (그래디언트, gradient) and may list, on a line ``같은 말: …``, the words other texts use
for it (기울기, 그레이디언트). The site search finds the book's pages by those words
(``_ext/korean_search.py`` reads the same lines), and this test makes sure the book itself never
writes them: not in a chapter's Markdown, not in `intro.md` or `README.md`, not in a Korean
label that `adamlib` draws into a figure or prints into a table.

A variant may still be *mentioned* as a word, in quotes: "밑바닥부터 시작하는 딥러닝은 '기울기'라고
부릅니다". Before looking for variants, every term line of every entry is taken out of the text,
so that a variant inside a longer term (감쇠율 inside 지수 감쇠율) is not a hit.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "chapters" / "glossary.md"

_spec = importlib.util.spec_from_file_location("korean_search", ROOT / "_ext" / "korean_search.py")
assert _spec is not None and _spec.loader is not None
korean_search = importlib.util.module_from_spec(_spec)
sys.modules["korean_search"] = korean_search  # dataclasses look their module up there
_spec.loader.exec_module(korean_search)

HANGUL = re.compile("[\uac00-\ud7a3]")
_GLOSSARY_FENCE = re.compile(r"^(:{3,}|`{3,})\{glossary\}")


@dataclass(frozen=True)
class Variant:
    """A word the book does not write, and the book's term for it."""

    word: str
    term: str


def glossary_terms(text: str) -> list[str]:
    """Every term line of every entry of the glossary ``text``, with or without synonyms."""
    terms: list[str] = []
    fence: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if fence is None:
            start = _GLOSSARY_FENCE.match(stripped)
            fence = start.group(1) if start else None
        elif stripped == fence:
            fence = None
        elif stripped and not line[0].isspace() and not stripped.startswith(":"):
            terms.append(stripped)
    return terms


def variants(text: str) -> list[Variant]:
    """The glossary's "같은 말", each with the term the book writes instead.

    A symbol's Latin names (epsilon, eps) are left out: they are how a reader searches for ε and
    how code spells it, and formulas are not prose.
    """
    found = []
    for entry in korean_search.read_glossary(text):
        for word in entry.synonyms:
            if HANGUL.search(word) or not entry.symbol:
                found.append(Variant(word, entry.terms[0]))
    return found


# --- What a reader sees of a Markdown cell ----------------------------------------------------

_FENCE = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})(.*)$")
_ROLE = re.compile(r"\{([\w:-]+)\}`([^`]*)`")
_CODE = re.compile(r"`[^`]*`")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>\n]+>")
_LABEL = re.compile(r"^\s*(\([\w:-]+\)=|:[\w-]+:.*)$", re.M)
_QUOTED = re.compile(r"'[^'\n]{1,40}'|‘[^’]{1,40}’|“[^”]{1,60}”|\"[^\"\n]{1,60}\"")
_STRING = re.compile(r"(?:[rfbRFB]{0,2})(\"[^\"\n]*\"|'[^'\n]*')")
_VISIBLE_ROLES = {"term", "doc", "ref", "numref", "abbr", "sub", "sup"}


def _without_code_blocks(markdown: str) -> str:
    """``markdown`` with the body of every code block blanked; directives' bodies kept.

    A bare fence closes the innermost open block when it matches its marker, and opens a code
    block otherwise; so the closing fence of one directive never pairs with the next one.
    A directive's title (after ``{name}``) stays: the reader sees it.
    """
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # (marker, is a code block)
    for line in markdown.splitlines():
        fence = _FENCE.match(line)
        in_code = bool(stack) and stack[-1][1]
        if fence:
            marker, info = fence.group(1), fence.group(2).strip()
            if stack and not info and marker == stack[-1][0]:
                stack.pop()
                out.append("")
                continue
            if not in_code:
                stack.append((marker, not info.startswith("{")))
                out.append(re.sub(r"^\{[^}]*\}", "", info) if info.startswith("{") else "")
                continue
        out.append("" if in_code else line)
    return "\n".join(out)


def visible_text(markdown: str) -> str:
    """The prose of ``markdown`` as a reader sees it, on one line, without quoted mentions.

    Code (fenced or inline), link targets, HTML tags, labels and directive options go; a role
    such as {term}`그래디언트` or {doc}`1장 <01_first_moment>` leaves the text it shows;
    math stays (a ``\\text{…}`` in a formula is read too).
    """

    def role(m: re.Match[str]) -> str:
        name = m.group(1).split(":")[0]
        if name not in _VISIBLE_ROLES:
            return " "
        return m.group(2).split("<")[0]

    text = _without_code_blocks(markdown)
    text = _LABEL.sub(" ", text)
    text = _ROLE.sub(role, text)
    text = _CODE.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _TAG.sub(" ", text)
    text = _QUOTED.sub(" ", text)
    return re.sub(r"\s+", " ", text)


def hits(text: str, terms: list[str], banned: list[Variant]) -> list[tuple[Variant, str]]:
    """The ``banned`` variants in ``text``; a variant inside a longer term of the book
    (감쇠율 inside 지수 감쇠율) is not one."""
    found = []
    for variant in banned:
        masked = text
        for term in sorted(terms, key=len, reverse=True):
            if variant.word in term and term != variant.word:
                masked = masked.replace(term, "□" * len(term))
        if HANGUL.search(variant.word):
            pattern = re.escape(variant.word)
        else:  # a Latin word (SNR, FP16) only as a whole word, never a TeX command
            pattern = rf"(?<![A-Za-z0-9_\\]){re.escape(variant.word)}(?![A-Za-z0-9_])"
        for m in re.finditer(pattern, masked):
            context = masked[max(0, m.start() - 30) : m.end() + 20].replace("□", "")
            found.append((variant, context))
    return found


# --- The places a reader meets the book's words -----------------------------------------------


def _sources() -> list[tuple[str, str]]:
    """(where, visible text) for every chapter cell, the intro, the README and adamlib's labels."""
    sources: list[tuple[str, str]] = []
    for path in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for i, cell in enumerate(cells):
            source = "".join(cell["source"])
            if cell["cell_type"] == "markdown":
                sources.append((f"{path.stem}[{i}]", visible_text(source)))
                continue
            # A code cell's Korean strings are its figures' titles and labels; its alt text
            # is what a screen reader says for the figure.
            words = [m.group(0) for m in _STRING.finditer(source) if HANGUL.search(m.group(0))]
            alt = cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt", "")
            sources.append((f"{path.stem}[{i}] (code)", re.sub(r"\s+", " ", " ".join(words))))
            sources.append((f"{path.stem}[{i}] (alt)", alt))
    for name in ("intro.md", "README.md"):
        sources.append((name, visible_text((ROOT / name).read_text(encoding="utf-8"))))
    for path in sorted((ROOT / "adamlib").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            korean = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if korean and HANGUL.search(node.value):
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                sources.append((where, re.sub(r"\s+", " ", node.value)))
    return sources


@pytest.fixture(scope="module")
def glossary() -> tuple[list[str], list[Variant]]:
    text = GLOSSARY.read_text(encoding="utf-8")
    return glossary_terms(text), variants(text)


def test_the_glossary_lists_the_words_it_replaces(
    glossary: tuple[list[str], list[Variant]],
) -> None:
    terms, banned = glossary
    by_term = {v.word: v.term for v in banned}
    # The drift the reviews counted, each now a variant of one term.
    assert by_term["기울기"] == "그래디언트"
    assert by_term["스텝 크기"] == "보폭"
    assert by_term["최적화기"] == by_term["최적화 알고리즘"] == "옵티마이저"
    assert by_term["실질적인 학습률"] == "유효 학습률"
    assert by_term["자동 감쇠"] == "자동 담금질"
    assert by_term["감쇠율"] == "지수 감쇠율"
    assert by_term["최적점"] == "최소점"
    # Readers of 밑바닥부터 시작하는 딥러닝 and of the Korean d2l find their way.
    others = {"매개변수", "가중치 감소", "에폭", "지수 가중 이동 평균", "두 번째 모멘트"}
    assert others <= set(by_term)
    assert {"보폭", "옵티마이저", "유효 학습률", "최소점", "원소별", "하이퍼파라미터"} <= set(terms)


def test_the_other_books_table_uses_the_glossarys_variants(
    glossary: tuple[list[str], list[Variant]],
) -> None:
    """Every word of the "다른 책에서 온 독자에게" table is a term of the book or a "같은 말" of
    the same row's term, so that the search finds it and the chapters never write it. (A word
    that is another term of the book, such as 갱신, has its own entry.)"""
    terms, banned = glossary
    text = GLOSSARY.read_text(encoding="utf-8")
    section = text.split("## 다른 책에서 온 독자에게", 1)[1].split("\n## ", 1)[0]
    rows = [r for r in section.splitlines() if r.startswith("|") and not r.startswith("|---")]
    by_term: dict[str, set[str]] = {}
    for v in banned:
        by_term.setdefault(v.term, set()).add(v.word)
    checked = 0
    for row in rows[1:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        ours = re.sub(r"\$[^$]*\$", "", cells[0]).strip()
        assert ours in terms, f"{ours!r} is not a term of the glossary"
        for cell in cells[1:3]:  # 밑바닥, d2l
            words = re.sub(r"\$[^$]*\$|`[^`]*`", "", cell)
            for word in (w.strip() for w in words.split(",")):
                if word and HANGUL.search(word) and word != ours and word not in terms:
                    assert word in by_term.get(ours, set()), f"{ours}: {word!r} is no 같은 말"
                    checked += 1
    assert checked >= 10


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("손실 함수의 기울기", ["기울기"]),
        ("{term}`지수 감쇠율`(exponential decay rate)", []),  # 감쇠율 inside the term
        ("L2의 감쇠율은", ["감쇠율"]),
        ("밑바닥은 '기울기'라고 부릅니다", []),  # a mention, in quotes
        ("`lr` 또는\n```python\n기울기 = 1\n```", []),  # code
        ("```{prf:property}\n성질\n```\n\n```{prf:proof}\n성분별로\n```", ["성분별"]),
        ("```{exercise} 기울기 구하기\n풀기\n```", ["기울기"]),  # a directive's title
        ("SNR이 높으면, SNRs", ["SNR"]),
        ("보폭(step)과 스텝 크기", ["스텝 크기"]),
    ],
)
def test_the_check_finds_a_variant_and_only_a_variant(
    glossary: tuple[list[str], list[Variant]], markdown: str, expected: list[str]
) -> None:
    terms, banned = glossary
    found = [v.word for v, _ in hits(visible_text(markdown), terms, banned)]
    assert found == expected


def test_the_book_writes_only_the_glossarys_terms(
    glossary: tuple[list[str], list[Variant]],
) -> None:
    terms, banned = glossary
    problems = []
    for where, text in _sources():
        for variant, context in hits(text, terms, banned):
            problems.append(f"{where}: {variant.word} → {variant.term}: …{context}…")
    assert not problems, f"{len(problems)} words the glossary replaces:\n" + "\n".join(problems)


_SPACED_PERCENT = re.compile(r"\d %")
_LAB = re.compile(r"[Jj]upyter [Ll]ab")


def test_the_books_typography_is_one_style() -> None:
    """% sits on its number (30.5%), and JupyterLab is written as one word, everywhere."""
    problems = []
    for where, text in _sources():
        if where.endswith("(code)") or ":" in where:  # a program's own output format
            continue
        for pattern in (_SPACED_PERCENT, _LAB):
            for m in pattern.finditer(text):
                problems.append(f"{where}: …{text[max(0, m.start() - 30) : m.end() + 10]}…")
    assert not problems, "\n".join(problems)


# A formula that ends in a power is read aloud ending in "제곱" (or "승"), a closed syllable:
# $g_t^2$은, $10^{-8}$으로, $1-\beta^t$을. A norm's name such as $L^p$ (엘피) is the exception.
_POWER_PARTICLE = re.compile(r"(?<!L)\^(?:\{[^{}$]*\}|\w)\$(는|를|가|와|로)")


def _markdown_cells() -> list[tuple[str, str]]:
    """("NN_name[i]", source) for every Markdown cell of every chapter, in book order."""
    found = []
    for path in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        found += [
            (f"{path.stem}[{i}]", "".join(cell["source"]))
            for i, cell in enumerate(cells)
            if cell["cell_type"] == "markdown"
        ]
    return found


def test_particles_after_a_power_follow_how_it_is_read() -> None:
    problems = []
    for where, text in _markdown_cells():
        for m in _POWER_PARTICLE.finditer(text):
            problems.append(f"{where}: …{text[max(0, m.start() - 25) : m.end()]}…")
    assert not problems, "\n".join(problems)


def _glossary_pairs(text: str) -> list[tuple[str, str]]:
    """(Korean term, English term) for every glossary entry that has both lines."""
    pairs, current, fence = [], [], None
    for line in [*text.splitlines(), ""]:
        stripped = line.strip()
        if fence is None:
            start = _GLOSSARY_FENCE.match(stripped)
            fence = start.group(1) if start else None
            continue
        if stripped == fence or (stripped and line[0].isspace()):
            if len(current) > 1 and HANGUL.search(current[0]) and not HANGUL.search(current[1]):
                pairs.append((current[0], current[1]))
            current = []
            if stripped == fence:
                fence = None
        elif stripped and not stripped.startswith(":"):
            current.append(stripped)
    return pairs


def test_the_english_term_is_given_once_in_the_book() -> None:
    """A term's English gloss, 그래디언트(gradient), stands at its first use in the book only;
    later uses link to the glossary, which gives it again."""
    pairs = _glossary_pairs(GLOSSARY.read_text(encoding="utf-8"))
    assert len(pairs) > 30
    seen: dict[str, str] = {}
    repeats = []
    for where, text in _markdown_cells():
        for korean, english in pairs:
            gloss = re.compile(re.escape(korean) + r"`?\(" + re.escape(english) + r"[,)]")
            for _ in gloss.finditer(text):
                if korean in seen:
                    repeats.append(f"{where}: {korean}({english}), first at {seen[korean]}")
                else:
                    seen[korean] = where
    assert not repeats, "\n".join(repeats)
