"""The Korean search language of ``_ext/korean_search.py``, without a build."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "_ext"))

from korean_search import ENDINGS, SearchKorean, split_scripts, stems


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
