"""adamlib.tuning (chapter 5): the fair learning-rate search, and its figure in plotting."""

from __future__ import annotations

import math
import warnings

import matplotlib
import numpy as np
import pytest

import adamlib
from adamlib import plotting
from adamlib.optimizers import SGD, Momentum, RMSProp
from adamlib.tuning import best_learning_rate, final_loss, learning_rate_table, log_grid

matplotlib.use("Agg")

BOWL = adamlib.Quadratic(curvatures=(1.0,))


# -- log_grid ---------------------------------------------------------------------------------
def test_log_grid_has_per_decade_points_between_powers_of_ten() -> None:
    grid = log_grid(1e-4, 1.0, 3)
    assert grid.size == 13
    assert grid[0] == pytest.approx(1e-4, rel=1e-15) and grid[-1] == 1.0
    np.testing.assert_allclose(np.diff(np.log10(grid)), 1 / 3, rtol=1e-12)
    np.testing.assert_allclose(grid[3::3], [1e-3, 1e-2, 1e-1, 1.0], rtol=1e-14)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"lowest": 0.0}, "lowest"),
        ({"lowest": 2e-4}, "lowest"),
        ({"highest": -1.0}, "highest"),
        ({"lowest": 1.0, "highest": 1e-2}, "lowest"),
        ({"per_decade": 0}, "per_decade"),
    ],
)
def test_log_grid_rejects_bad_arguments_by_name(kwargs: dict, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        log_grid(**kwargs)


# -- final_loss -------------------------------------------------------------------------------
@pytest.mark.parametrize("noise", [0.0, 0.5])
def test_final_loss_is_the_last_loss_of_the_same_run(noise: float) -> None:
    """Same gradients, same noise, same arithmetic as adamlib.run: bit for bit."""
    opt = adamlib.Adam(lr=0.05)
    trace = adamlib.run(opt, adamlib.Rosenbrock(), [-1.0, -0.5], 50, noise=noise, seed=3)
    got = final_loss(opt, adamlib.Rosenbrock(), [-1.0, -0.5], 50, noise=noise, seed=3)
    assert got == trace.loss[-1]


def test_a_diverging_run_is_infinite_and_silent() -> None:
    """SGD with α = 1 on Rosenbrock overflows; no RuntimeWarning may escape."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert final_loss(SGD(lr=1.0), adamlib.Rosenbrock(), [-1.0, -0.5], 100) == math.inf
        assert final_loss(SGD(lr=2.5), BOWL, [1.0], 2000) == math.inf


def test_final_loss_rejects_bad_steps_and_noise() -> None:
    with pytest.raises(ValueError, match="steps"):
        final_loss(SGD(), BOWL, [1.0], 0)
    with pytest.raises(ValueError, match="noise"):
        final_loss(SGD(), BOWL, [1.0], 5, noise=-1.0)


# -- best_learning_rate -----------------------------------------------------------------------
def test_best_learning_rate_on_a_bowl_by_hand() -> None:
    """f = φ²/2: SGD multiplies φ by 1 - α per step, so α = 1 lands on 0 at once; α = 3.5
    multiplies by -2.5, and after 400 steps the loss 2.5^800/2 overflows."""
    grid = [0.1, 0.5, 1.0, 1.5, 3.5]
    lr, losses = best_learning_rate(lambda a: SGD(lr=a), BOWL, [1.0], 400, grid)
    assert lr == 1.0
    assert losses[2] == 0.0 and losses[-1] == math.inf
    assert np.all(losses[[0, 1, 3]] > 0) and losses[1] == losses[3]  # |1 - α| = 0.5 for both


def test_losses_match_final_loss_for_every_entry() -> None:
    grid = log_grid(1e-3, 1.0, 1)
    _lr, losses = best_learning_rate(lambda a: Momentum(lr=a), BOWL, [2.0], 30, grid)
    expected = [final_loss(Momentum(lr=a), BOWL, [2.0], 30) for a in grid]
    np.testing.assert_array_equal(losses, expected)


def test_ties_go_to_the_smallest_learning_rate() -> None:
    """From the minimum itself every α gives loss 0."""
    lr, losses = best_learning_rate(lambda a: SGD(lr=a), BOWL, [0.0], 5, [0.01, 0.1, 1.0])
    assert lr == 0.01 and np.all(losses == 0.0)


def test_every_optimizer_of_chapter_5_finds_a_finite_best() -> None:
    grid = log_grid(1e-3, 1.0, 2)
    for make in (
        lambda a: SGD(lr=a),
        lambda a: Momentum(lr=a),
        lambda a: RMSProp(lr=a),
        lambda a: adamlib.Adam(lr=a),
    ):
        lr, losses = best_learning_rate(make, adamlib.Beale(), [1.0, 1.5], 50, grid)
        assert lr in grid and np.isfinite(losses.min())
        assert losses[list(grid).index(lr)] == losses.min()


@pytest.mark.parametrize("grid", [[], [[0.1]], [0.1, 0.1], [0.5, 0.1], [0.1, -1.0], [0.0]])
def test_bad_grids_are_rejected(grid: list) -> None:
    with pytest.raises(ValueError, match="grid"):
        best_learning_rate(lambda a: SGD(lr=a), BOWL, [1.0], 5, grid)


def test_all_diverged_is_an_error() -> None:
    with pytest.raises(ValueError, match="diverged"):
        best_learning_rate(lambda a: SGD(lr=a), BOWL, [1.0], 2000, [2.5, 3.0])


# -- learning_rate_table ----------------------------------------------------------------------
def test_learning_rate_table_text_and_html() -> None:
    chosen = {"빌 함수": {"SGD": 0.0215443, "Adam": 0.464159}, "이차": {"SGD": 0.1, "Adam": 1.0}}
    table = learning_rate_table(chosen)
    text = repr(table)
    assert text.splitlines()[0].split() == ["문제", "SGD", "Adam"]
    assert "0.0215" in text and "0.464" in text
    html = table._repr_html_()
    assert html.count("<tr>") == 3 and '<td class="num">0.1</td>' in html
    assert "<td>이차</td>" in html  # a text column stays unmarked (left-aligned)


def test_learning_rate_table_rejects_mismatched_rows() -> None:
    with pytest.raises(ValueError, match="chosen"):
        learning_rate_table({"a": {"SGD": 0.1}, "b": {"Adam": 0.1}})
    with pytest.raises(ValueError, match="chosen"):
        learning_rate_table({})


# -- plotting.plot_learning_rate_curves -------------------------------------------------------
def test_plot_learning_rate_curves_draws_diverged_runs_without_warnings() -> None:
    grid = np.array([1e-3, 1e-2, 1e-1, 1.0])
    losses = {
        "SGD": np.array([1.0, 1e-3, math.inf, math.inf]),
        "Adam": np.array([2.0, 1e-2, 0.0, 1e80]),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = plotting.plot_learning_rate_curves(
            grid, losses, chosen={"SGD": 1e-2, "Adam": 1e-1}, ceiling=1e4, title="t"
        )
        ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:2] == ["SGD", "Adam"] and labels[2].startswith("발산")
    assert ax.get_yscale() == "log" and ax.get_xscale() == "log"
    plotting.plt.close(ax.figure)


def test_plot_learning_rate_curves_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="grid"):
        plotting.plot_learning_rate_curves([0.0, 1.0], {"SGD": np.ones(2)})
    with pytest.raises(ValueError, match="losses"):
        plotting.plot_learning_rate_curves([0.1, 1.0], {"SGD": np.ones(3)})
    with pytest.raises(ValueError, match="ceiling"):
        plotting.plot_learning_rate_curves([0.1, 1.0], {"SGD": np.ones(2)}, ceiling=0.0)
    plotting.plt.close("all")
