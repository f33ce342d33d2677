r"""Figures for the book: contours with trajectories, moment traces, loss curves.

Importing this module registers the bundled NanumGothic font (SIL OFL 1.1, ``adamlib/fonts``)
with matplotlib, so Korean titles and labels render on machines without a Korean system font.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from adamlib.problems import Problem
from adamlib.trace import Trace

FONT_PATH = Path(__file__).with_name("fonts") / "NanumGothic.ttf"
FONT_NAME = "NanumGothic"

#: One colour per optimizer, the same in every figure of the book.
COLORS = {
    "SGD": "#7f7f7f",
    "모멘텀": "#1f77b4",
    "Momentum": "#1f77b4",
    "AdaGrad": "#9467bd",
    "RMSProp": "#2ca02c",
    "Adam": "#d62728",
    "AdaMax": "#ff7f0e",
}


def register_font() -> str:
    """Register the bundled Hangul font with matplotlib and make it the default; return its name."""
    if FONT_NAME not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(FONT_PATH))
    # NanumGothic first, so Korean words inside a label with $math$ render; math itself uses
    # mathtext's DejaVu fonts. NanumGothic lacks U+2212, hence plain hyphens and log_axis().
    mpl.rcParams["font.family"] = [FONT_NAME, "DejaVu Sans"]
    mpl.rcParams["axes.unicode_minus"] = False  # NanumGothic has no U+2212 minus sign
    mpl.rcParams["figure.dpi"] = 100
    mpl.rcParams["savefig.dpi"] = 100
    mpl.rcParams["axes.grid"] = True
    mpl.rcParams["grid.alpha"] = 0.3
    mpl.rcParams["axes.spines.top"] = False
    mpl.rcParams["axes.spines.right"] = False
    return FONT_NAME


register_font()


def _axes(ax: Axes | None, figsize: tuple[float, float] = (6.0, 4.5)) -> Axes:
    if ax is not None:
        return ax
    _fig, new_ax = plt.subplots(figsize=figsize, layout="constrained")
    return new_ax


def _decade_label(value: float, _pos: int) -> str:
    if value <= 0:
        return ""
    exponent = np.log10(value)
    if not np.isclose(exponent, round(exponent)):
        return ""
    return f"$10^{{{round(exponent)}}}$"


def log_axis(ax: Axes, axis: str = "y") -> Axes:
    """Put ``axis`` ('x', 'y' or 'both') on a log scale with labels like $10^{-4}$.

    Use this rather than ``ax.set_yscale('log')``: matplotlib's default log labels draw their
    minus sign in the text font, and the bundled Hangul font has no U+2212 glyph.
    """
    if axis not in ("x", "y", "both"):
        raise ValueError(f"axis must be 'x', 'y' or 'both', got {axis!r}")
    for name in ("x", "y") if axis == "both" else (axis,):
        target = ax.xaxis if name == "x" else ax.yaxis
        (ax.set_xscale if name == "x" else ax.set_yscale)("log")
        target.set_major_locator(LogLocator(base=10.0, numticks=12))
        target.set_major_formatter(FuncFormatter(_decade_label))
        target.set_minor_formatter(NullFormatter())
    return ax


def plot_contour(
    problem: Problem,
    ax: Axes | None = None,
    *,
    resolution: int = 200,
    levels: int = 30,
    log: bool = True,
) -> Axes:
    """Contour lines of a 2-D problem over its window, with its minimum marked by a star.

    Parameters
    ----------
    problem : Problem
        A 2-D problem.
    ax : Axes, optional
        Where to draw; a new figure when omitted.
    resolution : int, default 200
        Grid points per axis.
    levels : int, default 30
        Number of contour levels.
    log : bool, default True
        Space the levels logarithmically (good for valleys like Rosenbrock's).
    """
    ax = _axes(ax)
    x0, x1, y0, y1 = problem.window
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    z = problem.loss_grid(xs, ys)
    if log:
        positive = z[z > 0]
        lo = max(float(positive.min()), 1e-3) if positive.size else 1e-3
        lv = np.geomspace(lo, float(z.max()), levels)
    else:
        lv = np.linspace(float(z.min()), float(z.max()), levels)
    ax.contour(xs, ys, z, levels=lv, cmap="Greys_r", linewidths=0.6, alpha=0.8)
    star = problem.minimum
    ax.plot(star[0], star[1], marker="*", color="black", markersize=12, linestyle="none")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel(r"$\phi_1$")
    ax.set_ylabel(r"$\phi_2$")
    ax.grid(False)
    return ax


def plot_trajectories(
    problem: Problem,
    traces: Mapping[str, Trace],
    ax: Axes | None = None,
    *,
    title: str | None = None,
    markevery: int | None = None,
) -> Axes:
    r"""Contour of ``problem`` with the path :math:`\phi_0, \phi_1, \dots` of each trace.

    Parameters
    ----------
    problem : Problem
        A 2-D problem.
    traces : mapping of str to Trace
        Legend label → trace; labels found in :data:`COLORS` get the book's colours.
    ax : Axes, optional
        Where to draw.
    title : str, optional
        Axes title (Korean is fine).
    markevery : int, optional
        Put a dot every ``markevery`` steps.
    """
    ax = plot_contour(problem, ax)
    for label, tr in traces.items():
        path = tr.phi
        ax.plot(
            path[:, 0],
            path[:, 1],
            label=label,
            color=COLORS.get(label),
            linewidth=1.6,
            marker="o" if markevery else None,
            markersize=2.5,
            markevery=markevery,
        )
    first = next(iter(traces.values()))
    ax.plot(first.phi[0, 0], first.phi[0, 1], "ko", markersize=5, fillstyle="none")
    ax.legend(loc="best", fontsize=9)
    if title:
        ax.set_title(title)
    return ax


def plot_moments(
    trace: Trace,
    ax: Axes | None = None,
    *,
    index: int = 0,
    corrected: bool = False,
    title: str | None = None,
) -> Axes:
    r"""The gradient :math:`g_t`, the first moment and the root of the second moment over steps.

    Parameters
    ----------
    trace : Trace
        From :func:`adamlib.trace.run` or :func:`adamlib.trace.run_sequence`.
    ax : Axes, optional
        Where to draw.
    index : int, default 0
        Which parameter to show.
    corrected : bool, default False
        Show :math:`\hat m_t, \sqrt{\hat v_t}` instead of :math:`m_t, \sqrt{v_t}`.
    title : str, optional
        Axes title.
    """
    ax = _axes(ax, (7.0, 3.8))
    t = np.arange(1, trace.steps + 1)
    ax.plot(t, trace.g[:, index], color="0.7", linewidth=0.8, label=r"$g_t$")
    m = trace.m_hat if corrected else trace.m
    v = trace.v_hat if corrected else trace.v
    if m is not None:
        ax.plot(t, m[:, index], color="#d62728", label=r"$\hat m_t$" if corrected else r"$m_t$")
    if v is not None:
        ax.plot(
            t,
            np.sqrt(v[:, index]),
            color="#1f77b4",
            label=r"$\sqrt{\hat v_t}$" if corrected else r"$\sqrt{v_t}$",
        )
    ax.set_xlabel("스텝 $t$")
    ax.legend(loc="best", fontsize=9)
    if title:
        ax.set_title(title)
    return ax


def plot_losses(
    traces: Mapping[str, Trace],
    ax: Axes | None = None,
    *,
    title: str | None = None,
    floor: float = 1e-12,
) -> Axes:
    r"""Loss :math:`f(\phi_t)` against the step :math:`t` on a log scale, one line per trace."""
    ax = _axes(ax, (6.0, 4.0))
    for label, tr in traces.items():
        if tr.loss is None:
            raise ValueError(f"trace {label!r} has no loss: run it with adamlib.trace.run")
        ax.plot(np.maximum(tr.loss, floor), label=label, color=COLORS.get(label))
    log_axis(ax, "y")
    ax.set_xlabel("스텝 $t$")
    ax.set_ylabel(r"손실 $f(\phi_t)$")
    ax.legend(loc="best", fontsize=9)
    if title:
        ax.set_title(title)
    return ax


def grid(
    rows: int, cols: int, *, size: tuple[float, float] = (4.5, 3.6)
) -> tuple[Figure, Sequence[Axes]]:
    """A figure with ``rows`` × ``cols`` axes (flattened), sized ``size`` per panel."""
    fig, axes = plt.subplots(
        rows, cols, figsize=(size[0] * cols, size[1] * rows), layout="constrained", squeeze=False
    )
    return fig, list(axes.ravel())
