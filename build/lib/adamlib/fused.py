r"""A fused Adam step: one compiled pass over memory instead of several NumPy passes (chapter 6).

:meth:`adamlib.Adam.step` is written for reading: each formula is its own NumPy operation, so
each one reads and writes whole arrays. On large arrays the time goes to memory traffic, and the
least an Adam step must move is 28 bytes a float32 parameter (read :math:`\phi_{t-1}`,
:math:`g_t`, :math:`m_{t-1}`, :math:`v_{t-1}`; write :math:`\phi_t`, :math:`m_t`, :math:`v_t`).
:func:`fused_adam_step` moves just that: a numba loop does every formula for one element while it
is in registers, on all cores.

numba is imported only when :func:`fused_adam_step` is first called (``import adamlib`` does not
load it). The first call in a fresh environment compiles the loop (a few seconds, then cached on
disk next to this module).
"""

from __future__ import annotations

import numpy as np

from adamlib._checks import (
    FLOAT_DTYPES,
    check_count,
    check_decay_rate,
    check_nonnegative,
    check_positive,
)


def fused_adam_step(
    phi: np.ndarray,
    g: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    t: int,
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> None:
    r"""Adam's step :math:`t` in place, in one parallel pass: overwrites ``phi``, ``m`` and ``v``.

    For every element, with :math:`\alpha` = ``lr``:

    .. math::
        m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\
        v_t &= \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\
        \hat m_t &= m_t / (1-\beta_1^t), \qquad \hat v_t = v_t / (1-\beta_2^t) \\
        \phi_t &= \phi_{t-1} - \alpha\, \hat m_t / (\sqrt{\hat v_t} + \varepsilon)

    These are the operations of :meth:`adamlib.Adam.step` with its defaults (no weight decay,
    no AMSGrad), in the same order and each rounded to the arrays' dtype (numba with
    ``fastmath=False``: no reassociation, no fused multiply-add), so the results agree with
    ``Adam.step`` to the last bit or within a few units in the last place. Every constant
    (:math:`\beta_1`, :math:`1-\beta_1`, :math:`\beta_2`, :math:`1-\beta_2`,
    :math:`1-\beta_1^t`, :math:`1-\beta_2^t`, :math:`-\alpha`, :math:`\varepsilon`) is cast to
    the arrays' dtype first, so a float32 step is computed in float32 (a float64 constant
    would make numba promote every element to float64: the same memory traffic, about three
    times the time).

    Parameters
    ----------
    phi : ndarray
        :math:`\phi_{t-1}`, float32 or float64, C-contiguous, any shape; overwritten with
        :math:`\phi_t`.
    g : ndarray
        The gradient :math:`g_t`, same shape and dtype, C-contiguous. It is not checked for
        NaN or infinity (that would be a second pass over memory): a non-finite :math:`g_t`
        makes the matching entries of ``phi``, ``m`` and ``v`` non-finite.
    m : ndarray
        :math:`m_{t-1}` (zeros before the first step), same shape and dtype; overwritten with
        :math:`m_t`.
    v : ndarray
        :math:`v_{t-1}` (zeros before the first step), same shape and dtype; overwritten with
        :math:`v_t`.
    t : int
        The step number, :math:`t \ge 1` (1 for the first step): it sets the bias corrections.
    lr : float, default 1e-3
        The learning rate :math:`\alpha > 0`, finite.
    beta1 : float, default 0.9
        :math:`\beta_1 \in [0, 1)`.
    beta2 : float, default 0.999
        :math:`\beta_2 \in [0, 1)`.
    eps : float, default 1e-8
        :math:`\varepsilon \ge 0`, finite, added outside the square root.

    Returns
    -------
    None
        The step is the new contents of ``phi``, ``m`` and ``v``.

    Raises
    ------
    TypeError
        If an array is not a NumPy array, not float32/float64, or of another dtype than
        ``phi``; or if ``t`` is not an integer, or a hyperparameter not a real number.
    ValueError
        If an array is not C-contiguous, is read-only (``phi``, ``m``, ``v``), has another
        shape than ``phi``, or shares memory with another of the four; or if a hyperparameter
        is out of range. Every check runs before anything is written, so a rejected call
        changes nothing.

    Examples
    --------
    >>> import numpy as np
    >>> from adamlib.fused import fused_adam_step
    >>> phi = np.array([1.0, -2.0], dtype=np.float32)
    >>> m, v = np.zeros_like(phi), np.zeros_like(phi)
    >>> fused_adam_step(phi, np.array([3.0, -0.5], dtype=np.float32), m, v, t=1, lr=0.1)
    >>> phi
    array([ 0.9, -1.9], dtype=float32)
    """
    _check_arrays(phi, g, m, v)
    t = check_count(t, "t")
    lr = check_positive(lr, "lr")
    beta1 = check_decay_rate(beta1, "beta1")
    beta2 = check_decay_rate(beta2, "beta2")
    eps = check_nonnegative(eps, "eps")

    from adamlib._numba_kernels import adam_kernel  # numba is loaded here, on first use

    # Constants as Adam.step rounds them: each computed in float64, then cast to the dtype.
    dt = phi.dtype.type
    adam_kernel(
        phi.reshape(-1),
        g.reshape(-1),
        m.reshape(-1),
        v.reshape(-1),
        dt(beta1),
        dt(1.0 - beta1),
        dt(beta2),
        dt(1.0 - beta2),
        dt(1.0 - beta1**t),
        dt(1.0 - beta2**t),
        dt(-lr),
        dt(eps),
    )


def _check_arrays(phi: object, g: object, m: object, v: object) -> None:
    """Raise unless the four arrays fit :func:`fused_adam_step`; reads no element."""
    arrays = {"phi": phi, "g": g, "m": m, "v": v}
    for name, a in arrays.items():
        if not isinstance(a, np.ndarray):
            raise TypeError(f"{name} must be a numpy ndarray, got {type(a).__name__}")
    if phi.dtype not in FLOAT_DTYPES:
        raise TypeError(f"phi must have dtype float32 or float64, got {phi.dtype}")
    for name, a in arrays.items():
        if a.dtype != phi.dtype:
            raise TypeError(f"{name} has dtype {a.dtype}, expected {phi.dtype} like phi")
        if a.shape != phi.shape:
            raise ValueError(f"{name} has shape {a.shape}, expected {phi.shape} like phi")
        if not a.flags.c_contiguous:
            raise ValueError(
                f"{name} must be C-contiguous, got strides {a.strides} for shape {a.shape}"
            )
        if name != "g" and not a.flags.writeable:
            raise ValueError(f"{name} is read-only, but the step overwrites it")
    names = list(arrays)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            if np.may_share_memory(arrays[first], arrays[second]):
                raise ValueError(
                    f"{first} and {second} share memory; the step needs four separate arrays"
                )
