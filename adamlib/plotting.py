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

from adamlib.adam import AdamConfig
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

#: Line width of the last path :func:`plot_trajectories` draws; each earlier one is wider by
#: ``PATH_WIDTH_STEP``, so overlapping paths stay visible.
PATH_WIDTH = 1.4
PATH_WIDTH_STEP = 1.6


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


def loss_surface(problem: Problem, resolution: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The loss of a 2-D problem on a ``resolution`` × ``resolution`` grid over its window:
    ``(xs, ys, z)`` with ``z[j, i]`` the loss at ``(xs[i], ys[j])``."""
    x0, x1, y0, y1 = problem.window
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    return xs, ys, problem.loss_grid(xs, ys)


def log_levels(z: np.ndarray, levels: int) -> np.ndarray:
    """``levels`` contour levels spaced logarithmically from the smallest positive loss (at
    least 1e-3) to the largest: what suits valleys like Rosenbrock's."""
    positive = z[z > 0]
    lo = max(float(positive.min()), 1e-3) if positive.size else 1e-3
    return np.geomspace(lo, float(z.max()), levels)


def step_sizes(trace: Trace, *, lr: float | None = None, index: int | None = None) -> np.ndarray:
    r"""Step sizes :math:`\lVert\Delta\phi_t\rVert` (or :math:`|\Delta\phi_{t,i}|` for ``index``),
    divided by :math:`\alpha` = ``lr`` when given; exact zeros become nan (no place on a log
    axis). ``lr`` is checked by the caller."""
    size = np.linalg.norm(trace.delta, axis=1) if index is None else np.abs(trace.delta[:, index])
    if lr is not None:
        size = size / lr
    return np.where(size > 0, size, np.nan)


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
    xs, ys, z = loss_surface(problem, resolution)
    lv = log_levels(z, levels) if log else np.linspace(float(z.min()), float(z.max()), levels)
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

    Notes
    -----
    Paths often share a stretch (several optimizers follow the same valley floor). Each path is
    drawn wider than the ones drawn after it, so where they overlap every colour still shows as
    a band around the later, thinner lines, and no path disappears under another.
    """
    ax = plot_contour(problem, ax)
    n = len(traces)
    for i, (label, tr) in enumerate(traces.items()):
        path = tr.phi
        ax.plot(
            path[:, 0],
            path[:, 1],
            label=label,
            color=COLORS.get(label),
            linewidth=PATH_WIDTH + PATH_WIDTH_STEP * (n - 1 - i),
            marker="o" if markevery else None,
            markersize=3.5,
            markevery=markevery,
            solid_capstyle="round",
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


def plot_corrected_moments(
    trace: Trace,
    ax: Axes | None = None,
    *,
    index: int = 0,
    second: bool = True,
    title: str | None = None,
) -> Axes:
    r"""Moments before and after bias correction: :math:`m_t` against :math:`\hat m_t`, and
    :math:`\sqrt{v_t}` against :math:`\sqrt{\hat v_t}`, with the gradient :math:`g_t` behind.

    Dashed lines are the raw moving averages, solid lines the corrected ones (chapter 3).

    Parameters
    ----------
    trace : Trace
        A run of :class:`adamlib.Adam` with bias correction (it records ``m``, ``v``, ``m_hat``,
        ``v_hat``).
    ax : Axes, optional
        Where to draw; a new figure when omitted.
    index : int, default 0
        Which parameter to show.
    second : bool, default True
        Also draw :math:`\sqrt{v_t}` and :math:`\sqrt{\hat v_t}`.
    title : str, optional
        Axes title (Korean is fine).
    """
    needed = ("m", "m_hat", "v", "v_hat") if second else ("m", "m_hat")
    missing = [name for name in needed if getattr(trace, name) is None]
    if missing:
        raise ValueError(f"trace has no {missing!r}: record it with adamlib.Adam")
    ax = _axes(ax, (7.0, 3.8))
    t = np.arange(1, trace.steps + 1)
    ax.plot(t, trace.g[:, index], color="0.8", linewidth=0.7, label=r"$g_t$")
    red, blue = "#d62728", "#1f77b4"
    ax.plot(t, trace.m[:, index], color=red, linestyle="--", label=r"$m_t$")
    ax.plot(t, trace.m_hat[:, index], color=red, label=r"$\hat m_t$")
    if second:
        ax.plot(t, np.sqrt(trace.v[:, index]), color=blue, linestyle="--", label=r"$\sqrt{v_t}$")
        ax.plot(t, np.sqrt(trace.v_hat[:, index]), color=blue, label=r"$\sqrt{\hat v_t}$")
    ax.set_xlabel("스텝 $t$")
    ax.legend(loc="best", fontsize=9)
    if title:
        ax.set_title(title)
    return ax


def plot_step_sizes(
    traces: Mapping[str, Trace],
    ax: Axes | None = None,
    *,
    lr: float | None = None,
    index: int | None = None,
    title: str | None = None,
) -> Axes:
    r"""Step size :math:`|\Delta\phi_t|` against the step :math:`t`, log scale, one line per run.

    Parameters
    ----------
    traces : mapping of str to Trace
        Legend label → trace; labels found in :data:`COLORS` get the book's colours.
    ax : Axes, optional
        Where to draw; a new figure when omitted.
    lr : float, optional
        When given, plot :math:`|\Delta\phi_t|/\alpha` with :math:`\alpha` = ``lr``: 1 means a
        step of exactly one learning rate.
    index : int, optional
        Show parameter ``index``'s :math:`|\Delta\phi_{t,i}|`; when omitted, the Euclidean norm
        :math:`\lVert\Delta\phi_t\rVert` over all parameters.
    title : str, optional
        Axes title.

    Notes
    -----
    Steps that are exactly zero have no place on a log axis and are left out of the line.
    """
    if lr is not None and not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a finite number > 0, got {lr!r}")
    ax = _axes(ax, (6.0, 4.0))
    for label, tr in traces.items():
        size = step_sizes(tr, lr=lr, index=index)
        ax.plot(np.arange(1, tr.steps + 1), size, label=label, color=COLORS.get(label))
    log_axis(ax, "y")
    ax.set_xlabel("스텝 $t$")
    norm = r"|\Delta\phi_t|" if index is not None else r"\Vert\Delta\phi_t\Vert"
    ax.set_ylabel(f"${norm}/\\alpha$" if lr is not None else f"보폭 ${norm}$")
    ax.legend(loc="best", fontsize=9)
    if title:
        ax.set_title(title)
    return ax


def plot_learning_rate_curves(
    grid: Sequence[float] | np.ndarray,
    losses: Mapping[str, np.ndarray],
    ax: Axes | None = None,
    *,
    chosen: Mapping[str, float] | None = None,
    title: str | None = None,
    floor: float = 1e-16,
    ceiling: float | None = None,
) -> Axes:
    r"""Final loss :math:`f(\phi_T)` against the learning rate :math:`\alpha`, log-log.

    One line per optimizer, from :func:`adamlib.tuning.best_learning_rate`. Diverged runs
    (``inf``) are drawn as crosses above the curves, one row of crosses per optimizer; the
    chosen :math:`\alpha` gets a larger filled marker.

    Parameters
    ----------
    grid : sequence of float
        The learning rates tried, increasing, all > 0.
    losses : mapping of str to ndarray
        Legend label → final loss for each entry of ``grid`` (``inf`` for a diverged run).
    ax : Axes, optional
        Where to draw; a new figure when omitted.
    chosen : mapping of str to float, optional
        Legend label → the :math:`\alpha` picked for it (an entry of ``grid``).
    title : str, optional
        Axes title.
    floor : float, default 1e-16
        Losses below this are drawn at ``floor`` (a loss of exactly 0 has no log).
    ceiling : float, optional
        Losses above this count as diverged in the figure (a finite :math:`10^{200}` would
        otherwise squash every other curve).
    """
    lrs = np.asarray(grid, dtype=np.float64)
    if lrs.ndim != 1 or lrs.size == 0 or not np.all(lrs > 0):
        raise ValueError(f"grid must be a non-empty 1-D sequence of numbers > 0, got {grid!r}")
    if not floor > 0:
        raise ValueError(f"floor must be > 0, got {floor!r}")
    if ceiling is not None and not (np.isfinite(ceiling) and ceiling > floor):
        raise ValueError(f"ceiling must be finite and > floor, got {ceiling!r}")
    limit = np.inf if ceiling is None else float(ceiling)
    curves = {label: np.asarray(y, dtype=np.float64) for label, y in losses.items()}
    for label, y in curves.items():
        if y.shape != lrs.shape:
            raise ValueError(f"losses[{label!r}] has shape {y.shape}, expected {lrs.shape}")
    shown = [y[np.isfinite(y) & (y <= limit)] for y in curves.values()]
    highest = max((float(f.max()) for f in shown if f.size), default=1.0)
    top = 10.0 * max(highest, floor)
    ax = _axes(ax, (6.0, 4.0))
    rows = 0
    for label, y in curves.items():
        color = COLORS.get(label)
        ok = np.isfinite(y) & (y <= limit)
        (line,) = ax.plot(
            lrs[ok], np.maximum(y[ok], floor), marker="o", markersize=3, label=label, color=color
        )
        if not ok.all():
            height = top * 4.0**rows
            rows += 1
            ax.plot(lrs[~ok], np.full(int((~ok).sum()), height), "x", color=line.get_color())
        if chosen is not None and label in chosen:
            k = int(np.argmin(np.abs(np.log(lrs / chosen[label]))))
            ax.plot(lrs[k], max(y[k], floor), "o", markersize=8, color=line.get_color())
    if rows:
        if ceiling is None:
            text = "발산"
        else:
            exponent = np.log10(ceiling)
            bound = f"10^{{{round(exponent)}}}" if exponent.is_integer() else f"{ceiling:g}"
            text = f"발산 또는 $f > {bound}$"
        ax.plot([], [], "x", color="black", label=text)
    log_axis(ax, "both")
    ax.set_xlabel(r"학습률 $\alpha$")
    ax.set_ylabel(r"최종 손실 $f(\phi_T)$")
    ax.legend(loc="best", fontsize=8)
    if title:
        ax.set_title(title)
    return ax


def plot_step_flow(
    trace: Trace,
    t: int,
    config: AdamConfig,
    ax: Axes | None = None,
    *,
    index: int = 0,
) -> Axes:
    r"""How one Adam step flows, with the numbers of step ``t`` of ``trace`` in every box.

    The gradient :math:`g_t` feeds two lanes that never touch: the first moment
    :math:`m_t \to \hat m_t` (left) and the second moment :math:`v_t \to \hat v_t` (right). They
    meet only in the update :math:`\Delta\phi_t = -\alpha\,\hat m_t/(\sqrt{\hat v_t}+\varepsilon)`.
    Dashed arrows bring the state :math:`m_{t-1}`, :math:`v_{t-1}` of the step before. Each box
    names the chapter that explains it.

    Parameters
    ----------
    trace : Trace
        A run of Adam (:func:`adamlib.run`), with its moments recorded.
    t : int
        The step to show, :math:`1 \le t \le T`.
    config : AdamConfig
        The run's hyperparameters (``opt.config``): :math:`\alpha`, :math:`\beta_1`,
        :math:`\beta_2`, :math:`\varepsilon` are written into the boxes.
    ax : Axes, optional
        Where to draw.
    index : int, default 0
        Which parameter's numbers to show.
    """
    if trace.m is None or trace.v is None or trace.m_hat is None or trace.v_hat is None:
        raise ValueError("trace must come from an optimizer that records m, v, m_hat and v_hat")
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or not 1 <= t <= trace.steps:
        raise ValueError(f"t must be an integer step between 1 and {trace.steps}, got {t!r}")
    ax = _axes(ax, (7.6, 5.6))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 7.4)
    ax.axis("off")
    i, row = index, t - 1

    def num(x: float) -> str:
        return f"{x:.4g}"

    lanes = {"m": "#d62728", "v": "#1f77b4", "both": "0.25"}

    def box(x: float, y: float, text: str, lane: str, note: str) -> None:
        ax.text(
            x,
            y,
            text,
            ha="center",
            va="center",
            fontsize=10,
            bbox={"boxstyle": "round,pad=0.45", "fc": "white", "ec": lanes[lane], "lw": 1.6},
        )
        ax.text(x, y - 0.72, note, ha="center", va="center", fontsize=8.5, color=lanes[lane])

    def arrow(x0: float, y0: float, x1: float, y1: float, dashed: bool = False) -> None:
        ax.annotate(
            "",
            xy=(x1, y1),
            xytext=(x0, y0),
            arrowprops={
                "arrowstyle": "-|>",
                "color": "0.35",
                "lw": 1.2,
                "ls": "--" if dashed else "-",
            },
        )

    phi_before, g = trace.phi[row, i], trace.g[row, i]
    box(
        5.0,
        6.7,
        rf"$g_{{{t}}} = \nabla f_{{{t}}}(\phi_{{{t - 1}}})$ = {num(g)}",
        "both",
        "그래디언트",
    )
    box(
        2.45,
        4.85,
        rf"$m_{{{t}}} = {config.beta1:g}\,m_{{{t - 1}}} + {1 - config.beta1:.3g}\,g_{{{t}}}$"
        f"\n= {num(trace.m[row, i])}",
        "m",
        "1차 모멘트 (1장)",
    )
    box(
        7.55,
        4.85,
        rf"$v_{{{t}}} = {config.beta2:g}\,v_{{{t - 1}}} + {1 - config.beta2:.3g}\,g_{{{t}}}^2$"
        f"\n= {num(trace.v[row, i])}",
        "v",
        "2차 모멘트 (2장)",
    )
    box(
        2.45,
        3.0,
        rf"$\hat m_{{{t}}} = m_{{{t}}}/(1-{config.beta1:g}^{{{t}}})$"
        f"\n= {num(trace.m_hat[row, i])}",
        "m",
        "편향 보정 (3장)",
    )
    box(
        7.55,
        3.0,
        rf"$\hat v_{{{t}}} = v_{{{t}}}/(1-{config.beta2:g}^{{{t}}})$"
        f"\n= {num(trace.v_hat[row, i])}",
        "v",
        "편향 보정 (3장)",
    )
    box(
        5.0,
        1.15,
        rf"$\Delta\phi_{{{t}}} = -{config.lr:g}\,\hat m_{{{t}}}/"
        rf"(\sqrt{{\hat v_{{{t}}}}}+\varepsilon) = {num(trace.delta[row, i])}$"
        "\n"
        rf"$\phi_{{{t}}} = {num(phi_before)} + \Delta\phi_{{{t}}} = {num(trace.phi[row + 1, i])}$",
        "both",
        "두 모멘트가 만나는 유일한 곳: 업데이트 (4장, 5장)",
    )
    arrow(4.3, 6.35, 2.9, 5.45)
    arrow(5.7, 6.35, 7.1, 5.45)
    arrow(2.45, 4.0, 2.45, 3.55)
    arrow(7.55, 4.0, 7.55, 3.55)
    arrow(2.45, 2.15, 4.0, 1.7)
    arrow(7.55, 2.15, 6.0, 1.7)
    arrow(0.35, 5.95, 1.05, 5.2, dashed=True)
    ax.text(0.3, 6.15, rf"$m_{{{t - 1}}}$", fontsize=9, color=lanes["m"])
    arrow(9.65, 5.95, 8.95, 5.2, dashed=True)
    ax.text(9.45, 6.15, rf"$v_{{{t - 1}}}$", fontsize=9, color=lanes["v"])
    return ax
