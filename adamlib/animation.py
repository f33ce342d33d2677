r"""Kernel-free animations for the static book: matplotlib's ``FuncAnimation.to_jshtml``.

A slider made with ipywidgets needs a running kernel; on the published site it is frozen. The
substitute is a short animation whose frames are computed in advance and embedded as PNG
images in a self-contained piece of HTML and JavaScript, with play, step and a frame slider.
It works without a kernel and without any network access.

matplotlib's HTML needs two fixes for this book, done by :func:`make_deterministic`:

1. **A fixed id.** ``to_jshtml`` names its elements after a random ``uuid4`` (``_anim_img…``,
   ``anim…``), so two runs differ and strict nbval would fail. The random id is replaced by
   ``adamlib_<name>``, so the same figure gives byte-identical HTML on every run, and two
   animations on one page stay apart when their names differ.
2. **No CDN.** The buttons draw Font Awesome icons loaded from ``maxcdn.bootstrapcdn.com``.
   The stylesheet link is removed and each icon becomes a plain text symbol (▷, ‖, ◁, …), so
   the controls render offline; the repetition modes get Korean labels.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from html import escape

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure

from adamlib import plotting
from adamlib._base import Optimizer
from adamlib._checks import check_count, check_integer_range
from adamlib.problems import Problem
from adamlib.trace import Trace, run

#: Text symbols replacing matplotlib's Font Awesome icons, by icon class.
ICONS: dict[str, str] = {
    "fa fa-minus": "−",
    "fa fa-fast-backward": "|◁◁",
    "fa fa-step-backward": "|◁",
    "fa fa-play fa-flip-horizontal": "◁",
    "fa fa-pause": "‖",
    "fa fa-play": "▷",
    "fa fa-step-forward": "▷|",
    "fa fa-fast-forward": "▷▷|",
    "fa fa-plus": "+",
}

#: Korean labels for the three repetition modes of the player.
MODE_LABELS: dict[str, str] = {"Once": "한 번", "Loop": "반복", "Reflect": "왕복"}

#: Korean tooltips (and so accessible names) of the player's buttons, by matplotlib's English.
BUTTON_TITLES: dict[str, str] = {
    "Decrease speed": "느리게",
    "First frame": "첫 프레임",
    "Previous frame": "이전 프레임",
    "Play backwards": "거꾸로 재생",
    "Pause": "일시 정지",
    "Play": "재생",
    "Next frame": "다음 프레임",
    "Last frame": "마지막 프레임",
    "Increase speed": "빠르게",
    "Repetition mode": "반복 방식",
}

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_RANDOM_ID = re.compile(r'id="_anim_img([0-9a-f]{32})"')
_CDN_LINK = re.compile(r"<link[^>]*font-awesome[^>]*>\s*")
_TITLE = re.compile(r'(title|aria-label)="([^"]*)"')


def html_id(name: str) -> str:
    """The fixed element id used for the animation called ``name``: ``adamlib_<name>``.

    Parameters
    ----------
    name : str
        Letters, digits and underscores, starting with a letter (it becomes part of a
        JavaScript variable name). Use a different name for each animation of a page.
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(
            f"name must be letters, digits and '_', starting with a letter, got {name!r}"
        )
    return f"adamlib_{name}"


def make_deterministic(html: str, name: str, alt: str) -> str:
    """Post-process the HTML of ``to_jshtml``: fixed id, no CDN stylesheet, Korean controls.

    Parameters
    ----------
    html : str
        What :meth:`matplotlib.animation.Animation.to_jshtml` returned.
    name : str
        See :func:`html_id`.
    alt : str
        Alternative text of the frame image: what the animation shows, for a reader who
        cannot see it.

    Returns
    -------
    str
        The same player with the random id replaced by :func:`html_id` ``(name)``, the Font
        Awesome ``<link>`` removed, every icon replaced by the symbol in :data:`ICONS`, the
        repetition modes labelled as in :data:`MODE_LABELS`, the buttons' tooltips and
        accessible names as in :data:`BUTTON_TITLES`, the frame slider labelled "프레임" and
        the image given ``alt``.

    Raises
    ------
    RuntimeError
        If the HTML does not look like matplotlib's template (it changed): better to fail than
        to publish a page that differs on every build or loads a stylesheet from the network.
    """
    fixed = html_id(name)
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(f"alt must be a non-empty description of the animation, got {alt!r}")
    found = _RANDOM_ID.search(html)
    if found is None:
        raise RuntimeError("no random id '_anim_img<32 hex digits>' found: template changed?")
    html = html.replace(found.group(1), fixed)
    html = _CDN_LINK.sub("", html)
    for icon, symbol in ICONS.items():
        html = html.replace(f'<i class="{icon}"></i>', f'<span aria-hidden="true">{symbol}</span>')
    for english, korean in MODE_LABELS.items():
        html = html.replace(f">{english}</label>", f">{korean}</label>")
    html = _TITLE.sub(lambda m: f'{m[1]}="{BUTTON_TITLES.get(m[2], m[2])}"', html)
    html = html.replace(
        f'<img id="_anim_img{fixed}">', f'<img id="_anim_img{fixed}" alt="{escape(alt)}">'
    )
    html = html.replace('class="anim-slider"', 'class="anim-slider" aria-label="프레임"')
    leftovers = [s for s in ('class="fa', "http://", "https://") if s in html]
    korean = {*BUTTON_TITLES.values(), "프레임"}
    leftovers += [f"{a}={t!r}" for a, t in _TITLE.findall(html) if t not in korean]
    if 'aria-label="프레임"' not in html or f'alt="{escape(alt)}"' not in html:
        leftovers.append("the slider or the image")
    if leftovers or _RANDOM_ID.search(html):
        raise RuntimeError(f"the animation HTML still contains {leftovers!r}: template changed?")
    return html


def animation_html(
    fig: Figure,
    update: Callable[[int], object],
    frames: int,
    *,
    name: str,
    alt: str,
    interval: int = 800,
    dpi: int = 75,
) -> str:
    """Render ``frames`` frames of ``fig`` into a deterministic, self-contained HTML player.

    Parameters
    ----------
    fig : Figure
        The figure to animate; it is closed afterwards (a notebook shows only the player).
    update : callable
        ``update(k)`` redraws the figure for frame ``k = 0, …, frames - 1``.
    frames : int
        Number of frames, at least 1.
    name : str
        See :func:`html_id`.
    alt : str
        What the animation shows, in words (the frame image's alternative text).
    interval : int, default 800
        Milliseconds between frames when playing.
    dpi : int, default 75
        Resolution of the embedded PNG frames; with the figure size it sets the HTML size.

    Returns
    -------
    str
        HTML with inline JavaScript and the frames embedded as base64 PNG. Wrap it in
        ``IPython.display.HTML`` to show it in a notebook.
    """
    html_id(name)
    frames = check_count(frames, "frames")
    interval = check_count(interval, "interval")
    dpi = check_integer_range(dpi, "dpi", 20, 300)
    try:
        # Draw on screen and into the frames at one resolution, so text metrics are cached
        # between the two draws of every frame.
        fig.set_dpi(int(dpi))
        # FuncAnimation redraws the canvas after each frame (draw_idle) and the writer then
        # draws it again into the PNG. Off screen the first draw is wasted work: skip it. The
        # figure is closed below, so nothing else ever sees this patched canvas.
        fig.canvas.draw_idle = lambda *_args, **_kwargs: None  # type: ignore[method-assign]
        anim = FuncAnimation(fig, update, frames=range(int(frames)), interval=int(interval))
        with mpl.rc_context({"savefig.dpi": "figure", "animation.frame_format": "png"}):
            html = anim.to_jshtml(default_mode="once")
    finally:
        plt.close(fig)
    return make_deterministic(html, name, alt)


def sweep_figure(
    problem: Problem,
    values: Sequence[float],
    traces: Sequence[Trace],
    *,
    label: str = "Adam",
    value_label: str = r"\alpha",
    log_values: bool = True,
    size: tuple[float, float] = (7.2, 3.0),
) -> tuple[Figure, Callable[[int], None]]:
    r"""The figure of a parameter sweep and the function that shows frame ``k``.

    Left: contour of ``problem`` with the path of ``traces[k]``. Right: the final loss
    :math:`f(\phi_T)` of every run against its parameter value, with run ``k`` highlighted.

    Parameters
    ----------
    problem : Problem
        A 2-D problem.
    values : sequence of float
        The parameter value of each run (e.g. learning rates), increasing.
    traces : sequence of Trace
        One run per value, made with :func:`adamlib.trace.run` (so they carry the loss).
    label : str, default "Adam"
        Legend label; a key of :data:`adamlib.plotting.COLORS` gets the book's colour.
    value_label : str, default r"\alpha"
        The parameter's symbol in LaTeX, for the axis and the title.
    log_values : bool, default True
        Log scale for the parameter axis.
    size : tuple of float
        Figure size in inches.

    Returns
    -------
    fig : Figure
    update : callable
        ``update(k)`` draws frame ``k``.
    """
    vals = np.asarray(values, dtype=np.float64)
    if vals.ndim != 1 or vals.size == 0 or len(traces) != vals.size:
        raise ValueError(
            f"values and traces must be non-empty and equally long, got {vals.size} values "
            f"and {len(traces)} traces"
        )
    if any(tr.loss is None for tr in traces):
        raise ValueError("every trace needs a loss: make them with adamlib.trace.run")
    finals = np.array([tr.loss[-1] for tr in traces])  # type: ignore[index]
    floor = 1e-16
    color = plotting.COLORS.get(label, "#d62728")
    fig, (left, right) = plt.subplots(1, 2, figsize=size, layout="constrained")
    plotting.plot_contour(problem, left, resolution=120, levels=20)
    first = traces[0].phi[0]
    left.plot(first[0], first[1], "ko", markersize=5, fillstyle="none")
    (path,) = left.plot([], [], color=color, linewidth=1.6, label=label)
    left.legend(loc="upper right", fontsize=9)
    right.plot(vals, np.maximum(finals, floor), marker="o", markersize=3, color="0.6")
    (current,) = right.plot([], [], "o", markersize=9, color=color)
    plotting.log_axis(right, "both" if log_values else "y")
    right.set_xlabel(f"${value_label}$")
    right.set_ylabel(r"최종 손실 $f(\phi_T)$")
    right.set_title(f"{traces[0].steps}스텝 뒤의 손실")
    right.minorticks_off()

    def update(k: int) -> None:
        phi = traces[k].phi
        path.set_data(phi[:, 0], phi[:, 1])
        current.set_data([vals[k]], [max(finals[k], floor)])
        left.set_title(f"{problem.label}, ${value_label} = {vals[k]:.3g}$")

    update(int(np.argmax([len(f"{v:.3g}") for v in vals])))
    # Lay the figure out once, for the longest title, then freeze it: constrained layout on
    # every frame would cost most of the rendering time and could make the frames jump.
    fig.canvas.draw()
    fig.set_layout_engine("none")

    return fig, update


def parameter_sweep(
    problem: Problem,
    make_optimizer: Callable[[float], Optimizer],
    values: Iterable[float],
    phi0: np.ndarray | Iterable[float],
    steps: int,
    *,
    name: str,
    alt: str,
    label: str = "Adam",
    value_label: str = r"\alpha",
    log_values: bool = True,
    interval: int = 800,
    dpi: int = 75,
) -> str:
    r"""Run one optimizer for each parameter value and animate the paths: one frame per value.

    Parameters
    ----------
    problem : Problem
        A 2-D problem.
    make_optimizer : callable
        ``make_optimizer(value)`` returns a fresh optimizer, e.g. ``lambda lr: Adam(lr=lr)``.
        Every run must stay finite (Adam's bounded steps make that easy).
    values : iterable of float
        Parameter values, increasing; 8 to 12 keep the HTML small.
    phi0 : array_like
        :math:`\phi_0`, the same for every run.
    steps : int
        :math:`T`, the same for every run.
    name, alt
        See :func:`animation_html`.
    label, value_label, log_values
        See :func:`sweep_figure`.
    interval, dpi
        See :func:`animation_html`.

    Returns
    -------
    str
        Deterministic, self-contained HTML (see :func:`animation_html`).
    """
    html_id(name)
    vals = [float(v) for v in values]
    traces = [run(make_optimizer(v), problem, phi0, steps) for v in vals]
    fig, update = sweep_figure(
        problem, vals, traces, label=label, value_label=value_label, log_values=log_values
    )
    return animation_html(fig, update, len(vals), name=name, alt=alt, interval=interval, dpi=dpi)
