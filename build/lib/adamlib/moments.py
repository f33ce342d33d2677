r"""Exponential moving averages: the first moment :math:`m_t` and the second moment :math:`v_t`.

Chapters 1 and 2 of the book. :func:`ema`, :func:`first_moment` and :func:`second_moment` are the
formulas as the book prints them, the ones every optimizer calls; the other functions compute
what the chapters tabulate about them (weights, windows, half-lives) and check their arguments.
"""

from __future__ import annotations

import numpy as np

from adamlib._checks import check_count, check_decay_rate


def ema(prev: np.ndarray, x: np.ndarray, beta: float) -> np.ndarray:
    r"""One step of an exponential moving average.

    .. math:: a_t = \beta\, a_{t-1} + (1-\beta)\, x_t

    Like every formula in adamlib, this checks nothing: :math:`\beta \in [0, 1)` is checked
    once, where it enters (an optimizer's constructor, or the public helpers below).

    Parameters
    ----------
    prev : ndarray
        The previous average :math:`a_{t-1}`.
    x : ndarray
        The new observation :math:`x_t`, same shape as ``prev``.
    beta : float
        Exponential decay rate :math:`\beta \in [0, 1)`.

    Returns
    -------
    ndarray
        :math:`a_t`, a new array.
    """
    return beta * prev + (1.0 - beta) * x


def first_moment(m: np.ndarray, g: np.ndarray, beta1: float) -> np.ndarray:
    r"""First moment: :math:`m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t`.

    Parameters
    ----------
    m : ndarray
        :math:`m_{t-1}` (zeros at :math:`t = 1`, since :math:`m_0 = 0`).
    g : ndarray
        The gradient :math:`g_t`.
    beta1 : float
        Exponential decay rate :math:`\beta_1 \in [0, 1)`.

    Returns
    -------
    ndarray
        :math:`m_t`, which keeps the sign of the gradients: direction and drive.
    """
    return ema(m, g, beta1)


def second_moment(v: np.ndarray, g: np.ndarray, beta2: float) -> np.ndarray:
    r"""Second (uncentred) moment: :math:`v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2`.

    Parameters
    ----------
    v : ndarray
        :math:`v_{t-1}` (zeros at :math:`t = 1`, since :math:`v_0 = 0`).
    g : ndarray
        The gradient :math:`g_t`; only :math:`g_t^2` enters, so the sign is lost.
    beta2 : float
        Exponential decay rate :math:`\beta_2 \in [0, 1)`.

    Returns
    -------
    ndarray
        :math:`v_t \ge 0`.
    """
    return ema(v, np.square(g), beta2)


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
    beta = check_decay_rate(beta, "beta")
    t = check_count(t, "t")
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
    beta = check_decay_rate(beta, "beta")
    return 1.0 / (1.0 - beta)


def _moment_series(step, grads: np.ndarray, beta: float) -> np.ndarray:
    """Apply ``step`` (an EMA update) to ``grads`` row by row from a zero start; keep every row."""
    g = np.asarray(grads, dtype=np.float64)
    if g.ndim == 0 or g.shape[0] == 0:
        raise ValueError(f"grads must have shape (T,) or (T, ...) with T >= 1, got {g.shape}")
    rows = g.reshape(g.shape[0], -1)
    out = np.empty_like(rows)
    moment = np.zeros(rows.shape[1])
    for t in range(rows.shape[0]):
        moment = step(moment, rows[t], beta)
        out[t] = moment
    return out.reshape(g.shape)


def first_moment_series(grads: np.ndarray, beta1: float) -> np.ndarray:
    r"""The first moments :math:`m_1, \dots, m_T` of a gradient sequence, from :math:`m_0 = 0`.

    Each row is one call of :func:`first_moment`, so the values are exactly those of an optimizer
    that sees the same gradients.

    Parameters
    ----------
    grads : array_like, shape (T,) or (T, n)
        Row ``t - 1`` is :math:`g_t` (converted to float64).
    beta1 : float
        Exponential decay rate :math:`\beta_1 \in [0, 1)`.

    Returns
    -------
    ndarray, shape like ``grads``
        Row ``t - 1`` is :math:`m_t`.
    """
    return _moment_series(first_moment, grads, check_decay_rate(beta1, "beta1"))


def second_moment_series(grads: np.ndarray, beta2: float) -> np.ndarray:
    r"""The second moments :math:`v_1, \dots, v_T` of a gradient sequence, from :math:`v_0 = 0`.

    Each row is one call of :func:`second_moment`.

    Parameters
    ----------
    grads : array_like, shape (T,) or (T, n)
        Row ``t - 1`` is :math:`g_t` (converted to float64).
    beta2 : float
        Exponential decay rate :math:`\beta_2 \in [0, 1)`.

    Returns
    -------
    ndarray, shape like ``grads``
        Row ``t - 1`` is :math:`v_t \ge 0`.
    """
    return _moment_series(second_moment, grads, check_decay_rate(beta2, "beta2"))


def gradient_rms(v: np.ndarray) -> np.ndarray:
    r"""The root mean square :math:`\sqrt{v_t}` of recent gradients.

    :math:`v_t` is in squared gradient units; its root is back in the gradient's units, so it
    can be drawn next to :math:`g_t` and :math:`m_t`. Adam divides by this (after bias
    correction) in chapter 4.

    Parameters
    ----------
    v : ndarray
        A second moment :math:`v_t \ge 0` (or a series of them).

    Returns
    -------
    ndarray
        :math:`\sqrt{v_t}`, elementwise.
    """
    return np.sqrt(v)


def ema_half_life(beta: float) -> float:
    r"""The EMA's half-life :math:`\ln 2/\ln(1/\beta)`: the age at which a weight has halved.

    The weight of a value :math:`k` steps old is :math:`(1-\beta)\beta^k`, so it is half the
    newest weight at :math:`k = \ln 2 / \ln(1/\beta)`. It is also how long an EMA that has
    settled on a constant signal takes to cross zero after the signal flips its sign
    (:math:`2\beta^k - 1 = 0`). For :math:`\beta` near 1 it is about
    :math:`0.69/(1-\beta)`: 69 % of :func:`effective_window`.

    Parameters
    ----------
    beta : float
        Exponential decay rate :math:`\beta \in [0, 1)`.

    Returns
    -------
    float
        The half-life in steps (not rounded); 0 for :math:`\beta = 0`, 6.58 for 0.9, 692.8 for
        0.999.
    """
    beta = check_decay_rate(beta, "beta")
    if beta == 0.0:
        return 0.0
    return float(np.log(2.0) / -np.log(beta))


def ema_noise_ratio(beta: float) -> float:
    r"""How much an EMA shrinks independent noise: :math:`\sqrt{(1-\beta)/(1+\beta)}`.

    If :math:`x_t = \mu + \sigma\xi_t` with independent :math:`\xi_t` of unit variance, then once
    the start is forgotten the EMA has standard deviation :math:`\sigma` times this ratio,
    because :math:`\sum_{k\ge0} \big((1-\beta)\beta^k\big)^2 = (1-\beta)/(1+\beta)`.

    Parameters
    ----------
    beta : float
        Exponential decay rate :math:`\beta \in [0, 1)`.

    Returns
    -------
    float
        1 for :math:`\beta = 0` (no averaging), 0.229 for 0.9, 0.0224 for 0.999.
    """
    beta = check_decay_rate(beta, "beta")
    return float(np.sqrt((1.0 - beta) / (1.0 + beta)))
