r"""Compiled loops for :mod:`adamlib.fused` and the cost benchmark (imports numba: load lazily).

Nothing in :mod:`adamlib` imports this module at import time: :func:`adamlib.fused.fused_adam_step`
and :mod:`adamlib.experiments.cost` import it inside their functions, so ``import adamlib`` never
pays for numba. The Adam loop takes its constants already in the arrays' dtype (see
:func:`adamlib.fused.fused_adam_step`); a Python float here would make numba compute a float32
step in float64. :func:`stream_floor`, the cost benchmark's memory floor, makes Adam's reads and
writes with trivial arithmetic in the arrays' dtype.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(parallel=True, fastmath=False, cache=True)
def adam_kernel(
    phi, g, m, v, beta1, one_minus_beta1, beta2, one_minus_beta2, bc1, bc2, neg_lr, eps
):
    r"""One Adam step over flat arrays, in one pass: each element is read once, written once.

    The operations and their order are those of :meth:`adamlib.Adam.step` (each one rounded to
    the dtype, no fused multiply-add since ``fastmath=False``):
    :math:`m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t`,
    :math:`v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2`,
    :math:`\hat m_t = m_t / \mathrm{bc1}`, :math:`\hat v_t = v_t / \mathrm{bc2}`,
    :math:`\phi_t = \phi_{t-1} + (-\alpha)\,\hat m_t / (\sqrt{\hat v_t} + \varepsilon)`.
    """
    for i in prange(phi.size):
        gi = g[i]
        mi = m[i] * beta1 + gi * one_minus_beta1
        vi = v[i] * beta2 + (gi * gi) * one_minus_beta2
        m[i] = mi
        v[i] = vi
        phi[i] = phi[i] + (mi / bc1) / (np.sqrt(vi / bc2) + eps) * neg_lr


@njit(parallel=True, fastmath=False, cache=True)
def parallel_copy(dst, src):
    """``dst[:] = src`` for flat arrays on every numba thread (copy bandwidth, for reference).

    Not a floor for Adam: a copy's destination lines are read before they are written
    (write-allocate), so a copy moves about 12 bytes a float32, not 8, while Adam's stores go
    to lines it has just read. :func:`stream_floor` is the floor.
    """
    for i in prange(src.size):
        dst[i] = src[i]


@njit(parallel=True, fastmath=False, cache=True)
def stream_floor(phi, g, m, v):
    r"""Adam's memory traffic with no arithmetic to speak of: the measured memory floor.

    For each element, read :math:`\phi`, :math:`g`, :math:`m`, :math:`v` and write
    :math:`\phi`, :math:`m`, :math:`v` (28 bytes a float32 parameter), exactly the accesses of
    :func:`adam_kernel`, in place like it, on as many threads: ``m += g``, ``v += g``,
    ``phi += g``. Every operand has the arrays' dtype, so nothing is promoted to float64; the
    stores change the arrays, so the compiler cannot drop them. Not an optimizer.
    """
    for i in prange(phi.size):
        gi = g[i]
        m[i] = m[i] + gi
        v[i] = v[i] + gi
        phi[i] = phi[i] + gi
