r"""Where :math:`\varepsilon` goes: the placements of Adam's small constant in common libraries.

Chapter 4 of the book. All forms share the moments :math:`m_t, v_t` of :mod:`adamlib.moments`
and the factors :math:`1-\beta^t` of :mod:`adamlib.bias`; they differ only in the last line,
the step :math:`\Delta\phi_t`:

- PyTorch (Algorithm 1), :func:`torch_style_step`:
  :math:`-\alpha\,\hat m_t/(\sqrt{\hat v_t}+\varepsilon)`, :math:`\varepsilon = 10^{-8}`.
- The paper's efficient form and Keras, :func:`paper_efficient_step`:
  :math:`-\alpha_t\, m_t/(\sqrt{v_t}+\hat\varepsilon)` with
  :math:`\alpha_t = \alpha\sqrt{1-\beta_2^t}/(1-\beta_1^t)`; :math:`\hat\varepsilon = 10^{-8}`
  in the paper, :math:`10^{-7}` in Keras.
- optax, :func:`optax_style_step`:
  :math:`-\alpha\,\hat m_t/(\sqrt{\hat v_t+\varepsilon_{root}}+\varepsilon)`,
  :math:`\varepsilon = 10^{-8}`, :math:`\varepsilon_{root} = 0`.

With every constant set to 0 the forms are the same function of :math:`m_t, v_t, t` (up to
rounding). With :math:`\hat\varepsilon > 0` the paper's form equals the PyTorch form with the
time-varying :math:`\varepsilon_t = \hat\varepsilon/\sqrt{1-\beta_2^t}` (:func:`equivalent_eps`).

Every step function here is pure and works on arrays of any float dtype (float16 included), so the
book can show what each placement does in low precision; :func:`to_bfloat16` rounds to the other
16-bit format, which NumPy lacks.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from adamlib._checks import (
    check_all_nonnegative,
    check_count,
    check_decay_rate,
    check_float_array,
    check_nonnegative,
    check_positive,
)
from adamlib.adam import adam_direction
from adamlib.bias import bias_correction, correct

#: Signature shared by the step functions: ``step(m, v, t, **hyperparameters) -> Δφ_t``.
StepFunction = Callable[..., np.ndarray]


def _check_moments(m: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``m``, ``v`` as arrays if they have the same shape and ``v`` has no negative entry."""
    m = check_float_array(m, "m")
    v = check_float_array(v, "v")
    if m.shape != v.shape:
        raise ValueError(f"m and v must have the same shape, got {m.shape} and {v.shape}")
    check_all_nonnegative(v, "v")
    return m, v


def _check_hyper(lr: float, beta1: float, beta2: float, t: int) -> tuple[float, float, float, int]:
    return (
        check_positive(lr, "lr"),
        check_decay_rate(beta1, "beta1"),
        check_decay_rate(beta2, "beta2"),
        check_count(t, "t"),
    )


def torch_style_step(
    m: np.ndarray,
    v: np.ndarray,
    t: int,
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> np.ndarray:
    r"""Algorithm 1, PyTorch: :math:`\Delta\phi_t = -\alpha\hat m_t/(\sqrt{\hat v_t}+\varepsilon)`.

    :math:`\varepsilon` is added after the square root and after the bias correction. This is
    the step :class:`adamlib.Adam` takes (the same operations in the same order, so the result
    is identical to the last bit).

    Parameters
    ----------
    m, v : ndarray
        :math:`m_t` and :math:`v_t` (not yet bias-corrected), same shape.
    t : int
        Step number :math:`t \ge 1`.
    lr : float, default 1e-3
        :math:`\alpha > 0`.
    beta1, beta2 : float, default 0.9, 0.999
        :math:`\beta_1, \beta_2 \in [0, 1)`.
    eps : float, default 1e-8
        :math:`\varepsilon \ge 0`.

    Returns
    -------
    ndarray
        :math:`\Delta\phi_t = \phi_t - \phi_{t-1}`, in ``m``'s dtype.
    """
    m, v = _check_moments(m, v)
    lr, beta1, beta2, t = _check_hyper(lr, beta1, beta2, t)
    eps = check_nonnegative(eps, "eps")
    direction = adam_direction(correct(m, beta1, t), correct(v, beta2, t), eps)
    return -lr * direction


def paper_step_size(t: int, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999) -> float:
    r"""The paper's step size :math:`\alpha_t = \alpha\sqrt{1-\beta_2^t}/(1-\beta_1^t)`.

    Both bias corrections folded into one scalar per step (Kingma & Ba, end of section 2), so
    the arrays :math:`m_t, v_t` need not be divided.

    Parameters
    ----------
    t : int
        Step number :math:`t \ge 1`.
    lr : float, default 1e-3
        :math:`\alpha > 0`.
    beta1, beta2 : float, default 0.9, 0.999
        :math:`\beta_1, \beta_2 \in [0, 1)`.

    Returns
    -------
    float
        :math:`\alpha_t`; :math:`\alpha\sqrt{1-\beta_2}/(1-\beta_1) \approx 0.316\,\alpha` at
        :math:`t = 1` with the defaults, tending to :math:`\alpha`.
    """
    lr, beta1, beta2, t = _check_hyper(lr, beta1, beta2, t)
    return lr * math.sqrt(bias_correction(beta2, t)) / bias_correction(beta1, t)


def paper_efficient_step(
    m: np.ndarray,
    v: np.ndarray,
    t: int,
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps_hat: float = 1e-8,
) -> np.ndarray:
    r"""Paper, efficient form: :math:`\Delta\phi_t = -\alpha_t m_t/(\sqrt{v_t}+\hat\varepsilon)`.

    :math:`\alpha_t` is :func:`paper_step_size`. :math:`\hat\varepsilon` is added to the root of
    the *uncorrected* :math:`v_t`. Keras's ``Adam`` computes exactly this, with
    :math:`\hat\varepsilon = 10^{-7}` by default.

    Parameters
    ----------
    m, v : ndarray
        :math:`m_t` and :math:`v_t`, same shape.
    t : int
        Step number :math:`t \ge 1`.
    lr : float, default 1e-3
        :math:`\alpha > 0`.
    beta1, beta2 : float, default 0.9, 0.999
        :math:`\beta_1, \beta_2 \in [0, 1)`.
    eps_hat : float, default 1e-8
        :math:`\hat\varepsilon \ge 0`.

    Returns
    -------
    ndarray
        :math:`\Delta\phi_t`. Equal to :func:`torch_style_step` with
        ``eps = equivalent_eps(eps_hat, beta2, t)`` up to rounding.
    """
    m, v = _check_moments(m, v)
    alpha_t = paper_step_size(t, lr, beta1, beta2)
    eps_hat = check_nonnegative(eps_hat, "eps_hat")
    direction = adam_direction(m, v, eps_hat)
    return -alpha_t * direction


def optax_style_step(
    m: np.ndarray,
    v: np.ndarray,
    t: int,
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    eps_root: float = 0.0,
) -> np.ndarray:
    r"""optax's form: :math:`\varepsilon_{root}` inside the root and :math:`\varepsilon` outside.

    .. math::
        \Delta\phi_t = -\alpha\,\frac{\hat m_t}{\sqrt{\hat v_t+\varepsilon_{root}}+\varepsilon}

    ``eps_root`` sits inside the root, ``eps`` outside; with ``eps_root = 0`` (optax's default)
    this is :func:`torch_style_step`. A positive ``eps_root`` keeps the derivative of the root
    finite at :math:`\hat v_t = 0`, which matters when one differentiates through the update.

    Parameters
    ----------
    m, v : ndarray
        :math:`m_t` and :math:`v_t`, same shape.
    t : int
        Step number :math:`t \ge 1`.
    lr : float, default 1e-3
        :math:`\alpha > 0`.
    beta1, beta2 : float, default 0.9, 0.999
        :math:`\beta_1, \beta_2 \in [0, 1)`.
    eps : float, default 1e-8
        :math:`\varepsilon \ge 0`, outside the root.
    eps_root : float, default 0.0
        :math:`\varepsilon_{root} \ge 0`, inside the root.

    Returns
    -------
    ndarray
        :math:`\Delta\phi_t`.
    """
    m, v = _check_moments(m, v)
    lr, beta1, beta2, t = _check_hyper(lr, beta1, beta2, t)
    eps = check_nonnegative(eps, "eps")
    eps_root = check_nonnegative(eps_root, "eps_root")
    v_hat = correct(v, beta2, t) + eps_root
    direction = adam_direction(correct(m, beta1, t), v_hat, eps)
    return -lr * direction


def equivalent_eps(eps_hat: float, beta2: float, t: int) -> float:
    r"""PyTorch's :math:`\varepsilon_t` that acts like the paper's :math:`\hat\varepsilon`.

    From :math:`m_t = (1-\beta_1^t)\hat m_t` and
    :math:`\sqrt{v_t} = \sqrt{1-\beta_2^t}\sqrt{\hat v_t}`,

    .. math::
        \alpha_t \frac{m_t}{\sqrt{v_t} + \hat\varepsilon}
        = \alpha \frac{\hat m_t}{\sqrt{\hat v_t} + \hat\varepsilon/\sqrt{1-\beta_2^t}},
        \qquad \varepsilon_t = \frac{\hat\varepsilon}{\sqrt{1-\beta_2^t}}.

    Parameters
    ----------
    eps_hat : float
        :math:`\hat\varepsilon \ge 0`.
    beta2 : float
        :math:`\beta_2 \in [0, 1)`.
    t : int
        Step number :math:`t \ge 1`.

    Returns
    -------
    float
        :math:`\varepsilon_t`, about :math:`31.6\,\hat\varepsilon` at :math:`t = 1` with
        :math:`\beta_2 = 0.999`, falling to :math:`\hat\varepsilon` as :math:`t` grows.
    """
    eps_hat = check_nonnegative(eps_hat, "eps_hat")
    beta2 = check_decay_rate(beta2, "beta2")
    t = check_count(t, "t")
    return eps_hat / math.sqrt(bias_correction(beta2, t))


def steps_from_moments(
    step: StepFunction, m: np.ndarray, v: np.ndarray, **hyperparameters: Any
) -> np.ndarray:
    r"""Apply a step function to recorded moments: row ``t - 1`` is :math:`\Delta\phi_t`.

    The moments do not depend on :math:`\varepsilon` or on where it goes, so the moments of one
    run (``trace.m``, ``trace.v`` from :func:`adamlib.trace.run_sequence`) give every form's steps
    for the same gradient sequence.

    Parameters
    ----------
    step : callable
        One of :func:`torch_style_step`, :func:`paper_efficient_step`, :func:`optax_style_step`
        (any ``step(m_t, v_t, t, **hyperparameters)``).
    m, v : ndarray, shape (T, ...)
        :math:`m_1, \dots, m_T` and :math:`v_1, \dots, v_T` with the step on axis 0.
    **hyperparameters
        Passed to ``step`` (``lr``, ``beta1``, ``beta2``, ``eps``, ...).

    Returns
    -------
    ndarray, shape (T, ...)
        :math:`\Delta\phi_1, \dots, \Delta\phi_T`.
    """
    if not callable(step):
        raise TypeError(f"step must be callable, got {step!r}")
    m, v = _check_moments(m, v)
    if m.ndim == 0 or m.shape[0] == 0:
        raise ValueError(f"m and v need a step axis of length >= 1, got shape {m.shape}")
    return np.stack([step(m[i], v[i], i + 1, **hyperparameters) for i in range(m.shape[0])])


def to_bfloat16(x: ArrayLike) -> np.ndarray:
    r"""Round to the nearest bfloat16 value (ties to even), returned as float32.

    NumPy has no bfloat16 type. A bfloat16 is the upper half of a float32: the same sign and
    8-bit exponent, so the same range as float32, but 7 stored fraction bits instead of 23
    (Kalamkar et al., 2019). Keeping the upper 16 bits after rounding the lower 16 gives the
    nearest one; NaN stays NaN.

    Parameters
    ----------
    x : array_like of float
        Values of any float dtype; they are first converted to float32.

    Returns
    -------
    ndarray of float32
        The bfloat16 values. :math:`10^{-8}` stays about :math:`10^{-8}`, while :math:`1 - 10^{-3}`
        becomes 1: near 1 the spacing of bfloat16 is :math:`2^{-8}` below 1 and :math:`2^{-7}`
        above.
    """
    x32 = check_float_array(x, "x").astype(np.float32)
    bits = x32.view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    out = rounded.astype(np.uint32).view(np.float32)
    return np.where(np.isnan(x32), x32, out)
