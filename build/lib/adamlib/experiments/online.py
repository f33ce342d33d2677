r"""Online optimisation on an interval: Reddi, Kale & Kumar's counterexample to Adam (chapter 7).

In online convex optimisation a new convex loss :math:`f_t` arrives at every step. The
optimizer plays :math:`\phi_{t-1}`, suffers :math:`f_t(\phi_{t-1})`, sees the gradient
:math:`g_t = \nabla f_t(\phi_{t-1})` and moves. Its *regret* after :math:`T` steps compares its
total loss with the best single point of the feasible set :math:`\mathcal F` chosen in hindsight,

.. math::
    R_T = \sum_{t=1}^{T} f_t(\phi_{t-1}) - \min_{\phi\in\mathcal F}\sum_{t=1}^{T} f_t(\phi),

and an algorithm converges in this sense when the average regret :math:`R_T/T` goes to 0.

Reddi et al. (2018, section 3) take :math:`\mathcal F = [-1, 1]` and the linear losses

.. math::
    f_t(\phi) = \begin{cases} C\phi & t \bmod 3 = 1,\\ -\phi & \text{otherwise,} \end{cases}
    \qquad C > 2,

(the paper writes :math:`x` for the parameter). Over one period the losses add up to
:math:`(C-2)\phi`, so the best point is :math:`\phi = -1`. With :math:`\beta_1 = 0` and
:math:`\beta_2 = 1/(1+C^2)` Adam nevertheless goes to :math:`\phi = +1`.

Every loss here is linear, :math:`f_t(\phi) = c_t\phi`, so the gradient :math:`g_t = c_t` does
not depend on :math:`\phi`: :func:`run_projected` takes the coefficients :math:`c_t` as a fixed
sequence and projects onto :math:`[\text{low}, \text{high}]` after every step. The paper
projects in the norm weighted by :math:`\sqrt{\hat v_t}`; for an interval (or a box, with a
diagonal weight) that is the same point as plain clipping.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from adamlib._base import Optimizer
from adamlib._checks import (
    check_all_finite,
    check_count,
    check_finite,
    check_integer_range,
    check_positive,
)
from adamlib.trace import Trace, iterate, to_trace


def _check_bounds(low: float, high: float) -> tuple[float, float]:
    """Return ``low``, ``high`` as floats if both are finite and ``low < high``."""
    low_value = check_finite(low, "low")
    high_value = check_finite(high, "high")
    if not low_value < high_value:
        raise ValueError(f"low must be < high, got low={low!r}, high={high!r}")
    return low_value, high_value


def project_interval(phi: np.ndarray, low: float = -1.0, high: float = 1.0) -> np.ndarray:
    r"""The projection onto :math:`[\text{low}, \text{high}]`, elementwise: the nearest point.

    Parameters
    ----------
    phi : array_like
        Any real array.
    low, high : float, default -1, 1
        The interval, ``low < high``.

    Returns
    -------
    ndarray
        :math:`\min(\max(\phi, \text{low}), \text{high})`, float64.
    """
    low, high = _check_bounds(low, high)
    return np.clip(np.asarray(phi, dtype=np.float64), low, high)


def reddi_gradients(steps: int, big: float = 3.0, period: int = 3) -> np.ndarray:
    r"""The coefficients :math:`c_t` of Reddi et al.'s losses :math:`f_t(\phi) = c_t\phi`.

    .. math:: c_t = C \text{ if } t \bmod p = 1, \text{ else } -1, \qquad t = 1, \dots, T,

    with :math:`p = 3` in the paper's section 3. Because :math:`f_t` is linear, :math:`c_t` is
    also the gradient :math:`g_t` at every point.

    Parameters
    ----------
    steps : int
        :math:`T \ge 1`.
    big : float, default 3.0
        :math:`C > 0`, the rare large gradient.
    period : int, default 3
        :math:`p \ge 2`: one large gradient, then :math:`p - 1` gradients :math:`-1`.

    Returns
    -------
    ndarray, shape (steps,)
        Entry ``t - 1`` is :math:`c_t`. Over each full period they add up to
        :math:`C - (p-1)`; when that is positive the best point of :math:`[-1, 1]` is
        :math:`-1`.
    """
    steps = check_count(steps, "steps")
    period = check_integer_range(period, "period", 2)
    big = check_positive(big, "big")
    t = np.arange(1, steps + 1)
    return np.where(t % period == 1, big, -1.0)


def reddi_beta2(big: float) -> float:
    r"""The decay rate :math:`\beta_2 = 1/(1+C^2)` of Reddi et al.'s counterexample.

    Parameters
    ----------
    big : float
        :math:`C > 0`.

    Returns
    -------
    float
        0.1 for :math:`C = 3`: the second moment forgets a gradient within about one step
        (:func:`adamlib.moments.effective_window` is :math:`1/(1-\beta_2) \approx 1.11`).
    """
    big = check_positive(big, "big")
    return 1.0 / (1.0 + big**2)


def best_fixed_point(
    coeffs: np.ndarray | Iterable[float], low: float = -1.0, high: float = 1.0
) -> float | np.ndarray:
    r"""The best single point in hindsight: :math:`\arg\min_{\phi\in[\text{low},\text{high}]}
    \sum_t c_t\phi`.

    Parameters
    ----------
    coeffs : array_like, shape (T,) or (T, n)
        The coefficients :math:`c_t` of linear losses (row ``t - 1``).
    low, high : float, default -1, 1
        The interval.

    Returns
    -------
    float or ndarray
        ``low`` where :math:`\sum_t c_t > 0`, ``high`` where it is negative, and the midpoint
        where it is exactly 0 (every point is then equally good).
    """
    low, high = _check_bounds(low, high)
    c = _check_coeffs(coeffs)
    total = c.sum(axis=0)
    point = np.where(total > 0, low, np.where(total < 0, high, 0.5 * (low + high)))
    return float(point[0]) if point.size == 1 else point


def linear_regret(
    coeffs: np.ndarray | Iterable[float],
    played: np.ndarray | Iterable[float],
    low: float = -1.0,
    high: float = 1.0,
) -> np.ndarray:
    r"""The regret :math:`R_t` after every step :math:`t` for linear losses :math:`c_t\phi`.

    .. math::
        R_t = \sum_{s=1}^{t} c_s\,\phi_{s-1} - \min_{\phi\in[\text{low},\text{high}]}
              \sum_{s=1}^{t} c_s\,\phi

    The comparison point is the best one for the first :math:`t` losses, so it may change with
    :math:`t`. The minimum of a linear function over an interval is at an end:
    :math:`\min(\text{low}\cdot S_t, \text{high}\cdot S_t)` with :math:`S_t = \sum_{s\le t} c_s`.

    Parameters
    ----------
    coeffs : array_like, shape (T,) or (T, n)
        :math:`c_1, \dots, c_T`.
    played : array_like, shape (T,) or (T, n)
        The points played, :math:`\phi_0, \dots, \phi_{T-1}` (row ``t - 1`` is
        :math:`\phi_{t-1}`, the point at which :math:`f_t` is evaluated).
    low, high : float, default -1, 1
        The interval.

    Returns
    -------
    ndarray, shape (T,) or (T, n)
        Row ``t - 1`` is :math:`R_t \ge 0` for points inside the interval; the *average* regret
        is ``R / np.arange(1, T + 1)`` (see :attr:`OnlineRun.average_regret`).
    """
    low, high = _check_bounds(low, high)
    c = _check_coeffs(coeffs)
    x = np.asarray(played, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if x.shape != c.shape:
        raise ValueError(f"played has shape {x.shape}, expected {c.shape} like coeffs")
    suffered = np.cumsum(c * x, axis=0)
    totals = np.cumsum(c, axis=0)
    best = np.minimum(low * totals, high * totals)
    regret = suffered - best
    return regret[:, 0] if np.ndim(coeffs) == 1 else regret


def _check_coeffs(coeffs: np.ndarray | Iterable[float]) -> np.ndarray:
    """Return ``coeffs`` as a finite float64 array of shape (T, n), T >= 1 (1-D → one column)."""
    c = np.asarray(coeffs, dtype=np.float64)
    if c.ndim == 1:
        c = c[:, None]
    if c.ndim != 2 or c.shape[0] == 0:
        raise ValueError(f"coeffs must have shape (T,) or (T, n) with T >= 1, got {c.shape}")
    check_all_finite(c, "coeffs")
    return c


@dataclass(frozen=True)
class OnlineRun:
    r"""A projected online run on linear losses (see :func:`run_projected`).

    Attributes
    ----------
    trace : Trace
        :math:`\phi_0, \dots, \phi_T` (after projection), :math:`g_t = c_t`, and the optimizer's
        :math:`m_t, v_t, \hat m_t, \hat v_t` where it has them. ``trace.delta`` is the actual
        move :math:`\phi_t - \phi_{t-1}`, projection included.
    proposed : ndarray, shape (T, n)
        The move the optimizer proposed before the projection.
    losses : ndarray, shape (T,) or (T, n)
        :math:`f_t(\phi_{t-1}) = c_t\phi_{t-1}`, the loss suffered at step :math:`t`.
    regret : ndarray, shape like ``losses``
        :math:`R_t` from :func:`linear_regret`.
    low, high : float
        The interval.
    """

    trace: Trace
    proposed: np.ndarray
    losses: np.ndarray
    regret: np.ndarray
    low: float
    high: float

    @property
    def average_regret(self) -> np.ndarray:
        r""":math:`R_t / t` for :math:`t = 1, \dots, T`."""
        t = np.arange(1, self.regret.shape[0] + 1, dtype=np.float64)
        return self.regret / (t if self.regret.ndim == 1 else t[:, None])

    @property
    def final(self) -> np.ndarray:
        r""":math:`\phi_T`."""
        return self.trace.final


def run_projected(
    opt: Optimizer,
    coeffs: np.ndarray | Iterable[float],
    phi0: np.ndarray | float = 0.0,
    *,
    low: float = -1.0,
    high: float = 1.0,
) -> OnlineRun:
    r"""Run ``opt`` on the linear losses :math:`f_t(\phi) = c_t\phi`, projecting after each step.

    Step :math:`t`: :math:`g_t = c_t`; the optimizer proposes :math:`\phi'_t` from
    :math:`\phi_{t-1}`, :math:`g_t` and its state; then
    :math:`\phi_t = \Pi_{[\text{low},\text{high}]}(\phi'_t)` (:func:`project_interval`). The
    optimizer's state (:math:`m_t`, :math:`v_t`, ...) is kept as the optimizer computed it;
    only :math:`\phi` is projected, as in Reddi et al.'s Algorithm 1.

    Parameters
    ----------
    opt : Optimizer
        Any adamlib optimizer; wrap it in :class:`adamlib.schedules.Scheduled` for a step size
        that changes with :math:`t` (the paper's :math:`\alpha/\sqrt t`).
    coeffs : array_like, shape (T,) or (T, n)
        :math:`c_1, \dots, c_T`, e.g. :func:`reddi_gradients`.
    phi0 : array_like or float, default 0.0
        :math:`\phi_0`, inside the interval; broadcast to the width of ``coeffs``.
    low, high : float, default -1, 1
        The interval :math:`\mathcal F`.

    Returns
    -------
    OnlineRun
    """
    if not isinstance(opt, Optimizer):
        raise TypeError(f"opt must be an adamlib optimizer, got {type(opt).__name__}")
    low, high = _check_bounds(low, high)
    c = _check_coeffs(coeffs)
    phi = np.broadcast_to(np.asarray(phi0, dtype=np.float64), c.shape[1:]).copy()
    if np.any((phi < low) | (phi > high)) or not np.all(np.isfinite(phi)):
        raise ValueError(f"phi0 must lie in [{low}, {high}], got {phi0!r}")
    result = iterate(
        opt,
        phi,
        c.shape[0],
        lambda _p, t: c[t - 1].copy(),
        project=lambda proposed: project_interval(proposed, low, high),
    )
    phi_arr = np.array(result.phi)
    trace = to_trace(result, delta=np.diff(phi_arr, axis=0))
    squeeze = np.ndim(coeffs) == 1
    played = phi_arr[:-1]
    losses = c * played
    regret = linear_regret(c, played, low, high)
    return OnlineRun(
        trace=trace,
        proposed=np.array(result.proposed),
        losses=losses[:, 0] if squeeze else losses,
        regret=regret[:, 0] if squeeze else regret,
        low=low,
        high=high,
    )
