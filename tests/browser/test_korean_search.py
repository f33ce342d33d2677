"""The Korean search language of ``_ext/korean_search.py``: its rules without a build, then the
index of the built site (skipped without one, see ``conftest.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "_ext"))

import korean_search
from korean_search import (
    ENDINGS,
    Entry,
    SearchKorean,
    Thesaurus,
    read_glossary,
    split_scripts,
    stems,
    symbol_forms,
)
from sitetext import ROOT, load_search_index


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("손실은", "손실"),
        ("손실을", "손실"),
        ("학습률이", "학습률"),
        ("모멘텀으로", "모멘텀"),
        ("그래디언트에서는", "그래디언트"),
        ("수렴한다", "수렴"),
        ("계산하면", "계산"),
        ("역할을", "역할"),
    ],
)
def test_a_form_is_indexed_under_its_stem(word: str, stem: str) -> None:
    forms = stems(word)
    assert forms[0] == word
    assert stem in forms


def test_a_word_is_never_stripped_to_nothing() -> None:
    for ending in ENDINGS:
        forms = stems(ending)
        assert forms[0] == ending and all(forms)


def test_a_particle_glued_to_latin_is_dropped() -> None:
    assert split_scripts("Adam의") == ["Adam"]
    assert split_scripts("AdamW를") == ["AdamW"]
    assert split_scripts("m_t는") == ["m_t"]
    assert split_scripts("β1과") == ["β1"]
    assert split_scripts("Adam최적화") == ["Adam", "최적화"]


def test_the_splitter_keeps_english_rules_for_latin_words() -> None:
    lang = SearchKorean({})
    words = lang.split("Adam의 손실은 learning rates로")
    assert "Adam" in words and "손실은" in words and "손실" in words
    assert lang.stem("rates") == "rate"
    assert lang.stem("손실은") == "손실은"  # Hangul stems come from split(), not stem()
    assert not lang.word_filter("는")
    assert lang.word_filter("손실")


def test_the_javascript_gets_the_same_endings() -> None:
    code = SearchKorean.js_splitter_code
    for ending in ENDINGS:
        assert f'"{ending}"' in code
    assert "var splitQuery" in code


# --- Synonyms from the glossary ----------------------------------------------------------------

GLOSSARY = ROOT / "chapters" / "glossary.md"

SAMPLE = r"""
# 용어

| 기호 | 뜻 | 기본값 |
|---|---|---|
| $\alpha$ | 학습률 | $10^{-3}$ |
| $\varepsilon$ | 분모에 더하는 작은 수. 같은 말: 엡실론, epsilon | $10^{-8}$ |

:::{glossary}
그래디언트
gradient
  손실 함수를 파라미터로 미분한 벡터.

  같은 말: 기울기, 그레이디언트

학습률
learning rate
  한 스텝의 배율.

  같은 말: 러닝 레이트

수렴
convergence
  반복할수록 한 값에 가까워지는 것.
:::
"""


@pytest.fixture
def thesaurus(monkeypatch: pytest.MonkeyPatch) -> Thesaurus:
    """The book's glossary, as the build reads it, installed in SearchKorean for the test."""
    found = Thesaurus.from_file(GLOSSARY)
    monkeypatch.setattr(SearchKorean, "thesaurus", found)
    return found


def test_synonyms_are_read_from_the_glossary_text() -> None:
    entries = read_glossary(SAMPLE)
    assert entries == [
        Entry(("ε", "varepsilon", "epsilon"), ("엡실론", "epsilon"), symbol=True),
        Entry(("그래디언트", "gradient"), ("기울기", "그레이디언트")),
        Entry(("학습률", "learning rate"), ("러닝 레이트",)),
    ]  # 수렴 and α list no synonyms


def test_a_symbol_is_known_by_its_tex_its_letter_and_its_name() -> None:
    assert symbol_forms(r"$\varepsilon$") == ("ε", "varepsilon", "epsilon")
    assert symbol_forms(r"$\beta_1$") == ("β1", "beta_1")
    assert symbol_forms(r"$\lambda$")[0] == "λ"


def test_the_books_glossary_lists_the_readers_words(thesaurus: Thesaurus) -> None:
    by_term = {e.terms[0]: e for e in thesaurus.entries}
    assert "기울기" in by_term["그래디언트"].synonyms
    assert "러닝 레이트" in by_term["학습률"].synonyms
    assert {"엡실론", "epsilon"} <= set(by_term["ε"].synonyms)
    assert "varepsilon" in by_term["ε"].terms and by_term["ε"].symbol
    # The synonyms are printed where readers see them: in the glossary's own text.
    assert "같은 말: 기울기" in GLOSSARY.read_text(encoding="utf-8")


def test_no_synonym_is_a_term_of_the_book(thesaurus: Thesaurus) -> None:
    """A synonym that names another concept of the glossary would send readers to its pages."""
    terms = {t for e in thesaurus.entries for t in e.terms}
    for entry in thesaurus.entries:
        clash = (set(entry.synonyms) & terms) - set(entry.terms)
        assert not clash, f"{entry.terms[0]}: {clash} is another entry's term"


@pytest.mark.parametrize(
    ("text", "synonyms"),
    [
        ("그래디언트를 구합니다", {"기울기", "그레이디언트", "gradient"}),
        ("학습률이 크면", {"러닝", "레이트", "learning", "rate"}),
        ("ε은 작은 수입니다", {"엡실론", "epsilon", "varepsilon"}),
        (r"\hat m_t / (\sqrt{\hat v_t} + \varepsilon)", {"엡실론", "ε", "epsilon"}),
        (r"\varepsilon_t", {"엡실론"}),  # a subscript is part of the TeX word
        ("지수 이동 평균을 두 개", {"EMA", "EWMA", "가중"}),
    ],
)
def test_a_page_with_the_books_word_is_indexed_under_the_readers_words(
    thesaurus: Thesaurus, text: str, synonyms: set[str]
) -> None:
    words = SearchKorean({}).split(text)
    assert synonyms <= set(words), sorted(synonyms - set(words))


@pytest.mark.parametrize(
    "text",
    [
        "기울기가 -0.97입니다",  # a synonym is what readers type, never a reason to add the term
        "stochastic gradients",  # an English line occurs in paper titles and docstrings
        "이동 평균",  # part of a term is not the term
    ],
)
def test_only_the_books_word_brings_in_synonyms(thesaurus: Thesaurus, text: str) -> None:
    words = set(SearchKorean({}).split(text))
    assert not words & {"그래디언트", "EMA", "지수"}, words


def test_the_search_page_gets_the_books_word_for_a_synonym(thesaurus: Thesaurus) -> None:
    query_map = thesaurus.query_map()
    assert query_map["기울기"] == ["그래디언트"]
    assert query_map["엡실론"] == ["ε"]
    assert query_map["러닝"] == ["학습률"]
    code = korean_search._js_code(thesaurus)
    assert "const KOREAN_SYNONYMS = {" in code
    assert '"기울기": ["그래디언트"]' in code


# --- The index of the built site (needs `make book`; skipped without it) ------------------------


def _docs(index: dict, word: str) -> set[str]:
    hits: set[int] = set()
    for mapping in (index["terms"], index["titleterms"]):
        value = mapping.get(word, [])
        hits |= {value} if isinstance(value, int) else set(value)
    return {index["docnames"][i] for i in hits}


@pytest.fixture(scope="module")
def index(site: Path) -> dict:
    return load_search_index(site)


def test_the_index_finds_the_pages_of_gradient_by_giulgi(index: dict) -> None:
    expected = {"chapters/glossary"} | {f"chapters/0{n}_" for n in range(2, 6)}
    found = _docs(index, "기울기")
    for doc in expected:
        assert any(d.startswith(doc) for d in found), f"기울기 does not find {doc}: {found}"
    assert _docs(index, "그래디언트") <= found


def test_the_index_finds_every_page_with_epsilon_by_its_korean_name(index: dict) -> None:
    with_symbol = _docs(index, "ε") | _docs(index, "varepsilon")
    assert "chapters/04_update_rule" in with_symbol
    for word in ("엡실론", "epsilon"):
        missing = with_symbol - _docs(index, word)
        assert not missing, f"{word} does not find {sorted(missing)}"


def test_the_index_finds_the_pages_of_learning_rate_by_the_english_loanword(index: dict) -> None:
    pages = _docs(index, "학습률")
    assert len(pages) >= 5
    assert pages <= _docs(index, "러닝") & _docs(index, "레이트")


def test_the_search_script_knows_the_books_word_for_a_synonym(site: Path) -> None:
    code = (site / "_static" / "language_data.js").read_text(encoding="utf-8")
    assert '"기울기": ["그래디언트"]' in code
