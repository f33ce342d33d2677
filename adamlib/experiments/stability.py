r"""Why Adam with a constant learning rate does not stay at a minimum (chapter 7).

Near a minimum, with :math:`\hat v_t` nearly frozen, Adam is gradient descent with momentum on
the loss seen through the *preconditioner* :math:`P = \operatorname{diag}\bigl(\alpha /
(\sqrt{\hat v_t} + \varepsilon)\bigr)`. On a quadratic with Hessian :math:`H`, the
exponential-average momentum :math:`m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t`,
:math:`\Delta\phi_t = -P m_t` is stable exactly when every eigenvalue :math:`\lambda` of
:math:`PH` satisfies :math:`0 < \lambda < 2(1+\beta_1)/(1-\beta_1)`
(:func:`momentum_stability_threshold`: 38 for :math:`\beta_1 = 0.9`).

Once the gradients vanish, :math:`\hat v_t` decays by :math:`\beta_2` per step, :math:`P` grows,
and the largest eigenvalue of :math:`PH`, the *preconditioned sharpness*, rises until it
crosses that threshold: the iterate leaves the minimum until the new, larger gradients refill
:math:`\hat v_t`. Cohen et al. (2022) observed the preconditioned sharpness of full-batch Adam
settling at this threshold (:math:`38/\alpha` in their normalisation) in neural networks.

:func:`preconditioned_sharpness` measures it by power iteration with Hessian-vector products
from finite differences of the gradient, so any model with a gradient function will do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from adamlib._checks import check_count, check_decay_rate, check_nonnegative, check_positive
from adamlib.adam import effective_learning_rate
from adamlib.bias import correct
from adamlib.ml.models import Model


def momentum_stability_threshold(beta1: float = 0.9) -> float:
    r"""The largest stable :math:`\lambda(PH)` for EMA momentum: :math:`2(1+\beta_1)/(1-\beta_1)`.

    For one eigen-direction with curvature :math:`h` and step factor :math:`p`, write
    :math:`a = p(1-\beta_1)h`. Eliminating :math:`m_t` gives
    :math:`\phi_t = (1+\beta_1-a)\,\phi_{t-1} - \beta_1\phi_{t-2}`, whose characteristic
    polynomial :math:`z^2-(1+\beta_1-a)z+\beta_1` has both roots inside the unit circle iff
    :math:`0 < a < 2(1+\beta_1)`, i.e. :math:`0 < ph < 2(1+\beta_1)/(1-\beta_1)`.

    Parameters
    ----------
    beta1 : float, default 0.9
        :math:`\beta_1 \in [0, 1)`.

    Returns
    -------
    float
        38 for :math:`\beta_1 = 0.9`, 2 for :math:`\beta_1 = 0` (plain gradient descent),
        398 for 0.99.
    """
    beta1 = check_decay_rate(beta1, "beta1")
    return 2.0 * (1.0 + beta1) / (1.0 - beta1)


def momentum_rotation(a: float, beta: float = 0.9) -> float:
    r"""The angle :math:`\theta` by which momentum turns per step along one curvature direction.

    Along an eigen-direction of a quadratic, momentum follows
    :math:`\phi_t = (1+\beta-a)\,\phi_{t-1} - \beta\,\phi_{t-2}` (the recursion of
    :func:`momentum_stability_threshold`). For PyTorch's heavy ball (buffer
    :math:`b_t = \mu b_{t-1} + g_t`, :math:`\Delta\phi_t = -\alpha b_t`) on curvature
    :math:`\lambda`, :math:`a = \alpha\lambda` and :math:`\beta = \mu`. When the roots of
    :math:`z^2 - (1+\beta-a)z + \beta` are complex they are :math:`\sqrt\beta\,e^{\pm i\theta}`
    with :math:`\cos\theta = (1+\beta-a)/(2\sqrt\beta)`: the iterate shrinks by
    :math:`\sqrt\beta` per step while it turns by :math:`\theta`, so its sign changes about every
    :math:`\pi/\theta` steps and one period lasts :math:`2\pi/\theta` steps (Goh, 2017).

    Parameters
    ----------
    a : float
        The step factor times the curvature, :math:`a \ge 0` (:math:`\alpha\lambda`).
    beta : float, default 0.9
        The momentum coefficient :math:`\beta \in [0, 1)`.

    Returns
    -------
    float
        :math:`\theta \in [0, \pi]`: 0 when both roots are real and positive (no oscillation),
        :math:`\pi` when they are real and negative (the sign flips every step). For
        :math:`\beta = 0.9`, :math:`a = 1.9` gives :math:`\pi/2`, a period of 4 steps.
    """
    a = check_nonnegative(a, "a")
    beta = check_decay_rate(beta, "beta")
    if beta == 0.0:
        return 0.0 if a <= 1.0 else float(np.pi)
    cos_theta = (1.0 + beta - a) / (2.0 * np.sqrt(beta))
    return float(np.arccos(np.clip(cos_theta, -1.0, 1.0)))


@dataclass(frozen=True)
class TunedRate:
    r"""The best constant settings for a quadratic, and the rate they give.

    Attributes
    ----------
    alpha : float
        The learning rate :math:`\alpha`.
    mu : float
        The momentum coefficient :math:`\mu` (0 for gradient descent).
    rate : float
        The factor by which the distance to the minimum shrinks per step, in the worst
        eigen-direction, once the transient has passed.
    """

    alpha: float
    mu: float
    rate: float


def _check_curvatures(lam_min: float, lam_max: float) -> tuple[float, float]:
    lam_min = check_positive(lam_min, "lam_min")
    lam_max = check_positive(lam_max, "lam_max")
    if lam_max < lam_min:
        raise ValueError(f"lam_max must be >= lam_min = {lam_min!r}, got {lam_max!r}")
    return lam_min, lam_max


def optimal_gradient_descent(lam_min: float, lam_max: float) -> TunedRate:
    r"""Gradient descent's best :math:`\alpha` when the curvatures lie in a known range.

    Along a direction of curvature :math:`\lambda` the distance is multiplied by
    :math:`1 - \alpha\lambda` each step. :math:`\alpha = 2/(\lambda_{min}+\lambda_{max})`
    makes the two extreme factors equal in size, :math:`(\kappa-1)/(\kappa+1)` with the
    condition number :math:`\kappa = \lambda_{max}/\lambda_{min}` (Goh, 2017).

    Parameters
    ----------
    lam_min, lam_max : float
        The smallest and largest curvature, :math:`0 < \lambda_{min} \le \lambda_{max}`.

    Returns
    -------
    TunedRate
        ``mu`` is 0; for :math:`\kappa = 100`, ``rate`` is 99/101 ≈ 0.980.
    """
    lam_min, lam_max = _check_curvatures(lam_min, lam_max)
    kappa = lam_max / lam_min
    return TunedRate(alpha=2.0 / (lam_min + lam_max), mu=0.0, rate=(kappa - 1.0) / (kappa + 1.0))


def optimal_momentum(lam_min: float, lam_max: float) -> TunedRate:
    r"""Heavy-ball momentum's best :math:`\alpha` and :math:`\mu` for a range of curvatures.

    With the recursion of :func:`momentum_rotation`, :math:`\phi_t = (1+\mu-\alpha\lambda)
    \phi_{t-1} - \mu\phi_{t-2}`, every direction whose roots are complex shrinks by
    :math:`\sqrt\mu` per step. :math:`\alpha = \bigl(2/(\sqrt{\lambda_{max}} +
    \sqrt{\lambda_{min}})\bigr)^2` and :math:`\mu = \bigl((\sqrt\kappa-1)/(\sqrt\kappa+1)
    \bigr)^2` make the roots of both extreme directions double (the edge of complex), so every
    direction shrinks by :math:`\sqrt\mu = (\sqrt\kappa-1)/(\sqrt\kappa+1)`: the condition
    number enters through its square root (Polyak, 1964; Goh, 2017).

    Parameters
    ----------
    lam_min, lam_max : float
        The smallest and largest curvature, :math:`0 < \lambda_{min} \le \lambda_{max}`.

    Returns
    -------
    TunedRate
        For :math:`\kappa = 100`: :math:`\alpha = (2/11)^2`, :math:`\mu = (9/11)^2` and
        ``rate`` 9/11 ≈ 0.818.
    """
    lam_min, lam_max = _check_curvatures(lam_min, lam_max)
    root_kappa = np.sqrt(lam_max / lam_min)
    rate = float((root_kappa - 1.0) / (root_kappa + 1.0))
    alpha = float((2.0 / (np.sqrt(lam_max) + np.sqrt(lam_min))) ** 2)
    return TunedRate(alpha=alpha, mu=rate**2, rate=rate)


def flatten(
    params: Mapping[str, np.ndarray] | np.ndarray, keys: Sequence[str] | None = None
) -> np.ndarray:
    r"""Concatenate a dict of arrays (in ``keys`` order, default: the dict's order) into 1-D.

    An ndarray is returned raveled (as float64). See :func:`unflatten` for the inverse.
    """
    if isinstance(params, Mapping):
        keys = list(params) if keys is None else list(keys)
        return np.concatenate([np.asarray(params[k], dtype=np.float64).ravel() for k in keys])
    return np.asarray(params, dtype=np.float64).ravel()


def unflatten(flat: np.ndarray, like: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    r"""Split a 1-D array into a dict shaped like ``like`` (the inverse of :func:`flatten`)."""
    flat = np.asarray(flat, dtype=np.float64)
    sizes = [int(np.size(like[k])) for k in like]
    if flat.ndim != 1 or flat.size != sum(sizes):
        raise ValueError(f"flat must be 1-D with {sum(sizes)} entries, got shape {flat.shape}")
    out, start = {}, 0
    for k, size in zip(like, sizes, strict=True):
        out[k] = flat[start : start + size].reshape(np.shape(like[k]))
        start += size
    return out


def adam_preconditioner(
    v: Mapping[str, np.ndarray] | np.ndarray,
    t: int,
    *,
    lr: float,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> np.ndarray:
    r"""Adam's per-parameter step factor :math:`p_i = \alpha/(\sqrt{\hat v_{t,i}}+\varepsilon)`,
    flattened, with :math:`p_i = 0` where :math:`v_{t,i} = 0`.

    An entry with :math:`v_t = 0` has only ever seen zero gradients (a pixel that is constant
    in the training set, say); no step can reach it, so it is left out of the sharpness rather
    than counted with the meaningless factor :math:`\alpha/\varepsilon`.

    Parameters
    ----------
    v : ndarray or dict of ndarray
        :math:`v_t` (``state.v`` of :class:`adamlib.Adam`).
    t : int
        The step count :math:`t \ge 1` (``state.t``).
    lr : float
        :math:`\alpha`.
    beta2, eps : float, default 0.999, 1e-8
        :math:`\beta_2` and :math:`\varepsilon` of the optimizer.

    Returns
    -------
    ndarray, 1-D
        :math:`p` in :func:`flatten` order.
    """
    t = check_count(t, "t")
    lr = check_positive(lr, "lr")
    beta2 = check_decay_rate(beta2, "beta2")
    eps = check_nonnegative(eps, "eps")
    flat_v = flatten(v)
    if np.any(flat_v < 0) or not np.all(np.isfinite(flat_v)):
        raise ValueError("v must be finite and >= 0")
    p = effective_learning_rate(correct(flat_v, beta2, t), lr, eps)
    return np.where(flat_v > 0, p, 0.0)


def model_gradient(
    model: Model, X: np.ndarray, y: np.ndarray, l2: float, like: Mapping[str, np.ndarray]
) -> Callable[[np.ndarray], np.ndarray]:
    r"""The full-batch gradient of ``model``'s objective as a function of flat parameters.

    Parameters
    ----------
    model : Model
        :class:`adamlib.ml.models.SoftmaxRegression` or :class:`~adamlib.ml.models.MLP`.
    X, y : ndarray
        The data (all of it: the full-batch objective).
    l2 : float
        :math:`\lambda` of the model's L2 term.
    like : dict of ndarray
        Parameters giving the keys and shapes (e.g. ``model.init_params()``).

    Returns
    -------
    callable
        :math:`\phi \mapsto \nabla L(\phi)`, both 1-D in :func:`flatten` order.
    """
    keys = list(like)

    def grad(flat: np.ndarray) -> np.ndarray:
        _, grads = model.loss_and_grad(unflatten(flat, like), X, y, l2)
        return flatten(grads, keys)

    return grad


def finite_difference_hvp(
    grad: Callable[[np.ndarray], np.ndarray], phi: np.ndarray, h: float = 1e-4
) -> Callable[[np.ndarray], np.ndarray]:
    r"""Hessian-vector products by central differences:
    :math:`Hu \approx (\nabla f(\phi+hu) - \nabla f(\phi-hu))/(2h)`.

    Exact (up to rounding) when :math:`f` is quadratic; error :math:`O(h^2)` otherwise.

    Parameters
    ----------
    grad : callable
        :math:`\phi \mapsto \nabla f(\phi)` on 1-D float64 arrays.
    phi : ndarray, 1-D
        Where to take the Hessian.
    h : float, default 1e-4
        Step of the difference, :math:`> 0`.

    Returns
    -------
    callable
        :math:`u \mapsto Hu`.
    """
    phi = np.asarray(phi, dtype=np.float64)
    if phi.ndim != 1:
        raise ValueError(f"phi must be 1-D, got shape {phi.shape}")
    h = check_positive(h, "h")

    def hvp(u: np.ndarray) -> np.ndarray:
        return (np.asarray(grad(phi + h * u)) - np.asarray(grad(phi - h * u))) / (2.0 * h)

    return hvp


def preconditioned_sharpness(
    hvp: Callable[[np.ndarray], np.ndarray],
    preconditioner: np.ndarray,
    *,
    iterations: int = 40,
    seed: int = 0,
) -> float:
    r"""The largest eigenvalue of :math:`PH` by power iteration, :math:`P = \operatorname{diag}(p)`.

    :math:`PH` is similar to the symmetric :math:`P^{1/2}HP^{1/2}`, so its eigenvalues are real;
    the iteration runs on the symmetric form from a seeded random start and returns the
    Rayleigh quotient of the last iterate. Power iteration finds the eigenvalue of largest
    magnitude; near a minimum :math:`H` is positive semi-definite and that is the largest one.

    Parameters
    ----------
    hvp : callable
        :math:`u \mapsto Hu` on 1-D arrays (e.g. :func:`finite_difference_hvp`).
    preconditioner : ndarray, 1-D
        :math:`p \ge 0` (e.g. :func:`adam_preconditioner`).
    iterations : int, default 40
        Number of Hessian-vector products, :math:`\ge 1`.
    seed : int, default 0
        Seed of the random start.

    Returns
    -------
    float
        :math:`\lambda_{\max}(PH)`; compare with :func:`momentum_stability_threshold`.
    """
    p = np.asarray(preconditioner, dtype=np.float64)
    if p.ndim != 1 or p.size == 0 or np.any(p < 0) or not np.all(np.isfinite(p)):
        raise ValueError("preconditioner must be a non-empty 1-D array of finite numbers >= 0")
    iterations = check_count(iterations, "iterations")
    root = np.sqrt(p)
    u = np.random.default_rng(seed).standard_normal(p.size) * (root > 0)
    u /= np.linalg.norm(u)
    value = 0.0
    for _ in range(iterations):
        z = root * np.asarray(hvp(root * u), dtype=np.float64)
        value = float(u @ z)
        norm = np.linalg.norm(z)
        if norm == 0.0:
            return 0.0
        u = z / norm
    return value
