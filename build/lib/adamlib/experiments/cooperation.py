r"""Chapter 5: how :math:`\hat m_t` and :math:`\hat v_t` cooperate.

Adam's signal-to-noise ratio :math:`|\hat m_t|/\sqrt{\hat v_t}`, where it settles for noisy
gradients with a mean, and its floor for pure noise.
"""

from __future__ import annotations

import numpy as np

from adamlib._checks import check_decay_rate, check_finite, check_nonnegative
from adamlib.moments import ema_noise_ratio


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
    mean = check_finite(mean, "mean")
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

    return float(np.sqrt(2.0 / np.pi)) * ema_noise_ratio(check_decay_rate(beta1, "beta1"))
