"""adamlib.experiments.sparse (chapter 6): logistic weights of a two-class model, its exact
optimum, bins."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from adamlib.experiments.sparse import (
    log_bins,
    logistic_optimum,
    logistic_weights,
    remaining_distance,
)
from adamlib.ml.data import SparseProblem, sparse_features
from adamlib.ml.models import SoftmaxRegression


@functools.cache
def problem() -> SparseProblem:
    return sparse_features(1500, 40, seed=2)


# -- logistic_weights ---------------------------------------------------------------------------
def test_logistic_weights_are_the_difference_of_the_columns() -> None:
    W = np.arange(6.0).reshape(3, 2)
    w, bias = logistic_weights({"W": W, "b": np.array([0.5, 2.0])})
    np.testing.assert_array_equal(w, [1.0, 1.0, 1.0])
    assert bias == 1.5


def test_two_class_softmax_is_logistic_regression() -> None:
    rng = np.random.default_rng(0)
    params = {"W": rng.standard_normal((4, 2)), "b": rng.standard_normal(2)}
    X = rng.standard_normal((7, 4))
    w, bias = logistic_weights(params)
    p1 = SoftmaxRegression(4, 2).predict_proba(params, X)[:, 1]
    np.testing.assert_allclose(p1, 1.0 / (1.0 + np.exp(-(X @ w + bias))), rtol=1e-12)


@pytest.mark.parametrize(
    "params",
    [{"W": np.zeros((3, 3)), "b": np.zeros(3)}, {"W": np.zeros((3, 2))}, np.zeros((3, 2))],
)
def test_logistic_weights_rejects_other_models(params) -> None:
    with pytest.raises(ValueError, match="params"):
        logistic_weights(params)


# -- logistic_optimum ---------------------------------------------------------------------------
@pytest.mark.parametrize("l2", [1e-4, 1e-2])
def test_optimum_has_zero_gradient_in_adamlibs_objective(l2: float) -> None:
    """sklearn's C = 2/(λn) maps to adamlib's penalty λ/2 (‖W0‖² + ‖W1‖²) with W0 = -W1."""
    p = problem()
    model = SoftmaxRegression(40, 2)
    opt = logistic_optimum(p.X, p.y, l2)
    _, grads = model.loss_and_grad(opt, p.X, p.y, l2)
    assert np.abs(grads["W"]).max() < 1e-7 and np.abs(grads["b"]).max() < 1e-7
    np.testing.assert_allclose(opt["W"][:, 0], -opt["W"][:, 1], rtol=0, atol=0)
    # any other penalty strength leaves a gradient
    _, other = model.loss_and_grad(opt, p.X, p.y, 3 * l2)
    assert np.abs(other["W"]).max() > 1e-4


def test_optimum_is_lower_than_a_perturbed_point() -> None:
    p = problem()
    model = SoftmaxRegression(40, 2)
    opt = logistic_optimum(p.X, p.y, 1e-3)
    moved = {"W": opt["W"] + 0.01, "b": opt["b"]}
    assert model.loss(opt, p.X, p.y, 1e-3) < model.loss(moved, p.X, p.y, 1e-3)


def test_optimum_rejects_bad_input_by_name() -> None:
    p = problem()
    with pytest.raises(ValueError, match="l2"):
        logistic_optimum(p.X, p.y, 0.0)
    with pytest.raises(ValueError, match="both classes"):
        logistic_optimum(p.X, np.zeros_like(p.y), 1e-3)
    with pytest.raises(ValueError, match="y"):
        logistic_optimum(p.X, p.y + 1, 1e-3)


# -- log_bins -----------------------------------------------------------------------------------
def test_log_bins_split_decades_evenly() -> None:
    values = np.array([1e-3, 2e-3, 1e-2, 5e-2, 0.1, 1.0])
    labels, edges = log_bins(values, 3)
    np.testing.assert_allclose(edges, [1e-3, 1e-2, 1e-1, 1.0])
    np.testing.assert_array_equal(labels, [0, 0, 1, 1, 2, 2])


@pytest.mark.parametrize(
    ("values", "n"), [([0.1, 0.0], 2), ([0.1, np.inf], 2), ([], 2), ([0.1, 0.1], 2)]
)
def test_log_bins_rejects_bad_values(values, n: int) -> None:
    with pytest.raises(ValueError, match="values"):
        log_bins(np.array(values), n)


def test_log_bins_rejects_bad_counts() -> None:
    with pytest.raises(ValueError, match="n_bins"):
        log_bins(np.array([0.1, 1.0]), 0)


# -- remaining_distance -------------------------------------------------------------------------
def test_remaining_distance_per_group() -> None:
    target = np.array([1.0, -2.0, 4.0, 0.0])
    start = np.zeros(4)
    w = np.array([0.5, -2.0, 1.0, 3.0])
    r = remaining_distance(w, target, start, np.array([0, 0, 1, 2]))
    np.testing.assert_allclose(r[:2], [0.5 / 3.0, 3.0 / 4.0])
    assert np.isnan(r[2])  # start equals target: no distance to cover
    assert remaining_distance(start, target, start, np.zeros(4, dtype=int))[0] == 1.0
    assert remaining_distance(target, target, start, np.zeros(4, dtype=int))[0] == 0.0


def test_remaining_distance_rejects_mismatched_input() -> None:
    with pytest.raises(ValueError, match="same length"):
        remaining_distance(np.zeros(3), np.ones(3), np.zeros(3), np.zeros(2, dtype=int))
    with pytest.raises(ValueError, match="labels"):
        remaining_distance(np.zeros(2), np.ones(2), np.zeros(2), np.array([0.0, 1.0]))
