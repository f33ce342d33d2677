r"""Adam's relatives with the same ``init`` / ``step`` interface.

Each matches the corresponding ``torch.optim`` class (single-tensor semantics) unless noted;
the reference tests in ``tests/reference/`` check that. The moving averages reuse
:mod:`adamlib.moments` and the bias corrections :mod:`adamlib.bias`. AMSGrad is
:func:`amsgrad` (a configured :class:`adamlib.Adam`); RAdam lives in :mod:`adamlib.radam`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from adamlib._base import Buffers, LeafStep, Optimizer, prepare
from adamlib._checks import check_decay_rate, check_nonnegative, check_positive
from adamlib.adam import Adam, adam_direction
from adamlib.bias import _one_minus_power, correct
from adamlib.moments import first_moment, second_moment


@dataclass(frozen=True)
class SGDState:
    """State of :class:`SGD`: only the step count."""

    t: int


@dataclass(frozen=True)
class SGDConfig:
    """Checked hyperparameters of :class:`SGD`."""

    lr: float
    weight_decay: float
    maximize: bool


class SGD(Optimizer[SGDState]):
    r"""Plain gradient descent: :math:`\phi_t = \phi_{t-1} - \alpha g_t`.

    Parameters
    ----------
    lr : float, default 1e-2
        :math:`\alpha > 0`.
    weight_decay : float, default 0.0
        L2 coefficient :math:`\lambda \ge 0`.
    maximize : bool, default False
        Ascend instead of descend.
    """

    state_type = SGDState

    def __init__(self, lr: float = 1e-2, *, weight_decay: float = 0.0, maximize: bool = False):
        self.config = SGDConfig(
            lr=check_positive(lr, "lr"),
            weight_decay=check_nonnegative(weight_decay, "weight_decay"),
            maximize=bool(maximize),
        )

    def init_leaf(self, p: np.ndarray) -> Buffers:
        """No buffers."""
        return {}

    def step_leaf(self, p: np.ndarray, g: np.ndarray, buffers: Buffers, t: int) -> LeafStep:
        r""":math:`\phi_t = \phi_{t-1} - \alpha g_t`."""
        c = self.config
        _, g = prepare(p, g, c)
        delta = -c.lr * g
        return p + delta, {}, {"delta": delta}


@dataclass(frozen=True)
class MomentumState:
    """State of :class:`Momentum`: step count and the velocity buffer ``m``."""

    t: int
    m: Any


@dataclass(frozen=True)
class MomentumConfig:
    """Checked hyperparameters of :class:`Momentum`."""

    lr: float
    momentum: float
    dampening: float
    nesterov: bool
    weight_decay: float
    maximize: bool


class Momentum(Optimizer[MomentumState]):
    r"""SGD with (heavy-ball or Nesterov) momentum, with ``torch.optim.SGD``'s semantics.

    .. math::
        m_t = \mu\, m_{t-1} + (1-d)\, g_t \quad (m_1 = g_1), \qquad
        \phi_t = \phi_{t-1} - \alpha\, m_t

    With ``nesterov=True`` the step uses :math:`g_t + \mu m_t` in place of :math:`m_t`. Unlike
    Adam's :math:`m_t`, this buffer is a sum, not an average: for a constant gradient it grows to
    :math:`g/(1-\mu)` (with :math:`d=0`).

    Parameters
    ----------
    lr : float, default 1e-2
        :math:`\alpha > 0`.
    momentum : float, default 0.9
        :math:`\mu \in [0, 1)`.
    dampening : float, default 0.0
        :math:`d \in [0, 1)`.
    nesterov : bool, default False
        Nesterov's look-ahead form (needs ``dampening == 0``, ``momentum > 0``).
    weight_decay : float, default 0.0
        L2 coefficient :math:`\lambda \ge 0`.
    maximize : bool, default False
        Ascend instead of descend.
    """

    state_type = MomentumState

    def __init__(
        self,
        lr: float = 1e-2,
        momentum: float = 0.9,
        *,
        dampening: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
        maximize: bool = False,
    ):
        momentum = check_decay_rate(momentum, "momentum")
        dampening = check_decay_rate(dampening, "dampening")
        if nesterov and (momentum == 0.0 or dampening != 0.0):
            raise ValueError(
                f"nesterov=True needs momentum > 0 and dampening == 0, "
                f"got momentum={momentum!r}, dampening={dampening!r}"
            )
        self.config = MomentumConfig(
            lr=check_positive(lr, "lr"),
            momentum=momentum,
            dampening=dampening,
            nesterov=bool(nesterov),
            weight_decay=check_nonnegative(weight_decay, "weight_decay"),
            maximize=bool(maximize),
        )

    def init_leaf(self, p: np.ndarray) -> Buffers:
        """The velocity :math:`m_0 = 0`."""
        return {"m": np.zeros_like(p)}

    def step_leaf(self, p: np.ndarray, g: np.ndarray, buffers: Buffers, t: int) -> LeafStep:
        r"""One step (see the class docstring).

        With :math:`\mu = 0` this is plain SGD and the dampening :math:`d` is ignored, as in
        ``torch.optim.SGD`` (which keeps no buffer then).
        """
        c = self.config
        _, g = prepare(p, g, c)
        if t == 1 or c.momentum == 0.0:
            m = g.copy()
        else:
            m = c.momentum * buffers["m"] + (1.0 - c.dampening) * g
        direction = g + c.momentum * m if c.nesterov else m
        delta = -c.lr * direction
        return p + delta, {"m": m}, {"m": m, "delta": delta}


@dataclass(frozen=True)
class AdaGradState:
    """State of :class:`AdaGrad`: step count and the running sum of squares ``v``."""

    t: int
    v: Any


@dataclass(frozen=True)
class AdaGradConfig:
    """Checked hyperparameters of :class:`AdaGrad`."""

    lr: float
    eps: float
    lr_decay: float
    initial_accumulator_value: float
    weight_decay: float
    maximize: bool


class AdaGrad(Optimizer[AdaGradState]):
    r"""AdaGrad (Duchi et al., 2011) with ``torch.optim.Adagrad``'s semantics.

    .. math::
        v_t = v_{t-1} + g_t^2, \qquad
        \phi_t = \phi_{t-1} - \frac{\alpha_t}{\sqrt{v_t} + \varepsilon}\, g_t, \quad
        \alpha_t = \frac{\alpha}{1 + (t-1)\,\text{lr\_decay}}

    The sum never forgets, so the effective learning rate only falls; Adam's :math:`v_t` is an EMA.

    Parameters
    ----------
    lr : float, default 1e-2
        :math:`\alpha > 0`.
    eps : float, default 1e-10
        :math:`\varepsilon \ge 0`.
    lr_decay : float, default 0.0
        Decay of :math:`\alpha` over steps.
    initial_accumulator_value : float, default 0.0
        :math:`v_0`.
    weight_decay : float, default 0.0
        L2 coefficient :math:`\lambda \ge 0`.
    maximize : bool, default False
        Ascend instead of descend.
    """

    state_type = AdaGradState

    def __init__(
        self,
        lr: float = 1e-2,
        eps: float = 1e-10,
        *,
        lr_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        weight_decay: float = 0.0,
        maximize: bool = False,
    ):
        self.config = AdaGradConfig(
            lr=check_positive(lr, "lr"),
            eps=check_nonnegative(eps, "eps"),
            lr_decay=check_nonnegative(lr_decay, "lr_decay"),
            initial_accumulator_value=check_nonnegative(
                initial_accumulator_value, "initial_accumulator_value"
            ),
            weight_decay=check_nonnegative(weight_decay, "weight_decay"),
            maximize=bool(maximize),
        )

    def init_leaf(self, p: np.ndarray) -> Buffers:
        """The running sum :math:`v_0` (``initial_accumulator_value``)."""
        return {"v": np.full_like(p, self.config.initial_accumulator_value)}

    def step_leaf(self, p: np.ndarray, g: np.ndarray, buffers: Buffers, t: int) -> LeafStep:
        """One step (see the class docstring); the direction is :func:`adamlib.adam_direction`."""
        c = self.config
        _, g = prepare(p, g, c)
        v = buffers["v"] + np.square(g)
        lr_t = c.lr / (1.0 + (t - 1) * c.lr_decay)
        delta = -lr_t * adam_direction(g, v, c.eps)
        return p + delta, {"v": v}, {"v": v, "delta": delta}


@dataclass(frozen=True)
class RMSPropState:
    """State of :class:`RMSProp`: step count, second moment ``v``, optional ``m`` and ``buf``."""

    t: int
    v: Any
    m: Any = None
    buf: Any = None


@dataclass(frozen=True)
class RMSPropConfig:
    """Checked hyperparameters of :class:`RMSProp`."""

    lr: float
    beta2: float
    eps: float
    momentum: float
    centered: bool
    weight_decay: float
    maximize: bool


class RMSProp(Optimizer[RMSPropState]):
    r"""RMSProp (Tieleman & Hinton, 2012) with ``torch.optim.RMSprop``'s semantics.

    .. math::
        v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2, \qquad
        \phi_t = \phi_{t-1} - \alpha\, \frac{g_t}{\sqrt{v_t} + \varepsilon}

    Adam without the first moment and without bias correction. ``centered=True`` subtracts the
    squared EMA of :math:`g_t` under the root; ``momentum > 0`` adds a velocity buffer.

    Parameters
    ----------
    lr : float, default 1e-2
        :math:`\alpha > 0`.
    beta2 : float, default 0.99
        Decay rate of :math:`v_t` (torch calls it ``alpha``).
    eps : float, default 1e-8
        :math:`\varepsilon \ge 0`, outside the root.
    momentum : float, default 0.0
        Velocity coefficient in [0, 1).
    centered : bool, default False
        Divide by an estimate of the standard deviation instead of the RMS.
    weight_decay : float, default 0.0
        L2 coefficient :math:`\lambda \ge 0`.
    maximize : bool, default False
        Ascend instead of descend.
    """

    state_type = RMSPropState

    def __init__(
        self,
        lr: float = 1e-2,
        beta2: float = 0.99,
        eps: float = 1e-8,
        *,
        momentum: float = 0.0,
        centered: bool = False,
        weight_decay: float = 0.0,
        maximize: bool = False,
    ):
        self.config = RMSPropConfig(
            lr=check_positive(lr, "lr"),
            beta2=check_decay_rate(beta2, "beta2"),
            eps=check_nonnegative(eps, "eps"),
            momentum=check_decay_rate(momentum, "momentum"),
            centered=bool(centered),
            weight_decay=check_nonnegative(weight_decay, "weight_decay"),
            maximize=bool(maximize),
        )

    def init_leaf(self, p: np.ndarray) -> Buffers:
        """:math:`v_0 = 0`, and ``m`` (centered) and ``buf`` (momentum) when used."""
        buffers = {"v": np.zeros_like(p)}
        if self.config.centered:
            buffers["m"] = np.zeros_like(p)
        if self.config.momentum > 0.0:
            buffers["buf"] = np.zeros_like(p)
        return buffers

    def step_leaf(self, p: np.ndarray, g: np.ndarray, buffers: Buffers, t: int) -> LeafStep:
        """One step (see the class docstring); the direction is :func:`adamlib.adam_direction`."""
        c = self.config
        _, g = prepare(p, g, c)
        v = second_moment(buffers["v"], g, c.beta2)
        new_buffers = {"v": v}
        if c.centered:
            m = new_buffers["m"] = first_moment(buffers["m"], g, c.beta2)
            direction = adam_direction(g, v - np.square(m), c.eps)
        else:
            direction = adam_direction(g, v, c.eps)
        if c.momentum > 0.0:
            direction = new_buffers["buf"] = c.momentum * buffers["buf"] + direction
        delta = -c.lr * direction
        return p + delta, new_buffers, {"v": v, "delta": delta}


@dataclass(frozen=True)
class AdaMaxState:
    r"""State of :class:`AdaMax`: step count, first moment ``m``, infinity norm ``u``."""

    t: int
    m: Any
    u: Any


@dataclass(frozen=True)
class AdaMaxConfig:
    """Checked hyperparameters of :class:`AdaMax`."""

    lr: float
    beta1: float
    beta2: float
    eps: float
    weight_decay: float
    maximize: bool


class AdaMax(Optimizer[AdaMaxState]):
    r"""AdaMax (Kingma & Ba, 2015, Algorithm 2): Adam with the :math:`L^\infty` norm.

    .. math::
        \begin{aligned}
        m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t, \\
        u_t &= \max(\beta_2 u_{t-1},\ |g_t| + \varepsilon), \\
        \phi_t &= \phi_{t-1} - \frac{\alpha}{1-\beta_1^t}\,\frac{m_t}{u_t}
        \end{aligned}

    With ``eps=0`` this is the paper's algorithm exactly; ``eps=1e-8`` is ``torch.optim.Adamax``.
    Where :math:`u_t = 0` (possible only with ``eps=0``) the entry does not move: the ratio
    :math:`m_t/u_t` is taken as 0. With :math:`\beta_2 > 0` that happens only while every
    gradient of that entry so far was 0, so :math:`m_t = 0` too; with :math:`\beta_2 = 0` it
    happens whenever :math:`g_t = 0`, and then :math:`m_t` may be non-zero (the paper's formula
    divides by zero there, and torch would give inf or nan).

    Parameters
    ----------
    lr : float, default 2e-3
        :math:`\alpha > 0` (the paper's default).
    beta1 : float, default 0.9
        Decay rate of :math:`m_t`.
    beta2 : float, default 0.999
        Decay rate of :math:`u_t`.
    eps : float, default 0.0
        Added to :math:`|g_t|` inside the max, as torch does.
    weight_decay : float, default 0.0
        L2 coefficient :math:`\lambda \ge 0`.
    maximize : bool, default False
        Ascend instead of descend.
    """

    state_type = AdaMaxState

    def __init__(
        self,
        lr: float = 2e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 0.0,
        *,
        weight_decay: float = 0.0,
        maximize: bool = False,
    ):
        self.config = AdaMaxConfig(
            lr=check_positive(lr, "lr"),
            beta1=check_decay_rate(beta1, "beta1"),
            beta2=check_decay_rate(beta2, "beta2"),
            eps=check_nonnegative(eps, "eps"),
            weight_decay=check_nonnegative(weight_decay, "weight_decay"),
            maximize=bool(maximize),
        )

    def init_leaf(self, p: np.ndarray) -> Buffers:
        """:math:`m_0 = u_0 = 0`."""
        return {"m": np.zeros_like(p), "u": np.zeros_like(p)}

    def step_leaf(self, p: np.ndarray, g: np.ndarray, buffers: Buffers, t: int) -> LeafStep:
        """Algorithm 2 of the paper (see the class docstring)."""
        c = self.config
        _, g = prepare(p, g, c)
        m = first_moment(buffers["m"], g, c.beta1)
        u = np.maximum(c.beta2 * buffers["u"], np.abs(g) + c.eps)
        ratio = np.divide(m, u, out=np.zeros_like(m), where=u > 0)
        delta = -(c.lr / _one_minus_power(c.beta1, t)) * ratio
        info = {"m": m, "m_hat": correct(m, c.beta1, t), "delta": delta}
        return p + delta, {"m": m, "u": u}, info


def amsgrad(
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    *,
    weight_decay: float = 0.0,
    decoupled_weight_decay: bool = False,
    maximize: bool = False,
) -> Adam:
    r"""AMSGrad (Reddi et al., 2018): :class:`adamlib.Adam` with ``amsgrad=True``.

    A factory, not a new class: AMSGrad is Adam whose denominator never shrinks,

    .. math::
        v^{\max}_t = \max(v^{\max}_{t-1}, v_t), \qquad
        \phi_t = \phi_{t-1}
                 - \alpha\,\frac{\hat m_t}{\sqrt{v^{\max}_t/(1-\beta_2^t)} + \varepsilon},

    which is what ``torch.optim.Adam(amsgrad=True)`` computes (with bias correction, unlike the
    paper's Algorithm 2). The returned optimizer's state keeps :math:`v^{\max}_t` in ``v_max``.

    Parameters
    ----------
    lr, beta1, beta2, eps, weight_decay, decoupled_weight_decay, maximize
        As for :class:`adamlib.Adam`.

    Returns
    -------
    Adam
        ``Adam(lr, beta1, beta2, eps, ..., amsgrad=True)``.
    """
    return Adam(
        lr,
        beta1,
        beta2,
        eps,
        weight_decay=weight_decay,
        decoupled_weight_decay=decoupled_weight_decay,
        amsgrad=True,
        maximize=maximize,
    )
