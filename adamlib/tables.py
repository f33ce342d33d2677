r"""Step-by-step tables of a :class:`~adamlib.trace.Trace`, as HTML in notebooks and text elsewhere.

The numbers are rounded for printing only; they come straight from the trace.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from adamlib.trace import Trace

#: Column header (HTML, plain text) and the trace attribute behind each column.
COLUMNS: dict[str, tuple[str, str, str]] = {
    "t": ("<i>t</i>", "t", "t"),
    "g": ("<i>g</i><sub><i>t</i></sub>", "g_t", "g"),
    "m": ("<i>m</i><sub><i>t</i></sub>", "m_t", "m"),
    "v": ("<i>v</i><sub><i>t</i></sub>", "v_t", "v"),
    "m_hat": ("<i>m̂</i><sub><i>t</i></sub>", "m̂_t", "m_hat"),
    "v_hat": ("<i>v̂</i><sub><i>t</i></sub>", "v̂_t", "v_hat"),
    "delta": ("Δ<i>φ</i><sub><i>t</i></sub>", "Δφ_t", "delta"),
    "phi": ("<i>φ</i><sub><i>t</i></sub>", "φ_t", "phi"),
}


#: A cell that is a number (right-aligned in tabular figures): 0.9, -1e-08, 1.5%, inf, nan, …
_NUMBER = re.compile(r"[-+\u2212]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?%?|[-+]?(?:inf|nan)")


@dataclass(frozen=True)
class Table:
    """A small table with a plain-text ``repr`` and an HTML ``_repr_html_`` for notebooks."""

    headers_html: Sequence[str]
    headers_text: Sequence[str]
    rows: Sequence[Sequence[str]]

    def __repr__(self) -> str:
        widths = [
            max(len(h), *(len(r[i]) for r in self.rows)) for i, h in enumerate(self.headers_text)
        ]
        lines = ["  ".join(h.rjust(w) for h, w in zip(self.headers_text, widths, strict=True))]
        lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in self.rows]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The table in a scroll box of its own; numeric columns are marked ``class="num"``.

        A column is numeric when it holds numbers and at most one other text, repeated (a word
        such as "돌아오지 못함" standing for a missing value): that text is right-aligned too.
        """

        def is_numeric(column: list[str]) -> bool:
            words = {c for c in column if not _NUMBER.fullmatch(c)}
            return len(words) < len(set(column)) and len(words) <= 1

        numeric = [is_numeric([r[i] for r in self.rows]) for i in range(len(self.headers_html))]

        def cell(tag: str, text: str, i: int) -> str:
            return f'<{tag} class="num">{text}</{tag}>' if numeric[i] else f"<{tag}>{text}</{tag}>"

        head = "".join(cell("th", h, i) for i, h in enumerate(self.headers_html))
        body = "".join(
            "<tr>" + "".join(cell("td", html.escape(c), i) for i, c in enumerate(r)) + "</tr>"
            for r in self.rows
        )
        return (
            '<div class="adamlib-table-scroll"><table class="adamlib-table">'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
        )


def format_number(x: float, digits: int = 6) -> str:
    """``x`` with ``digits`` significant digits; '0' for zero and no '-0'."""
    if x == 0:
        return "0"
    return f"{x:.{digits}g}"


def step_table(
    trace: Trace,
    steps: int = 5,
    *,
    index: int = 0,
    columns: Sequence[str] = ("t", "g", "m", "v", "m_hat", "v_hat", "delta", "phi"),
    digits: int = 6,
) -> Table:
    r"""The first ``steps`` steps of ``trace`` for parameter ``index``, one row per step.

    Parameters
    ----------
    trace : Trace
        From :func:`adamlib.trace.run` or :func:`adamlib.trace.run_sequence`.
    steps : int, default 5
        Number of rows (:math:`t = 1, \dots,` ``steps``).
    index : int, default 0
        Which parameter's values to show.
    columns : sequence of str
        Keys of :data:`COLUMNS`; ``phi`` shows :math:`\phi_t` after the step.
    digits : int, default 6
        Significant digits.
    """
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise ValueError(f"columns has unknown names {unknown!r}; choose from {list(COLUMNS)!r}")
    if not 1 <= steps <= trace.steps:
        raise ValueError(f"steps must be between 1 and {trace.steps}, got {steps!r}")
    rows = []
    for t in range(1, steps + 1):
        row = []
        for c in columns:
            attr = COLUMNS[c][2]
            if attr == "t":
                row.append(str(t))
                continue
            series = getattr(trace, attr)
            if series is None:
                raise ValueError(f"this trace has no {attr!r}: the optimizer does not keep it")
            value = series[t] if attr == "phi" else series[t - 1]
            row.append(format_number(float(np.asarray(value)[index]), digits))
        rows.append(row)
    return Table(
        headers_html=[COLUMNS[c][0] for c in columns],
        headers_text=[COLUMNS[c][1] for c in columns],
        rows=rows,
    )
