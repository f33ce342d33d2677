r"""The sparse-gradient experiment of chapter 6: how far do rarely active features get?

The data are :func:`adamlib.ml.data.sparse_features`: binary labels from a logistic model over
binary features whose activation probabilities follow a power law. A two-class
:class:`~adamlib.ml.models.SoftmaxRegression` is that logistic model: with weights
:math:`W = [W_0, W_1]` and biases :math:`b = [b_0, b_1]`,
:math:`P(y = 1 \mid x) = \sigma\bigl(x\cdot(W_1 - W_0) + b_1 - b_0\bigr)`, so its logistic
weights are :math:`w = W_1 - W_0` (:func:`logistic_weights`).

- :func:`logistic_optimum`: the exact minimiser of the same L2-regularised training objective
  (scikit-learn's lbfgs), the target an optimizer is trying to reach;
- :func:`log_bins`: group features by how often they are active;
- :func:`remaining_distance`: per group, how much of the distance from the start to a target is
  still left (1 = no progress, 0 = arrived).
"""

from __future__ import annotations

import warnings

import numpy as np

from adamlib._checks import check_count, check_features, check_labels, check_positive
from adamlib.ml.models import ParamDict


def logistic_weights(params: ParamDict) -> tuple[np.ndarray, float]:
    r"""The logistic weights :math:`w = W_1 - W_0` and bias :math:`b_1 - b_0` of a two-class model.

    Parameters
    ----------
    params : dict
        ``{"W": (d, 2), "b": (2,)}`` of a two-class :class:`~adamlib.ml.models.SoftmaxRegression`.

    Returns
    -------
    w : ndarray, shape (d,)
    bias : float
    """
    if not isinstance(params, dict) or set(params) != {"W", "b"}:
        raise ValueError("params must be a dict with keys 'W' and 'b' (a SoftmaxRegression)")
    W, b = np.asarray(params["W"]), np.asarray(params["b"])
    if W.ndim != 2 or W.shape[1] != 2 or b.shape != (2,):
        raise ValueError(
            f"params must be those of a two-class model, got W {W.shape} and b {b.shape}"
        )
    return W[:, 1] - W[:, 0], float(b[1] - b[0])


def logistic_optimum(X: np.ndarray, y: np.ndarray, l2: float) -> ParamDict:
    r"""The minimiser of a two-class :class:`~adamlib.ml.models.SoftmaxRegression`'s objective.

    The objective is :math:`L = \text{mean CE} + \frac{\lambda}{2}(\lVert W_0\rVert^2 +
    \lVert W_1\rVert^2)` (bias not penalised). At its minimiser :math:`W_0 = -W_1` (the data
    gradients of the two columns are opposite, so the penalty is smallest there), and with
    :math:`w = W_1 - W_0` the penalty is :math:`\frac{\lambda}{4}\lVert w\rVert^2`: binary
    logistic regression, which scikit-learn's ``LogisticRegression`` solves as
    :math:`\text{mean CE} + \lVert w\rVert^2/(2Cn)`, so :math:`C = 2/(\lambda n)`.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        Features.
    y : ndarray, shape (n,)
        Labels in {0, 1}, both present.
    l2 : float
        :math:`\lambda > 0` (without it the minimiser need not exist: a feature active only in
        samples of one class has an infinite optimal weight).

    Returns
    -------
    dict
        ``{"W": (d, 2), "b": (2,)}`` with ``W[:, 1] = -W[:, 0] = w/2``, ``b = (-c/2, c/2)``.

    Raises
    ------
    RuntimeError
        If lbfgs reports that it did not converge.
    """
    X = check_features(X)
    y = check_labels(y, 2, X.shape[0])
    l2 = check_positive(l2, "l2")
    if np.unique(y).size != 2:
        raise ValueError("y must contain both classes 0 and 1")
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    n = X.shape[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        try:
            clf = LogisticRegression(C=2.0 / (l2 * n), max_iter=10_000, tol=1e-10).fit(X, y)
        except ConvergenceWarning as err:  # pragma: no cover - depends on the data
            raise RuntimeError(f"lbfgs did not converge: {err}") from err
    w, c = clf.coef_[0], float(clf.intercept_[0])
    return {"W": np.stack([-w / 2, w / 2], axis=1), "b": np.array([-c / 2, c / 2])}


def log_bins(values: np.ndarray, n_bins: int) -> tuple[np.ndarray, np.ndarray]:
    r"""Group positive ``values`` into ``n_bins`` bins of equal width on a log scale.

    Parameters
    ----------
    values : ndarray, shape (d,)
        Positive numbers, e.g. how often each feature is active.
    n_bins : int
        :math:`\ge 1`.

    Returns
    -------
    labels : ndarray of int, shape (d,)
        The bin of each value, 0 for the smallest values.
    edges : ndarray, shape (n_bins + 1,)
        Geometrically spaced from ``min(values)`` to ``max(values)``; bin :math:`k` holds
        ``edges[k] <= value < edges[k+1]`` (the largest value goes to the last bin).
    """
    v = np.asarray(values, dtype=np.float64)
    n_bins = check_count(n_bins, "n_bins")
    if v.ndim != 1 or v.size == 0 or not np.all(np.isfinite(v)) or np.any(v <= 0):
        raise ValueError("values must be a non-empty 1-D array of finite numbers > 0")
    if v.max() == v.min():
        raise ValueError("values must not all be equal: there is no range to divide into bins")
    edges = np.geomspace(v.min(), v.max(), n_bins + 1)
    labels = np.clip(np.searchsorted(edges, v, side="right") - 1, 0, n_bins - 1)
    return labels.astype(np.int64), edges


def remaining_distance(
    w: np.ndarray, target: np.ndarray, start: np.ndarray, labels: np.ndarray
) -> np.ndarray:
    r"""Per group, the share of the distance from ``start`` to ``target`` not yet covered.

    For the features :math:`j` of group :math:`k`,

    .. math:: r_k = \frac{\sum_j |w_j - w^\dagger_j|}{\sum_j |w^{(0)}_j - w^\dagger_j|},

    with :math:`w^\dagger` the target and :math:`w^{(0)}` the start: 1 means the group has not
    moved closer (or is as far as at the start), 0 that it has arrived. Sums, not a mean of
    ratios, so a feature whose target is nearly its start cannot dominate.

    Parameters
    ----------
    w, target, start : ndarray, shape (d,)
        Current weights, target weights, starting weights.
    labels : ndarray of int, shape (d,)
        Group of each feature, e.g. from :func:`log_bins`; groups are ``0 .. labels.max()``.

    Returns
    -------
    ndarray, shape (labels.max() + 1,)
        :math:`r_k`; NaN for an empty group or one whose start equals its target.
    """
    arrays = [np.asarray(a, dtype=np.float64) for a in (w, target, start)]
    lab = np.asarray(labels)
    if any(a.shape != arrays[0].shape or a.ndim != 1 for a in arrays) or lab.shape != (
        arrays[0].size,
    ):
        raise ValueError("w, target, start and labels must be 1-D arrays of the same length")
    if not np.issubdtype(lab.dtype, np.integer) or (lab.size and lab.min() < 0):
        raise ValueError("labels must be integers >= 0")
    w_, t_, s_ = arrays
    n_groups = int(lab.max()) + 1 if lab.size else 0
    left = np.bincount(lab, weights=np.abs(w_ - t_), minlength=n_groups)
    total = np.bincount(lab, weights=np.abs(s_ - t_), minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, left / total, np.nan)
