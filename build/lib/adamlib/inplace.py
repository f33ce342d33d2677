r"""Adam's step for large arrays: in place, in cache-sized blocks, allocating nothing.

This is an optimization, kept apart so that :mod:`adamlib.adam` can read like the book (the
same split as PyTorch's ``_single_tensor_adam`` and ``_multi_tensor_adam``). Each line of
``_step_block`` is one line of :meth:`adamlib.Adam.step_leaf`, written with NumPy's ``out=``
so that the result lands in an existing array: the same operations on the same values in the
same order, hence bit-identical results (``tests/core/test_inplace.py`` checks it).

A block of :data:`DEFAULT_BLOCK` entries and its two work arrays stay in the CPU cache, so the
block's dozen elementwise passes cost about one trip to main memory (chapter 6).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from adamlib._checks import check_count, check_grad, check_params

if TYPE_CHECKING:
    from adamlib.adam import AdamConfig

#: Entries per block: 64 Ki entries (256 KiB of float32) per array.
DEFAULT_BLOCK = 1 << 16


@dataclass
class InplaceAdamState:
    r"""Mutable, flat state for :meth:`adamlib.Adam.step_inplace` (``m``, ``v``, ``v_max`` 1-D).

    Attributes
    ----------
    t : int
        Steps taken so far.
    m, v : ndarray
        :math:`m_t`, :math:`v_t`, flat.
    v_max : ndarray or None
        :math:`\max_{s\le t} v_s` with ``amsgrad``, else None.
    block : int
        Entries processed per block.
    scratch : tuple of two ndarrays
        Work space of ``min(block, n)`` entries each; not part of the optimizer's state proper
        (its field is marked ``metadata={"state": False}``, and
        :func:`adamlib.experiments.memory.state_arrays` leaves it out).
    """

    t: int
    m: np.ndarray
    v: np.ndarray
    v_max: np.ndarray | None
    block: int
    scratch: tuple[np.ndarray, np.ndarray] = field(metadata={"state": False})


def init_state(
    cfg: AdamConfig, params: np.ndarray, *, block: int = DEFAULT_BLOCK
) -> InplaceAdamState:
    """Zero flat buffers for ``params`` and two work arrays of ``block`` entries."""
    check_params(params)
    block = check_count(block, "block")
    n, dtype = params.size, params.dtype
    width = min(block, max(n, 1))
    return InplaceAdamState(
        t=0,
        m=np.zeros(n, dtype=dtype),
        v=np.zeros(n, dtype=dtype),
        v_max=np.zeros(n, dtype=dtype) if cfg.amsgrad else None,
        block=block,
        scratch=(np.empty(width, dtype=dtype), np.empty(width, dtype=dtype)),
    )


def step(cfg: AdamConfig, params: np.ndarray, grad: np.ndarray, state: InplaceAdamState) -> None:
    r"""Overwrite ``params`` with :math:`\phi_t` and ``state`` with step :math:`t`'s buffers.

    Parameters
    ----------
    cfg : AdamConfig
        The optimizer's checked hyperparameters.
    params : ndarray
        C-contiguous :math:`\phi_{t-1}`, overwritten with :math:`\phi_t`.
    grad : ndarray
        :math:`g_t`, same shape and dtype, finite. It may be ``params`` itself.
    state : InplaceAdamState
        From :func:`init_state`; its buffers and ``t`` are updated.
    """
    _check(cfg, params, grad, state)
    t = state.t + 1
    flat_p, flat_g = params.reshape(-1), grad.reshape(-1)
    s1, s2 = state.scratch
    for start in range(0, flat_p.size, state.block):
        stop = min(start + state.block, flat_p.size)
        k = stop - start
        _step_block(
            cfg,
            flat_p[start:stop],
            flat_g[start:stop],
            state.m[start:stop],
            state.v[start:stop],
            None if state.v_max is None else state.v_max[start:stop],
            t,
            s1[:k],
            s2[:k],
        )
    state.t = t


def _step_block(
    cfg: AdamConfig,
    p: np.ndarray,
    g: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    v_max: np.ndarray | None,
    t: int,
    s1: np.ndarray,
    s2: np.ndarray,
) -> None:
    """One block: ``p``, ``m``, ``v``, ``v_max`` are overwritten; ``s1``, ``s2`` are work space.

    ``g`` is read before ``p`` is written, so ``g`` may be ``p`` itself.
    """
    decoupled = cfg.weight_decay != 0.0 and cfg.decoupled_weight_decay
    # g ← −g (maximize); g ← g + λφ (L2)
    if cfg.maximize:
        g = np.negative(g, out=s1)
    if cfg.weight_decay != 0.0 and not cfg.decoupled_weight_decay:
        np.multiply(p, cfg.weight_decay, out=s2)
        g = np.add(g, s2, out=s1)
    # m_t = β1 m_{t-1} + (1 − β1) g_t
    np.multiply(g, 1.0 - cfg.beta1, out=s2)
    np.multiply(m, cfg.beta1, out=m)
    np.add(m, s2, out=m)
    # v_t = β2 v_{t-1} + (1 − β2) g_t²   (g is not needed after this)
    np.square(g, out=s2)
    np.multiply(s2, 1.0 - cfg.beta2, out=s2)
    np.multiply(v, cfg.beta2, out=v)
    np.add(v, s2, out=v)
    v_used = v
    if cfg.amsgrad:
        assert v_max is not None
        v_used = np.maximum(v_max, v, out=v_max)
    # m̂_t = m_t / (1 − β1^t), v̂_t = v_t / (1 − β2^t)
    if cfg.bias_correction:
        m_hat = np.divide(m, 1.0 - cfg.beta1**t, out=s1)
        v_hat = np.divide(v_used, 1.0 - cfg.beta2**t, out=s2)
    else:
        m_hat, v_hat = m, v_used
    # Δφ_t = −α m̂_t / (√v̂_t + ε)
    np.sqrt(v_hat, out=s2)
    np.add(s2, cfg.eps, out=s2)
    np.divide(m_hat, s2, out=s2)
    np.multiply(s2, -cfg.lr, out=s2)
    # φ_{t-1} ← φ_{t-1}(1 − αλ) (decoupled decay), then φ_t = φ_{t-1} + Δφ_t
    if decoupled:
        np.multiply(p, 1.0 - cfg.lr * cfg.weight_decay, out=p)
    np.add(p, s2, out=p)


def _check(cfg: AdamConfig, params: np.ndarray, grad: np.ndarray, state: InplaceAdamState) -> None:
    check_params(params)
    check_grad(grad, params)
    if not isinstance(state, InplaceAdamState):
        raise TypeError(f"state must be an InplaceAdamState, got {type(state).__name__}")
    buffers = {"m": state.m, "v": state.v}
    if cfg.amsgrad:
        buffers["v_max"] = state.v_max
    for name, buf in buffers.items():
        if buf is None:
            raise ValueError(
                f"state.{name} is None, but amsgrad=True needs it: "
                "make the state with this optimizer's init_inplace"
            )
        if not isinstance(buf, np.ndarray) or buf.size != params.size or buf.dtype != params.dtype:
            raise ValueError(
                f"state.{name} has shape {getattr(buf, 'shape', None)} and dtype "
                f"{getattr(buf, 'dtype', None)}: it was made for other params, got params of "
                f"shape {params.shape} and dtype {params.dtype}"
            )
    if not (params.flags.c_contiguous and grad.flags.c_contiguous):
        raise ValueError("params and grad must be C-contiguous for step_inplace")
