r"""Explorers: one description, two faces — a slider explorer in Jupyter, a live twin on the site.

An :class:`Explorer` is described once: its controls (:class:`Control`, a list of values each),
a ``compute`` function that turns one setting of the controls into named arrays with adamlib,
and the panels (:class:`Panel`, :class:`Line`) that draw those arrays. From this description

* :meth:`Explorer.widget` builds the ipywidgets explorer for a running kernel (the figure is
  drawn by matplotlib into an image widget), and
* :meth:`Explorer.html` builds its kernel-free twin for the static site: ``compute`` is run
  for **every** combination of the controls' values when the notebook runs, the arrays are
  stored in the page (float32, each distinct array once, compressed), and a small script
  bundled with adamlib (``explorer.js``, no dependency, no network) redraws an SVG figure from
  them when a slider moves. The numbers the page draws are therefore adamlib's, rounded to float32.

Displaying an explorer in a notebook (the last expression of a cell) offers both: Jupyter with
a kernel shows the widget, and the book, whose notebooks store no widget state, shows the twin.

Example
-------
>>> from adamlib.explorer import Control, Explorer, Line, Panel
>>> t = np.arange(1.0, 11.0)
>>> ex = Explorer(
...     "demo",
...     controls=[Control("beta1", r"$\beta_1$", [0.5, 0.9], default=0.9)],
...     compute=lambda beta1: {"t": t, "w": beta1**t},
...     panels=[Panel([Line("w", x="t", label=r"$\beta_1^t$")], title=r"$\beta_1$ = {beta1}")],
... )
>>> sorted(ex.values(beta1=0.5))
['t', 'w']
"""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import json
import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from adamlib import plotting

# The script and style of the twin, shipped with adamlib and inlined in every twin.
_ASSETS = Path(__file__).with_name("explorer_assets")

#: Colour names a :class:`Line` may use besides ``#rrggbb``: the page's text colour (black on
#: a light page, white on a dark one) and a grey that reads on both.
THEME_COLORS = {"text": "black", "grey": "#8c8c8c"}

#: Line styles: SVG ``stroke-dasharray`` and matplotlib ``linestyle``.
DASHES = {"solid": ("", "-"), "dashed": ("6 4", "--"), "dotted": ("2 3", ":")}

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_COLOR = re.compile(r"#[0-9a-fA-F]{6}\Z")

#: TeX commands the labels may use, and what the twin shows for them.
_TEX_SYMBOLS = {
    "alpha": "α",
    "beta": "β",
    "epsilon": "ε",
    "varepsilon": "ε",
    "phi": "φ",
    "sigma": "σ",
    "rho": "ρ",
    "Delta": "Δ",
    "Vert": "‖",
    "star": "⋆",
    "cdot": "·",
    "times": "×",
    ",": "\u2009",
}


def math_html(text: str) -> str:
    r"""A label written for matplotlib (``r"$\sqrt{\hat v_t}$"``) as HTML for the twin.

    Outside ``$…$`` the text is escaped as it is. Inside, the few TeX commands the book's
    labels use become Unicode (Greek letters, ``\Vert``, ``\hat``, ``\sqrt``, ...), ``_`` and ``^``
    become ``<sub>`` and ``<sup>``, and letters are set in italics as in the book's formulas.

    Raises
    ------
    ValueError
        For a TeX command the twin cannot show, so no raw TeX reaches a page.
    """
    parts = text.split("$")
    if len(parts) % 2 == 0:
        raise ValueError(f"label has an unmatched $: {text!r}")
    out = []
    for i, part in enumerate(parts):
        out.append(_tex_html(part, text) if i % 2 else escape(part))
    return "".join(out)


def _group(tex: str, i: int) -> tuple[str, int]:
    """The argument at ``tex[i]``: a ``{…}`` group or one character; and the index after it."""
    if tex[i] != "{":
        if tex[i] == "\\":
            m = re.match(r"\\([A-Za-z]+|.)", tex[i:])
            assert m is not None
            return m.group(0), i + m.end()
        return tex[i], i + 1
    depth = 0
    for j in range(i, len(tex)):
        depth += {"{": 1, "}": -1}.get(tex[j], 0)
        if depth == 0:
            return tex[i + 1 : j], j + 1
    raise ValueError(f"unbalanced braces in label {tex!r}")


def _tex_html(tex: str, label: str) -> str:
    out, i = [], 0
    while i < len(tex):
        c = tex[i]
        if c == "\\":
            m = re.match(r"\\([A-Za-z]+|.)", tex[i:])
            assert m is not None
            name, i = m.group(1), i + m.end()
            if name in ("hat", "sqrt"):  # their argument may follow a space
                while i < len(tex) and tex[i] == " ":
                    i += 1
            if name in _TEX_SYMBOLS:
                out.append(_TEX_SYMBOLS[name])
            elif name == "hat":
                arg, i = _group(tex, i)
                out.append(_tex_html(arg, label) + "\u0302")
            elif name == "sqrt":
                arg, i = _group(tex, i)
                out.append(f'√<span class="aex-over">{_tex_html(arg, label)}</span>')
            else:
                raise ValueError(f"label {label!r}: the twin cannot show \\{name}")
        elif c in "_^":
            arg, i = _group(tex, i + 1)
            tag = "sub" if c == "_" else "sup"
            out.append(f"<{tag}>{_tex_html(arg, label)}</{tag}>")
        elif c in "{}":
            i += 1
        elif c.isalpha() and c.isascii():
            out.append(f"<i>{c}</i>")
            i += 1
        else:
            out.append(escape(c))
            i += 1
    return "".join(out)


@dataclass(frozen=True)
class Control:
    r"""One control of an explorer: a slider over ``values``, or a menu when they are text.

    Parameters
    ----------
    name : str
        The keyword of ``compute`` it sets (``"beta1"``).
    label : str
        What the reader sees, matplotlib style (``r"$\beta_1$"``).
    values : sequence of float, or of str
        The values the slider stops at, in order (the twin stores a run for each).
    default : float or str
        One of ``values``: where the control starts, marked on the slider.
    fmt : str, default "g"
        Format spec of the value shown beside the slider (``".0e"``).
    adam : float, optional
        Adam's default for this hyperparameter (one of ``values``), marked on the slider as
        "Adam 기본값"; it need not be where the slider starts.
    """

    name: str
    label: str
    values: Sequence[float] | Sequence[str]
    default: float | str
    fmt: str = "g"
    adam: float | None = None

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"name must be a Python identifier, got {self.name!r}")
        values = tuple(self.values)
        if not values:
            raise ValueError(f"values of control {self.name!r} must not be empty")
        kinds = {isinstance(v, str) for v in values}
        if len(kinds) > 1:
            raise TypeError(f"values of control {self.name!r} mix text and numbers: {values!r}")
        if len(set(values)) != len(values):
            raise ValueError(f"values of control {self.name!r} repeat: {values!r}")
        if self.default not in values:
            raise ValueError(
                f"default of control {self.name!r} must be one of {values!r}, got {self.default!r}"
            )
        if self.adam is not None and self.adam not in values:
            raise ValueError(
                f"adam of control {self.name!r} must be one of {values!r}, got {self.adam!r}"
            )
        math_html(self.label)
        object.__setattr__(self, "values", values)

    @property
    def is_menu(self) -> bool:
        """True when the values are text: the control is a menu, not a slider."""
        return isinstance(self.values[0], str)

    def readout(self, value: float | str) -> str:
        """The value as shown beside the control."""
        return value if isinstance(value, str) else format(value, self.fmt)


@dataclass(frozen=True)
class Line:
    r"""One line of a panel: the array named ``y`` against the array named ``x``.

    Parameters
    ----------
    y, x : str
        Names of arrays returned by ``compute`` (or given as ``fixed``). A non-finite value
        breaks the line, so one array can hold several polylines separated by ``nan``.
    label : str, optional
        Legend entry, matplotlib style; no legend entry when empty.
    color : str, default "text"
        ``#rrggbb``, or ``"text"`` (the page's text colour) or ``"grey"``.
    width : float, default 1.5
        In points.
    style : {"solid", "dashed", "dotted"}
    marker : bool, default False
        Draw a small circle at each point instead of a line (a start or a minimum).
    """

    y: str
    x: str
    label: str = ""
    color: str = "text"
    width: float = 1.5
    style: str = "solid"
    marker: bool = False

    def __post_init__(self) -> None:
        if self.color not in THEME_COLORS and not _COLOR.match(self.color):
            raise ValueError(f"color must be '#rrggbb', 'text' or 'grey', got {self.color!r}")
        if self.style not in DASHES:
            raise ValueError(f"style must be one of {sorted(DASHES)}, got {self.style!r}")
        if not self.width > 0:
            raise ValueError(f"width must be > 0, got {self.width!r}")
        math_html(self.label)


@dataclass(frozen=True)
class Panel:
    r"""One plot of an explorer.

    Parameters
    ----------
    lines : sequence of Line
        Drawn in order.
    title : str, optional
        May name controls in braces, ``r"$\beta_1$ = {beta1}"``: their current readouts.
    xlabel, ylabel : str, optional
    xlog, ylog : bool, default False
        Logarithmic axes (non-positive values then break the line).
    xlim, ylim : (float, float) or str, optional
        Fixed limits, or the name of a 2-array from ``compute`` (limits that follow a
        control); by default the extent of the finite data.
    square : bool, default False
        Equal scales on both axes (for paths on a contour plot).
    """

    lines: Sequence[Line]
    title: str = ""
    xlabel: str = ""
    ylabel: str = ""
    xlog: bool = False
    ylog: bool = False
    xlim: tuple[float, float] | str | None = None
    ylim: tuple[float, float] | str | None = None
    square: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple(self.lines))
        if not self.lines:
            raise ValueError("a panel needs at least one line")
        for label in (self.title, self.xlabel, self.ylabel):
            math_html(label)


@dataclass
class Explorer:
    r"""An explorer described once; see the module docstring.

    Parameters
    ----------
    name : str
        Identifier, unique on its page (``"first_moment"``).
    controls : sequence of Control
        The twin stores one run of ``compute`` per combination of their values.
    compute : callable
        ``compute(**setting)`` with one keyword per control, returning a mapping of names to
        1-D arrays (or scalars) computed with adamlib.
    panels : sequence of Panel
        Side by side on a wide screen, one under the other on a phone.
    fixed : mapping of str to array_like, optional
        Arrays that no control changes (a noisy gradient shown behind), stored once.
    description : str, optional
        One sentence for screen readers and for Jupyter without a kernel.
    """

    name: str
    controls: Sequence[Control]
    compute: Callable[..., Mapping[str, Any]]
    panels: Sequence[Panel]
    fixed: Mapping[str, Any] | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"name must be a Python identifier, got {self.name!r}")
        self.controls = tuple(self.controls)
        self.panels = tuple(self.panels)
        names = [c.name for c in self.controls]
        if not names or len(set(names)) != len(names):
            raise ValueError(f"controls must be at least one, with distinct names, got {names!r}")
        self.fixed = {k: _as_array(v, k) for k, v in (self.fixed or {}).items()}

    @property
    def defaults(self) -> dict[str, float | str]:
        """The setting the explorer starts from."""
        return {c.name: c.default for c in self.controls}

    @property
    def settings(self) -> int:
        """How many combinations of the controls' values the twin stores."""
        return int(np.prod([len(c.values) for c in self.controls]))

    def values(self, **setting: float | str) -> dict[str, np.ndarray]:
        """The arrays drawn for ``setting`` (the defaults for controls left out), float64."""
        unknown = set(setting) - {c.name for c in self.controls}
        if unknown:
            raise ValueError(f"{self.name}: no control named {sorted(unknown)!r}")
        full = self.defaults | setting
        for c in self.controls:
            if full[c.name] not in c.values:
                raise ValueError(f"{c.name} must be one of {c.values!r}, got {full[c.name]!r}")
        arrays = {k: _as_array(v, k) for k, v in self.compute(**full).items()}
        clash = set(arrays) & set(self.fixed)
        if clash:
            raise ValueError(f"{self.name}: compute returns fixed arrays {sorted(clash)!r}")
        return self.fixed | arrays

    # -- the twin ---------------------------------------------------------------------------

    def payload(self) -> dict[str, Any]:
        """Everything the twin's script needs, as JSON-ready data (runs ``compute`` for all)."""
        pool: list[np.ndarray] = []
        index: dict[bytes, int] = {}

        def store(a: np.ndarray) -> int:
            with np.errstate(over="ignore"):  # beyond float32's range is drawn as off the axes
                a = a.astype("<f4")
            key = hashlib.sha256(a.tobytes()).digest()
            if key not in index:
                index[key] = len(pool)
                pool.append(a)
            return index[key]

        keys: list[str] | None = None
        table: list[int] = []
        for combo in itertools.product(*(c.values for c in self.controls)):
            arrays = self.values(**dict(zip((c.name for c in self.controls), combo, strict=True)))
            if keys is None:
                keys = sorted(arrays)
                self._check_names(keys)
            elif sorted(arrays) != keys:
                raise ValueError(f"{self.name}: compute returned {sorted(arrays)} for {combo!r}")
            table.extend(store(arrays[k]) for k in keys)
        assert keys is not None
        lengths = [int(a.size) for a in pool]
        return {
            "name": self.name,
            "description": self.description,
            "controls": [
                {
                    "name": c.name,
                    "label": math_html(c.label),
                    "menu": c.is_menu,
                    "readouts": [c.readout(v) for v in c.values],
                    "default": c.values.index(c.default),
                    "adam": -1 if c.adam is None else c.values.index(c.adam),
                }
                for c in self.controls
            ],
            "panels": [_panel_json(p) for p in self.panels],
            "keys": keys,
            "table": table,
            "lengths": lengths,
            "data": base64.b64encode(pack(np.concatenate(pool))).decode("ascii"),
        }

    def _check_names(self, keys: Sequence[str]) -> None:
        known = set(keys)
        for p in self.panels:
            needed = [n for line in p.lines for n in (line.x, line.y)]
            needed += [lim for lim in (p.xlim, p.ylim) if isinstance(lim, str)]
            missing = sorted(set(needed) - known)
            if missing:
                raise ValueError(f"{self.name}: panels draw {missing!r}, which compute lacks")

    def html(self) -> str:
        """The twin: self-contained HTML (markup, style, data and script; no network).

        It carries the class ``web-only``, so the book's PDF edition leaves it out.
        """
        payload = json.dumps(self.payload(), ensure_ascii=False, separators=(",", ":"))
        payload = payload.replace("</", "<\\/")
        style = (_ASSETS / "explorer.css").read_text(encoding="utf-8")
        script = (_ASSETS / "explorer.js").read_text(encoding="utf-8")
        note = escape(self.description or "슬라이더로 설정을 바꿔 보는 탐색기입니다.")
        element = f"adamlib-explorer-{self.name}"
        return (
            f'<div class="adamlib-explorer web-only" id="{element}">'
            f'<p class="aex-fallback">{note} 자바스크립트가 켜진 브라우저에서 움직입니다.</p>'
            f"</div>\n<style>{style}</style>\n"
            f'<script type="application/json" id="{element}-data">{payload}</script>\n'
            f"<script>{script}\nadamlibExplorer.start({json.dumps(element)});</script>\n"
        )

    # -- the notebook face ------------------------------------------------------------------

    def figure(self, **setting: float | str) -> Figure:
        """The panels for ``setting`` drawn by matplotlib (what the widget shows)."""
        arrays = self.values(**setting)
        full = self.defaults | setting
        readouts = {c.name: c.readout(full[c.name]) for c in self.controls}
        n = len(self.panels)
        fig = Figure(figsize=(4.6 * n, 3.8), layout="constrained")
        for k, panel in enumerate(self.panels):
            ax = fig.add_subplot(1, n, k + 1)
            for line in panel.lines:
                color = THEME_COLORS.get(line.color, line.color)
                x, y = arrays[line.x], arrays[line.y]
                if line.marker:
                    ax.plot(x, y, "o", color=color, markersize=5, fillstyle="none")
                else:
                    ax.plot(
                        x,
                        y,
                        color=color,
                        linewidth=line.width,
                        linestyle=DASHES[line.style][1],
                        label=line.label or None,
                    )
            if panel.xlog:
                plotting.log_axis(ax, "x")
            if panel.ylog:
                plotting.log_axis(ax, "y")
            for lim, setter in ((panel.xlim, ax.set_xlim), (panel.ylim, ax.set_ylim)):
                if lim is not None:
                    setter(*(arrays[lim] if isinstance(lim, str) else lim))
            if panel.square:
                ax.set_aspect("equal", adjustable="box")
            ax.set_title(_fill(panel.title, readouts))
            ax.set_xlabel(panel.xlabel)
            ax.set_ylabel(panel.ylabel)
            if any(line.label for line in panel.lines):
                ax.legend(fontsize=8)
        return fig

    def png(self, **setting: float | str) -> bytes:
        """:meth:`figure` as PNG bytes."""
        buffer = io.BytesIO()
        with np.errstate(all="ignore"):
            self.figure(**setting).savefig(buffer, format="png", dpi=100)
        return buffer.getvalue()

    def widget(self) -> Any:
        """The ipywidgets explorer: a slider (or menu) per control above the figure."""
        import ipywidgets as widgets  # only where a kernel runs

        inputs = {}
        for c in self.controls:
            options = [(c.readout(v), v) for v in c.values]
            kind = widgets.Dropdown if c.is_menu else widgets.SelectionSlider
            inputs[c.name] = kind(
                options=options,
                value=c.default,
                description=math_html(c.label),
                description_allow_html=True,
            )
        image = widgets.Image(format="png")

        def redraw(_change: object = None) -> None:
            image.value = self.png(**{name: w.value for name, w in inputs.items()})

        for w in inputs.values():
            w.observe(redraw, names="value")
        redraw()
        return widgets.VBox([*inputs.values(), image])

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle: dict[str, Any] = {
            "text/plain": f"탐색기 {self.name}: "
            + ", ".join(f"{c.name} {len(c.values)}단계" for c in self.controls),
            "text/html": self.html(),
        }
        try:
            view = self.widget()._repr_mimebundle_()
        except ImportError:  # no ipywidgets: the twin alone
            return bundle
        bundle["application/vnd.jupyter.widget-view+json"] = view[
            "application/vnd.jupyter.widget-view+json"
        ]
        return bundle


def pack(values: np.ndarray) -> bytes:
    """float32 values, compressed for the page: bytes shuffled into four planes, then zlib.

    The first bytes of neighbouring floats (sign, exponent) are alike, so grouping byte ``k``
    of every float before deflating takes a third off the paths of chapter 5. The page undoes
    both with ``DecompressionStream("deflate")``; :func:`unpack` is the same in Python.
    """
    planes = np.ascontiguousarray(values.astype("<f4").view(np.uint8).reshape(-1, 4).T)
    return zlib.compress(planes.tobytes(), 9)


def unpack(data: bytes) -> np.ndarray:
    """The float32 values packed by :func:`pack`."""
    planes = np.frombuffer(zlib.decompress(data), dtype=np.uint8).reshape(4, -1)
    return np.ascontiguousarray(planes.T).view("<f4").reshape(-1)


def _fill(text: str, readouts: Mapping[str, str]) -> str:
    """``text`` with each ``{control}`` replaced by its readout (other braces stay as they are)."""
    for name, value in readouts.items():
        text = text.replace("{" + name + "}", value)
    return text


def _as_array(value: Any, name: str) -> np.ndarray:
    a = np.asarray(value, dtype=np.float64)
    if a.ndim > 1:
        raise ValueError(f"array {name!r} must be 1-D or a scalar, got shape {a.shape}")
    return a.reshape(-1)


def _panel_json(p: Panel) -> dict[str, Any]:
    return {
        "title": math_html(p.title),
        "xlabel": math_html(p.xlabel),
        "ylabel": math_html(p.ylabel),
        "xlog": p.xlog,
        "ylog": p.ylog,
        "xlim": p.xlim,
        "ylim": p.ylim,
        "square": p.square,
        "lines": [
            {
                "x": line.x,
                "y": line.y,
                "label": math_html(line.label),
                "color": line.color,
                "width": line.width,
                "dash": DASHES[line.style][0],
                "marker": line.marker,
            }
            for line in p.lines
        ],
    }
