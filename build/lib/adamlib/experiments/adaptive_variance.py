r"""The variance of Adam's adaptive learning rate in the first steps (chapter 7, RAdam).

Write :math:`\psi_t = 1/(\sqrt{\hat v_t} + \varepsilon)` for the factor by which Adam multiplies
:math:`\hat m_t` (the :func:`adamlib.adam.effective_learning_rate` with :math:`\alpha = 1`).
At :math:`t = 1`, :math:`\hat v_1 = g_1^2` and :math:`\psi_1 = 1/|g_1|` (with
:math:`\varepsilon = 0`): a single gradient near 0 gives a huge factor. Liu et al. (2020) argue
that this large early variance is why Adam needs warmup, and design RAdam's rectification
term :math:`r_t` (:func:`adamlib.radam.rectification`) to cancel it.

- :func:`adaptive_learning_rates`: :math:`\psi_t` for given gradient sequences.
- :func:`adaptive_lr_statistics`: a Monte Carlo estimate of the mean and variance of
  :math:`\psi_t` over many seeded Gaussian gradient sequences, one step at a time (memory
  :math:`O(n)`, so thousands of steps are cheap).
- :func:`sma_psi_variance` and :func:`sma_psi_variance_approx`: the variance of
  :math:`\psi` when :math:`\hat v` is the plain average of :math:`\rho` squared Gaussian
  gradients, exactly and in Liu et al.'s first-order approximation, from which :math:`r_t`
  is built: :math:`r_t = \sqrt{\operatorname{Var}_{\text{approx}}(\rho_\infty) /
  \operatorname{Var}_{\text{approx}}(\rho_t)}`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from adamlib._checks import (
    check_count,
    check_decay_rate,
    check_finite,
    check_integer_range,
    check_nonnegative,
    check_positive,
    check_seed,
)
from adamlib.adam import effective_learning_rate
from adamlib.bias import correct
from adamlib.moments import second_moment, second_moment_series


def adaptive_learning_rates(grads: np.ndarray, beta2: float, eps: float = 0.0) -> np.ndarray:
    r"""The adaptive factors :math:`\psi_t = 1/(\sqrt{\hat v_t} + \varepsilon)` of a sequence.

    :math:`v_t` from :func:`adamlib.moments.second_moment_series`, :math:`\hat v_t` from
    :func:`adamlib.bias.correct`, :math:`\psi_t` from
    :func:`adamlib.adam.effective_learning_rate` with :math:`\alpha = 1`: exactly what
    :class:`adamlib.Adam` multiplies :math:`\hat m_t` by, divided by :math:`\alpha`.

    Parameters
    ----------
    grads : array_like, shape (T,) or (T, n)
        Row ``t - 1`` is :math:`g_t`; columns are independent sequences (or parameters).
    beta2 : float
        :math:`\beta_2 \in [0, 1)`.
    eps : float, default 0.0
        :math:`\varepsilon \ge 0`. With 0, an entry whose gradients so far are all 0 gives
        ``inf``.

    Returns
    -------
    ndarray, shape like ``grads``
        Row ``t - 1`` is :math:`\psi_t`.
    """
    beta2 = check_decay_rate(beta2, "beta2")
    eps = check_nonnegative(eps, "eps")
    v = second_moment_series(grads, beta2)
    out = np.empty_like(v)
    for t in range(1, v.shape[0] + 1):
        v_hat = correct(v[t - 1], beta2, t)
        with np.errstate(divide="ignore"):
            out[t - 1] = effective_learning_rate(v_hat, 1.0, eps)
    return out


@dataclass(frozen=True)
class AdaptiveLRStatistics:
    r"""Monte Carlo statistics of :math:`\psi_t` (see :func:`adaptive_lr_statistics`).

    Attributes
    ----------
    mean : ndarray, shape (steps,)
        Sample mean of :math:`\psi_t` over the sequences, entry ``t - 1``.
    var : ndarray, shape (steps,)
        Sample variance (``ddof=1``) of :math:`\psi_t`.
    n_sequences : int
        Number of independent sequences.
    """

    mean: np.ndarray
    var: np.ndarray
    n_sequences: int

    @property
    def steps(self) -> int:
        """Number of steps :math:`T`."""
        return int(self.mean.size)


def adaptive_lr_statistics(
    beta2: float,
    steps: int,
    n_sequences: int,
    *,
    seed: int = 0,
    mean: float = 0.0,
    std: float = 1.0,
    eps: float = 0.0,
    scale: np.ndarray | float = 1.0,
) -> AdaptiveLRStatistics:
    r"""Mean and variance of :math:`\psi_t` over ``n_sequences`` seeded Gaussian sequences.

    Each sequence has independent gradients :math:`g_t \sim N(\mu, \sigma^2)`; step :math:`t`
    draws the :math:`g_t` of all sequences at once with
    ``np.random.default_rng(seed).standard_normal(n_sequences)`` (one generator, steps in
    order), updates :math:`v_t` with :func:`adamlib.moments.second_moment` in place and
    records the sample mean and variance of :math:`\psi_t \cdot` ``scale``.

    Parameters
    ----------
    beta2 : float
        :math:`\beta_2 \in [0, 1)`.
    steps : int
        :math:`T \ge 1`.
    n_sequences : int
        Number of sequences, :math:`\ge 2`.
    seed : int, default 0
        Seed; the same arguments give the same numbers.
    mean, std : float, default 0, 1
        :math:`\mu` and :math:`\sigma > 0` of the gradients.
    eps : float, default 0.0
        :math:`\varepsilon \ge 0`.
    scale : float or ndarray of shape (steps,), default 1.0
        Multiply :math:`\psi_t` by this before taking statistics, e.g. RAdam's :math:`r_t`
        (:func:`adamlib.radam.rectifications`) to measure the rectified factor
        :math:`r_t\psi_t`. NaN entries give NaN statistics.

    Returns
    -------
    AdaptiveLRStatistics
        With :math:`\varepsilon = 0` the variance at :math:`t = 1, 2` is infinite for Gaussian
        gradients, so its sample estimate keeps growing with ``n_sequences``; from
        :math:`t = 3` on it is finite.
    """
    beta2 = check_decay_rate(beta2, "beta2")
    steps = check_count(steps, "steps")
    n = check_integer_range(n_sequences, "n_sequences", 2)
    mean = check_finite(mean, "mean")
    std = check_positive(std, "std")
    eps = check_nonnegative(eps, "eps")
    seed = check_seed(seed)
    factors = np.broadcast_to(np.asarray(scale, dtype=np.float64), (steps,))
    rng = np.random.default_rng(seed)
    v = np.zeros(n)
    means, variances = np.empty(steps), np.empty(steps)
    for t in range(1, steps + 1):
        g = mean + std * rng.standard_normal(n)
        v = second_moment(v, g, beta2)
        with np.errstate(divide="ignore"):
            psi = effective_learning_rate(correct(v, beta2, t), 1.0, eps) * factors[t - 1]
        means[t - 1] = psi.mean()
        variances[t - 1] = psi.var(ddof=1)
    return AdaptiveLRStatistics(mean=means, var=variances, n_sequences=n)


def sma_psi_variance(rho: float, std: float = 1.0) -> float:
    r"""Exact :math:`\operatorname{Var}[\psi]` when :math:`\hat v` averages :math:`\rho` squared
    :math:`N(0, \sigma^2)` gradients with equal weights.

    Then :math:`\rho\hat v/\sigma^2 \sim \chi^2_\rho` and :math:`\psi = 1/\sqrt{\hat v}`, so with
    :math:`\mathbb E[(\chi^2_\rho)^{-1}] = 1/(\rho-2)` and
    :math:`\mathbb E[(\chi^2_\rho)^{-1/2}] = \Gamma(\frac{\rho-1}{2})/(\sqrt2\,\Gamma(\frac\rho2))`,

    .. math::
        \operatorname{Var}[\psi] = \frac{1}{\sigma^2}\left(\frac{\rho}{\rho-2}
        - \frac{\rho}{2}\,\frac{\Gamma(\frac{\rho-1}{2})^2}{\Gamma(\frac{\rho}{2})^2}\right),

    finite exactly when :math:`\rho > 2` (:math:`\rho` need not be an integer).

    Parameters
    ----------
    rho : float
        :math:`\rho > 0`, the number of averaged squares (degrees of freedom).
    std : float, default 1.0
        :math:`\sigma > 0`.

    Returns
    -------
    float
        ``inf`` for :math:`\rho \le 2`; about :math:`1/(2\rho\sigma^2)` for large :math:`\rho`.
    """
    rho = check_positive(rho, "rho")
    std = check_positive(std, "std")
    if rho <= 2.0:
        return math.inf
    if rho < 1000.0:
        log_ratio = math.lgamma((rho - 1.0) / 2.0) - math.lgamma(rho / 2.0)
        return (rho / (rho - 2.0) - 0.5 * rho * math.exp(2.0 * log_ratio)) / std**2
    # For large ρ the two terms nearly cancel and lgamma's rounding (relative to lgamma's size,
    # about ρ log ρ) would dominate; use the asymptotic series of Γ(x+½)/Γ(x) with x = ρ/2,
    # S = Γ(x+½)/(Γ(x)√x) = 1 - 1/(8x) + 1/(128x²) + 5/(1024x³) - 21/(32768x⁴) + O(x⁻⁵),
    # so that (ρ/2)·(Γ(x-½)/Γ(x))² = S²/(1 - 1/(2x))².
    x = rho / 2.0
    series = 1.0 - 1.0 / (8 * x) + 1.0 / (128 * x**2) + 5.0 / (1024 * x**3) - 21.0 / (32768 * x**4)
    return (1.0 / (1.0 - 1.0 / x) - series**2 / (1.0 - 0.5 / x) ** 2) / std**2


def sma_psi_variance_approx(rho: float, std: float = 1.0) -> float:
    r"""Liu et al.'s first-order approximation
    :math:`\operatorname{Var}[\psi] \approx \rho/\bigl(2\sigma^2(\rho-2)(\rho-4)\bigr)`.

    It comes from :math:`\operatorname{Var}[\psi] \approx \operatorname{Var}[\psi^2] /
    (4\,\mathbb E[\psi^2])` with the scaled inverse :math:`\chi^2` moments of :math:`\psi^2`,
    and is finite only for :math:`\rho > 4`. RAdam's :math:`r_t` is
    :math:`\sqrt{\text{this}(\rho_\infty)/\text{this}(\rho_t)}`.

    Parameters
    ----------
    rho : float
        :math:`\rho > 0`.
    std : float, default 1.0
        :math:`\sigma > 0`.

    Returns
    -------
    float
        ``inf`` for :math:`\rho \le 4`. Far above :func:`sma_psi_variance` just above
        :math:`\rho = 4` (0.83 against 0.25 at :math:`\rho = 5`); both are about
        :math:`1/(2\rho\sigma^2)` for large :math:`\rho`.
    """
    rho = check_positive(rho, "rho")
    std = check_positive(std, "std")
    if rho <= 4.0:
        return math.inf
    return rho / (2.0 * (rho - 2.0) * (rho - 4.0)) / std**2
