"""adamlib.experiments.weight_decay (chapter 7): per-parameter decay rates of L2-in-Adam and
AdamW, and the invariance that only the decoupled form keeps."""

from __future__ import annotations

import numpy as np
import pytest

import adamlib
from adamlib.experiments.weight_decay import decoupled_decay_rate, l2_decay_rate


def test_rates_by_hand() -> None:
    np.testing.assert_allclose(
        l2_decay_rate(np.array([1e-4, 1.0, 100.0]), lr=0.1, weight_decay=0.5, eps=0.0),
        [0.05 / 1e-2, 0.05, 0.05 / 10],
    )
    assert decoupled_decay_rate(0.1, 0.5) == pytest.approx(0.05)
    assert np.isinf(l2_decay_rate(np.zeros(1), 0.1, 0.5, eps=0.0)).all()


def test_rates_reject_bad_input() -> None:
    with pytest.raises(ValueError, match="v_hat"):
        l2_decay_rate(np.array([-1.0]), 0.1, 0.1)
    with pytest.raises(ValueError, match="weight_decay"):
        l2_decay_rate(np.ones(1), 0.1, -0.1)
    with pytest.raises(ValueError, match="lr"):
        decoupled_decay_rate(0.0, 0.1)


def test_decoupled_decay_removes_alpha_lambda_of_phi_per_step() -> None:
    """With zero gradients, AdamW only decays: φ_t = (1 - αλ)^t φ_0."""
    opt = adamlib.Adam(lr=0.1, weight_decay=0.5, decoupled_weight_decay=True)
    trace = adamlib.run_sequence(opt, np.zeros((5, 2)), phi0=np.array([1.0, -2.0]))
    rate = decoupled_decay_rate(0.1, 0.5)
    np.testing.assert_allclose(trace.phi[-1], (1 - rate) ** 5 * np.array([1.0, -2.0]))


def test_l2_decay_part_of_the_step_is_the_rate_times_phi() -> None:
    """With β1 = 0, the L2 part of Adam's step is exactly α λ φ/(√v̂ + ε)."""
    phi0 = np.array([1.0, 1.0])
    g = np.array([0.1, 10.0])
    lam, lr = 0.01, 0.01
    with_l2 = adamlib.Adam(lr=lr, beta1=0.0, weight_decay=lam)
    trace = adamlib.run_sequence(with_l2, g[None, :], phi0=phi0)
    total = g + lam * phi0  # what Adam saw
    data_part = -lr * g / (np.sqrt(trace.v_hat[0]) + 1e-8)
    l2_part = trace.delta[0] - data_part
    rate = l2_decay_rate(trace.v_hat[0], lr, lam)
    np.testing.assert_allclose(l2_part, -rate * phi0, rtol=1e-12)
    np.testing.assert_allclose(trace.v_hat[0], total**2, rtol=1e-12)


def test_only_decoupled_decay_keeps_adams_per_coordinate_scale_invariance() -> None:
    """f = ½·100(φ1-1)² + ½(φ2-1)²: φ1's gradient is 100 times φ2's at equal distance."""
    q = adamlib.Quadratic(curvatures=(100.0, 1.0), center=(1.0, 1.0))
    decoupled = adamlib.run(
        adamlib.Adam(lr=1e-2, eps=0.0, weight_decay=1.0, decoupled_weight_decay=True),
        q,
        np.zeros(2),
        2000,
    )
    np.testing.assert_allclose(decoupled.phi[:, 0], decoupled.phi[:, 1], rtol=1e-12, atol=1e-15)
    l2 = adamlib.run(adamlib.Adam(lr=1e-2, weight_decay=1.0), q, np.zeros(2), 3000)
    # L2 converges to the regularised minimum h/(h + λ): 100/101 and 1/2
    np.testing.assert_allclose(l2.phi[-1], [100 / 101, 0.5], atol=2e-3)
