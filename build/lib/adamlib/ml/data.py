r"""Data for the experiments of chapters 6 and 7: handwritten digits, minibatches, sparse features.

- :func:`load_digits_split`: scikit-learn's 8×8 digits (shipped inside scikit-learn, no
  download), split and standardized.
- :func:`minibatches`: the index batches of one epoch, from a seeded generator.
- :func:`sparse_features`: a synthetic bag-of-features classification problem in which most
  features are rarely active (the sparse-gradient experiment).

Everything is float64 for the features and int64 for the labels, and fully determined by the
seed (and the numpy version).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from adamlib._checks import check_count, check_nonnegative, check_seed


@dataclass(frozen=True)
class DigitsSplit:
    r"""A train/test split of the digits, standardized with the training statistics.

    Attributes
    ----------
    X_train : ndarray, shape (n_train, 64), float64
        Standardized pixels :math:`(x - \mu)/s` of the training images.
    y_train : ndarray, shape (n_train,), int64
        Digit labels 0–9.
    X_test : ndarray, shape (n_test, 64), float64
        Test images, standardized with the *training* :math:`\mu` and :math:`s`.
    y_test : ndarray, shape (n_test,), int64
        Digit labels 0–9.
    mean : ndarray, shape (64,)
        :math:`\mu`: per-pixel mean over the training images.
    scale : ndarray, shape (64,)
        :math:`s`: per-pixel standard deviation over the training images (``ddof=0``), with 1
        in place of 0 for the pixels that are constant in the training set (they become 0).
    n_classes : int
        10.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    n_classes: int

    @property
    def n_features(self) -> int:
        """Number of features (64 pixels)."""
        return int(self.X_train.shape[1])


def load_digits_split(test_size: float = 0.2, seed: int = 0) -> DigitsSplit:
    r"""The 1797 digit images of scikit-learn, split per class and standardized.

    Construction:

    1. ``sklearn.datasets.load_digits()``: 1797 images of 8×8 pixels with values 0–16, as 64
       features, and labels 0–9. The data ship inside scikit-learn; nothing is downloaded.
    2. Stratified split: for each digit :math:`c` with :math:`n_c` images, a permutation from
       ``np.random.default_rng(seed)`` (one generator, classes in order 0–9) sends the first
       ``round(test_size * n_c)`` of them to the test set and the rest to the training set. Each
       set is then sorted by original index, so the order does not depend on the class loop.
    3. Standardization fitted on the training set only: :math:`\mu_j` and :math:`s_j` are the mean
       and standard deviation (``ddof=0``) of pixel :math:`j` over the training images;
       :math:`s_j = 1` where that pixel is constant. Both sets become :math:`(x-\mu)/s`.

    Parameters
    ----------
    test_size : float, default 0.2
        Fraction of each class held out, in :math:`(0, 1)`.
    seed : int, default 0
        Seed of the split; the same seed gives the same split.

    Returns
    -------
    DigitsSplit
        About 1438 training and 359 test images for ``test_size=0.2``.
    """
    test_size = check_nonnegative(test_size, "test_size")
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size must be in (0, 1), got {test_size!r}")
    seed = check_seed(seed)
    from sklearn.datasets import load_digits  # a runtime dependency, imported when needed

    digits = load_digits()
    X = np.asarray(digits.data, dtype=np.float64)
    y = np.asarray(digits.target, dtype=np.int64)
    rng = np.random.default_rng(seed)
    test_idx: list[np.ndarray] = []
    for c in range(10):
        members = np.flatnonzero(y == c)
        n_test = round(test_size * members.size)
        test_idx.append(rng.permutation(members)[:n_test])
    is_test = np.zeros(y.size, dtype=bool)
    is_test[np.concatenate(test_idx)] = True
    if is_test.all() or not is_test.any():
        raise ValueError(f"test_size={test_size!r} leaves an empty train or test set")
    X_train, X_test = X[~is_test], X[is_test]
    mean = X_train.mean(axis=0)
    scale = X_train.std(axis=0)
    scale[scale == 0.0] = 1.0
    return DigitsSplit(
        X_train=(X_train - mean) / scale,
        y_train=y[~is_test],
        X_test=(X_test - mean) / scale,
        y_test=y[is_test],
        mean=mean,
        scale=scale,
        n_classes=10,
    )


def minibatches(
    n: int, batch_size: int, rng: np.random.Generator, *, drop_last: bool = False
) -> Iterator[np.ndarray]:
    r"""The index batches of one epoch: a fresh permutation of ``range(n)`` cut into pieces.

    Call it once per epoch with the same generator: each call draws a new permutation from
    ``rng`` (``rng.permutation(n)``) and yields consecutive slices of ``batch_size`` indices.

    Parameters
    ----------
    n : int
        Number of samples, :math:`n \ge 1`.
    batch_size : int
        Samples per batch, :math:`\ge 1`; ``batch_size >= n`` gives one (full) batch.
    rng : numpy.random.Generator
        The source of the permutations, e.g. ``np.random.default_rng(seed)`` made once.
    drop_last : bool, default False
        Skip the last batch when it is shorter than ``batch_size`` (unless it is the only one).

    Yields
    ------
    ndarray of int64
        The indices of one batch. Without ``drop_last`` every index appears exactly once per
        epoch, in :math:`\lceil n/B \rceil` batches.
    """
    n = check_count(n, "n")
    batch_size = check_count(batch_size, "batch_size")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    return _batches(n, batch_size, rng, bool(drop_last))


def _batches(n: int, batch_size: int, rng: np.random.Generator, drop_last: bool):
    order = rng.permutation(n)
    n_full = n // batch_size
    stop = n_full * batch_size if (drop_last and n_full > 0) else n
    for start in range(0, stop, batch_size):
        yield order[start : min(start + batch_size, stop)]


@dataclass(frozen=True)
class SparseProblem:
    r"""A synthetic bag-of-features problem (see :func:`sparse_features`).

    Attributes
    ----------
    X : ndarray, shape (n_samples, n_features), float64
        Feature indicators :math:`x_{ij} \in \{0, 1\}`.
    y : ndarray, shape (n_samples,), int64
        Binary labels :math:`y_i \in \{0, 1\}`.
    w : ndarray, shape (n_features,)
        The hidden weights :math:`w^*` that generated the labels.
    b : float
        The hidden bias :math:`b^*`.
    active_prob : ndarray, shape (n_features,)
        :math:`p_j`, the probability that feature :math:`j` is active in a sample.
    """

    X: np.ndarray
    y: np.ndarray
    w: np.ndarray
    b: float
    active_prob: np.ndarray

    @property
    def frequency(self) -> np.ndarray:
        """The observed fraction of samples in which each feature is active."""
        return self.X.mean(axis=0)


def sparse_features(
    n_samples: int,
    n_features: int,
    *,
    exponent: float = 1.0,
    max_prob: float = 0.5,
    weight_scale: float = 1.0,
    seed: int = 0,
) -> SparseProblem:
    r"""A binary classification problem whose features are mostly rare (power-law frequencies).

    Construction, all from one ``np.random.default_rng(seed)``, in this order:

    1. Activation probabilities (not random): feature :math:`j = 0, \dots, d-1` is active with
       probability :math:`p_j = p_{\max}\,(j+1)^{-a}` (``max_prob``, ``exponent``), so feature
       0 is the most common and the tail is rare: with the defaults, :math:`p_{99} = 0.005`.
    2. Design matrix: :math:`x_{ij} = 1` if ``u[i, j] < p[j]`` for a uniform draw
       ``u = rng.random((n, d))``, else 0 (independent Bernoulli, a bag of binary features).
       A rare feature may be active in no sample at all.
    3. Hidden weights: :math:`w^*_j = \text{weight\_scale}\cdot z_j` with
       ``z = rng.standard_normal(d)``: rare and common features matter equally per occurrence.
    4. Hidden bias: :math:`b^* = -\operatorname{median}_i(x_i \cdot w^*)`, so the classes are
       about balanced.
    5. Labels from the logistic model: :math:`y_i = 1` if ``v[i] < σ(x_i·w* + b*)`` with
       ``v = rng.random(n)`` and :math:`\sigma(s) = 1/(1+e^{-s})`, else 0. The model is well
       specified, so a logistic (or two-class softmax) regression can recover :math:`w^*` up to
       noise; a rare feature's weight gets a gradient only in the few samples where it is active.

    Parameters
    ----------
    n_samples : int
        :math:`n \ge 1`.
    n_features : int
        :math:`d \ge 1`.
    exponent : float, default 1.0
        :math:`a \ge 0` of the power law (0: every feature has probability ``max_prob``).
    max_prob : float, default 0.5
        :math:`p_{\max} \in (0, 1]`, the probability of feature 0.
    weight_scale : float, default 1.0
        Standard deviation of :math:`w^*`, :math:`\ge 0`.
    seed : int, default 0
        Seed; the same arguments give the same problem.

    Returns
    -------
    SparseProblem
        ``X`` is a dense float64 array (:math:`8nd` bytes): fine for the book's sizes
        (e.g. 5000 × 1000 is 40 MB).
    """
    n_samples = check_count(n_samples, "n_samples")
    n_features = check_count(n_features, "n_features")
    exponent = check_nonnegative(exponent, "exponent")
    max_prob = check_nonnegative(max_prob, "max_prob")
    if not 0.0 < max_prob <= 1.0:
        raise ValueError(f"max_prob must be in (0, 1], got {max_prob!r}")
    weight_scale = check_nonnegative(weight_scale, "weight_scale")
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)
    p = max_prob * np.arange(1, n_features + 1, dtype=np.float64) ** -exponent
    X = (rng.random((n_samples, n_features)) < p).astype(np.float64)
    w = weight_scale * rng.standard_normal(n_features)
    scores = X @ w
    b = -float(np.median(scores))
    prob = 0.5 * (1.0 + np.tanh(0.5 * (scores + b)))  # σ(s), without overflow
    y = (rng.random(n_samples) < prob).astype(np.int64)
    return SparseProblem(X=X, y=y, w=w, b=b, active_prob=p)
