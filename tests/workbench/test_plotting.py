"""adamlib.plotting draws what the chapters need to show: here, paths that share a stretch."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

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


def test_the_step_flow_shows_the_numbers_of_the_step_it_names() -> None:
    opt = adamlib.Adam(lr=0.1)
    trace = adamlib.run(opt, adamlib.Quadratic(curvatures=(1.0,)), [1.0], 5)
    ax = plotting.plot_step_flow(trace, 2, opt.config)
    try:
        text = " ".join(t.get_text() for t in ax.texts)
    finally:
        plt.close(ax.figure)
    for value in (
        trace.g[1, 0],
        trace.m[1, 0],
        trace.v[1, 0],
        trace.m_hat[1, 0],
        trace.v_hat[1, 0],
    ):
        assert f"{value:.4g}" in text, value
    assert f"{trace.delta[1, 0]:.4g}" in text and f"{trace.phi[2, 0]:.4g}" in text
    for chapter in ("1장", "2장", "3장", "4장"):
        assert chapter in text


@pytest.mark.parametrize("t", [0, 6, 2.0, True])
def test_the_step_flow_rejects_a_step_the_trace_does_not_have(t: object) -> None:
    opt = adamlib.Adam(lr=0.1)
    trace = adamlib.run(opt, adamlib.Quadratic(curvatures=(1.0,)), [1.0], 5)
    with pytest.raises(ValueError, match=r"t must be an integer step between 1 and 5"):
        plotting.plot_step_flow(trace, t, opt.config)  # type: ignore[arg-type]
    sgd = adamlib.run(adamlib.SGD(lr=0.1), adamlib.Quadratic(curvatures=(1.0,)), [1.0], 5)
    with pytest.raises(ValueError, match="trace must come from"):
        plotting.plot_step_flow(sgd, 1, opt.config)
