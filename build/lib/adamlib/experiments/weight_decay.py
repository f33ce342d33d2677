r"""L2 regularisation inside Adam against decoupled weight decay (AdamW), per parameter (chapter 7).

:class:`adamlib.Adam` offers both (``weight_decay=λ``):

- L2 (``decoupled_weight_decay=False``): :math:`g_t \leftarrow g_t + \lambda\phi_{t-1}`. The
  term :math:`\lambda\phi` then goes through the moments and is divided by
  :math:`\sqrt{\hat v_t}+\varepsilon` like the rest of the gradient, so parameter :math:`i` loses
  about the fraction :math:`\alpha\lambda/(\sqrt{\hat v_{t,i}}+\varepsilon)` of itself per step
  (:func:`l2_decay_rate`): less where the gradients have been large.
- Decoupled (``decoupled_weight_decay=True``, PyTorch's ``AdamW``):
  :math:`\phi_{t-1} \leftarrow (1-\alpha\lambda)\phi_{t-1}` before the Adam step, the same
  fraction :math:`\alpha\lambda` for every parameter (:func:`decoupled_decay_rate`).

Loshchilov & Hutter (2019) write the decoupled step as :math:`\eta_t\lambda\phi_{t-1}` with a
schedule multiplier :math:`\eta_t`, not multiplied by :math:`\alpha`; PyTorch and adamlib use
:math:`\alpha\lambda`, so their :math:`\lambda` is the paper's divided by :math:`\alpha`.
"""

from __future__ import annotations

import numpy as np

from adamlib._checks import check_nonnegative, check_positive
from adamlib.adam import effective_learning_rate


def l2_decay_rate(
    v_hat: np.ndarray, lr: float, weight_decay: float, eps: float = 1e-8
) -> np.ndarray:
    r"""The fraction of :math:`\phi` that L2 inside Adam removes per step:
    :math:`\alpha\lambda/(\sqrt{\hat v_t}+\varepsilon)`.

    The L2 part of Adam's step is :math:`\alpha` times the moving average of
    :math:`\lambda\phi` divided by :math:`\sqrt{\hat v_t}+\varepsilon`; when :math:`\phi` changes
    slowly compared with the window of :math:`m_t`, that is :math:`\phi` times this rate. It is
    :math:`\lambda` times :func:`adamlib.adam.effective_learning_rate`.

    Parameters
    ----------
    v_hat : ndarray
        :math:`\hat v_t \ge 0`, per parameter.
    lr : float
        :math:`\alpha > 0`.
    weight_decay : float
        :math:`\lambda \ge 0`.
    eps : float, default 1e-8
        :math:`\varepsilon \ge 0`.

    Returns
    -------
    ndarray
        Shaped like ``v_hat``; compare with :func:`decoupled_decay_rate`.
    """
    v_hat = np.asarray(v_hat, dtype=np.float64)
    if np.any(v_hat < 0) or not np.all(np.isfinite(v_hat)):
        raise ValueError("v_hat must be finite and >= 0")
    lr = check_positive(lr, "lr")
    weight_decay = check_nonnegative(weight_decay, "weight_decay")
    eps = check_nonnegative(eps, "eps")
    with np.errstate(divide="ignore"):
        return weight_decay * effective_learning_rate(v_hat, lr, eps)


def decoupled_decay_rate(lr: float, weight_decay: float) -> float:
    r"""The fraction :math:`\alpha\lambda` of :math:`\phi` that decoupled decay removes per step.

    :class:`adamlib.Adam` with ``decoupled_weight_decay=True`` multiplies :math:`\phi_{t-1}` by
    :math:`1-\alpha\lambda` before each step, whatever the gradients.

    Parameters
    ----------
    lr : float
        :math:`\alpha > 0`.
    weight_decay : float
        :math:`\lambda \ge 0`.

    Returns
    -------
    float
        :math:`\alpha\lambda`.
    """
    return check_positive(lr, "lr") * check_nonnegative(weight_decay, "weight_decay")
