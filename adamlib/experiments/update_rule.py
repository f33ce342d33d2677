r"""Chapter 4: how far one Adam step can go.

The paper's approximate bound on :math:`|\Delta\phi_t|` and the exact size of the step at a lone
gradient spike after a run of zeros; the step itself is :meth:`adamlib.Adam.step`.
"""

from __future__ import annotations

from adamlib._checks import check_count, check_decay_rate, check_positive
from adamlib.bias import bias_correction


def step_size_bound(lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999) -> float:
    r"""Kingma & Ba's approximate bound on one step, :math:`|\Delta\phi_t| \lesssim` this value.

    With :math:`\varepsilon = 0` the paper (section 2.1) gives two cases:

    .. math::
        |\Delta\phi_t| \lesssim
        \begin{cases}
          \alpha\,(1-\beta_1)/\sqrt{1-\beta_2} & \text{if } 1-\beta_1 > \sqrt{1-\beta_2},\\
          \alpha & \text{otherwise,}
        \end{cases}

    that is :math:`\alpha \max\bigl(1, (1-\beta_1)/\sqrt{1-\beta_2}\bigr)`; a lone spike after a
    long run of zeros reaches the first case. It is a rule of thumb, not a strict bound: a
    gradient that grows geometrically step after step can exceed it.

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
    lr = check_positive(lr, "lr")
    beta1 = check_decay_rate(beta1, "beta1")
    beta2 = check_decay_rate(beta2, "beta2")
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
    beta1 = check_decay_rate(beta1, "beta1")
    beta2 = check_decay_rate(beta2, "beta2")
    t = check_count(t, "t")
    ratio = (1.0 - beta1) / (1.0 - beta2) ** 0.5
    if corrected:
        ratio *= bias_correction(beta2, t) ** 0.5 / bias_correction(beta1, t)
    return ratio
