r"""Exponential moving averages: the first moment :math:`m_t` and the second moment :math:`v_t`.

Chapters 1 and 2 of the book. Every function here is pure unless ``out`` is given; with ``out``
(and ``scratch``) it writes into those arrays and allocates nothing, which is how the in-place
step for large arrays reuses these very formulas.
"""

from __future__ import annotations

import numpy as np

from adamlib._checks import check_beta, check_step_count


def ema(
    prev: np.ndarray,
    x: np.ndarray,
    beta: float,
    *,
    out: np.ndarray | None = None,
    scratch: np.ndarray | None = None,
) -> np.ndarray:
    r"""One step of an exponential moving average.

    .. math:: a_t = \beta\, a_{t-1} + (1-\beta)\, x_t

    Parameters
    ----------
    prev : ndarray
        The previous average :math:`a_{t-1}`.
    x : ndarray
        The new observation :math:`x_t`, same shape as ``prev``.
    beta : float
        Exponential decay rate :math:`\beta \in [0, 1)`.
    out : ndarray, optional
        Where to write :math:`a_t` (may be ``prev`` itself). A new array when omitted.
    scratch : ndarray, optional
        Work space of ``x``'s shape for :math:`(1-\beta)x_t` (may be ``x`` itself).

    Returns
    -------
    ndarray
        :math:`a_t`.
    """
    scaled = np.multiply(x, 1.0 - beta, out=scratch)
    result = np.multiply(prev, beta, out=out)
    return np.add(result, scaled, out=result)


def first_moment(
    m: np.ndarray,
    g: np.ndarray,
    beta1: float,
    *,
    out: np.ndarray | None = None,
    scratch: np.ndarray | None = None,
) -> np.ndarray:
    r"""First moment: :math:`m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t`.

    Parameters
    ----------
    m : ndarray
        :math:`m_{t-1}` (zeros at :math:`t = 1`, since :math:`m_0 = 0`).
    g : ndarray
        The gradient :math:`g_t`.
    beta1 : float
        Exponential decay rate :math:`\beta_1 \in [0, 1)`.
    out, scratch : ndarray, optional
        See :func:`ema`.

    Returns
    -------
    ndarray
        :math:`m_t`, which keeps the sign of the gradients: direction and drive.
    """
    return ema(m, g, beta1, out=out, scratch=scratch)


def second_moment(
    v: np.ndarray,
    g: np.ndarray,
    beta2: float,
    *,
    out: np.ndarray | None = None,
    scratch: np.ndarray | None = None,
) -> np.ndarray:
    r"""Second (uncentred) moment: :math:`v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2`.

    Parameters
    ----------
    v : ndarray
        :math:`v_{t-1}` (zeros at :math:`t = 1`, since :math:`v_0 = 0`).
    g : ndarray
        The gradient :math:`g_t`; only :math:`g_t^2` enters, so the sign is lost.
    beta2 : float
        Exponential decay rate :math:`\beta_2 \in [0, 1)`.
    out : ndarray, optional
        Where to write :math:`v_t` (may be ``v`` itself).
    scratch : ndarray, optional
        Work space of ``g``'s shape for :math:`g_t^2`.

    Returns
    -------
    ndarray
        :math:`v_t`.
    """
    squared = np.square(g, out=scratch)
    return ema(v, squared, beta2, out=out, scratch=squared)


def ema_weights(beta: float, t: int) -> np.ndarray:
    r"""Weights of :math:`g_1, \dots, g_t` in an EMA started at zero.

    Unrolling :math:`a_t = \beta a_{t-1} + (1-\beta) x_t` from :math:`a_0 = 0` gives
    :math:`a_t = \sum_{i=1}^{t} (1-\beta)\beta^{t-i} x_i`.

    Parameters
    ----------
    beta : float
        Exponential decay rate :math:`\beta \in [0, 1)`.
    t : int
        Number of steps, :math:`t \ge 1`.

    Returns
    -------
    ndarray
        Array of length ``t``; entry ``i - 1`` is :math:`(1-\beta)\beta^{t-i}`. The weights sum to
        :math:`1-\beta^t`, not 1: the shortfall is the bias that chapter 3 corrects.
    """
    beta = check_beta(beta, "beta")
    t = check_step_count(t, "t")
    ages = np.arange(t - 1, -1, -1, dtype=np.float64)
    return (1.0 - beta) * beta**ages


def effective_window(beta: float) -> float:
    r"""The EMA's effective window :math:`1/(1-\beta)`: the mean age of its weights plus one.

    Parameters
    ----------
    beta : float
        Exponential decay rate :math:`\beta \in [0, 1)`.

    Returns
    -------
    float
        :math:`1/(1-\beta)`; 10 steps for :math:`\beta_1 = 0.9`, 1000 for :math:`\beta_2 = 0.999`.
    """
    beta = check_beta(beta, "beta")
    return 1.0 / (1.0 - beta)
