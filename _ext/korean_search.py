"""Sphinx extension: a Korean search language, so that a stem finds its forms with particles.

Sphinx has no Korean search language. With ``language = "ko"`` it falls back to English, which
indexes every word whole, particles included: the page that says "손실은" is indexed under
"손실은", and a search for "손실" does not find it (Sphinx's partial matching starts at three
characters, and most Korean nouns have two syllables).

Korean attaches particles (조사) and endings (어미) to the end of a word. This extension registers
``SearchKorean`` for ``ko``:

* Index time (Python): every run of Hangul is indexed whole *and* once for every ending in
  :data:`ENDINGS` it ends with, minus that ending: "손실은" → "손실은", "손실"; "학습률이" →
  "학습률이", "학습률"; "수렴한다" → "수렴한다", "수렴". A word glued to Latin letters or digits
  is split at the change of script ("Adam의" → "adam"; a lone particle is dropped).
  Non-Hangul words are stemmed as in English (Porter), as before.
* Query time (JavaScript, in ``language_data.js``): the query is split the same way. A Hangul
  query word that is in the index is searched as typed; one that is not is searched without its
  longest ending. So "손실" finds 손실은/손실을/손실의…, "손실을" finds every page with 손실을,
  and "학습률이라는" (not in the index) finds the pages of "학습률".

The list of endings lives here once and is written into the JavaScript as JSON, so both sides
strip the same endings. Stripping is deliberately generous (a noun that happens to end in a
syllable such as 이 or 과 also yields a shorter "stem"); that only adds index entries, and a
query that is itself indexed is never shortened, so "결과" still finds 결과를 and 결과는.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sphinx.application import Sphinx
from sphinx.search import languages
from sphinx.search.en import SearchEnglish

# Particles (조사), then the copula 이다 and its forms, then the commonest endings of verbs built
# on a noun with 하다/되다/시키다 (수렴한다 → 수렴, 계산하면 → 계산), as they follow a noun.
_ENDINGS_TEXT = """
    은 는 이 가 을 를 의 에 와 과 도 만 로 으로 에서 에게 께 한테 보다 처럼 까지 부터 마다 조차
    밖에 이나 나 이랑 랑 이든 든지 이라도 라도 만큼 대로
    에는 에서는 에도 에서도 에서의 에의 으로는 로는 으로도 로도 으로서 로서 으로써 로써 으로의
    로의 와는 과는 와도 과도 와의 과의 에게는 까지는 부터는 만은 만이 만을 만의 보다는 마다의
    까지의 부터의 이란 란 이라는 라는 이라고 라고
    이다 이며 이고 이면 이므로 이지만 이어서 이었다 였다 입니다 이에요 예요 인 일 임
    하다 한다 하는 하면 하고 하여 해서 했다 하지 하기 할 한 함 합니다 했습니다 하므로 하며
    하게 해야 하려면 하도록 된다 되는 되면 되어 되고 되지 된 될 됩니다 되었다 됐다
    시킨다 시키는 시키면
"""
ENDINGS: tuple[str, ...] = tuple(_ENDINGS_TEXT.split())

# A lone particle (a word of its own after math or code: "$m_t$는") carries no meaning.
STOPWORDS: frozenset[str] = frozenset(
    ["은", "는", "이", "가", "을", "를", "의", "에", "와", "과", "도", "만", "로", "으로", "에서"]
)

_HANGUL = "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7a3\ud7b0-\ud7ff"
_HANGUL_RUN = re.compile(f"[{_HANGUL}]+|[^{_HANGUL}]+")
_IS_HANGUL = re.compile(f"[{_HANGUL}]")
_ENDINGS_LONGEST_FIRST = sorted(set(ENDINGS), key=lambda e: (-len(e), e))


def is_hangul(word: str) -> bool:
    """True if ``word`` contains a Hangul character."""
    return bool(_IS_HANGUL.search(word))


def stems(word: str) -> list[str]:
    """Return ``word`` and every form of it with one ending of :data:`ENDINGS` removed.

    >>> stems("손실은")
    ['손실은', '손실']
    """
    forms = [word]
    for ending in _ENDINGS_LONGEST_FIRST:
        if len(word) > len(ending) and word.endswith(ending):
            stem = word[: -len(ending)]
            if stem not in forms:
                forms.append(stem)
    return forms


def split_scripts(token: str) -> list[str]:
    """Split a ``\\w+`` token where Hangul meets other letters; drop a particle glued to Latin.

    >>> split_scripts("Adam의")
    ['Adam']
    """
    runs = _HANGUL_RUN.findall(token)
    if len(runs) == 1:
        return runs
    out = []
    for run in runs:
        if is_hangul(run) and run in ENDINGS:
            continue  # "Adam의", "m_t는": the particle of a non-Hangul word
        out.append(run)
    return out


class SearchKorean(SearchEnglish):
    """English rules for Latin words, particle-aware indexing for Hangul words."""

    lang = "ko"
    language_name = "Korean"
    stopwords = SearchEnglish.stopwords | STOPWORDS

    def split(self, input: str) -> list[str]:
        words: list[str] = []
        for token in self._word_re.findall(input):
            for part in split_scripts(token):
                if is_hangul(part):
                    words.extend(stems(part))
                else:
                    words.append(part)
        return words

    def stem(self, word: str) -> str:
        if is_hangul(word):
            return word  # split() already produced the stems
        return super().stem(word)

    def word_filter(self, word: str) -> bool:
        if word in STOPWORDS:
            return False
        return super().word_filter(word)


# The query side. `Stemmer` wraps Sphinx's Porter stemmer (SearchEnglish.js_stemmer_code defines
# it as `Stemmer`) so that Hangul words are left alone; `splitQuery` splits like Python's
# split() and shortens a Hangul word that is not in the index by its longest ending.
_JS = """
const KOREAN_ENDINGS = %(endings)s;
const KOREAN_HANGUL = /[%(hangul)s]/u;
const KOREAN_RUNS = /[%(hangul)s]+|[^%(hangul)s]+/gu;
const PorterStemmer = Stemmer;
Stemmer = function () {
  const porter = new PorterStemmer();
  this.stemWord = (w) => (KOREAN_HANGUL.test(w) ? w : porter.stemWord(w));
};
const koreanIndexed = (w) => {
  const index = (typeof Search !== "undefined" && Search._index) || null;
  if (!index) return true;
  return Object.prototype.hasOwnProperty.call(index.terms, w) ||
    Object.prototype.hasOwnProperty.call(index.titleterms, w);
};
const koreanQueryWord = (w) => {
  if (koreanIndexed(w)) return w;
  for (const ending of KOREAN_ENDINGS) {
    if (w.length > ending.length && w.endsWith(ending)) {
      const stem = w.slice(0, -ending.length);
      if (koreanIndexed(stem)) return stem;
    }
  }
  return w;
};
var splitQuery = (query) => {
  const words = [];
  query.split(/[^\\p{Letter}\\p{Number}_\\p{Emoji_Presentation}]+/gu).forEach((token) => {
    if (!token) return;
    const runs = token.match(KOREAN_RUNS) || [];
    runs.forEach((run) => {
      const hangul = KOREAN_HANGUL.test(run);
      if (runs.length > 1 && hangul && KOREAN_ENDINGS.includes(run)) return;
      words.push(hangul ? koreanQueryWord(run) : run);
    });
  });
  return words;
};
"""


def _js_code() -> str:
    return _JS % {
        "endings": json.dumps(_ENDINGS_LONGEST_FIRST, ensure_ascii=False),
        "hangul": _HANGUL.encode("unicode_escape").decode("ascii").replace("\\\\", "\\"),
    }


SearchKorean.js_splitter_code = _js_code()


def setup(app: Sphinx) -> dict[str, Any]:
    # Sphinx looks the language up in this table when it builds the index (html_search_language
    # defaults to `language`, here "ko").
    languages["ko"] = SearchKorean
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
