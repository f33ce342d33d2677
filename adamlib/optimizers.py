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

from adamlib._base import Optimizer
from adamlib._checks import check_beta, check_lr, check_nonnegative
from adamlib.adam import Adam
from adamlib.bias import bias_correction, correct
from adamlib.moments import first_moment, second_moment


def _prepare_grad(g: np.ndarray, p: np.ndarray, weight_decay: float, maximize: bool) -> np.ndarray:
    r"""The gradient an optimizer uses: :math:`\pm g_t + \lambda\phi_{t-1}` (L2 weight decay)."""
    if maximize:
        g = -g
    if weight_decay != 0.0:
        g = g + weight_decay * p
    return g


@dataclass(frozen=True)
class SGDState:
    """State of :class:`SGD`: only the step count."""

    t: int


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
        self.lr = check_lr(lr)
        self.weight_decay = check_nonnegative(weight_decay, "weight_decay")
        self.maximize = bool(maximize)

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr:g})"

    def _init_leaf(self, p: np.ndarray) -> tuple[Any, ...]:
        return ()

    def _step_leaf(
        self, p: np.ndarray, g: np.ndarray, buffers: tuple[Any, ...], t: int
    ) -> tuple[np.ndarray, tuple[Any, ...], dict[str, np.ndarray]]:
        g = _prepare_grad(g, p, self.weight_decay, self.maximize)
        delta = -self.lr * g
        return p + delta, (), {"delta": delta}


@dataclass(frozen=True)
class MomentumState:
    """State of :class:`Momentum`: step count and the velocity buffer ``m``."""

    t: int
    m: Any


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
        self.lr = check_lr(lr)
        self.momentum = check_beta(momentum, "momentum")
        self.dampening = check_beta(dampening, "dampening")
        if nesterov and (self.momentum == 0.0 or self.dampening != 0.0):
            raise ValueError(
                f"nesterov=True needs momentum > 0 and dampening == 0, "
                f"got momentum={momentum!r}, dampening={dampening!r}"
            )
        self.nesterov = bool(nesterov)
        self.weight_decay = check_nonnegative(weight_decay, "weight_decay")
        self.maximize = bool(maximize)

    def __repr__(self) -> str:
        return f"Momentum(lr={self.lr:g}, momentum={self.momentum:g}, nesterov={self.nesterov})"

    def _init_leaf(self, p: np.ndarray) -> tuple[Any, ...]:
        return (np.zeros_like(p),)

    def _step_leaf(
        self, p: np.ndarray, g: np.ndarray, buffers: tuple[Any, ...], t: int
    ) -> tuple[np.ndarray, tuple[Any, ...], dict[str, np.ndarray]]:
        g = _prepare_grad(g, p, self.weight_decay, self.maximize)
        (m,) = buffers
        m = g.copy() if t == 1 else self.momentum * m + (1.0 - self.dampening) * g
        direction = g + self.momentum * m if self.nesterov else m
        delta = -self.lr * direction
        return p + delta, (m,), {"m": m, "delta": delta}


@dataclass(frozen=True)
class AdaGradState:
    """State of :class:`AdaGrad`: step count and the running sum of squares ``v``."""

    t: int
    v: Any


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
        self.lr = check_lr(lr)
        self.eps = check_nonnegative(eps, "eps")
        self.lr_decay = check_nonnegative(lr_decay, "lr_decay")
        self.initial_accumulator_value = check_nonnegative(
            initial_accumulator_value, "initial_accumulator_value"
        )
        self.weight_decay = check_nonnegative(weight_decay, "weight_decay")
        self.maximize = bool(maximize)

    def __repr__(self) -> str:
        return f"AdaGrad(lr={self.lr:g}, eps={self.eps:g})"

    def _init_leaf(self, p: np.ndarray) -> tuple[Any, ...]:
        return (np.full_like(p, self.initial_accumulator_value),)

    def _step_leaf(
        self, p: np.ndarray, g: np.ndarray, buffers: tuple[Any, ...], t: int
    ) -> tuple[np.ndarray, tuple[Any, ...], dict[str, np.ndarray]]:
        g = _prepare_grad(g, p, self.weight_decay, self.maximize)
        (v,) = buffers
        v = v + np.square(g)
        lr_t = self.lr / (1.0 + (t - 1) * self.lr_decay)
        delta = -lr_t * (g / (np.sqrt(v) + self.eps))
        return p + delta, (v,), {"v": v, "delta": delta}


@dataclass(frozen=True)
class RMSPropState:
    """State of :class:`RMSProp`: step count, second moment ``v``, optional ``m`` and ``buf``."""

    t: int
    v: Any
    m: Any = None
    buf: Any = None


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
        self.lr = check_lr(lr)
        self.beta2 = check_beta(beta2, "beta2")
        self.eps = check_nonnegative(eps, "eps")
        self.momentum = check_beta(momentum, "momentum")
        self.centered = bool(centered)
        self.weight_decay = check_nonnegative(weight_decay, "weight_decay")
        self.maximize = bool(maximize)

    def __repr__(self) -> str:
        return f"RMSProp(lr={self.lr:g}, beta2={self.beta2:g}, eps={self.eps:g})"

    def _init_leaf(self, p: np.ndarray) -> tuple[Any, ...]:
        m = np.zeros_like(p) if self.centered else None
        buf = np.zeros_like(p) if self.momentum > 0.0 else None
        return np.zeros_like(p), m, buf

    def _step_leaf(
        self, p: np.ndarray, g: np.ndarray, buffers: tuple[Any, ...], t: int
    ) -> tuple[np.ndarray, tuple[Any, ...], dict[str, np.ndarray]]:
        g = _prepare_grad(g, p, self.weight_decay, self.maximize)
        v, m, buf = buffers
        v = second_moment(v, g, self.beta2)
        if self.centered:
            m = first_moment(m, g, self.beta2)
            denom = np.sqrt(v - np.square(m)) + self.eps
        else:
            denom = np.sqrt(v) + self.eps
        if self.momentum > 0.0:
            buf = self.momentum * buf + g / denom
            delta = -self.lr * buf
        else:
            delta = -self.lr * (g / denom)
        info = {"v": v, "delta": delta}
        return p + delta, (v, m, buf), info


@dataclass(frozen=True)
class AdaMaxState:
    r"""State of :class:`AdaMax`: step count, first moment ``m``, infinity norm ``u``."""

    t: int
    m: Any
    u: Any


class AdaMax(Optimizer[AdaMaxState]):
    r"""AdaMax (Kingma & Ba, 2015, Algorithm 2): Adam with the :math:`L^\infty` norm.

    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
        u_t = \max(\beta_2 u_{t-1},\ |g_t| + \varepsilon), \qquad
        \phi_t = \phi_{t-1} - \frac{\alpha}{1-\beta_1^t}\,\frac{m_t}{u_t}

    With ``eps=0`` this is the paper's algorithm exactly (an entry with :math:`u_t = 0` has
    :math:`m_t = 0` and does not move); ``eps=1e-8`` is ``torch.optim.Adamax``.

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
        self.lr = check_lr(lr)
        self.beta1 = check_beta(beta1, "beta1")
        self.beta2 = check_beta(beta2, "beta2")
        self.eps = check_nonnegative(eps, "eps")
        self.weight_decay = check_nonnegative(weight_decay, "weight_decay")
        self.maximize = bool(maximize)

    def __repr__(self) -> str:
        return f"AdaMax(lr={self.lr:g}, beta1={self.beta1:g}, beta2={self.beta2:g})"

    def _init_leaf(self, p: np.ndarray) -> tuple[Any, ...]:
        return np.zeros_like(p), np.zeros_like(p)

    def _step_leaf(
        self, p: np.ndarray, g: np.ndarray, buffers: tuple[Any, ...], t: int
    ) -> tuple[np.ndarray, tuple[Any, ...], dict[str, np.ndarray]]:
        g = _prepare_grad(g, p, self.weight_decay, self.maximize)
        m, u = buffers
        m = first_moment(m, g, self.beta1)
        u = np.maximum(self.beta2 * u, np.abs(g) + self.eps)
        ratio = np.divide(m, u, out=np.zeros_like(m), where=u > 0)
        delta = -(self.lr / bias_correction(self.beta1, t)) * ratio
        return p + delta, (m, u), {"m": m, "m_hat": correct(m, self.beta1, t), "delta": delta}


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
