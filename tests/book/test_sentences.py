"""Short sentences: the Korean editor's length rule, held for every chapter.

The editor's rubric (A2) gives full marks when at most 10% of a unit's sentences are over 80
characters and at most 10% hold four formulas or more, and asks that every sentence over 100
characters be split. All three are checked here, on the sentences ``sentences.py`` extracts the
way the rubric counts them (a formula is one character).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("book_sentences", HERE / "sentences.py")
assert _spec is not None and _spec.loader is not None
sentences = importlib.util.module_from_spec(_spec)
sys.modules["book_sentences"] = sentences
_spec.loader.exec_module(sentences)

#: No sentence is longer than this many characters (formulas counted as one).
LONGEST = 100
#: At most this share of a chapter's sentences are longer than 80 characters.
OVER_80_SHARE = 0.10
#: At most this share of a chapter's sentences hold this many formulas or more (rubric A2c).
DENSE_SHARE, DENSE_FORMULAS = 0.10, 4

PAGES = [
    *sorted(sentences.CHAPTERS.glob("[0-9][0-9]_*.ipynb")),
    sentences.CHAPTERS / "glossary.md",
    sentences.ROOT / "intro.md",
]


def test_a_formula_counts_as_one_character_and_sentences_end_at_a_full_stop() -> None:
    found = sentences.sentences_of("$m_t = \\beta_1 m_{t-1}$은 짧습니다. 다음 문장입니다.")
    assert [s.text for s in found] == ["M은 짧습니다.", "다음 문장입니다."]
    assert [s.formulas for s in found] == [1, 0]
    assert sentences.sentences_of("MB와 $x$, $$y$$ 끝.")[0].formulas == 2  # the letter M is text


def test_a_display_formula_inside_a_sentence_does_not_end_it() -> None:
    found = sentences.sentences_of("갱신은\n\n$$\\phi_t = \\phi_{t-1}$$\n\n입니다. 끝.")
    assert [s.text for s in found] == ["갱신은 M 입니다.", "끝."]


def test_a_sentence_ends_after_a_closing_parenthesis() -> None:
    found = sentences.sentences_of("(괄호 안의 문장입니다.) 다음 문장입니다.")
    assert [s.text for s in found] == ["(괄호 안의 문장입니다.)", "다음 문장입니다."]


def test_code_options_headings_and_tables_are_not_prose_but_admonition_bodies_are() -> None:
    source = "\n".join(
        [
            "## 제목입니다",
            "```python",
            "x = 1  # 주석입니다",
            "```",
            "| 표 | 입니다 |",
            ":::{admonition} 심화",
            ":class: dropdown",
            "상자 안의 문장입니다.",
            ":::",
            "링크는 [여기](https://example.org)이고 인용은 {cite:p}`kingma2015adam`입니다.",
        ]
    )
    texts = [s.text for s in sentences.sentences_of(source)]
    assert texts == ["상자 안의 문장입니다.", "링크는 여기이고 인용은 [1]입니다."]


def test_the_length_rule_can_fail() -> None:
    long = "가" * (LONGEST + 1) + "."
    assert [len(s) for s in sentences.sentences_of(long)] == [LONGEST + 2]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_no_sentence_is_longer_than_100_characters(page: Path) -> None:
    long = [s for s in sentences.chapter_sentences(page) if len(s) > LONGEST]
    assert not long, "\n".join(f"{len(s)} {s.where}: {s.text}" for s in long)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_at_most_a_tenth_of_the_sentences_are_over_80_characters(page: Path) -> None:
    found = sentences.chapter_sentences(page)
    over = [s for s in found if len(s) > 80]
    assert len(over) <= OVER_80_SHARE * len(found), (
        f"{len(over)} of {len(found)} sentences are over 80 characters:\n"
        + "\n".join(f"{len(s)} {s.where}: {s.text}" for s in over)
    )


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_at_most_a_tenth_of_the_sentences_are_dense_with_formulas(page: Path) -> None:
    found = sentences.chapter_sentences(page)
    dense = [s for s in found if s.formulas >= DENSE_FORMULAS]
    assert len(dense) <= DENSE_SHARE * len(found), (
        f"{len(dense)} of {len(found)} sentences hold {DENSE_FORMULAS} formulas or more:\n"
        + "\n".join(f"{s.formulas} {s.where}: {s.text}" for s in dense)
    )
