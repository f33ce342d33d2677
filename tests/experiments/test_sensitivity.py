"""adamlib.experiments.sensitivity (chapter 6): learning-rate sweeps on models and the band of
good rates."""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np
import pytest

import adamlib
from adamlib.experiments.sensitivity import final_training_loss, learning_rate_sweep
from adamlib.ml.data import DigitsSplit, load_digits_split
from adamlib.ml.models import MLP, SoftmaxRegression
from adamlib.ml.training import train
from adamlib.optimizers import SGD
from adamlib.tuning import GoodBand, good_band


@functools.cache
def digits() -> DigitsSplit:
    return load_digits_split(test_size=0.2, seed=0)


def small() -> tuple[np.ndarray, np.ndarray]:
    d = digits()
    return d.X_train[:200], d.y_train[:200]


# -- final_training_loss ------------------------------------------------------------------------
def test_final_loss_is_the_last_loss_of_train() -> None:
    X, y = small()
    model = SoftmaxRegression(64, 10)
    p0 = model.init_params()
    opt = adamlib.Adam(lr=0.01)
    run = train(opt, model, p0, X, y, epochs=2, batch_size=32, seed=3)
    got = final_training_loss(opt, model, p0, X, y, epochs=2, batch_size=32, seed=3)
    assert got == run.losses[-1]


def test_a_run_whose_parameters_overflow_is_infinite_and_silent() -> None:
    """Huge features make SGD's weights overflow; train rejects them, the sweep says inf."""
    X, y = small()
    model = SoftmaxRegression(64, 10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = final_training_loss(
            SGD(lr=1e300), model, model.init_params(), X * 1e10, y, epochs=1, batch_size=50
        )
    assert loss == math.inf


def test_other_value_errors_are_not_swallowed() -> None:
    X, y = small()
    model = SoftmaxRegression(64, 10)
    with pytest.raises(ValueError, match="epochs"):
        final_training_loss(adamlib.Adam(), model, model.init_params(), X, y, epochs=0)


# -- learning_rate_sweep ------------------------------------------------------------------------
def test_sweep_runs_every_rate_from_the_same_start() -> None:
    X, y = small()
    model = MLP(64, 8, 10)
    p0 = model.init_params(1)
    grid = [1e-3, 1e-2, 1e-1]
    losses = learning_rate_sweep(
        lambda lr: adamlib.Adam(lr=lr), model, p0, X, y, grid, epochs=1, batch_size=50
    )
    assert losses.shape == (3,)
    for lr, loss in zip(grid, losses, strict=True):
        run = train(adamlib.Adam(lr=lr), model, p0, X, y, epochs=1, batch_size=50)
        assert loss == run.losses[-1]


@pytest.mark.parametrize("grid", [[], [0.1, 0.01], [0.1, -1.0], [[0.1]]])
def test_sweep_rejects_bad_grids(grid) -> None:
    X, y = small()
    model = SoftmaxRegression(64, 10)
    with pytest.raises(ValueError, match="grid"):
        learning_rate_sweep(SGD, model, model.init_params(), X, y, grid, epochs=1)


# -- good_band ----------------------------------------------------------------------------------
GRID = np.array([1e-3, 1e-2, 1e-1, 1.0, 10.0])


def test_band_is_the_contiguous_run_around_the_best() -> None:
    band = good_band(GRID, [1.0, 0.30, 0.20, 0.35, 0.25])
    assert isinstance(band, GoodBand)
    assert band.best_lr == 0.1 and band.best_loss == 0.2
    assert band.threshold == pytest.approx(0.4)
    # threshold 0.4: 0.30, 0.35 and 0.25 are good, 1.0 at the left end is not
    assert (band.lowest, band.highest, band.count) == (1e-2, 10.0, 4)
    assert band.ratio == pytest.approx(1000.0) and band.decades == pytest.approx(3.0)


def test_a_good_point_beyond_a_bad_one_does_not_count() -> None:
    band = good_band(GRID, [0.25, 0.9, 0.2, 0.3, math.inf])
    assert (band.lowest, band.highest, band.count) == (0.1, 1.0, 2)


def test_slack_wins_when_the_best_loss_is_near_zero() -> None:
    band = good_band(GRID, [0.5, 0.04, 0.001, 0.06, 0.2])
    assert band.threshold == pytest.approx(0.051)
    assert (band.lowest, band.highest) == (1e-2, 1e-1)
    strict = good_band(GRID, [0.5, 0.04, 0.001, 0.06, 0.2], slack=0.0)
    assert strict.count == 1 and strict.ratio == 1.0


def test_ties_go_to_the_smallest_rate() -> None:
    assert good_band(GRID, [0.3, 0.1, 0.1, 0.3, 0.3], factor=1.0, slack=0.0).best_lr == 1e-2


@pytest.mark.parametrize(
    ("losses", "kwargs", "match"),
    [
        ([0.1, 0.2], {}, "shape"),
        ([math.inf] * 5, {}, "diverged"),
        ([0.1, math.nan, 0.2, 0.3, 0.4], {}, "NaN"),
        ([0.1] * 5, {"factor": 0.5}, "factor"),
        ([0.1] * 5, {"slack": -1.0}, "slack"),
    ],
)
def test_good_band_rejects_bad_input(losses, kwargs, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        good_band(GRID, losses, **kwargs)
