r"""NAdam (Dozat, 2016): Adam with Nesterov momentum, as ``torch.optim.NAdam`` computes it.

Nesterov's idea is to take the momentum step *before* looking at the gradient: the update uses
the momentum coefficient of the *next* step, :math:`\mu_{t+1}`, on :math:`m_t`, and the present
gradient with weight :math:`1-\mu_t`. Dozat also lets the momentum coefficient warm up,

.. math::
    \mu_t = \beta_1\left(1 - \tfrac12\, 0.96^{\,t\psi}\right), \qquad
    \Pi_t = \prod_{i=1}^{t} \mu_i,

with :math:`\psi` = ``momentum_decay`` (default 0.004): :math:`\mu_1 \approx 0.45` for
:math:`\beta_1 = 0.9`, and :math:`\mu_t` creeps towards :math:`\beta_1` very slowly
(:math:`0.96^{0.004t}` halves every ≈ 4240 steps). :math:`\Pi_t` plays the part of Adam's
:math:`\beta_1^t` in the bias correction.

Algorithm, with ``torch.optim.NAdam``'s options (single-tensor semantics, ``_single_tensor_nadam``
of torch 2.13)::

    input: α (lr), β1, β2, ε, λ (weight_decay), ψ (momentum_decay), φ_0
    m_0 ← 0, v_0 ← 0, Π_0 ← 1
    for t = 1, 2, ...
        g_t ← ∇f(φ_{t-1})                    (−∇f if maximize)
        if λ ≠ 0:  g_t ← g_t + λ φ_{t-1}               (L2, decoupled_weight_decay=False)
                   φ_{t-1} ← φ_{t-1}(1 − αλ)             (decoupled_weight_decay=True)
        μ_t ← β1 (1 − 0.5 · 0.96^(t ψ)),   μ_{t+1} ← β1 (1 − 0.5 · 0.96^((t+1) ψ))
        Π_t ← Π_{t-1} μ_t                              (kept in float32, see below)
        m_t ← β1 m_{t-1} + (1 − β1) g_t
        v_t ← β2 v_{t-1} + (1 − β2) g_t²
        v̂_t ← v_t / (1 − β2^t)
        φ_t ← φ_{t-1} − α (1 − μ_t)/(1 − Π_t) · g_t/(√v̂_t + ε)
                      − α μ_{t+1}/(1 − Π_t μ_{t+1}) · m_t/(√v̂_t + ε)

Writing :math:`\hat m_t = \frac{1-\mu_t}{1-\Pi_t}\, g_t + \frac{\mu_{t+1}}{1-\Pi_{t+1}}\, m_t`
(the Nesterov look-ahead of the bias-corrected momentum), the step is Adam's,
:math:`\Delta\phi_t = -\alpha\,\hat m_t/(\sqrt{\hat v_t} + \varepsilon)`. Note the first moment
:math:`m_t` itself is the plain EMA with the constant :math:`\beta_1`; the schedule
:math:`\mu_t` only enters the update's two coefficients. With ``momentum_decay=0``,
:math:`\mu_t = \beta_1/2` at every step, *not* :math:`\beta_1`.

Rounding, to match torch to the last few bits
---------------------------------------------
torch keeps ``mu_product`` (:math:`\Pi_t`) as a 0-d tensor of ``torch.get_default_dtype()``,
which is float32 unless the user changed it, *also for float64 parameters*. Its update
``mu_product *= mu`` rounds :math:`\mu_t` to float32 and multiplies in float32. The two
coefficients are then formed in float64 from that float32 :math:`\Pi_t` (and
:math:`\Pi_{t+1}` is the float64 product :math:`\Pi_t\mu_{t+1}`, never rounded to float32).
Keeping :math:`\Pi_t` in float64 instead would move the float64 reference trajectories by
2e-11 to 2e-10 (relative), far above the 1e-12 the reference test allows, so this module
reproduces the float32 running product exactly (:data:`MU_PRODUCT_DTYPE`). In float32
:math:`\Pi_t` underflows to 0 after about 130 steps, by when :math:`1-\Pi_t = 1` in float64
anyway.

The rest agrees with torch to a few units in the last place, not bit for bit: torch forms
:math:`m_t` with ``lerp`` (:math:`m + (1-\beta_1)(g-m)`) and :math:`v_t` with ``addcmul``,
where adamlib writes :math:`\beta m + (1-\beta) x`; these differences do not accumulate (the
reference test measures at most 1e-15 relative over 1200 steps).

The moving averages are :func:`adamlib.moments.first_moment` and
:func:`~adamlib.moments.second_moment`, the correction of :math:`v_t`
:func:`adamlib.bias.correct`, and :math:`x/(\sqrt{\hat v_t}+\varepsilon)` is
:func:`adamlib.adam.adam_direction`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from adamlib._base import Buffers, LeafStep, Optimizer, prepare
from adamlib._checks import check_decay_rate, check_nonnegative, check_positive
from adamlib.adam import adam_direction
from adamlib.bias import correct
from adamlib.moments import first_moment, second_moment

#: The precision of torch's running product :math:`\Pi_t` (``state["mu_product"]``): torch's
#: default dtype, float32, whatever the parameters' dtype.
MU_PRODUCT_DTYPE = np.dtype(np.float32)

#: :math:`0.96`, the base of Dozat's momentum schedule (fixed in torch).
MOMENTUM_SCHEDULE_BASE = 0.96


def momentum_coefficient(beta1: float, momentum_decay: float, t: int) -> float:
    r"""NAdam's momentum coefficient :math:`\mu_t = \beta_1(1 - \tfrac12\, 0.96^{t\psi})`.

    Computed with the same float64 operations as torch, so the result is bit-identical. Checks
    nothing (see ``adamlib._checks``): :class:`NAdam` calls it with checked values.

    Parameters
    ----------
    beta1 : float
        :math:`\beta_1 \in [0, 1)`.
    momentum_decay : float
        :math:`\psi \ge 0`.
    t : int
        Step number, :math:`t \ge 1`.

    Returns
    -------
    float
        :math:`\mu_t`: about 0.4501 at :math:`t = 1` and 0.5178 at :math:`t = 1000` for
        :math:`\beta_1 = 0.9`, :math:`\psi = 0.004`; :math:`\beta_1/2` at every :math:`t` for
        :math:`\psi = 0`.
    """
    return beta1 * (1.0 - 0.5 * (MOMENTUM_SCHEDULE_BASE ** (float(t) * momentum_decay)))


@dataclass(frozen=True)
class NAdamState:
    r"""NAdam's state after step ``t``.

    Attributes
    ----------
    t : int
        Steps taken so far (0 after ``init``).
    m : ndarray or dict
        First moment :math:`m_t` (torch: ``exp_avg``).
    v : ndarray or dict
        Second moment :math:`v_t` (torch: ``exp_avg_sq``).
    mu_product : ndarray or dict
        :math:`\Pi_t = \mu_1\cdots\mu_t` (torch: ``mu_product``; 1 after ``init``), shaped like
        the parameters, every entry equal.

        torch keeps one 0-d tensor per parameter tensor. adamlib's optimizer base class requires
        every state buffer to be an array of the parameters' shape and dtype (it checks the
        state against that at each ``step``, and walks dict parameters array by array), so
        :math:`\Pi_t` is broadcast to that shape rather than stored as a 0-d array or as a float
        field. It is a running product carried from step to step, as in torch, not recomputed
        from ``t``: each entry holds exactly the float32 value torch holds (float32 values are
        exact in float64), so the state compares bit for bit with torch's ``mu_product``.
    """

    t: int
    m: Any
    v: Any
    mu_product: Any


@dataclass(frozen=True)
class NAdamConfig:
    """Validated hyperparameters of :class:`NAdam` (see its docstring)."""

    lr: float
    beta1: float
    beta2: float
    eps: float
    weight_decay: float
    momentum_decay: float
    decoupled_weight_decay: bool
    maximize: bool


class NAdam(Optimizer[NAdamState]):
    r"""NAdam (Dozat, 2016) with the semantics of ``torch.optim.NAdam``.

    See the module docstring for the algorithm and the rounding of :math:`\Pi_t`.
    ``step_with_info`` reports ``m``, ``v``, ``m_hat`` (the Nesterov combination
    :math:`\frac{1-\mu_t}{1-\Pi_t} g_t + \frac{\mu_{t+1}}{1-\Pi_{t+1}} m_t`), ``v_hat`` and
    ``delta`` (:math:`\phi_t - \phi_{t-1}`, including the decoupled decay when it applies).

    Parameters
    ----------
    lr : float, default 2e-3
        Learning rate :math:`\alpha > 0`.
    beta1 : float, default 0.9
        :math:`\beta_1 \in [0, 1)`: the decay rate of :math:`m_t` and the ceiling of the momentum
        schedule :math:`\mu_t`.
    beta2 : float, default 0.999
        Decay rate :math:`\beta_2 \in [0, 1)` of the second moment.
    eps : float, default 1e-8
        :math:`\varepsilon \ge 0`, added to :math:`\sqrt{\hat v_t}`.
    weight_decay : float, default 0.0
        :math:`\lambda \ge 0`.
    momentum_decay : float, default 4e-3
        :math:`\psi \ge 0` in :math:`\mu_t = \beta_1(1 - \tfrac12\, 0.96^{t\psi})`.
    decoupled_weight_decay : bool, default False
        False: L2, :math:`g_t \leftarrow g_t + \lambda\phi_{t-1}`. True:
        :math:`\phi_{t-1} \leftarrow \phi_{t-1}(1-\alpha\lambda)` before the step (torch's
        NAdamW).
    maximize : bool, default False
        Ascend instead of descend (:math:`g_t \leftarrow -g_t`).

    Examples
    --------
    The first step moves each entry by :math:`\alpha(1 + \frac{(1-\beta_1)\mu_2}{1-\mu_1\mu_2})`
    against the gradient's sign (with :math:`\varepsilon` negligible), a little more than Adam's
    :math:`\alpha`: the look-ahead adds the momentum's next step.

    >>> import numpy as np
    >>> from adamlib.nadam import NAdam
    >>> opt = NAdam(lr=0.1)
    >>> phi = np.array([1.0, -2.0])
    >>> state = opt.init(phi)
    >>> phi, state = opt.step(phi, np.array([3.0, -0.5]), state)
    >>> np.round(phi, 6)
    array([ 0.894355, -1.894355])
    """

    state_type = NAdamState

    def __init__(
        self,
        lr: float = 2e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        *,
        weight_decay: float = 0.0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        maximize: bool = False,
    ) -> None:
        self.config = NAdamConfig(
            lr=check_positive(lr, "lr"),
            beta1=check_decay_rate(beta1, "beta1"),
            beta2=check_decay_rate(beta2, "beta2"),
            eps=check_nonnegative(eps, "eps"),
            weight_decay=check_nonnegative(weight_decay, "weight_decay"),
            momentum_decay=check_nonnegative(momentum_decay, "momentum_decay"),
            decoupled_weight_decay=bool(decoupled_weight_decay),
            maximize=bool(maximize),
        )

    def init_leaf(self, p: np.ndarray) -> Buffers:
        r""":math:`m_0 = v_0 = 0` and :math:`\Pi_0 = 1`."""
        return {"m": np.zeros_like(p), "v": np.zeros_like(p), "mu_product": np.ones_like(p)}

    def step_leaf(self, p: np.ndarray, g: np.ndarray, buffers: Buffers, t: int) -> LeafStep:
        """The algorithm of the module docstring, in torch's order of operations."""
        c = self.config
        phi, g = prepare(p, g, c)  # maximize, then L2 or decoupled decay
        mu = momentum_coefficient(c.beta1, c.momentum_decay, t)
        mu_next = momentum_coefficient(c.beta1, c.momentum_decay, t + 1)
        # Π_t = Π_{t-1} μ_t in float32, μ_t rounded to float32 first (torch: `mu_product *= mu`)
        mu_product32 = buffers["mu_product"].astype(MU_PRODUCT_DTYPE) * MU_PRODUCT_DTYPE.type(mu)
        mu_product = mu_product32.astype(np.float64)  # Π_t, exactly
        mu_product_next = mu_product * mu_next  # Π_{t+1} = Π_t μ_{t+1}, float64 as in torch
        # the weights of g_t and m_t: float64, then the parameters' dtype (torch's `value=`)
        weight_g = ((1.0 - mu) / (1.0 - mu_product)).astype(p.dtype)
        weight_m = (mu_next / (1.0 - mu_product_next)).astype(p.dtype)
        coef_g = ((-c.lr * (1.0 - mu)) / (1.0 - mu_product)).astype(p.dtype)
        coef_m = ((-c.lr * mu_next) / (1.0 - mu_product_next)).astype(p.dtype)
        m = first_moment(buffers["m"], g, c.beta1)
        v = second_moment(buffers["v"], g, c.beta2)
        v_hat = correct(v, c.beta2, t)
        # φ_t = (φ_{t-1} − α w_g g_t/(√v̂_t+ε)) − α w_m m_t/(√v̂_t+ε): two additions, as torch
        new_phi = phi + coef_g * adam_direction(g, v_hat, c.eps)
        new_phi = new_phi + coef_m * adam_direction(m, v_hat, c.eps)
        info = {
            "m": m,
            "v": v,
            "m_hat": weight_g * g + weight_m * m,
            "v_hat": v_hat,
            "delta": new_phi - p,  # Δφ_t = φ_t − φ_{t−1}, the decoupled decay included
        }
        return new_phi, {"m": m, "v": v, "mu_product": mu_product32.astype(p.dtype)}, info
