"""adamlib.ml.data: the digits split, minibatch indices and the sparse bag-of-features problem."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from sklearn.datasets import load_digits

from adamlib.ml.data import (
    DigitsSplit,
    SparseProblem,
    load_digits_split,
    minibatches,
    sparse_features,
)


# -- digits ----------------------------------------------------------------------------------
def test_digits_split_shapes_dtypes_and_stratification() -> None:
    d = load_digits_split(test_size=0.2, seed=0)
    assert isinstance(d, DigitsSplit)
    assert d.X_train.shape[1] == d.X_test.shape[1] == d.n_features == 64
    assert d.X_train.shape[0] + d.X_test.shape[0] == 1797
    assert d.X_train.dtype == d.X_test.dtype == np.float64
    assert d.y_train.dtype == d.y_test.dtype == np.int64
    assert d.n_classes == 10
    all_y = load_digits().target
    for c in range(10):
        assert np.sum(d.y_test == c) == round(0.2 * np.sum(all_y == c))
    assert d.X_test.shape[0] == 359


def test_digits_standardized_with_training_statistics_only() -> None:
    d = load_digits_split(test_size=0.3, seed=1)
    mean, std = d.X_train.mean(axis=0), d.X_train.std(axis=0)
    constant = d.scale == 1.0
    np.testing.assert_allclose(mean, 0.0, atol=1e-12)
    np.testing.assert_allclose(std[~constant], 1.0, rtol=1e-12)
    assert np.all(d.X_train[:, constant] == 0.0)
    # the test set was not used to fit: its pixels are not standardized exactly
    assert np.max(np.abs(d.X_test.mean(axis=0))) > 1e-3


def test_digits_split_is_a_partition_of_the_original_images() -> None:
    d = load_digits_split(seed=3)
    raw = np.concatenate([d.X_train, d.X_test]) * d.scale + d.mean
    original = load_digits().data
    key = lambda a: a[np.lexsort(np.round(a).T[::-1])]  # noqa: E731  (sort rows)
    np.testing.assert_allclose(key(raw), key(original), atol=1e-9)
    labels = np.concatenate([d.y_train, d.y_test])
    np.testing.assert_array_equal(np.bincount(labels), np.bincount(load_digits().target))


def test_digits_split_is_seeded() -> None:
    a, b, c = load_digits_split(seed=5), load_digits_split(seed=5), load_digits_split(seed=6)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert a.X_train.shape == c.X_train.shape and not np.array_equal(a.X_train, c.X_train)


@pytest.mark.parametrize(
    ("kwargs", "name", "exc"),
    [
        ({"test_size": 0.0}, "test_size", ValueError),
        ({"test_size": 1.0}, "test_size", ValueError),
        ({"test_size": -0.1}, "test_size", ValueError),
        ({"test_size": "0.2"}, "test_size", TypeError),
        ({"test_size": 1e-6}, "test_size", ValueError),  # empty test set
        ({"seed": -1}, "seed", ValueError),
        ({"seed": 1.5}, "seed", TypeError),
        ({"seed": True}, "seed", TypeError),
    ],
)
def test_digits_bad_arguments(kwargs: dict[str, Any], name: str, exc: type[Exception]) -> None:
    with pytest.raises(exc, match=rf"^{re.escape(name)}[ =]"):
        load_digits_split(**kwargs)


# -- minibatches -----------------------------------------------------------------------------
@pytest.mark.parametrize(("n", "batch_size"), [(10, 3), (10, 5), (10, 10), (10, 32), (1, 1)])
def test_each_epoch_is_a_permutation(n: int, batch_size: int) -> None:
    rng = np.random.default_rng(0)
    epochs = [list(minibatches(n, batch_size, rng)) for _ in range(3)]
    for batches in epochs:
        assert len(batches) == -(-n // batch_size)
        assert all(b.dtype == np.int64 for b in batches)
        assert [b.size for b in batches[:-1]] == [batch_size] * (len(batches) - 1)
        np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(n))


def test_minibatches_are_seeded_and_differ_between_epochs() -> None:
    a = [np.concatenate(list(minibatches(50, 8, r))) for r in [np.random.default_rng(1)] * 2]
    rng = np.random.default_rng(1)
    b = [np.concatenate(list(minibatches(50, 8, rng))) for _ in range(2)]
    np.testing.assert_array_equal(a[0], b[0])  # same seed, same first epoch
    assert not np.array_equal(b[0], b[1])  # the next epoch draws a new permutation


def test_drop_last() -> None:
    rng = np.random.default_rng(0)
    batches = list(minibatches(10, 3, rng, drop_last=True))
    assert [b.size for b in batches] == [3, 3, 3]
    assert len(list(minibatches(2, 3, rng, drop_last=True))) == 1  # the only batch is kept


@pytest.mark.parametrize(
    ("args", "name", "exc"),
    [
        ((0, 2), "n", ValueError),
        ((5, 0), "batch_size", ValueError),
        ((5, 2.0), "batch_size", TypeError),
        ((5.0, 2), "n", TypeError),
    ],
)
def test_minibatches_bad_arguments(args: tuple, name: str, exc: type[Exception]) -> None:
    with pytest.raises(exc, match=rf"^{name} "):
        minibatches(*args, np.random.default_rng(0))


def test_minibatches_needs_a_generator() -> None:
    with pytest.raises(TypeError, match=r"^rng must be a numpy\.random\.Generator, got int"):
        minibatches(5, 2, 0)  # type: ignore[arg-type]


# -- sparse features -------------------------------------------------------------------------
def test_sparse_features_construction() -> None:
    prob = sparse_features(4000, 200, exponent=1.0, max_prob=0.5, seed=0)
    assert isinstance(prob, SparseProblem)
    assert prob.X.shape == (4000, 200) and prob.X.dtype == np.float64
    assert set(np.unique(prob.X)) <= {0.0, 1.0}
    assert prob.y.shape == (4000,) and prob.y.dtype == np.int64 and set(np.unique(prob.y)) == {0, 1}
    np.testing.assert_allclose(prob.active_prob, 0.5 / np.arange(1, 201))
    # observed frequencies follow p_j (binomial standard error)
    se = np.sqrt(prob.active_prob * (1 - prob.active_prob) / 4000)
    assert np.all(np.abs(prob.frequency - prob.active_prob) < 5 * se + 1e-12)
    # most features are rare: the top 10 % of features carry most of the activity
    assert prob.X[:, :20].sum() > 0.5 * prob.X.sum()
    assert np.median(prob.frequency) < 0.01
    # the bias centres the scores: about balanced classes
    assert 0.4 < prob.y.mean() < 0.6
    assert prob.b == pytest.approx(-np.median(prob.X @ prob.w))


def test_sparse_labels_follow_the_logistic_model() -> None:
    prob = sparse_features(20000, 30, exponent=0.5, weight_scale=2.0, seed=1)
    p = 1.0 / (1.0 + np.exp(-(prob.X @ prob.w + prob.b)))
    for lo, hi in [(0.0, 0.2), (0.4, 0.6), (0.8, 1.0)]:
        sel = (p >= lo) & (p < hi)
        assert sel.sum() > 200
        assert abs(prob.y[sel].mean() - p[sel].mean()) < 0.04


def test_sparse_features_seeded_and_exponent_zero_is_uniform() -> None:
    a, b = sparse_features(100, 20, seed=3), sparse_features(100, 20, seed=3)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    np.testing.assert_array_equal(a.w, b.w)
    flat = sparse_features(10, 5, exponent=0.0, max_prob=0.3)
    np.testing.assert_array_equal(flat.active_prob, 0.3)
    assert sparse_features(10, 5, weight_scale=0.0).w.tolist() == [0.0] * 5


@pytest.mark.parametrize(
    ("kwargs", "name", "exc"),
    [
        ({"n_samples": 0}, "n_samples", ValueError),
        ({"n_features": -3}, "n_features", ValueError),
        ({"n_features": 2.5}, "n_features", TypeError),
        ({"exponent": -1.0}, "exponent", ValueError),
        ({"max_prob": 0.0}, "max_prob", ValueError),
        ({"max_prob": 1.5}, "max_prob", ValueError),
        ({"weight_scale": float("inf")}, "weight_scale", ValueError),
        ({"seed": "0"}, "seed", TypeError),
    ],
)
def test_sparse_features_bad_arguments(
    kwargs: dict[str, Any], name: str, exc: type[Exception]
) -> None:
    args = {"n_samples": 10, "n_features": 5, **kwargs}
    with pytest.raises(exc) as info:
        sparse_features(**args)
    message = str(info.value)
    assert message.startswith(f"{name} ") and repr(kwargs[name]) in message
