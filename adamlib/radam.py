r"""RAdam (Liu et al., 2020): Adam with a rectified, warm-up-free adaptive step (chapter 7).

Early on, :math:`\hat v_t` averages only a handful of squared gradients, so the adaptive factor
:math:`1/\sqrt{\hat v_t}` has a large variance. RAdam measures how many gradients the
exponential average is "worth" with the length of an approximated simple moving average,

.. math::
    \rho_\infty = \frac{2}{1-\beta_2} - 1, \qquad
    \rho_t = \rho_\infty - \frac{2t\,\beta_2^t}{1-\beta_2^t},

and while :math:`\rho_t \le 5` it takes an un-adapted step :math:`\Delta\phi_t = -\alpha\hat m_t`
(SGD with a bias-corrected EMA momentum). Once :math:`\rho_t > 5` it takes Adam's step scaled by
the rectification term

.. math::
    r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\,\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\,\rho_t}},

which rises from well below 1 towards 1 as :math:`t\to\infty`. :math:`\rho_t` is close to (and
below) :math:`t` for :math:`\beta_2` near 1, so the first adaptive step is :math:`t = 6` for
:math:`\beta_2 = 0.9, 0.99, 0.999, 0.9999`; see :func:`first_adaptive_step`.

Algorithm, with ``torch.optim.RAdam``'s options (single-tensor semantics)::

    g_t ← ∇f(φ_{t-1})                      (−∇f if maximize)
    if λ ≠ 0:  g_t ← g_t + λ φ_{t-1}                   (L2, decoupled_weight_decay=False)
               φ_{t-1} ← φ_{t-1}(1 − αλ)                (decoupled_weight_decay=True)
    m_t ← β1 m_{t-1} + (1 − β1) g_t,   m̂_t ← m_t / (1 − β1^t)
    v_t ← β2 v_{t-1} + (1 − β2) g_t²
    if ρ_t > 5:  φ_t ← φ_{t-1} − α r_t m̂_t √(1 − β2^t) / (√v_t + ε)
    else:        φ_t ← φ_{t-1} − α m̂_t

Note where :math:`\varepsilon` sits: torch adds it to :math:`\sqrt{v_t}` *before* the bias
correction, so on the corrected scale it is :math:`\varepsilon/\sqrt{1-\beta_2^t}`, i.e.
:math:`\sqrt{1-\beta_2^t}/(\sqrt{v_t}+\varepsilon) = 1/(\sqrt{\hat v_t} +
\varepsilon/\sqrt{1-\beta_2^t})`. :class:`adamlib.Adam` adds :math:`\varepsilon` to
:math:`\sqrt{\hat v_t}` itself. The two agree when :math:`\varepsilon \ll \sqrt{v_t}`.

The moving averages are :func:`adamlib.moments.first_moment` and
:func:`~adamlib.moments.second_moment`, the corrections :func:`adamlib.bias.correct`, and the
adaptive direction :func:`adamlib.adam.adam_direction`: no formula is repeated here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from adamlib._base import Buffers, LeafStep, Optimizer, prepare
from adamlib._checks import check_count, check_decay_rate, check_nonnegative, check_positive
from adamlib.adam import adam_direction
from adamlib.bias import _one_minus_power, correct
from adamlib.moments import first_moment, second_moment

#: RAdam takes the adaptive (rectified) step only when :math:`\rho_t` exceeds this (torch: 5).
RHO_THRESHOLD = 5.0


def rho_inf(beta2: float) -> float:
    r"""The maximum length of the approximated simple moving average, :math:`\rho_\infty`.

    .. math:: \rho_\infty = \frac{2}{1-\beta_2} - 1

    Parameters
    ----------
    beta2 : float
        :math:`\beta_2 \in [0, 1)`.

    Returns
    -------
    float
        1999 for :math:`\beta_2 = 0.999`, 199 for 0.99 (up to float64 rounding): about
        twice :func:`~adamlib.moments.effective_window`.
    """
    return _rho_inf(check_decay_rate(beta2, "beta2"))


def rho_t(beta2: float, t: int) -> float:
    r"""The length of the approximated simple moving average at step :math:`t`, :math:`\rho_t`.

    .. math:: \rho_t = \rho_\infty - \frac{2t\,\beta_2^t}{1-\beta_2^t}

    Computed with the same operations as ``torch.optim.RAdam``, so the comparison with
    :data:`RHO_THRESHOLD` comes out the same.

    Parameters
    ----------
    beta2 : float
        :math:`\beta_2 \in [0, 1)`.
    t : int
        Step number, :math:`t \ge 1`.

    Returns
    -------
    float
        :math:`\rho_1 = 1`; it increases with :math:`t` towards :math:`\rho_\infty`, staying a
        little below :math:`t` while :math:`t(1-\beta_2)` is small (4.996 at :math:`t = 5`,
        5.994 at :math:`t = 6` for :math:`\beta_2 = 0.999`).
    """
    return _rho_t(check_decay_rate(beta2, "beta2"), check_count(t, "t"))


def is_adaptive_step(beta2: float, t: int) -> bool:
    r"""Whether RAdam's step :math:`t` is adaptive (rectified): :math:`\rho_t > 5`.

    Parameters
    ----------
    beta2 : float
        :math:`\beta_2 \in [0, 1)`.
    t : int
        Step number, :math:`t \ge 1`.

    Returns
    -------
    bool
        False: the step is :math:`-\alpha\hat m_t`. True: it is
        :math:`-\alpha r_t \hat m_t/(\sqrt{\hat v_t} + \dots)`.
    """
    return rho_t(beta2, t) > RHO_THRESHOLD


def rectification(beta2: float, t: int) -> float:
    r"""The variance rectification term :math:`r_t`.

    .. math::
        r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\,\rho_\infty}
                          {(\rho_\infty-4)(\rho_\infty-2)\,\rho_t}}

    Parameters
    ----------
    beta2 : float
        :math:`\beta_2 \in [0, 1)`.
    t : int
        Step number, :math:`t \ge 1`.

    Returns
    -------
    float
        :math:`r_t \in (0, 1)` where RAdam uses it (:math:`\rho_t > 5`), tending to 1 as
        :math:`t\to\infty`; NaN where :math:`\rho_t \le 5`, since RAdam then takes the
        un-adapted step and :math:`r_t` plays no part (NaN leaves a gap in a plot). For
        :math:`\beta_2 = 0.999`: :math:`r_6 \approx 0.0258`, :math:`r_{1000} \approx 0.645`.
    """
    return _rectification(check_decay_rate(beta2, "beta2"), check_count(t, "t"))


def rectifications(beta2: float, steps: int) -> np.ndarray:
    r"""The terms :math:`r_t` for :math:`t = 1, \dots,` ``steps``, as an array.

    Entry ``t - 1`` is :func:`rectification` ``(beta2, t)``: NaN for the un-adapted steps.
    """
    beta2 = check_decay_rate(beta2, "beta2")
    steps = check_count(steps, "steps")
    return np.array([_rectification(beta2, t) for t in range(1, steps + 1)])


# The formulas, for checked arguments (RAdam's step calls these).
def _rho_inf(beta2: float) -> float:
    return 2.0 / (1.0 - beta2) - 1.0


def _rho_t(beta2: float, t: int) -> float:
    return _rho_inf(beta2) - 2 * t * (beta2**t) / _one_minus_power(beta2, t)


def _rectification(beta2: float, t: int) -> float:
    r_inf, rho = _rho_inf(beta2), _rho_t(beta2, t)
    if not rho > RHO_THRESHOLD:
        return math.nan
    return ((rho - 4) * (rho - 2) * r_inf / ((r_inf - 4) * (r_inf - 2) * rho)) ** 0.5


def first_adaptive_step(beta2: float) -> int | None:
    r"""The first step :math:`t` at which :math:`\rho_t > 5`, so RAdam adapts; None if never.

    :math:`\rho_t` increases towards :math:`\rho_\infty`, so the answer exists exactly when
    :math:`\rho_\infty > 5`, that is :math:`\beta_2 > 2/3`.

    Parameters
    ----------
    beta2 : float
        :math:`\beta_2 \in [0, 1)`.

    Returns
    -------
    int or None
        6 for :math:`\beta_2 = 0.9, 0.99, 0.999, 0.9999`; 10 for 0.7; None for
        :math:`\beta_2 \le 2/3`.
    """
    if not rho_inf(beta2) > RHO_THRESHOLD:
        return None
    t = 1
    while not is_adaptive_step(beta2, t):
        t += 1
    return t


@dataclass(frozen=True)
class RAdamState:
    r"""RAdam's state after step ``t``.

    Attributes
    ----------
    t : int
        Steps taken so far (0 after ``init``).
    m : ndarray or dict
        First moment :math:`m_t` (torch: ``exp_avg``).
    v : ndarray or dict
        Second moment :math:`v_t` (torch: ``exp_avg_sq``).
    """

    t: int
    m: Any
    v: Any


@dataclass(frozen=True)
class RAdamConfig:
    """Checked hyperparameters of :class:`RAdam`."""

    lr: float
    beta1: float
    beta2: float
    eps: float
    weight_decay: float
    decoupled_weight_decay: bool
    maximize: bool


class RAdam(Optimizer[RAdamState]):
    r"""RAdam (Liu et al., 2020) with the semantics of ``torch.optim.RAdam``.

    See the module docstring for the algorithm and :func:`rho_t`, :func:`rectification` for the
    pieces. ``step_with_info`` reports ``m``, ``v``, ``m_hat``, ``v_hat`` (computed at every
    step, though the un-adapted steps do not use :math:`\hat v_t`) and ``delta``.

    Parameters
    ----------
    lr : float, default 1e-3
        Learning rate :math:`\alpha > 0`.
    beta1 : float, default 0.9
        Decay rate :math:`\beta_1 \in [0, 1)` of the first moment.
    beta2 : float, default 0.999
        Decay rate :math:`\beta_2 \in [0, 1)` of the second moment.
    eps : float, default 1e-8
        :math:`\varepsilon \ge 0`, added to :math:`\sqrt{v_t}` before the bias correction
        (as torch does; see the module docstring).
    weight_decay : float, default 0.0
        :math:`\lambda \ge 0`.
    decoupled_weight_decay : bool, default False
        False: L2, :math:`g_t \leftarrow g_t + \lambda\phi_{t-1}`. True:
        :math:`\phi_{t-1} \leftarrow \phi_{t-1}(1-\alpha\lambda)` before the step.
    maximize : bool, default False
        Ascend instead of descend (:math:`g_t \leftarrow -g_t`).

    Examples
    --------
    >>> import numpy as np
    >>> from adamlib.radam import RAdam
    >>> opt = RAdam(lr=0.1)
    >>> phi = np.array([1.0, -2.0])
    >>> state = opt.init(phi)
    >>> phi, state = opt.step(phi, np.array([3.0, -0.5]), state)  # t = 1: -α m̂_1 = -α g_1
    >>> np.round(phi, 6)
    array([ 0.7 , -1.95])
    """

    state_type = RAdamState

    def __init__(
        self,
        lr: float = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        *,
        weight_decay: float = 0.0,
        decoupled_weight_decay: bool = False,
        maximize: bool = False,
    ) -> None:
        self.config = RAdamConfig(
            lr=check_positive(lr, "lr"),
            beta1=check_decay_rate(beta1, "beta1"),
            beta2=check_decay_rate(beta2, "beta2"),
            eps=check_nonnegative(eps, "eps"),
            weight_decay=check_nonnegative(weight_decay, "weight_decay"),
            decoupled_weight_decay=bool(decoupled_weight_decay),
            maximize=bool(maximize),
        )

    def init_leaf(self, p: np.ndarray) -> Buffers:
        """:math:`m_0 = v_0 = 0`."""
        return {"m": np.zeros_like(p), "v": np.zeros_like(p)}

    def step_leaf(self, p: np.ndarray, g: np.ndarray, buffers: Buffers, t: int) -> LeafStep:
        """One step (see the module docstring)."""
        c = self.config
        phi, g = prepare(p, g, c)
        m = first_moment(buffers["m"], g, c.beta1)
        v = second_moment(buffers["v"], g, c.beta2)
        m_hat = correct(m, c.beta1, t)
        v_hat = correct(v, c.beta2, t)
        if _rho_t(c.beta2, t) > RHO_THRESHOLD:
            # torch: √(1-β2^t)/(√v_t + ε) = 1/(√v̂_t + ε/√(1-β2^t))
            eps_hat = c.eps / _one_minus_power(c.beta2, t) ** 0.5
            direction = adam_direction(m_hat, v_hat, eps_hat)
            direction *= _rectification(c.beta2, t)
        else:
            direction = m_hat
        step = -c.lr * direction
        new_phi = phi + step
        # Δφ_t = φ_t − φ_{t−1}: with decoupled decay it includes the decay term as well.
        delta = step if phi is p else new_phi - p
        info = {"m": m, "v": v, "m_hat": m_hat, "v_hat": v_hat, "delta": delta}
        return new_phi, {"m": m, "v": v}, info
