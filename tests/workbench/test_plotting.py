"""adamlib.plotting draws what the chapters need to show: here, paths that share a stretch."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import adamlib
from adamlib import plotting


def _pixels_of(fig: plt.Figure, hex_color: str, tolerance: int = 12) -> int:
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)
    rgb = np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)])
    return int(np.sum(np.all(np.abs(image - rgb) <= tolerance, axis=-1)))


def test_a_path_drawn_first_is_not_hidden_by_an_identical_later_one() -> None:
    """Chapter 5's review found SGD invisible under the other paths: every path must show."""
    bowl = adamlib.Quadratic(curvatures=(1.0, 10.0))
    trace = adamlib.run(adamlib.Adam(lr=0.1), bowl, [-2.0, 1.0], 60)
    traces = {"모멘텀": trace, "Adam": trace}  # the same path twice, 모멘텀 drawn first
    fig, ax = plt.subplots(figsize=(4, 4), dpi=100)
    plotting.plot_trajectories(bowl, traces, ax)
    ax.get_legend().remove()  # only the paths, not the legend's samples
    try:
        first = _pixels_of(fig, plotting.COLORS["모멘텀"])
        last = _pixels_of(fig, plotting.COLORS["Adam"])
    finally:
        plt.close(fig)
    assert last > 200, last
    assert first > 0.5 * last, (first, last)  # a band on both sides of the red line
