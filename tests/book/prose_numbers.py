"""Check the book's rule "every number in the prose is printed by a cell of that chapter".

The checker reads a chapter notebook (fresh from disk on every call) and compares two sets of
numbers. It is plain Python with no pytest inside; ``test_prose_numbers.py`` drives it, and
``python tests/book/prose_numbers.py [--where]`` prints a report.

Prose numbers
    The numbers a reader sees in the markdown cells: plain text, inline and display math
    (``$\\alpha = 0.0464$``, ``$10^{-17}$``, ``$1.4 \\times 10^{72}$``), Unicode superscripts
    (``10⁻¹⁷``), percentages (``30.5 %``, ``5\\,\\%``), thousands separators (``1,797``,
    ``1{,}000``), ranges (``0.96–1.05``, ``10–20 %``) and ``N만``/``N억``. Masked first, because
    the reader does not read them as quantities: code spans and code blocks, URLs and link
    targets, MyST roles with their targets (``{doc}`3장 <...>```), directive names, arguments and
    ``:option:`` lines, ``(label)=`` targets, ``%`` comments, HTML tags and comments,
    numbered-list markers, heading numbers (``## 7. 판정표``), and inside math the command names
    and subscripts (``\\beta_1``, ``m_{t-1}``, ``\\sum_{i=1}``). A digit right after a Latin or
    Greek letter, ``_`` or ``\\`` belongs to a name (``β1``, ``L2``, ``float32``, ``H100``).
    *Cross-references* name a part of a document, not a quantity, and are skipped: an integer
    of at most two digits (or ``6.4``) right before 장, 절 or 차 (``3장``, ``6.4절``,
    ``1차 모멘트``, ``2차원``), a line number (``7번 줄``, ``5–6번 줄``), and a number after
    그림, 표, 식, 정리, 명제 or 알고리즘. (``1797장`` of images is a count and is checked.)

Stated numbers, from the code cells, in two separate sources
    ``output``: what the cells print. Stream text; ``text/html`` with tags, ``<style>`` and
    ``<script>`` removed (an explorer's precomputed data is not a printed number);
    ``text/markdown``; ``text/latex``; ``text/plain`` unless the bundle also has HTML or an
    image (then it is only a repr such as ``<Figure size 700x340 ...>``). Error tracebacks do
    not count, nor do the outputs of a ``remove-output`` cell, nor those of an
    ``nbval-ignore-output`` cell (timings of one machine, which no re-execution reproduces). A
    number printed with ``%``, or in an HTML table column whose header has a ``%``, is a printed
    percentage.

    ``code``: the numeric literals of the visible code (Python ``NUMBER`` tokens, so comments
    and string literals are excluded; ``assert`` statements and ``remove-input`` cells are
    excluded). A setting the reader sees in the code (``steps=300``, ``lr=0.02``) is a stated
    input, not an unsupported claim; an asserted tolerance is a check, not a setting.

Matching (signs are ignored: prose often states a magnitude, and a minus in math is an operator)
    * a number matches a value that rounds to it at the last digit written: ``0.94`` admits
      ``[0.935, 0.945]``, ``63`` (도) admits a printed ``62.6``, ``90`` (번) does not admit
      ``180``;
    * next to an approximation word (약, 대략, 거의, ≈, ~, 남짓, 가까이, 안팎, 정도, 쯤) the
      trailing zeros of an integer are not significant: ``약 1000`` admits ``[950, 1050]``;
    * a mantissa form ``1.4 × 10^{72}`` (or ``1.4e72``) admits ``[1.35e72, 1.45e72]``;
    * a bare power ``10^{-17}`` is an order of magnitude: it admits a value whose ``log10``
      rounds to ``-17``;
    * a percentage ``30.5 %`` admits a *printed percentage* in ``[30.45, 30.55]``, or any stated
      value in ``[0.3045, 0.3055]``;
    * ``N만``/``N억`` may be N × 10⁴/N × 10⁸, but 만 also means "only", so either reading may
      match; ``N분의 M`` may also be read as the fraction M/N (``20분의 1`` admits ``0.05``).

The allow-list (``prose_numbers_allowed.toml``)
    Global entries (Adam's defaults and the numbers they define) and per-chapter entries for
    numbers derived in the prose itself. An entry is compared by value, so ``10^{-3}`` also
    covers ``0.001`` and ``1e-3``, and a percentage is compared by both readings (``90 %`` is
    ``0.9``). A chapter entry names a ``context`` that must stand in the same markdown cell; an
    entry that allows nothing (its context or number left the prose, or a cell now prints the
    number) is reported as stale.
"""

from __future__ import annotations

import html
import io
import json
import math
import re
import tokenize
import tomllib
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = ROOT / "chapters"
ALLOW_FILE = Path(__file__).with_name("prose_numbers_allowed.toml")

#: Characters of context shown on each side of a number in a failure message.
CONTEXT_CHARS = 30

_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺−", "0123456789-+-")

# ---------------------------------------------------------------------------------------------
# Readings: a value and the interval of stated values that agree with it
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """One way to read a written number.

    Attributes
    ----------
    value : float
        The nominal absolute value.
    low, high : float
        The closed interval of stated absolute values that agree with it as written.
    percent : bool
        Whether only printed percentages may match (the ``30.5`` of ``30.5 %``).
    """

    value: float
    low: float
    high: float
    percent: bool = False

    def scaled(self, factor: float) -> Reading:
        """Return the reading multiplied by ``factor``."""
        return Reading(self.value * factor, self.low * factor, self.high * factor, self.percent)


def _slack(x: float) -> float:
    # Room for binary floating point: a printed 0.945 must count as rounding to 0.94.
    return 1e-9 * abs(x) + 1e-300


def _plain(digits: str) -> str:
    return digits.replace("{,}", "").replace(",", "")


def _around(value: float, half: float, percent: bool = False) -> Reading:
    return Reading(value, value - half - _slack(value), value + half + _slack(value), percent)


def rounded_reading(digits: str, scale: float = 1.0, percent: bool = False) -> Reading:
    """Read ``digits`` times ``scale`` to the last digit written (``0.94`` is ``± 0.005``).

    Parameters
    ----------
    digits : str
        The number as written, possibly with thousands separators.
    scale : float, optional
        A factor such as ``10**72`` (mantissa forms) or ``0.01`` (percentages).
    percent : bool, optional
        Whether the reading may only match printed percentages.

    Returns
    -------
    Reading
    """
    plain = _plain(digits)
    decimals = len(plain.split(".")[1]) if "." in plain else 0
    return _around(float(plain) * scale, 0.5 * 10.0**-decimals * scale, percent)


def significant_reading(digits: str) -> Reading:
    """Read an integer whose trailing zeros are not significant (``약 1000`` is ``± 50``)."""
    plain = _plain(digits)
    zeros = len(plain) - len(plain.rstrip("0")) if plain.strip("0") else 0
    return _around(float(plain), 0.5 * 10.0**zeros)


def exact_reading(value: float) -> Reading:
    """Read a value that must be stated exactly."""
    return _around(value, 0.0)


def magnitude_reading(exponent: int) -> Reading:
    """Read ``10**exponent`` as an order of magnitude (``log10`` rounds to ``exponent``)."""
    return Reading(10.0**exponent, 10.0 ** (exponent - 0.5), 10.0 ** (exponent + 0.5))


# ---------------------------------------------------------------------------------------------
# Stated numbers
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stated:
    """One stated number.

    Attributes
    ----------
    value : float
        Its absolute value.
    cell : int
        The index of the code cell that prints or states it.
    percent : bool
        Whether it was printed as a percentage: followed by ``%``, or in an HTML table column
        whose header has a ``%``.
    """

    value: float
    cell: int
    percent: bool = False


class StatedNumbers:
    """Stated numbers, searchable by interval.

    Parameters
    ----------
    numbers : iterable of Stated
        The numbers; non-finite values are dropped.
    """

    def __init__(self, numbers: Iterable[Stated] = ()) -> None:
        kept = sorted(
            (Stated(abs(n.value), n.cell, n.percent) for n in numbers if math.isfinite(n.value)),
            key=lambda n: n.value,
        )
        self._all = kept
        self._percent = [n for n in kept if n.percent]
        self._keys = [n.value for n in self._all]
        self._percent_keys = [n.value for n in self._percent]

    def cells(self, reading: Reading) -> list[int]:
        """Return the cells whose numbers ``reading`` admits (empty when none)."""
        numbers, keys = (
            (self._percent, self._percent_keys) if reading.percent else (self._all, self._keys)
        )
        lo, hi = bisect_left(keys, reading.low), bisect_right(keys, reading.high)
        return sorted({n.cell for n in numbers[lo:hi]})

    def __len__(self) -> int:
        return len(self._all)


_POWER_TAIL = r"\^(?:\{\s*[-−]?\s*\d+\s*\}|[-−]?\d+)|[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+"
_EXPONENT = re.compile(r"[-+−]?\s*\d+|[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+")


def _exponent(tail: str) -> int:
    m = _EXPONENT.search(tail)
    if m is None:
        raise ValueError(f"no exponent in {tail!r}")
    return int(re.sub(r"\s", "", m.group(0)).translate(_SUPERSCRIPT))


_PRINTED_NUMBER = re.compile(
    r"(?<![\d.A-Za-z_])(?:"
    rf"(?P<pow>10)(?P<ptail>{_POWER_TAIL})"
    r"|(?P<num>\d+(?:\.\d+)?|\.\d+)"
    r"(?:(?P<etail>[eE][-+−]?\d+)"
    rf"|(?P<xtail>\s*(?:×|x|\\times|·)\s*10(?:{_POWER_TAIL})))?"
    r"(?P<pct>\s*%)?)"
)
_GROUPED = re.compile(r"(?<![\d.])\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def numbers_in_text(text: str, cell: int = 0) -> list[Stated]:
    """Return every number written in printed text.

    Parameters
    ----------
    text : str
        Printed output, already stripped of HTML.
    cell : int, optional
        The index of the cell that printed it.

    Returns
    -------
    list of Stated
        A percentage ``30.5 %`` gives a printed percentage 30.5 and the value 0.305; a grouped
        ``1,234`` gives 1234 besides its parts.
    """
    found: list[Stated] = []
    for m in _PRINTED_NUMBER.finditer(text):
        if m.group("pow"):
            found.append(Stated(10.0 ** _exponent(m.group("ptail")), cell))
            continue
        value = float(m.group("num"))
        if m.group("etail"):
            value *= 10.0 ** _exponent(m.group("etail")[1:])
        elif m.group("xtail"):
            value *= 10.0 ** _exponent(m.group("xtail").split("10", 1)[1])
        if m.group("pct"):
            found += [Stated(value, cell, percent=True), Stated(value / 100, cell)]
        else:
            found.append(Stated(value, cell))
    found += [Stated(float(_plain(m.group(0))), cell) for m in _GROUPED.finditer(text)]
    return found


def _html_text(markup: str) -> str:
    markup = re.sub(r"<(script|style)\b.*?</\1\s*>", " ", markup, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


_ROW = re.compile(r"<tr\b.*?</tr\s*>", re.S | re.I)
_TABLE_CELL = re.compile(r"<t([hd])\b[^>]*>(.*?)</t[hd]\s*>", re.S | re.I)


def percent_columns(markup: str, cell: int = 0) -> list[Stated]:
    """Return the numbers of HTML table columns whose header has a ``%`` (``복사 대비 (%)``).

    Parameters
    ----------
    markup : str
        An HTML output.
    cell : int, optional
        The index of the cell that printed it.

    Returns
    -------
    list of Stated
        Printed percentages.
    """
    found: list[Stated] = []
    for table in re.findall(r"<table\b.*?</table\s*>", markup, re.S | re.I):
        columns: set[int] = set()
        for row in _ROW.findall(table):
            cells = _TABLE_CELL.findall(row)
            if cells and all(kind.lower() == "h" for kind, _ in cells):
                columns = {j for j, (_, text) in enumerate(cells) if "%" in _html_text(text)}
                continue
            for j, (_, text) in enumerate(cells):
                if j in columns:
                    found += [
                        Stated(n.value, cell, percent=True)
                        for n in numbers_in_text(_html_text(text))
                        if not n.percent
                    ]
    return found


def _joined(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


def _tags(cell: dict) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def output_numbers(cell: dict, index: int = 0) -> list[Stated]:
    """Return the numbers of every output of a code cell that the book shows.

    Parameters
    ----------
    cell : dict
        A code cell (nbformat 4).
    index : int, optional
        The cell's index in the notebook.

    Returns
    -------
    list of Stated
        Numbers of stream text and of the shown entries of each display bundle.
    """
    if {"remove-output", "remove-cell", "nbval-ignore-output"} & set(_tags(cell)):
        return []  # not shown, or not checked: a machine's timings support no claim
    found: list[Stated] = []
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "stream":
            found += numbers_in_text(_joined(output.get("text", "")), index)
        elif kind in {"display_data", "execute_result"}:
            data = output.get("data", {})
            if "text/html" in data:
                markup = _joined(data["text/html"])
                found += numbers_in_text(_html_text(markup), index)
                found += percent_columns(markup, index)
            for mime in ("text/markdown", "text/latex"):
                if mime in data:
                    found += numbers_in_text(_joined(data[mime]), index)
            shadowed = "text/html" in data or any(m.startswith("image/") for m in data)
            if "text/plain" in data and not shadowed:
                found += numbers_in_text(_joined(data["text/plain"]), index)
    return found


def code_numbers(source: str) -> list[float]:
    """Return the numeric literals of a code cell.

    Comments and string literals are excluded, and so are ``assert`` statements: a tolerance
    the notebook checks is not a setting the prose may quote.

    Parameters
    ----------
    source : str
        The code cell's source.

    Returns
    -------
    list of float
        One value per ``NUMBER`` token (``10_000`` is 10000, ``1e-3`` is 0.001).
    """
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    values: list[float] = []
    in_assert, line_start = False, True
    try:
        for token in tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline):
            if token.type in {tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT}:
                in_assert = in_assert and token.type != tokenize.NEWLINE
                line_start = line_start or token.type == tokenize.NEWLINE
                continue
            if token.type in {tokenize.INDENT, tokenize.DEDENT}:
                continue
            if line_start:
                in_assert = token.type == tokenize.NAME and token.string == "assert"
                line_start = False
            if token.type == tokenize.NUMBER and not in_assert:
                literal = token.string.replace("_", "").rstrip("jJ")
                try:
                    values.append(float(literal))
                except ValueError:  # 0x1f, 0o17, 0b101
                    values.append(float(int(literal, 0)))
    except (tokenize.TokenError, SyntaxError):
        bare = "\n".join(line.split("#", 1)[0] for line in lines)
        values = [n.value for n in numbers_in_text(bare)]
    return values


def stated_numbers(notebook: dict) -> tuple[StatedNumbers, StatedNumbers]:
    """Return what a notebook's code cells print, and the literals of its visible code.

    Parameters
    ----------
    notebook : dict
        A parsed notebook.

    Returns
    -------
    output, code : StatedNumbers
    """
    printed: list[Stated] = []
    literal: list[Stated] = []
    for index, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        printed += output_numbers(cell, index)
        if not {"remove-input", "remove-cell"} & set(_tags(cell)):
            literal += [Stated(v, index) for v in code_numbers(_joined(cell.get("source", "")))]
    return StatedNumbers(printed), StatedNumbers(literal)


# ---------------------------------------------------------------------------------------------
# Prose: masking what is not a quantity, then reading numbers
# ---------------------------------------------------------------------------------------------

_CODE_DIRECTIVES = {"code", "code-block", "code-cell", "sourcecode", "literalinclude", "raw"}
_FENCE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
_OPTION = re.compile(r"^[ \t]*:[\w-]+:.*$")


def _blank(text: str, start: int, end: int) -> str:
    """Replace ``text[start:end]`` by spaces, keeping newlines and every offset."""
    return text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]


def _blank_all(text: str, pattern: re.Pattern[str], group: int = 0) -> str:
    for m in reversed(list(pattern.finditer(text))):
        if m.group(group) is not None:
            text = _blank(text, m.start(group), m.end(group))
    return text


def _mask_fences(text: str) -> str:
    """Blank code blocks; blank directive fences, arguments and options but keep their body."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, bool]] = []  # (fence, holds code)
    in_options = False
    offset = 0
    for line in text.split("\n"):
        start, end = offset, offset + len(line)
        offset = end + 1
        m = _FENCE.match(line)
        if m and stack and m.group("fence") == stack[-1][0] and not m.group("info").strip():
            stack.pop()
            spans.append((start, end))
            in_options = False
        elif stack and stack[-1][1]:
            spans.append((start, end))
        elif m:
            directive = re.match(r"\{([\w:-]+)\}", m.group("info").strip())
            is_code = directive is None or directive.group(1) in _CODE_DIRECTIVES
            stack.append((m.group("fence"), is_code))
            spans.append((start, end))
            in_options = not is_code
        elif in_options and _OPTION.match(line):
            spans.append((start, end))
        else:
            in_options = False
    for start, end in reversed(spans):
        text = _blank(text, start, end)
    return text


_MASKS: list[tuple[re.Pattern[str], int]] = [
    (re.compile(r"<!--.*?-->", re.S), 0),  # HTML comments
    (re.compile(r"^[ \t]*\([\w:.-]+\)=[ \t]*$", re.M), 0),  # (label)= targets
    (re.compile(r"^[ \t]*%.*$", re.M), 0),  # MyST comments
    (re.compile(r"\{[\w:-]+\}(`+).*?\1", re.S), 0),  # roles with their targets
    (re.compile(r"(`+).+?\1", re.S), 0),  # code spans
    (re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>"), 0),  # HTML tags with their attributes
    (re.compile(r"https?://[^\s)>\]]+"), 0),  # bare URLs
    (re.compile(r"\]\([^)\s]*\)"), 0),  # link and image targets
    (re.compile(r"\[\^[\w-]+\]"), 0),  # footnote references
    (re.compile(r"^[ \t]*(\d+[.)])(?=[ \t])", re.M), 1),  # numbered-list markers
    (re.compile(r"^#{1,6}[ \t]+(\d+(?:\.\d+)*\.?)(?=[ \t])", re.M), 1),  # heading numbers
]

_MATH = re.compile(r"\$\$.*?\$\$|(?<![\\$])\$(?!\$)[^$]+?(?<!\\)\$", re.S)
_SUBSCRIPT = re.compile(r"_(?:\{(?:[^{}]|\{[^{}]*\})*\}|\\?\w)")
_COMMAND = re.compile(r"\\(?:(?!(?:times|cdot)(?![A-Za-z]))[A-Za-z]+|[,;:! \\])")
_FRAC_DIGITS = re.compile(r"\\[dt]?frac\s*(\d)\s*(\d)")
_SQRT_DIGIT = re.compile(r"\\sqrt(?=\d)")


def _mask_math(text: str) -> str:
    """Inside math, blank subscripts, command names and ``$``; split ``\\tfrac12``."""
    for m in reversed(list(_MATH.finditer(text))):
        chunk = _FRAC_DIGITS.sub(lambda f: f"{f[1]} {f[2]}".rjust(len(f[0])), m.group(0))
        chunk = _SQRT_DIGIT.sub(lambda s: " " * len(s[0]), chunk)
        chunk = _blank_all(_blank_all(chunk, _SUBSCRIPT), _COMMAND).replace("$", " ")
        text = text[: m.start()] + chunk + text[m.end() :]
    return text


def mask_markdown(source: str) -> str:
    """Blank everything in a markdown cell that is not prose or math, keeping every offset.

    Parameters
    ----------
    source : str
        The markdown cell's source.

    Returns
    -------
    str
        A string of the same length, with code, targets, labels, tags, URLs, list and heading
        numbers, and LaTeX command names and subscripts replaced by spaces.
    """
    text = _mask_fences(source)
    for pattern, group in _MASKS:
        text = _blank_all(text, pattern, group)
    return _mask_math(text)


#: A digit right after one of these belongs to a name or a longer token (β1, float32, x_2).
_NAME_CHAR = r"A-Za-z\u00c0-\u024f\u0300-\u03ff\u1f00-\u1fff_\d.\\"
_PROSE_NUMBER = re.compile(
    rf"(?<![{_NAME_CHAR}])(?:"
    rf"(?P<pow>10)(?P<ptail>{_POWER_TAIL})"  # 10^{-17}, 10⁻¹⁷
    r"|(?P<num>\d{1,3}(?:(?:,|\{,\})\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:(?P<etail>[eE][-+−]?\d+)(?!\d)"  # 1.4e72
    rf"|(?P<xtail>\s*(?:×|\\times|\\cdot|·)\s*10(?:{_POWER_TAIL})))?"  # 1.4 × 10^{72}
    r")|(?P<sup>[⁰¹²³⁴⁵⁶⁷⁸⁹]+)"  # a bare superscript is an exponent (0.999⁵⁰)
)
_PERCENT_AFTER = re.compile(r"\s*(?:\\%|%|％)")
_RANGE_THEN_PERCENT = re.compile(r"\s*(?:–|—|~|∼|-|−)\s*\d[\d.,]*\s*(?:\\%|%|％)")
_REFERENCE_AFTER = re.compile(r"(?:장|절|차)|(?:\s*[–-]\s*\d+)?번\s*줄")
_REFERENCE_BEFORE = re.compile(r"(?<![가-힣])(?:그림|표|식|정리|명제|알고리즘)\s*\(?\s*$")
_APPROX_BEFORE = re.compile(r"(?:약|대략|거의|얼추|≈|\\approx|~|∼|\\sim)\s*\$?\s*$")
_APPROX_AFTER = re.compile(r"^\s*\$?\s*(?:\\?%|배|번|개|스텝|회)?\s*(?:남짓|가까이|안팎|정도|쯤)")
_KOREAN_UNITS = {"만": 1e4, "억": 1e8}
_FRACTION_AFTER = re.compile(r"분의\s*(\d+)(?![\d.])")


@dataclass(frozen=True)
class ProseNumber:
    """A number found in a markdown cell.

    Attributes
    ----------
    cell : int
        The index of the markdown cell.
    text : str
        The number as written (``"1.4 \\times 10^{72}"``, ``"30.5 %"``).
    readings : tuple of Reading
        The ways to read it; a stated number matches when one of them admits it.
    kind : str
        ``"int"``, ``"decimal"``, ``"percent"``, ``"mantissa"`` or ``"power"``.
    context : str
        The cell source around the number, the number marked ``⟦...⟧``.
    """

    cell: int
    text: str
    readings: tuple[Reading, ...]
    kind: str
    context: str = ""

    @property
    def value(self) -> float:
        """The nominal value of the first reading."""
        return self.readings[0].value

    def support(self, stated: StatedNumbers) -> list[int]:
        """Return the cells whose stated numbers agree with this one."""
        return sorted({c for r in self.readings for c in stated.cells(r)})


def _context(raw: str, start: int, end: int) -> str:
    left, right = raw[max(0, start - CONTEXT_CHARS) : start], raw[end : end + CONTEXT_CHARS]
    return re.sub(r"\s+", " ", f"{left}⟦{raw[start:end]}⟧{right}").strip()


def _is_reference(text: str, start: int, digits: str) -> bool:
    after = text[start + len(digits) :]
    short = len(digits.split(".")[0]) <= 2
    return bool(
        (short and _REFERENCE_AFTER.match(after))
        or _REFERENCE_BEFORE.search(text[max(0, start - 12) : start])
    )


def _is_approximate(raw: str, start: int, end: int) -> bool:
    return bool(
        _APPROX_BEFORE.search(raw[max(0, start - 12) : start])
        or _APPROX_AFTER.search(raw[end : end + 12])
    )


def _plain_readings(
    source: str, text: str, start: int, end: int, digits: str
) -> tuple[tuple[Reading, ...], str, int]:
    """Return ``(readings, kind, end)`` of a number without a power of ten."""
    after = text[end:]
    percent = _PERCENT_AFTER.match(after)
    if percent is not None or _RANGE_THEN_PERCENT.match(after):  # "30.5 %", "10–20 %"
        end += percent.end() if percent is not None else 0
        readings = (rounded_reading(digits, percent=True), rounded_reading(digits, 0.01))
        return readings, "percent", end
    if "." in digits:
        readings, kind = (rounded_reading(digits),), "decimal"
    elif _is_approximate(source, start, end):
        readings, kind = (significant_reading(digits),), "int"
    else:
        readings, kind = (rounded_reading(digits),), "int"
    unit = _KOREAN_UNITS.get(after[:1])
    if unit is not None:  # 1만 = 10⁴, but 만 also means "only"
        readings += tuple(r.scaled(unit) for r in readings)
    fraction = _FRACTION_AFTER.match(after)
    if fraction is not None and "." not in digits:  # 20분의 1 is also 1/20
        n, k = float(_plain(digits)), float(fraction.group(1))
        half = readings[0].value - readings[0].low
        readings += (Reading(k / n, k / (n + half), k / max(n - half, 1e-300)),)
    return readings, kind, end


def extract_prose_numbers(source: str, cell: int = 0) -> list[ProseNumber]:
    """Return the numbers a reader sees in one markdown cell.

    Parameters
    ----------
    source : str
        The markdown cell's source.
    cell : int, optional
        The cell's index, recorded in each result.

    Returns
    -------
    list of ProseNumber
        In order of appearance.
    """
    text = mask_markdown(source)
    found: list[ProseNumber] = []
    for m in _PROSE_NUMBER.finditer(text):
        start, end = m.span()
        readings: tuple[Reading, ...]
        if m.group("sup") is not None:
            readings = (exact_reading(float(m.group("sup").translate(_SUPERSCRIPT))),)
            kind = "int"
        elif m.group("pow") is not None:
            if _is_reference(text, start, "10"):
                continue
            readings, kind = (magnitude_reading(_exponent(m.group("ptail"))),), "power"
        elif m.group("etail") or m.group("xtail"):
            tail = m.group("etail") or m.group("xtail").split("10", 1)[1]
            readings = (rounded_reading(m.group("num"), 10.0 ** _exponent(tail)),)
            kind = "mantissa"
        else:
            digits = m.group("num")
            if _is_reference(text, start, digits):
                continue
            readings, kind, end = _plain_readings(source, text, start, end, digits)
        written = _squash(text[start:end])  # the masked text: \tfrac12 is read as 1 and 2
        found.append(ProseNumber(cell, written, readings, kind, _context(source, start, end)))
    return found


def prose_numbers(notebook: dict) -> Iterator[tuple[ProseNumber, str]]:
    """Yield every prose number of a notebook with the source of its cell."""
    for index, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") == "markdown":
            source = _joined(cell.get("source", ""))
            for number in extract_prose_numbers(source, index):
                yield number, source


# ---------------------------------------------------------------------------------------------
# The allow-list
# ---------------------------------------------------------------------------------------------


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Allowed:
    """An allow-list entry.

    Attributes
    ----------
    number : str
        The number as the entry writes it (``"0.999"``, ``"10^{-8}"``).
    reason : str
        Why no cell needs to print it.
    context : str
        For a chapter entry, a string that must stand in the same markdown cell; empty for a
        global entry.
    """

    number: str
    reason: str
    context: str = ""

    @property
    def values(self) -> list[float]:
        """The values the entry stands for."""
        found = extract_prose_numbers(self.number)
        if len(found) != 1:
            raise ValueError(f"allow-list number {self.number!r} must be one number: {found}")
        return [r.value for r in found[0].readings]

    def covers(self, number: ProseNumber, cell_source: str) -> bool:
        """Return whether this entry allows ``number`` found in ``cell_source``."""
        if self.context and _squash(self.context) not in _squash(cell_source):
            return False
        return any(
            math.isclose(mine, theirs.value, rel_tol=1e-9)
            for mine in self.values
            for theirs in number.readings
        )


@dataclass(frozen=True)
class AllowList:
    """The global entries and the entries of each chapter (keyed by notebook stem)."""

    global_entries: tuple[Allowed, ...] = ()
    chapter_entries: dict[str, tuple[Allowed, ...]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = ALLOW_FILE) -> AllowList:
        """Read the allow-list file.

        Parameters
        ----------
        path : Path, optional
            The TOML file.

        Returns
        -------
        AllowList
        """
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        global_entries = tuple(
            Allowed(str(number), entry["reason"])
            for entry in data.get("global", [])
            for number in entry["numbers"]
        )
        chapters = {
            stem: tuple(
                Allowed(str(number), e["reason"], e["context"])
                for e in entries
                for number in e["numbers"]
            )
            for stem, entries in data.get("chapter", {}).items()
        }
        return cls(global_entries, chapters)


# ---------------------------------------------------------------------------------------------
# Checking a chapter
# ---------------------------------------------------------------------------------------------


@dataclass
class ChapterReport:
    """The outcome of checking one chapter.

    Attributes
    ----------
    name : str
        The notebook stem.
    unmatched : list of ProseNumber
        Prose numbers that no stated number matches and no entry allows.
    support : list of tuple
        ``(number, source, cells)`` for every prose number: ``source`` is ``"output"``,
        ``"code"``, ``"allow-list"`` or ``""`` (unmatched), ``cells`` the supporting cells.
    stale : list of Allowed
        Chapter entries that allowed nothing: their context or number left the prose.
    """

    name: str
    unmatched: list[ProseNumber] = field(default_factory=list)
    support: list[tuple[ProseNumber, str, list[int]]] = field(default_factory=list)
    stale: list[Allowed] = field(default_factory=list)

    def count(self, source: str) -> int:
        """Return how many prose numbers ``source`` accounted for."""
        return sum(1 for _, s, _ in self.support if s == source)

    def message(self) -> str:
        """Return a readable list of the unmatched numbers and stale entries."""
        lines = []
        if self.unmatched:
            lines.append(f"{self.name}: {len(self.unmatched)} prose number(s) no cell prints:")
            lines += [f"  cell {n.cell:>2}  {n.text:<12} {n.context}" for n in self.unmatched]
        if self.stale:
            lines.append(f"{self.name}: {len(self.stale)} stale allow-list entry(ies):")
            lines += [
                f"  {e.number}  context {e.context!r}: no longer needed (the number is printed, "
                "or the context left its cell)"
                for e in self.stale
            ]
        return "\n".join(lines)


def check_notebook(notebook: dict, name: str, allow: AllowList) -> ChapterReport:
    """Check one parsed notebook against the rule.

    Parameters
    ----------
    notebook : dict
        The parsed notebook.
    name : str
        Its stem (``"05_cooperation"``), which selects the chapter's allow-list entries.
    allow : AllowList
        The allow-list.

    Returns
    -------
    ChapterReport
    """
    printed, literal = stated_numbers(notebook)
    entries = allow.chapter_entries.get(name, ())
    used: set[int] = set()
    report = ChapterReport(name)
    for number, cell_source in prose_numbers(notebook):
        cells = number.support(printed)
        source = "output" if cells else ""
        if not cells:
            cells = number.support(literal)
            source = "code" if cells else ""
        if not source:
            covering = [i for i, e in enumerate(entries) if e.covers(number, cell_source)]
            used.update(covering)
            if covering or any(e.covers(number, cell_source) for e in allow.global_entries):
                source = "allow-list"
        report.support.append((number, source, cells))
        if not source:
            report.unmatched.append(number)
    report.stale = [e for i, e in enumerate(entries) if i not in used]
    return report


def chapter_notebooks(directory: Path = CHAPTERS) -> list[Path]:
    """Return the chapter notebooks ``NN_*.ipynb`` in order."""
    return sorted(directory.glob("[0-9][0-9]_*.ipynb"))


def check_chapter(path: Path, allow: AllowList | None = None) -> ChapterReport:
    """Read a chapter notebook from disk (fresh on every call) and check it.

    Parameters
    ----------
    path : Path
        The ``.ipynb`` file.
    allow : AllowList, optional
        The allow-list; read from ``prose_numbers_allowed.toml`` when omitted.

    Returns
    -------
    ChapterReport
    """
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return check_notebook(notebook, path.stem, allow or AllowList.load())


def main(argv: list[str]) -> int:
    """Print the report of every chapter; with ``--where`` also each match's cells.

    Parameters
    ----------
    argv : list of str
        Notebook paths (default: every chapter) and the optional flag ``--where``.

    Returns
    -------
    int
        1 when a number is unmatched or an entry is stale, else 0.
    """
    where = "--where" in argv
    paths = [Path(a) for a in argv if a != "--where"] or chapter_notebooks()
    allow = AllowList.load()
    status = 0
    for path in paths:
        report = check_chapter(path, allow)
        counts = ", ".join(f"{s} {report.count(s)}" for s in ("output", "code", "allow-list"))
        print(f"{report.name}: {counts}, unmatched {len(report.unmatched)}")
        if where:
            for number, source, cells in report.support:
                print(f"  cell {number.cell:>2} {number.text:<12} {source:<10} {cells}")
        if report.unmatched or report.stale:
            print(report.message())
            status = 1
    return status


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
