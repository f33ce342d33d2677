r"""Bias correction :math:`1-\beta^t` (chapter 3).

Because :math:`m_0 = v_0 = 0`, the moving averages start too small: with a stationary gradient,
:math:`\mathbb{E}[m_t] = (1-\beta_1^t)\,\mathbb{E}[g]`. Dividing by :math:`1-\beta^t` removes that.
"""

from __future__ import annotations

import numpy as np

from adamlib._checks import check_count, check_decay_rate


def bias_correction(beta: float, t: int) -> float:
    r"""The correction factor :math:`1-\beta^t`.

    Parameters
    ----------
    beta : float
        Exponential decay rate :math:`\beta \in [0, 1)`.
    t : int
        Step number, :math:`t \ge 1`.

    Returns
    -------
    float
        :math:`1-\beta^t`, which rises from :math:`1-\beta` at :math:`t=1` towards 1.
    """
    beta = check_decay_rate(beta, "beta")
    t = check_count(t, "t")
    return _one_minus_power(beta, t)


def _one_minus_power(beta: float, t: int) -> float:
    r""":math:`1-\beta^t` for arguments already checked (the one place the factor is computed)."""
    return 1.0 - beta**t


def bias_corrections(beta: float, steps: int) -> np.ndarray:
    r"""The factors :math:`1-\beta^t` for :math:`t = 1, \dots,` ``steps``, as an array."""
    beta = check_decay_rate(beta, "beta")
    steps = check_count(steps, "steps")
    return np.array([_one_minus_power(beta, t) for t in range(1, steps + 1)])


def correct(moment: np.ndarray, beta: float, t: int) -> np.ndarray:
    r"""A bias-corrected moment, :math:`\hat m_t = m_t/(1-\beta_1^t)` or the same for :math:`v_t`.

    Checks nothing (see ``adamlib._checks``): the optimizers call it with checked values.

    Parameters
    ----------
    moment : ndarray
        :math:`m_t` or :math:`v_t`.
    beta : float
        The decay rate that built it (:math:`\beta_1` or :math:`\beta_2`), in :math:`[0, 1)`.
    t : int
        Step number, :math:`t \ge 1`.

    Returns
    -------
    ndarray
        :math:`\hat m_t` or :math:`\hat v_t`, a new array.
    """
    return moment / (1.0 - beta**t)
