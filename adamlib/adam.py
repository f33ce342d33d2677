r"""The Adam update (chapters 4 and 5), composed of the moment and bias-correction functions.

Algorithm (Kingma & Ba, Algorithm 1, with PyTorch's options)::

    input: α (lr), β1, β2, ε, λ (weight_decay), φ_0, f(φ)
    m_0 ← 0, v_0 ← 0
    for t = 1, 2, ...
        g_t ← ∇f(φ_{t-1})            (−∇f if maximize)
        if λ ≠ 0:  g_t ← g_t + λ φ_{t-1}           (L2, decoupled_weight_decay=False)
                   φ_{t-1} ← φ_{t-1}(1 − αλ)         (decoupled_weight_decay=True, AdamW)
        m_t ← β1 m_{t-1} + (1 − β1) g_t
        v_t ← β2 v_{t-1} + (1 − β2) g_t²
        m̂_t ← m_t / (1 − β1^t)
        v̂_t ← v_t / (1 − β2^t)       (amsgrad: v_max ← max(v_max, v_t); v̂_t ← v_max / (1 − β2^t))
        φ_t ← φ_{t-1} − α m̂_t / (√v̂_t + ε)

Defaults α = 1e-3, β1 = 0.9, β2 = 0.999, ε = 1e-8; ε sits outside the square root. The
parameters are φ, as in the book; the paper and PyTorch's documentation write θ.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from adamlib import inplace
from adamlib._base import Buffers, LeafStep, Optimizer, prepare
from adamlib._checks import (
    check_decay_rate,
    check_nonnegative,
    check_positive,
)
from adamlib.bias import correct
from adamlib.inplace import InplaceAdamState
from adamlib.moments import first_moment, second_moment


def adam_direction(m_hat: np.ndarray, v_hat: np.ndarray, eps: float) -> np.ndarray:
    r"""The direction of an Adam step: :math:`\hat m_t / (\sqrt{\hat v_t} + \varepsilon)`.

    Parameters
    ----------
    m_hat : ndarray
        :math:`\hat m_t`: where to go and how hard.
    v_hat : ndarray
        :math:`\hat v_t`: how volatile the gradient has been.
    eps : float
        :math:`\varepsilon \ge 0`, added after the square root.

    Returns
    -------
    ndarray
        The update is :math:`\Delta\phi_t = -\alpha` times this. Each entry has magnitude
        :math:`\lesssim 1` in the common case, so :math:`|\Delta\phi_t| \lesssim \alpha`.
    """
    return m_hat / (np.sqrt(v_hat) + eps)


def effective_learning_rate(v_hat: np.ndarray, lr: float, eps: float) -> np.ndarray:
    r"""Per-parameter effective learning rate :math:`\alpha / (\sqrt{\hat v_t} + \varepsilon)`.

    Parameters
    ----------
    v_hat : ndarray
        :math:`\hat v_t`.
    lr : float
        :math:`\alpha`.
    eps : float
        :math:`\varepsilon`.

    Returns
    -------
    ndarray
        The factor that multiplies :math:`\hat m_t` in the update, parameter by parameter.
    """
    return lr / (np.sqrt(v_hat) + eps)


@dataclass(frozen=True)
class AdamState:
    r"""Adam's state after step ``t``.

    Attributes
    ----------
    t : int
        Steps taken so far (0 after ``init``).
    m : ndarray or dict
        First moment :math:`m_t`, shaped like the parameters.
    v : ndarray or dict
        Second moment :math:`v_t`.
    v_max : ndarray or dict or None
        :math:`\max_{s \le t} v_s` when ``amsgrad=True``, else None.
    """

    t: int
    m: Any
    v: Any
    v_max: Any = None


@dataclass(frozen=True)
class AdamConfig:
    """Checked hyperparameters of :class:`Adam` (see its docstring)."""

    lr: float
    beta1: float
    beta2: float
    eps: float
    weight_decay: float
    decoupled_weight_decay: bool
    amsgrad: bool
    maximize: bool
    bias_correction: bool


class Adam(Optimizer[AdamState]):
    r"""Adam (Kingma & Ba, 2015) with the semantics of ``torch.optim.Adam`` / ``AdamW``.

    Parameters
    ----------
    lr : float, default 1e-3
        Learning rate :math:`\alpha > 0`.
    beta1 : float, default 0.9
        Decay rate :math:`\beta_1 \in [0, 1)` of the first moment.
    beta2 : float, default 0.999
        Decay rate :math:`\beta_2 \in [0, 1)` of the second moment.
    eps : float, default 1e-8
        :math:`\varepsilon \ge 0`, added outside the square root.
    weight_decay : float, default 0.0
        :math:`\lambda \ge 0`.
    decoupled_weight_decay : bool, default False
        False: L2, :math:`g_t \leftarrow g_t + \lambda\phi_{t-1}` (``torch.optim.Adam``).
        True: :math:`\phi_{t-1} \leftarrow \phi_{t-1}(1-\alpha\lambda)` before the step (``AdamW``).
    amsgrad : bool, default False
        Use :math:`\max_{s\le t} v_s` in place of :math:`v_t` (Reddi et al., 2018), as torch does.
    maximize : bool, default False
        Ascend instead of descend (:math:`g_t \leftarrow -g_t`).
    bias_correction : bool, default True
        False drops both corrections (:math:`\hat m_t = m_t`, :math:`\hat v_t = v_t`).

    Examples
    --------
    >>> import numpy as np, adamlib
    >>> opt = adamlib.Adam(lr=0.1)
    >>> phi = np.array([1.0, -2.0])
    >>> state = opt.init(phi)
    >>> phi, state = opt.step(phi, np.array([3.0, -0.5]), state)
    >>> np.round(phi, 6)
    array([ 0.9, -1.9])
    """

    state_type = AdamState

    def __init__(
        self,
        lr: float = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        *,
        weight_decay: float = 0.0,
        decoupled_weight_decay: bool = False,
        amsgrad: bool = False,
        maximize: bool = False,
        bias_correction: bool = True,
    ) -> None:
        self.config = AdamConfig(
            lr=check_positive(lr, "lr"),
            beta1=check_decay_rate(beta1, "beta1"),
            beta2=check_decay_rate(beta2, "beta2"),
            eps=check_nonnegative(eps, "eps"),
            weight_decay=check_nonnegative(weight_decay, "weight_decay"),
            decoupled_weight_decay=bool(decoupled_weight_decay),
            amsgrad=bool(amsgrad),
            maximize=bool(maximize),
            bias_correction=bool(bias_correction),
        )

    def init_leaf(self, p: np.ndarray) -> Buffers:
        r""":math:`m_0 = v_0 = 0` (and :math:`v^{\max}_0 = 0` with ``amsgrad``)."""
        buffers = {"m": np.zeros_like(p), "v": np.zeros_like(p)}
        if self.config.amsgrad:
            buffers["v_max"] = np.zeros_like(p)
        return buffers

    def step_leaf(self, p: np.ndarray, g: np.ndarray, buffers: Buffers, t: int) -> LeafStep:
        """Algorithm 1 of the paper, line by line (see the module docstring)."""
        c = self.config
        phi, g = prepare(p, g, c)
        m = first_moment(buffers["m"], g, c.beta1)
        v = second_moment(buffers["v"], g, c.beta2)
        new_buffers = {"m": m, "v": v}
        v_used = v
        if c.amsgrad:
            v_used = new_buffers["v_max"] = np.maximum(buffers["v_max"], v)
        if c.bias_correction:
            m_hat, v_hat = correct(m, c.beta1, t), correct(v_used, c.beta2, t)
        else:
            m_hat, v_hat = m, v_used
        step = -c.lr * adam_direction(m_hat, v_hat, c.eps)
        new_phi = phi + step
        # Δφ_t = φ_t − φ_{t−1}: with decoupled decay it includes the decay term as well.
        delta = step if phi is p else new_phi - p
        info = {"m": m, "v": v, "m_hat": m_hat, "v_hat": v_hat, "delta": delta}
        return new_phi, new_buffers, info

    def init_inplace(self, params: np.ndarray, *, block: int = 1 << 16) -> InplaceAdamState:
        """State for :meth:`step_inplace`: flat zero buffers and two work arrays of ``block``.

        See :func:`adamlib.inplace.init_state`.
        """
        return inplace.init_state(self.config, params, block=block)

    def step_inplace(self, params: np.ndarray, grad: np.ndarray, state: InplaceAdamState) -> None:
        r"""One step that overwrites ``params`` and ``state`` and allocates nothing.

        For large arrays (the cost chapter); bit-identical to :meth:`step`. See
        :func:`adamlib.inplace.step`.
        """
        inplace.step(self.config, params, grad, state)
