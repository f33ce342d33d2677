r"""Two small classifiers with hand-written backpropagation in numpy (chapters 6 and 7).

- :class:`SoftmaxRegression`: multinomial logistic regression, :math:`z = xW + b`.
- :class:`MLP`: one hidden layer, :math:`z = \sigma(xW_1 + b_1)W_2 + b_2` with
  :math:`\sigma = \tanh` or ReLU.

Parameters are a ``dict`` of name → ndarray, the form adamlib's optimizers accept, so
``opt.step(params, grads, state)`` trains a model directly. Both models minimise the same
objective on a batch of :math:`n` samples with integer labels :math:`y_i`,

.. math::
    L(\phi) = \frac{1}{n}\sum_{i=1}^{n}\Bigl(\log\sum_{k} e^{z_{ik}} - z_{i y_i}\Bigr)
              + \frac{\lambda}{2}\sum_{W}\lVert W\rVert_F^2 ,

the mean cross-entropy of the softmax of the logits :math:`z_i` plus an L2 penalty
(:math:`\lambda` = ``l2``) on the weight matrices only: biases are not penalised. This is
scikit-learn's ``LogisticRegression`` objective divided by :math:`Cn`, so ``l2 = 1/(C n)``
(see ``tests/ml/test_sklearn_optimum.py``). The log-sum-exp is computed after subtracting the
row maximum, so no logit overflows.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping

import numpy as np

from adamlib._checks import (
    FLOAT_DTYPES,
    check_all_finite,
    check_count,
    check_features,
    check_integer_range,
    check_labels,
    check_nonnegative,
    check_seed,
)

ParamDict = dict[str, np.ndarray]


def log_softmax(z: np.ndarray) -> np.ndarray:
    r"""Row-wise :math:`\log\operatorname{softmax}(z)_k = z_k - \log\sum_j e^{z_j}`, stably.

    The maximum of each row is subtracted before exponentiating (log-sum-exp trick), so every
    exponent is :math:`\le 0` and nothing overflows, whatever the size of the logits.

    Parameters
    ----------
    z : ndarray, shape (n, K)
        Logits.

    Returns
    -------
    ndarray, shape (n, K)
        Log-probabilities; each row's exponentials sum to 1.
    """
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(z: np.ndarray) -> np.ndarray:
    r"""Row-wise :math:`\operatorname{softmax}(z)_k = e^{z_k}/\sum_j e^{z_j}`, as
    :math:`\exp` of :func:`log_softmax` (so it never overflows)."""
    return np.exp(log_softmax(z))


def cross_entropy_and_grad(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    r"""Mean cross-entropy of softmax logits and its gradient with respect to the logits.

    .. math::
        \ell = \frac{1}{n}\sum_i -\log\operatorname{softmax}(z_i)_{y_i}, \qquad
        \frac{\partial \ell}{\partial z_{ik}} = \frac{\operatorname{softmax}(z_i)_k
        - [k = y_i]}{n}

    Parameters
    ----------
    z : ndarray, shape (n, K)
        Logits.
    y : ndarray, shape (n,)
        Integer labels in ``[0, K)``.

    Returns
    -------
    loss : float
    dz : ndarray, shape (n, K)
    """
    n = z.shape[0]
    logp = log_softmax(z)
    rows = np.arange(n)
    loss = -float(logp[rows, y].sum()) / n
    dz = np.exp(logp)
    dz[rows, y] -= 1.0
    dz /= n
    return loss, dz


class Model(ABC):
    """A classifier whose parameters are a dict of arrays; see :class:`SoftmaxRegression`."""

    n_features: int
    n_classes: int

    @abstractmethod
    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Parameter name → shape."""

    @abstractmethod
    def weight_names(self) -> tuple[str, ...]:
        """The parameters the L2 penalty applies to (the weight matrices, not the biases)."""

    @abstractmethod
    def init_params(self, seed: int = 0) -> ParamDict:
        """Fresh float64 parameters, the same for the same seed."""

    @abstractmethod
    def _forward(self, params: ParamDict, X: np.ndarray) -> tuple[np.ndarray, tuple]:
        """Logits and whatever the backward pass needs."""

    @abstractmethod
    def _backward(
        self, params: ParamDict, X: np.ndarray, cache: tuple, dz: np.ndarray
    ) -> ParamDict:
        """Gradients of the data loss, given ``dz`` = d loss / d logits."""

    # -- public, shared ----------------------------------------------------------------------
    def logits(self, params: ParamDict, X: np.ndarray) -> np.ndarray:
        """The logits :math:`z`, shape (n, n_classes)."""
        self.check_params(params)
        X = check_features(X, self.n_features)
        return self._forward(params, X)[0]

    def loss(self, params: ParamDict, X: np.ndarray, y: np.ndarray, l2: float = 0.0) -> float:
        r"""The objective :math:`L(\phi)` (mean cross-entropy + L2 term) on ``(X, y)``."""
        return self.loss_and_grad(params, X, y, l2, grad=False)[0]

    def loss_and_grad(
        self, params: ParamDict, X: np.ndarray, y: np.ndarray, l2: float = 0.0, *, grad: bool = True
    ) -> tuple[float, ParamDict]:
        r"""The objective and its gradient by backpropagation.

        Parameters
        ----------
        params : dict of str to ndarray
            The model's parameters (see :meth:`shapes`), float32 or float64.
        X : ndarray, shape (n, n_features)
            Features, finite floats.
        y : ndarray, shape (n,)
            Integer labels in ``[0, n_classes)``.
        l2 : float, default 0.0
            :math:`\lambda \ge 0`: adds :math:`\frac{\lambda}{2}\lVert W\rVert^2` for each weight
            matrix (biases are not penalised) and :math:`\lambda W` to its gradient.
        grad : bool, default True
            False skips the backward pass (``grads`` is then an empty dict).

        Returns
        -------
        loss : float
            :math:`L(\phi)`.
        grads : dict of str to ndarray
            :math:`\nabla L`, each shaped and typed like its parameter. New arrays; nothing the
            caller passed is modified.
        """
        self.check_params(params)
        X = check_features(X, self.n_features)
        y = check_labels(y, self.n_classes, X.shape[0])
        l2 = check_nonnegative(l2, "l2")
        z, cache = self._forward(params, X)
        if grad:
            loss, dz = cross_entropy_and_grad(z, y)
        else:
            loss = -float(log_softmax(z)[np.arange(z.shape[0]), y].sum()) / z.shape[0]
        if l2 != 0.0:
            loss += 0.5 * l2 * sum(float(np.sum(np.square(params[k]))) for k in self.weight_names())
        if not grad:
            return loss, {}
        grads = self._backward(params, X, cache, dz)
        if l2 != 0.0:
            for k in self.weight_names():
                grads[k] = grads[k] + l2 * params[k]
        return loss, {k: np.asarray(grads[k], dtype=params[k].dtype) for k in self.shapes()}

    def predict_proba(self, params: ParamDict, X: np.ndarray) -> np.ndarray:
        """Class probabilities :math:`\\operatorname{softmax}(z)`, shape (n, n_classes)."""
        return softmax(self.logits(params, X))

    def predict(self, params: ParamDict, X: np.ndarray) -> np.ndarray:
        """The most probable class of each row, int64 of shape (n,)."""
        return np.argmax(self.logits(params, X), axis=1).astype(np.int64)

    def accuracy(self, params: ParamDict, X: np.ndarray, y: np.ndarray) -> float:
        """The fraction of rows whose predicted class equals ``y``."""
        pred = self.predict(params, X)
        y = check_labels(y, self.n_classes, pred.size)
        return float(np.mean(pred == y))

    def n_params(self) -> int:
        """Total number of scalar parameters."""
        return int(sum(np.prod(s) for s in self.shapes().values()))

    def check_params(self, params: object, name: str = "params") -> None:
        """Raise TypeError/ValueError unless ``params`` has exactly this model's keys and shapes."""
        if not isinstance(params, Mapping):
            raise TypeError(f"{name} must be a dict of ndarrays, got {type(params).__name__}")
        shapes = self.shapes()
        if set(params) != set(shapes):
            raise ValueError(f"{name} keys {sorted(params)!r} differ from {sorted(shapes)!r}")
        for key, shape in shapes.items():
            leaf = params[key]
            if not isinstance(leaf, np.ndarray):
                raise TypeError(
                    f"{name}[{key!r}] must be a numpy ndarray, got {type(leaf).__name__}"
                )
            if leaf.dtype not in FLOAT_DTYPES:
                raise TypeError(
                    f"{name}[{key!r}] must have dtype float32 or float64, got {leaf.dtype}"
                )
            if leaf.shape != shape:
                raise ValueError(f"{name}[{key!r}] has shape {leaf.shape}, expected {shape}")
            check_all_finite(leaf, f"{name}[{key!r}]")


class SoftmaxRegression(Model):
    r"""Multinomial logistic regression: :math:`z = xW + b`, :math:`p = \operatorname{softmax}(z)`.

    Parameters ``{"W": (d, K), "b": (K,)}``. The objective is convex, so every optimizer that
    converges reaches the same minimum (with ``l2 > 0`` a unique :math:`W`).

    Backward pass: with :math:`\delta = \partial L/\partial z` (see
    :func:`cross_entropy_and_grad`), :math:`\nabla_W = X^\top\delta + \lambda W` and
    :math:`\nabla_b = \sum_i \delta_i`.

    Parameters
    ----------
    n_features : int
        :math:`d \ge 1`.
    n_classes : int
        :math:`K \ge 2`.
    """

    def __init__(self, n_features: int, n_classes: int) -> None:
        self.n_features = check_count(n_features, "n_features")
        self.n_classes = check_integer_range(n_classes, "n_classes", 2)

    def __repr__(self) -> str:
        return f"SoftmaxRegression(n_features={self.n_features}, n_classes={self.n_classes})"

    def shapes(self) -> dict[str, tuple[int, ...]]:
        return {"W": (self.n_features, self.n_classes), "b": (self.n_classes,)}

    def weight_names(self) -> tuple[str, ...]:
        return ("W",)

    def init_params(self, seed: int = 0, scale: float = 0.0) -> ParamDict:
        r"""``W`` with independent :math:`N(0, \text{scale}^2)` entries (0 by default), ``b = 0``.

        The problem is convex, so a zero start is the usual choice; ``scale > 0`` gives a
        seeded random start.
        """
        seed = check_seed(seed)
        scale = check_nonnegative(scale, "scale")
        rng = np.random.default_rng(seed)
        return {
            "W": scale * rng.standard_normal((self.n_features, self.n_classes)),
            "b": np.zeros(self.n_classes),
        }

    def _forward(self, params: ParamDict, X: np.ndarray) -> tuple[np.ndarray, tuple]:
        return X @ params["W"] + params["b"], ()

    def _backward(
        self, params: ParamDict, X: np.ndarray, cache: tuple, dz: np.ndarray
    ) -> ParamDict:
        return {"W": X.T @ dz, "b": dz.sum(axis=0)}


class MLP(Model):
    r"""A network with one hidden layer: :math:`h = \sigma(xW_1 + b_1)`, :math:`z = hW_2 + b_2`.

    Parameters ``{"W1": (d, H), "b1": (H,), "W2": (H, K), "b2": (K,)}``.

    Backward pass, with :math:`\delta = \partial L/\partial z`:
    :math:`\nabla_{W_2} = h^\top\delta`, :math:`\nabla_{b_2} = \sum_i\delta_i`,
    :math:`\delta_h = (\delta W_2^\top)\odot\sigma'(a)` with :math:`a = xW_1 + b_1`
    (:math:`\sigma' = 1-h^2` for tanh, :math:`[a > 0]` for ReLU),
    :math:`\nabla_{W_1} = X^\top\delta_h`, :math:`\nabla_{b_1} = \sum_i (\delta_h)_i`;
    plus :math:`\lambda W_1`, :math:`\lambda W_2` from the L2 term.

    Parameters
    ----------
    n_features : int
        :math:`d \ge 1`.
    n_hidden : int
        :math:`H \ge 1`.
    n_classes : int
        :math:`K \ge 2`.
    activation : {"tanh", "relu"}, default "tanh"
        :math:`\sigma`.
    """

    def __init__(
        self, n_features: int, n_hidden: int, n_classes: int, activation: str = "tanh"
    ) -> None:
        self.n_features = check_count(n_features, "n_features")
        self.n_hidden = check_count(n_hidden, "n_hidden")
        self.n_classes = check_integer_range(n_classes, "n_classes", 2)
        if activation not in ("tanh", "relu"):
            raise ValueError(f"activation must be 'tanh' or 'relu', got {activation!r}")
        self.activation = activation

    def __repr__(self) -> str:
        return (
            f"MLP(n_features={self.n_features}, n_hidden={self.n_hidden}, "
            f"n_classes={self.n_classes}, activation={self.activation!r})"
        )

    def shapes(self) -> dict[str, tuple[int, ...]]:
        d, h, k = self.n_features, self.n_hidden, self.n_classes
        return {"W1": (d, h), "b1": (h,), "W2": (h, k), "b2": (k,)}

    def weight_names(self) -> tuple[str, ...]:
        return ("W1", "W2")

    def init_params(self, seed: int = 0) -> ParamDict:
        r"""Seeded random weights, zero biases.

        :math:`W_1` has independent :math:`N(0, g/d)` entries and :math:`W_2` :math:`N(0, g/H)`,
        with :math:`g = 1` for tanh (LeCun) and :math:`g = 2` for ReLU (He), so the hidden
        activations and the logits start with variance of order 1.
        """
        seed = check_seed(seed)
        rng = np.random.default_rng(seed)
        gain = 2.0 if self.activation == "relu" else 1.0
        d, h, k = self.n_features, self.n_hidden, self.n_classes
        return {
            "W1": rng.standard_normal((d, h)) * np.sqrt(gain / d),
            "b1": np.zeros(h),
            "W2": rng.standard_normal((h, k)) * np.sqrt(gain / h),
            "b2": np.zeros(k),
        }

    def _forward(self, params: ParamDict, X: np.ndarray) -> tuple[np.ndarray, tuple]:
        a = X @ params["W1"] + params["b1"]
        h = np.tanh(a) if self.activation == "tanh" else np.maximum(a, 0.0)
        return h @ params["W2"] + params["b2"], (a, h)

    def _backward(
        self, params: ParamDict, X: np.ndarray, cache: tuple, dz: np.ndarray
    ) -> ParamDict:
        a, h = cache
        dh = dz @ params["W2"].T
        da = dh * (1.0 - np.square(h)) if self.activation == "tanh" else dh * (a > 0.0)
        return {
            "W1": X.T @ da,
            "b1": da.sum(axis=0),
            "W2": h.T @ dz,
            "b2": dz.sum(axis=0),
        }
