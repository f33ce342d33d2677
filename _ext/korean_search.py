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

Synonyms come from one place, the glossary (``korean_search_glossary``, by default
``chapters/glossary.md``), where readers see them too:

* an entry of the ``glossary`` directive names a concept on its term lines (그래디언트, gradient)
  and may list the words readers use for it in its definition, on a line ``같은 말: 기울기,
  그레이디언트``;
* a row of a table whose first cell is a formula (``$\\varepsilon$``) may end its text with
  ``같은 말: 엡실론, epsilon``. The symbol is written ``\\varepsilon`` in formulas and ε in prose:
  both (and ``epsilon``) are its forms.

Read when the build starts (:class:`Thesaurus`). Wherever a page writes a Korean term line (the
English ones also occur in paper titles and docstrings) or a form of a symbol, the index gets every
term line, form and synonym of that entry too, so 기울기 finds the pages of 그래디언트, 러닝 레이트
those of 학습률, and 엡실론 every page with ε in its prose or its formulas. A synonym on a page
brings in nothing (기울기 also means the slope of a line). ``language_data.js`` gets the
synonyms as ``KOREAN_SYNONYMS`` (query word → how the book writes it), which
``_static/search-page.js`` uses to quote the book's word in a result.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import snowballstemmer
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.search import languages
from sphinx.search.en import SearchEnglish
from sphinx.util import logging

logger = logging.getLogger(__name__)

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


# --- Synonyms from the glossary ---------------------------------------------------------------

SYNONYM_LABEL = "같은 말:"
_SYNONYM_LINE = re.compile(rf"^{SYNONYM_LABEL}\s*(.+?)\s*$")
_SYNONYM_CELL = re.compile(rf"{SYNONYM_LABEL}\s*(.+?)\s*$")
_GLOSSARY_START = re.compile(r"^(:{3,}|`{3,})\{glossary\}")
_WORD = re.compile(r"\w+")
_TEX_COMMAND = re.compile(r"\\([A-Za-z]+)")
_PORTER = snowballstemmer.stemmer("porter")


def _porter(word: str) -> str:
    return _PORTER.stemWord(word.lower())


def words_of(phrase: str) -> list[str]:
    """The words of ``phrase`` as the index sees them (``\\w+`` tokens split by script).

    >>> words_of("러닝 레이트")
    ['러닝', '레이트']
    """
    return [part for token in _WORD.findall(phrase) for part in split_scripts(token)]


def greek_letter(name: str) -> str | None:
    """The Unicode letter of a TeX Greek command name: ``varepsilon`` → ε, ``Delta`` → Δ."""
    base = name.removeprefix("var")
    case = "CAPITAL" if base[:1].isupper() else "SMALL"
    spelled = {"lambda": "lamda"}.get(base.lower(), base)  # Unicode spells it LAMDA
    try:
        return unicodedata.lookup(f"GREEK {case} LETTER {spelled.upper()}")
    except KeyError:
        return None


def symbol_forms(tex: str) -> tuple[str, ...]:
    """How the book writes the symbol of the formula ``tex``: in formulas, in prose, by name.

    The prose form comes first (it is what a reader sees in a result's summary, where formulas
    are shown as text).

    >>> symbol_forms(r"\\varepsilon")
    ('ε', 'varepsilon', 'epsilon')
    >>> symbol_forms(r"\\beta_1")
    ('β1', 'beta_1')
    """
    tex = tex.strip().strip("$").strip()
    forms = []
    letters = {name: greek_letter(name) for name in _TEX_COMMAND.findall(tex)}
    if letters and all(letters.values()):
        prose = _TEX_COMMAND.sub(lambda m: letters[m.group(1)] or "", tex)
        forms.append(re.sub(r"[\s{}_^\\]", "", prose))  # \beta_1 → β1, as prose writes it
    forms.append(" ".join(_WORD.findall(tex)))  # what the index finds in the formula's source
    forms += [name.removeprefix("var") for name in letters if name.startswith("var")]
    return tuple(dict.fromkeys(f for f in forms if f))


def _synonyms(text: str) -> tuple[str, ...]:
    return tuple(w.strip().rstrip(".") for w in text.split(",") if w.strip().rstrip("."))


@dataclass(frozen=True)
class Entry:
    """One concept of the glossary.

    Attributes
    ----------
    terms : tuple of str
        How the book writes it: the term lines of a glossary entry (Korean first, then English),
        or the forms of a symbol (:func:`symbol_forms`).
    synonyms : tuple of str
        What readers may call it (the ``같은 말:`` list).
    symbol : bool
        True for a row of the table of symbols.
    """

    terms: tuple[str, ...]
    synonyms: tuple[str, ...] = ()
    symbol: bool = False

    @property
    def triggers(self) -> tuple[str, ...]:
        """What, written on a page, makes the page a page of this entry.

        The Korean term lines of a glossary entry (the book's prose is Korean: an English line
        such as "gradient" occurs in the titles of papers and in docstrings, which are not about
        the term), every form of a symbol. Synonyms never do.
        """
        if self.symbol:
            return self.terms
        return tuple(t for t in self.terms if is_hangul(t)) or self.terms


def read_glossary(text: str) -> list[Entry]:
    """Every entry of the glossary source ``text`` (MyST) that lists synonyms.

    Parameters
    ----------
    text : str
        The glossary page: ``glossary`` directives and tables of symbols.

    Returns
    -------
    list of Entry
        One per glossary entry or table row with a ``같은 말:`` list, in the order of the page.
    """
    entries: list[Entry] = []
    terms: list[str] = []
    synonyms: list[str] = []
    in_definition = False
    fence: str | None = None

    def flush() -> None:
        if terms and synonyms:
            entries.append(Entry(tuple(terms), tuple(synonyms)))
        terms.clear()
        synonyms.clear()

    for line in text.splitlines():
        stripped = line.strip()
        if fence is None:
            start = _GLOSSARY_START.match(stripped)
            if start:
                fence = start.group(1)
                in_definition = False
            elif stripped.startswith("|") and SYNONYM_LABEL in stripped:
                cells = [c.strip() for c in stripped.strip("|").split("|")]
                found = _SYNONYM_CELL.search(" ".join(cells[1:2]))
                if cells[0].startswith("$") and found:
                    forms = symbol_forms(cells[0])
                    entries.append(Entry(forms, _synonyms(found.group(1)), symbol=True))
            continue
        if stripped == fence:
            flush()
            fence = None
        elif not stripped or (stripped.startswith(":") and not terms):
            continue  # a blank line, or an option of the directive (":sorted:")
        elif line[0].isspace():
            in_definition = True
            found = _SYNONYM_LINE.match(stripped)
            if found:
                synonyms.extend(_synonyms(found.group(1)))
        else:
            if in_definition:
                flush()
                in_definition = False
            terms.append(stripped)
    return entries


def _key(word: str) -> str:
    return word if is_hangul(word) else word.lower()


def _same(token: str, word: str) -> bool:
    """True if the text's ``token`` is a form of the entry's ``word`` (a key)."""
    if is_hangul(token):
        return word in stems(token)
    low = token.lower()
    return low == word or low.startswith(word + "_") or _porter(low) == _porter(word)


class Thesaurus:
    """The glossary's synonyms, for the index and for the search page.

    Parameters
    ----------
    entries : iterable of Entry
        Usually :func:`read_glossary` of the glossary page.
    """

    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        self.entries = list(entries)
        self._phrases: dict[str, list[tuple[list[str], list[str]]]] = {}
        for entry in self.entries:
            added = [w for phrase in entry.terms + entry.synonyms for w in words_of(phrase)]
            for term in entry.triggers:
                words = [_key(w) for w in words_of(term)]
                if not words:
                    continue
                for first in {words[0], _porter(words[0])}:
                    self._phrases.setdefault(first, []).append((words, added))

    @classmethod
    def from_file(cls, path: Path) -> Thesaurus:
        """The thesaurus of the glossary page at ``path``."""
        return cls(read_glossary(path.read_text(encoding="utf-8")))

    def digest(self) -> str:
        """A short fingerprint of the entries (to notice that the glossary's synonyms changed)."""
        text = json.dumps([[e.terms, e.synonyms, e.symbol] for e in self.entries])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def expand(self, tokens: Sequence[str]) -> list[str]:
        """The words to index besides ``tokens`` (the words of a text, split by script).

        Every entry a trigger of which occurs in ``tokens`` adds all its terms and synonyms:
        ``["그래디언트를"]`` → 그래디언트, gradient, 기울기, 그레이디언트.
        """
        if not self._phrases:
            return []
        out: list[str] = []
        for i, token in enumerate(tokens):
            if is_hangul(token):
                keys = set(stems(token))
            else:
                low = token.lower()
                keys = {low, _porter(low), low.split("_")[0]}
            for key in keys:
                for words, added in self._phrases.get(key, ()):
                    rest = tokens[i : i + len(words)]
                    if len(rest) == len(words) and all(map(_same, rest, words)):
                        out.extend(added)
        return list(dict.fromkeys(out))

    def query_map(self) -> dict[str, list[str]]:
        """For the search page: a word of a synonym or an English term line, as ``splitQuery``
        and the stemmer leave it, → how the book writes the concept (the first term line, or
        the prose form of a symbol, and any other Korean term line)."""
        out: dict[str, list[str]] = {}
        for entry in self.entries:
            book = [entry.terms[0]] + [t for t in entry.terms[1:] if is_hangul(t)]
            book_words = {w for phrase in book for w in words_of(phrase)}
            typed = [t for t in entry.terms[1:] if not is_hangul(t)] + list(entry.synonyms)
            for word in (w for phrase in typed for w in words_of(phrase)):
                if word in book_words or word.isdigit() or word.lower() in SearchEnglish.stopwords:
                    continue
                targets = out.setdefault(word if is_hangul(word) else _porter(word), [])
                targets += [b for b in book if b not in targets]
        return dict(sorted(out.items()))


class SearchKorean(SearchEnglish):
    """English rules for Latin words, particle-aware indexing for Hangul words, and synonyms.

    ``thesaurus`` is set from the glossary when the build starts (:func:`load_thesaurus`).
    """

    lang = "ko"
    language_name = "Korean"
    stopwords = SearchEnglish.stopwords | STOPWORDS
    thesaurus: ClassVar[Thesaurus] = Thesaurus()

    def split(self, input: str) -> list[str]:
        words: list[str] = []
        tokens = words_of(input)
        for part in tokens:
            if is_hangul(part):
                words.extend(stems(part))
            else:
                words.append(part)
        words.extend(self.thesaurus.expand(tokens))
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
# KOREAN_SYNONYMS is for the result summaries (_static/search-page.js).
_JS = """
const KOREAN_ENDINGS = %(endings)s;
const KOREAN_SYNONYMS = %(synonyms)s;
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


def _js_code(thesaurus: Thesaurus | None = None) -> str:
    synonyms = (thesaurus or Thesaurus()).query_map()
    return _JS % {
        "endings": json.dumps(_ENDINGS_LONGEST_FIRST, ensure_ascii=False),
        "synonyms": json.dumps(synonyms, ensure_ascii=False, sort_keys=True),
        "hangul": _HANGUL.encode("unicode_escape").decode("ascii").replace("\\\\", "\\"),
    }


SearchKorean.js_splitter_code = _js_code()


def load_thesaurus(app: Sphinx) -> None:
    """Read the glossary's synonyms into :class:`SearchKorean` (``builder-inited``)."""
    path = Path(app.srcdir) / app.config.korean_search_glossary
    if not path.is_file():
        logger.warning("korean_search: no glossary at %s, so no synonyms", path)
        thesaurus = Thesaurus()
    else:
        thesaurus = Thesaurus.from_file(path)
    SearchKorean.thesaurus = thesaurus
    SearchKorean.js_splitter_code = _js_code(thesaurus)


def reindex_if_synonyms_changed(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Every page is indexed anew when the glossary's synonyms changed (``env-get-outdated``)."""
    digest = SearchKorean.thesaurus.digest()
    if getattr(env, "korean_search_synonyms", None) == digest:
        return []
    env.korean_search_synonyms = digest  # type: ignore[attr-defined]
    return sorted(env.found_docs - added - changed - removed)


def setup(app: Sphinx) -> dict[str, Any]:
    # Sphinx looks the language up in this table when it builds the index (html_search_language
    # defaults to `language`, here "ko").
    languages["ko"] = SearchKorean
    app.add_config_value("korean_search_glossary", "chapters/glossary.md", "html", [str])
    app.connect("builder-inited", load_thesaurus)
    app.connect("env-get-outdated", reindex_if_synonyms_changed)
    return {"version": "1.1", "parallel_read_safe": True, "parallel_write_safe": True}
