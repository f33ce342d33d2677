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

Defaults α = 1e-3, β1 = 0.9, β2 = 0.999, ε = 1e-8; ε sits outside the square root.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from adamlib._base import Optimizer
from adamlib._checks import (
    check_beta,
    check_grad,
    check_lr,
    check_nonnegative,
    check_params,
    check_step_count,
)
from adamlib.bias import bias_correction, correct
from adamlib.moments import first_moment, second_moment


def adam_direction(
    m_hat: np.ndarray, v_hat: np.ndarray, eps: float, *, out: np.ndarray | None = None
) -> np.ndarray:
    r"""The direction of an Adam step: :math:`\hat m_t / (\sqrt{\hat v_t} + \varepsilon)`.

    Parameters
    ----------
    m_hat : ndarray
        :math:`\hat m_t`: where to go and how hard.
    v_hat : ndarray
        :math:`\hat v_t`: how volatile the gradient has been.
    eps : float
        :math:`\varepsilon \ge 0`, added after the square root.
    out : ndarray, optional
        Where to write the result (may be ``v_hat``). A new array when omitted.

    Returns
    -------
    ndarray
        The update is :math:`\Delta\phi_t = -\alpha` times this. Each entry has magnitude
        :math:`\lesssim 1` in the common case, so :math:`|\Delta\phi_t| \lesssim \alpha`.
    """
    denom = np.sqrt(v_hat, out=out)
    denom += eps
    return np.divide(m_hat, denom, out=denom)


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
    """Validated hyperparameters of :class:`Adam` (see its docstring)."""

    lr: float
    beta1: float
    beta2: float
    eps: float
    weight_decay: float
    decoupled_weight_decay: bool
    amsgrad: bool
    maximize: bool
    bias_correction: bool


def _adam_leaf(
    cfg: AdamConfig,
    p: np.ndarray,
    g: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    v_max: np.ndarray | None,
    t: int,
    *,
    inplace: bool,
    s1: np.ndarray | None = None,
    s2: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None, dict[str, np.ndarray]]:
    """One Adam step on one array; the only place the update is assembled.

    Pure (``inplace=False``): new arrays everywhere. In place: ``p``, ``m``, ``v``, ``v_max`` are
    overwritten and ``s1``, ``s2`` (same shape) are the only work space, so nothing is allocated.
    """
    o = (lambda a: a) if inplace else (lambda a: None)
    if cfg.maximize:
        g = np.negative(g, out=s1)
    if cfg.weight_decay != 0.0:
        if cfg.decoupled_weight_decay:
            p = np.multiply(p, 1.0 - cfg.lr * cfg.weight_decay, out=o(p))
        else:
            decay = np.multiply(p, cfg.weight_decay, out=s2)
            g = np.add(g, decay, out=s1)
    m = first_moment(m, g, cfg.beta1, out=o(m), scratch=s2)
    v = second_moment(v, g, cfg.beta2, out=o(v), scratch=s2)
    v_used = v
    if cfg.amsgrad:
        assert v_max is not None
        v_max = np.maximum(v_max, v, out=o(v_max))
        v_used = v_max
    if cfg.bias_correction:
        m_hat = correct(m, cfg.beta1, t, out=s1)
        v_hat = correct(v_used, cfg.beta2, t, out=s2)
    else:
        m_hat, v_hat = m, v_used
    info = {"m": m, "v": v, "m_hat": m_hat, "v_hat": v_hat} if not inplace else {}
    delta = adam_direction(m_hat, v_hat, cfg.eps, out=s2)
    delta = np.multiply(delta, -cfg.lr, out=delta)
    p = np.add(p, delta, out=o(p))
    if not inplace:
        info["delta"] = delta
    return p, m, v, v_max, info


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
            lr=check_lr(lr, "lr"),
            beta1=check_beta(beta1, "beta1"),
            beta2=check_beta(beta2, "beta2"),
            eps=check_nonnegative(eps, "eps"),
            weight_decay=check_nonnegative(weight_decay, "weight_decay"),
            decoupled_weight_decay=bool(decoupled_weight_decay),
            amsgrad=bool(amsgrad),
            maximize=bool(maximize),
            bias_correction=bool(bias_correction),
        )

    def __repr__(self) -> str:
        c = self.config
        return (
            f"Adam(lr={c.lr:g}, beta1={c.beta1:g}, beta2={c.beta2:g}, eps={c.eps:g}, "
            f"weight_decay={c.weight_decay:g}, decoupled_weight_decay={c.decoupled_weight_decay}, "
            f"amsgrad={c.amsgrad}, maximize={c.maximize}, bias_correction={c.bias_correction})"
        )

    def _init_leaf(self, p: np.ndarray) -> tuple[Any, ...]:
        v_max = np.zeros_like(p) if self.config.amsgrad else None
        return np.zeros_like(p), np.zeros_like(p), v_max

    def _step_leaf(
        self, p: np.ndarray, g: np.ndarray, buffers: tuple[Any, ...], t: int
    ) -> tuple[np.ndarray, tuple[Any, ...], dict[str, np.ndarray]]:
        m, v, v_max = buffers
        p, m, v, v_max, info = _adam_leaf(self.config, p, g, m, v, v_max, t, inplace=False)
        return p, (m, v, v_max), info

    def step_inplace(
        self,
        params: np.ndarray,
        grad: np.ndarray,
        state: InplaceAdamState,
    ) -> None:
        r"""One step that overwrites ``params`` and ``state`` and allocates nothing.

        For large arrays (the cost chapter). The arrays are processed in blocks small enough to
        stay in the CPU cache, so each block's several elementwise passes cost about one trip to
        memory. The arithmetic is exactly :meth:`step`'s: the same functions, writing into
        ``out=`` arrays, so the results are identical to the last bit.

        Parameters
        ----------
        params : ndarray
            C-contiguous :math:`\phi_{t-1}`, overwritten with :math:`\phi_t`.
        grad : ndarray
            :math:`g_t`, same shape and dtype, finite.
        state : InplaceAdamState
            From :meth:`init_inplace`; its buffers and ``t`` are updated.
        """
        check_params(params)
        check_grad(grad, params)
        if not isinstance(state, InplaceAdamState):
            raise TypeError(f"state must be an InplaceAdamState, got {type(state).__name__}")
        if state.m.size != params.size or state.m.dtype != params.dtype:
            raise ValueError(
                f"state.m has shape {state.m.shape} and dtype {state.m.dtype}: it was made for "
                f"other params, got params of shape {params.shape} and dtype {params.dtype}"
            )
        if self.config.amsgrad and state.v_max is None:
            raise ValueError(
                "state.v_max is None, but amsgrad=True needs it: "
                "make the state with this optimizer's init_inplace"
            )
        if not (params.flags.c_contiguous and grad.flags.c_contiguous):
            raise ValueError("params and grad must be C-contiguous for step_inplace")
        t = state.t + 1
        flat_p, flat_g = params.reshape(-1), grad.reshape(-1)
        n = flat_p.size
        s1, s2 = state.scratch
        for start in range(0, n, state.block):
            stop = min(start + state.block, n)
            k = stop - start
            _adam_leaf(
                self.config,
                flat_p[start:stop],
                flat_g[start:stop],
                state.m[start:stop],
                state.v[start:stop],
                None if state.v_max is None else state.v_max[start:stop],
                t,
                inplace=True,
                s1=s1[:k],
                s2=s2[:k],
            )
        state.t = t

    def init_inplace(self, params: np.ndarray, *, block: int = 1 << 16) -> InplaceAdamState:
        """State for :meth:`step_inplace`: flat zero buffers and two work arrays of ``block``."""
        check_params(params)
        if isinstance(block, bool) or not isinstance(block, int) or block < 1:
            raise ValueError(f"block must be an integer >= 1, got {block!r}")
        n, dtype = params.size, params.dtype
        width = min(block, max(n, 1))
        return InplaceAdamState(
            t=0,
            m=np.zeros(n, dtype=dtype),
            v=np.zeros(n, dtype=dtype),
            v_max=np.zeros(n, dtype=dtype) if self.config.amsgrad else None,
            block=block,
            scratch=(np.empty(width, dtype=dtype), np.empty(width, dtype=dtype)),
        )


@dataclass
class InplaceAdamState:
    """Mutable, flat state for :meth:`Adam.step_inplace` (``m``, ``v``, ``v_max`` are 1-D)."""

    t: int
    m: np.ndarray
    v: np.ndarray
    v_max: np.ndarray | None
    block: int
    scratch: tuple[np.ndarray, np.ndarray]


# -- chapter 4: how far one step can go ---------------------------------------------------------


def step_size_bound(lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999) -> float:
    r"""Kingma & Ba's approximate bound on one step, :math:`|\Delta\phi_t| \lesssim` this value.

    With :math:`\varepsilon = 0` the paper (section 2.1) gives two cases:

    .. math::
        |\Delta\phi_t| \lesssim
        \begin{cases}
          \alpha\,(1-\beta_1)/\sqrt{1-\beta_2} & \text{if } 1-\beta_1 > \sqrt{1-\beta_2}
            \text{ (reached by a lone spike after a long run of zeros)}\\
          \alpha & \text{otherwise,}
        \end{cases}

    that is :math:`\alpha \max\bigl(1, (1-\beta_1)/\sqrt{1-\beta_2}\bigr)`. It is a rule of
    thumb, not a strict bound: a gradient that grows geometrically step after step can exceed it.

    Parameters
    ----------
    lr : float, default 1e-3
        :math:`\alpha > 0`.
    beta1, beta2 : float, default 0.9, 0.999
        :math:`\beta_1, \beta_2 \in [0, 1)`.

    Returns
    -------
    float
        About :math:`3.16\,\alpha` with the defaults (:math:`0.1 > \sqrt{0.001} \approx 0.0316`).
    """
    lr = check_lr(lr, "lr")
    beta1 = check_beta(beta1, "beta1")
    beta2 = check_beta(beta2, "beta2")
    return lr * max(1.0, (1.0 - beta1) / (1.0 - beta2) ** 0.5)


def sparse_step_ratio(beta1: float, beta2: float, t: int, *, corrected: bool = True) -> float:
    r""":math:`|\Delta\phi_t|/\alpha` at a lone spike: :math:`g_t \ne 0` after :math:`t-1` zeros.

    With :math:`g_1 = \dots = g_{t-1} = 0`, :math:`m_t = (1-\beta_1)\,g_t` and
    :math:`v_t = (1-\beta_2)\,g_t^2`, so with :math:`\varepsilon = 0`

    .. math::
        \frac{|\Delta\phi_t|}{\alpha} = \frac{|\hat m_t|}{\sqrt{\hat v_t}}
        = \frac{1-\beta_1}{1-\beta_1^t}\cdot\frac{\sqrt{1-\beta_2^t}}{\sqrt{1-\beta_2}},

    whatever the size of :math:`g_t`. At :math:`t = 1` this is 1; as :math:`t` grows it tends
    to :math:`(1-\beta_1)/\sqrt{1-\beta_2}`, the first case of :func:`step_size_bound`.

    Parameters
    ----------
    beta1, beta2 : float
        :math:`\beta_1, \beta_2 \in [0, 1)`.
    t : int
        The step of the spike, :math:`t \ge 1`.
    corrected : bool, default True
        False: without bias correction (``Adam(bias_correction=False)``), the ratio is
        :math:`(1-\beta_1)/\sqrt{1-\beta_2}` at every :math:`t`.

    Returns
    -------
    float
        About 2.51 at :math:`t = 1000` with the defaults; 3.16 without bias correction.
    """
    beta1 = check_beta(beta1, "beta1")
    beta2 = check_beta(beta2, "beta2")
    t = check_step_count(t, "t")
    ratio = (1.0 - beta1) / (1.0 - beta2) ** 0.5
    if corrected:
        ratio *= bias_correction(beta2, t) ** 0.5 / bias_correction(beta1, t)
    return ratio


# -- chapter 5: how m̂_t and v̂_t cooperate -----------------------------------------------------


def signal_to_noise(m_hat: np.ndarray, v_hat: np.ndarray) -> np.ndarray:
    r"""Adam's signal-to-noise ratio :math:`|\hat m_t| / \sqrt{\hat v_t}`, parameter by parameter.

    :math:`\hat m_t` estimates the mean of the gradient (the signal), :math:`\sqrt{\hat v_t}` its
    root mean square (signal and noise together). The ratio is the size of an Adam step in units
    of :math:`\alpha` when :math:`\varepsilon = 0`:
    :math:`|\Delta\phi_t| = \alpha\,|\hat m_t| / (\sqrt{\hat v_t} + \varepsilon)`.
    Near 1 the gradients agree from step to step; near 0 they cancel out (noise, or a sign
    that flips around an optimum) and Adam's steps shrink by themselves.

    Parameters
    ----------
    m_hat : ndarray
        :math:`\hat m_t` (or a whole series, step on axis 0, as in a :class:`~adamlib.Trace`).
    v_hat : ndarray
        :math:`\hat v_t \ge 0`, the same shape.

    Returns
    -------
    ndarray
        :math:`|\hat m_t|/\sqrt{\hat v_t}`, and 0 where :math:`\hat v_t = 0` (then
        :math:`\hat m_t = 0` as well: no gradient has been seen).
    """
    m_hat = np.asarray(m_hat, dtype=np.float64)
    v_hat = np.asarray(v_hat, dtype=np.float64)
    if m_hat.shape != v_hat.shape:
        raise ValueError(f"m_hat has shape {m_hat.shape} but v_hat has shape {v_hat.shape}")
    if np.any(v_hat < 0) or not np.all(np.isfinite(v_hat)):
        bad = v_hat[(v_hat < 0) | ~np.isfinite(v_hat)].flat[0]
        raise ValueError(f"v_hat must be finite and >= 0, got {bad!r}")
    root = np.sqrt(v_hat)
    return np.divide(np.abs(m_hat), root, out=np.zeros_like(root), where=root > 0)


def signal_to_noise_limit(mean: float, std: float) -> float:
    r"""Where :func:`signal_to_noise` settles: :math:`|\mu|/\sqrt{\mu^2+\sigma^2}`.

    If the gradients are independent with mean :math:`\mu` and standard deviation
    :math:`\sigma`, then after many steps :math:`\hat m_t \approx \mu` and
    :math:`\hat v_t \approx \mu^2 + \sigma^2`, so the ratio is about
    :math:`1/\sqrt{1 + (\sigma/\mu)^2}`: an increasing function of the signal-to-noise ratio
    :math:`|\mu|/\sigma`. The approximation ignores the noise left in :math:`\hat m_t` itself
    (see :func:`signal_to_noise_floor`), so it holds while :math:`|\mu|` is not much smaller
    than :math:`\sigma`.

    Parameters
    ----------
    mean : float
        :math:`\mu`, finite.
    std : float
        :math:`\sigma \ge 0`, finite; ``mean`` and ``std`` must not both be 0.

    Returns
    -------
    float
        1 for noise-free gradients, 0.707 for :math:`\sigma = |\mu|`.
    """
    if isinstance(mean, bool) or not isinstance(mean, (int, float, np.integer, np.floating)):
        raise TypeError(f"mean must be a real number, got {mean!r}")
    if not np.isfinite(mean):
        raise ValueError(f"mean must be finite, got {mean!r}")
    mean = float(mean)
    std = check_nonnegative(std, "std")
    if mean == 0.0 and std == 0.0:
        raise ValueError("mean and std must not both be 0: there is no gradient at all")
    return abs(mean) / float(np.hypot(mean, std))


def signal_to_noise_floor(beta1: float = 0.9) -> float:
    r"""The ratio :math:`\mathbb{E}|\hat m_t|/\sqrt{\hat v_t}` for pure noise: :math:`\mu = 0`.

    With gradients :math:`g_t = \sigma\xi_t`, :math:`\xi_t` independent standard normal,
    :math:`\hat m_t` is (after the start is forgotten) normal with mean 0 and standard deviation
    :math:`\sigma\sqrt{(1-\beta_1)/(1+\beta_1)}`, and :math:`\sqrt{\hat v_t} \approx \sigma`.
    Since :math:`\mathbb{E}|Z| = \sqrt{2/\pi}` for a standard normal :math:`Z`,

    .. math:: \frac{\mathbb{E}|\hat m_t|}{\sqrt{\hat v_t}}
              \approx \sqrt{\frac{2}{\pi}}\,\sqrt{\frac{1-\beta_1}{1+\beta_1}}.

    This is how far Adam's steps shrink, in units of :math:`\alpha`, once only noise is left:
    they do not go to 0 with a constant :math:`\alpha`.

    Parameters
    ----------
    beta1 : float, default 0.9
        :math:`\beta_1 \in [0, 1)`.

    Returns
    -------
    float
        0.183 for :math:`\beta_1 = 0.9`; 0.798 for :math:`\beta_1 = 0` (RMSProp-like steps).
    """
    from adamlib.moments import ema_noise_ratio

    return float(np.sqrt(2.0 / np.pi)) * ema_noise_ratio(check_beta(beta1, "beta1"))
