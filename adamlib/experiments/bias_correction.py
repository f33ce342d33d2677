r"""Chapter 3: where the bias comes from, when it stops mattering, and what it does not fix.

The correction itself, :math:`\hat m_t = m_t/(1-\beta_1^t)`, is :func:`adamlib.bias.correct`;
this module computes what the chapter tabulates and plots about it: expected moments under a
drifting gradient, the non-stationarity term and its bound, how many steps the correction
matters for, the size of an uncorrected first step, and seeded noisy gradients.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from adamlib._checks import check_count, check_decay_rate, check_nonnegative
from adamlib.bias import bias_correction, bias_corrections
from adamlib.moments import _moment_series, ema


def _means_array(means: np.ndarray | Sequence[float], name: str = "means") -> np.ndarray:
    """``means`` as a float64 array of shape (T,) or (T, n) with T >= 1 and finite entries."""
    arr = np.asarray(means, dtype=np.float64)
    if arr.ndim not in (1, 2) or arr.shape[0] == 0:
        raise ValueError(f"{name} must have shape (T,) or (T, n) with T >= 1, got {arr.shape}")
    finite = np.isfinite(arr)
    if not finite.all():
        index = tuple(int(i) for i in np.argwhere(~finite)[0])
        raise ValueError(f"{name} must be finite, got {arr[index]!r} at index {index}")
    return arr


def expected_moment(means: np.ndarray | Sequence[float], beta: float) -> np.ndarray:
    r"""The expectation of a moving average started at zero, for :math:`t = 1, \dots, T`.

    .. math::
        \mathbb{E}[m_t] = \sum_{i=1}^{t} (1-\beta)\,\beta^{t-i}\,\mathbb{E}[g_i]

    Expectation is linear, so it is exactly the moving average (from :math:`m_0 = 0`) of the
    per-step expectations; no independence between the :math:`g_i` is needed. Pass
    :math:`\mathbb{E}[g_i^2]` and :math:`\beta_2` to get :math:`\mathbb{E}[v_t]`.

    Parameters
    ----------
    means : array_like, shape (T,) or (T, n)
        Row ``t - 1`` is :math:`\mathbb{E}[g_t]` (or :math:`\mathbb{E}[g_t^2]`).
    beta : float
        Exponential decay rate :math:`\beta \in [0, 1)`.

    Returns
    -------
    ndarray, same shape as ``means``
        Row ``t - 1`` is :math:`\mathbb{E}[m_t]`. With constant means :math:`\mu` it equals
        :math:`(1-\beta^t)\,\mu`.
    """
    beta = check_decay_rate(beta, "beta")
    return _moment_series(ema, _means_array(means), beta)


def expected_corrected_moment(means: np.ndarray | Sequence[float], beta: float) -> np.ndarray:
    r"""The expectation of the bias-corrected moment, :math:`\mathbb{E}[\hat m_t]`, for
    :math:`t = 1, \dots, T`.

    .. math::
        \mathbb{E}[\hat m_t] = \frac{\mathbb{E}[m_t]}{1-\beta^t}
        = \mathbb{E}[g_t] + \frac{\zeta_t}{1-\beta^t}

    It equals :math:`\mathbb{E}[g_t]` exactly when the means are constant; otherwise it is off
    by :math:`\zeta_t/(1-\beta^t)` (see :func:`nonstationarity_term`).

    Parameters
    ----------
    means : array_like, shape (T,) or (T, n)
        Row ``t - 1`` is :math:`\mathbb{E}[g_t]` (or :math:`\mathbb{E}[g_t^2]` with
        :math:`\beta_2`, giving :math:`\mathbb{E}[\hat v_t]`).
    beta : float
        Exponential decay rate :math:`\beta \in [0, 1)`.

    Returns
    -------
    ndarray, same shape as ``means``
        Row ``t - 1`` is :math:`\mathbb{E}[\hat m_t]`.
    """
    beta = check_decay_rate(beta, "beta")
    mu = _means_array(means)
    factors = bias_corrections(beta, mu.shape[0]).reshape((-1,) + (1,) * (mu.ndim - 1))
    return expected_moment(mu, beta) / factors


def nonstationarity_term(means: np.ndarray | Sequence[float], beta: float) -> np.ndarray:
    r"""The term :math:`\zeta_t` that bias correction leaves when the gradient's mean drifts.

    .. math::
        \zeta_t = \mathbb{E}[m_t] - (1-\beta^t)\,\mathbb{E}[g_t]
                = \sum_{i=1}^{t} (1-\beta)\,\beta^{t-i}\,\bigl(\mathbb{E}[g_i]-\mathbb{E}[g_t]\bigr)

    Zero for every :math:`t` when the means are constant; after correction the estimate is off
    by :math:`\zeta_t/(1-\beta^t)`.

    Parameters
    ----------
    means : array_like, shape (T,) or (T, n)
        Row ``t - 1`` is :math:`\mathbb{E}[g_t]` (or :math:`\mathbb{E}[g_t^2]`).
    beta : float
        Exponential decay rate :math:`\beta \in [0, 1)`.

    Returns
    -------
    ndarray, same shape as ``means``
        Row ``t - 1`` is :math:`\zeta_t`.
    """
    beta = check_decay_rate(beta, "beta")
    mu = _means_array(means)
    factors = bias_corrections(beta, mu.shape[0]).reshape((-1,) + (1,) * (mu.ndim - 1))
    return expected_moment(mu, beta) - factors * mu


def nonstationarity_bound(beta: float, drift: float) -> float:
    r"""The bound :math:`|\zeta_t| \le \delta\,\beta/(1-\beta)` when the mean moves by at most
    :math:`\delta` per step.

    If :math:`|\mathbb{E}[g_i]-\mathbb{E}[g_{i-1}]| \le \delta` for every :math:`i`, then
    :math:`|\zeta_t| \le \delta\,(1-\beta)\sum_{k\ge 0} k\,\beta^k = \delta\,\beta/(1-\beta)`;
    a mean that grows by exactly :math:`\delta` per step reaches the bound as :math:`t\to\infty`.
    The corrected moment then tracks the mean of about :math:`\beta/(1-\beta)` steps ago.

    Parameters
    ----------
    beta : float
        Exponential decay rate :math:`\beta \in [0, 1)`.
    drift : float
        :math:`\delta \ge 0`, the largest change of the mean from one step to the next.

    Returns
    -------
    float
        :math:`\delta\,\beta/(1-\beta)`: :math:`9\delta` for :math:`\beta_1 = 0.9`,
        :math:`999\delta` for :math:`\beta_2 = 0.999`.
    """
    beta = check_decay_rate(beta, "beta")
    drift = check_nonnegative(drift, "drift")
    return drift * beta / (1.0 - beta)


def steps_to_reach(beta: float, level: float = 0.99) -> int:
    r"""The first step :math:`t` at which :math:`1-\beta^t \ge` ``level``.

    From there on the correction changes the moment by at most a factor
    :math:`1/\text{level}`. The closed form :math:`\lceil \ln(1-\text{level})/\ln\beta \rceil`
    is checked against :func:`bias_correction` so rounding cannot shift it by one.

    Parameters
    ----------
    beta : float
        Exponential decay rate :math:`\beta \in [0, 1)`.
    level : float, default 0.99
        Target in :math:`(0, 1)`.

    Returns
    -------
    int
        44 for :math:`\beta_1 = 0.9`, 4603 for :math:`\beta_2 = 0.999` (level 0.99).
    """
    beta = check_decay_rate(beta, "beta")
    level_value = check_nonnegative(level, "level")
    if not 0.0 < level_value < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    if beta == 0.0:
        return 1
    t = max(1, math.ceil(math.log1p(-level_value) / math.log(beta)))
    while t > 1 and bias_correction(beta, t - 1) >= level_value:
        t -= 1
    while bias_correction(beta, t) < level_value:
        t += 1
    return t


def uncorrected_step_factor(beta1: float, beta2: float, steps: int) -> np.ndarray:
    r"""How many times :math:`\alpha` Adam moves without bias correction, for a constant gradient.

    With :math:`g_t = g \ne 0` for all :math:`t`, :math:`m_t = (1-\beta_1^t)\,g` and
    :math:`v_t = (1-\beta_2^t)\,g^2`, so with :math:`\varepsilon = 0` the uncorrected step is

    .. math::
        |\Delta\phi_t| = \alpha\,\frac{m_t}{\sqrt{v_t}}\cdot\operatorname{sign} g
        = \alpha\,\frac{1-\beta_1^t}{\sqrt{1-\beta_2^t}},

    while the corrected step is exactly :math:`\alpha`.

    Parameters
    ----------
    beta1, beta2 : float
        Exponential decay rates :math:`\beta_1, \beta_2 \in [0, 1)`.
    steps : int
        Number of steps :math:`T \ge 1`.

    Returns
    -------
    ndarray, shape (steps,)
        Entry ``t - 1`` is :math:`(1-\beta_1^t)/\sqrt{1-\beta_2^t}`; at :math:`t = 1` it is
        :math:`(1-\beta_1)/\sqrt{1-\beta_2} \approx 3.16` for the defaults.
    """
    beta1 = check_decay_rate(beta1, "beta1")
    beta2 = check_decay_rate(beta2, "beta2")
    steps = check_count(steps, "steps")
    return bias_corrections(beta1, steps) / np.sqrt(bias_corrections(beta2, steps))


def noisy_gradients(
    mean: float | np.ndarray | Sequence[float],
    std: float,
    steps: int,
    *,
    n: int = 1,
    seed: int = 0,
) -> np.ndarray:
    r"""``n`` independent noisy gradient sequences :math:`g_t = \mu_t + \sigma\xi_t`.

    The :math:`\xi_t \sim N(0, 1)` are independent across steps and sequences.

    Their moments are known: :math:`\mathbb{E}[g_t] = \mu_t` and
    :math:`\mathbb{E}[g_t^2] = \mu_t^2 + \sigma^2`, which is what the Monte Carlo checks need.

    Parameters
    ----------
    mean : float or array_like of shape (steps,)
        :math:`\mu_t`: one value for a stationary gradient, or one per step.
    std : float
        :math:`\sigma \ge 0`; 0 gives the means themselves.
    steps : int
        :math:`T \ge 1`.
    n : int, default 1
        Number of sequences (columns).
    seed : int, default 0
        Seed of ``numpy.random.default_rng``; the same seed gives the same sequences.

    Returns
    -------
    ndarray, shape (steps, n)
        Column ``k`` is one sequence; pass it to :func:`adamlib.trace.run_sequence`.
    """
    steps = check_count(steps, "steps")
    n = check_count(n, "n")
    std = check_nonnegative(std, "std")
    mu = np.asarray(mean, dtype=np.float64)
    if mu.ndim == 0:
        mu = np.full(steps, float(mu))
    if mu.shape != (steps,):
        raise ValueError(f"mean must be a number or have shape ({steps},), got shape {mu.shape}")
    if not np.all(np.isfinite(mu)):
        raise ValueError(f"mean must be finite, got {mean!r}")
    rng = np.random.default_rng(seed)
    return mu[:, None] + std * rng.standard_normal((steps, n))
