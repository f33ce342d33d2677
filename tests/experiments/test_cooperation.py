"""Chapter 5, how m̂_t and v̂_t cooperate: the signal-to-noise functions of adamlib.adam and the
limits β1 = 0 (RMSProp) and β1 = β2 = 0 (sign descent) the chapter prints."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import adamlib
from adamlib.adam import adam_direction
from adamlib.bias import bias_correction
from adamlib.experiments.cooperation import (
    signal_to_noise,
    signal_to_noise_floor,
    signal_to_noise_limit,
)
from adamlib.optimizers import RMSProp

ROSEN = adamlib.Rosenbrock()
START = [-1.0, -0.5]


# -- signal_to_noise --------------------------------------------------------------------------
def test_signal_to_noise_by_hand() -> None:
    got = signal_to_noise(np.array([1.0, 0.0, -2.0, 3.0]), np.array([4.0, 0.0, 1.0, 9.0]))
    np.testing.assert_array_equal(got, [0.5, 0.0, 2.0, 1.0])


@given(
    m=hnp.arrays(np.float64, 6, elements=st.floats(-1e3, 1e3)),
    v=hnp.arrays(np.float64, 6, elements=st.floats(1e-6, 1e6)),
)
def test_signal_to_noise_is_the_adam_direction_without_eps(m: np.ndarray, v: np.ndarray) -> None:
    np.testing.assert_allclose(signal_to_noise(m, v), np.abs(adam_direction(m, v, 0.0)), rtol=1e-15)


def test_signal_to_noise_of_a_trace_is_the_step_over_alpha() -> None:
    """With ε = 0, |Δφ_t| = α |m̂_t| / √v̂_t exactly as in the chapter's noisy bowl."""
    trace = adamlib.run(
        adamlib.Adam(lr=0.02, eps=0.0), adamlib.Quadratic(curvatures=(1.0,)), [3.0], 200,
        noise=1.0, seed=0,
    )  # fmt: skip
    ratio = signal_to_noise(trace.m_hat, trace.v_hat)
    np.testing.assert_allclose(np.abs(trace.delta), 0.02 * ratio, rtol=1e-12)


def test_signal_to_noise_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="shape"):
        signal_to_noise(np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match="v_hat"):
        signal_to_noise(np.ones(2), np.array([1.0, -1.0]))
    with pytest.raises(ValueError, match="v_hat"):
        signal_to_noise(np.ones(1), np.array([np.inf]))


# -- signal_to_noise_limit and _floor ---------------------------------------------------------
def test_limit_by_hand() -> None:
    assert signal_to_noise_limit(1.0, 0.0) == 1.0
    assert signal_to_noise_limit(-3.0, 4.0) == pytest.approx(0.6, rel=1e-15)
    assert signal_to_noise_limit(0.0, 1.0) == 0.0
    assert signal_to_noise_limit(1.0, 1.0) == pytest.approx(1 / math.sqrt(2), rel=1e-15)


def test_limit_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="both"):
        signal_to_noise_limit(0.0, 0.0)
    with pytest.raises(ValueError, match="std"):
        signal_to_noise_limit(1.0, -1.0)
    with pytest.raises(ValueError, match="mean"):
        signal_to_noise_limit(math.nan, 1.0)
    with pytest.raises(TypeError, match="mean"):
        signal_to_noise_limit("1", 1.0)  # type: ignore[arg-type]


def test_floor_by_hand() -> None:
    assert signal_to_noise_floor(0.0) == pytest.approx(math.sqrt(2 / math.pi), rel=1e-15)
    assert signal_to_noise_floor(0.9) == pytest.approx(0.18304727, rel=1e-7)
    assert signal_to_noise_floor(0.99) == pytest.approx(0.0565605, rel=1e-5)
    with pytest.raises(ValueError, match="beta1"):
        signal_to_noise_floor(1.0)


def test_measured_ratios_match_the_limit_and_the_floor() -> None:
    """The numbers chapter 5 prints: 8 independent parameters per setting, 4000 steps."""
    settings = [(1.0, 0.5), (1.0, 1.0), (1.0, 2.0), (0.0, 1.0)]
    mu = np.repeat([m for m, _ in settings], 8)
    sigma = np.repeat([s for _, s in settings], 8)
    grads = mu + sigma * np.random.default_rng(0).standard_normal((4000, mu.size))
    trace = adamlib.run_sequence(adamlib.Adam(), grads)
    ratios = signal_to_noise(trace.m_hat, trace.v_hat)[1000:].mean(axis=0).reshape(4, 8).mean(1)
    for (m, s), got in zip(settings[:3], ratios[:3], strict=True):
        assert got == pytest.approx(signal_to_noise_limit(m, s), abs=0.01)
    assert ratios[3] == pytest.approx(signal_to_noise_floor(0.9), rel=0.05)


# -- the two limits ---------------------------------------------------------------------------
@pytest.mark.parametrize("beta2", [0.9, 0.99, 0.999])
def test_beta1_zero_without_bias_correction_is_rmsprop_bit_for_bit(beta2: float) -> None:
    adam = adamlib.Adam(lr=0.01, beta1=0.0, beta2=beta2, eps=1e-8, bias_correction=False)
    rms = RMSProp(lr=0.01, beta2=beta2, eps=1e-8)
    a = adamlib.run(adam, ROSEN, START, 200)
    b = adamlib.run(rms, ROSEN, START, 200)
    assert a.phi.tobytes() == b.phi.tobytes()


def test_beta1_zero_with_bias_correction_differs_by_the_v_correction_only() -> None:
    rms = adamlib.run(RMSProp(lr=0.01, beta2=0.99, eps=0.0), ROSEN, START, 300)
    adam = adamlib.run_sequence(adamlib.Adam(lr=0.01, beta1=0.0, beta2=0.99, eps=0.0), rms.g, START)
    ratio = adam.delta / rms.delta
    expected = np.sqrt([bias_correction(0.99, t) for t in range(1, 301)])
    np.testing.assert_allclose(ratio, np.column_stack([expected, expected]), rtol=1e-12)


def test_beta1_beta2_zero_is_sign_descent() -> None:
    grads = np.array([3.0, -0.01, 250.0, -7.0, 1e-3])
    trace = adamlib.run_sequence(adamlib.Adam(lr=0.1, beta1=0.0, beta2=0.0), grads)
    np.testing.assert_allclose(trace.delta[:, 0], -0.1 * np.sign(grads), rtol=1e-5)
    exact = adamlib.run_sequence(adamlib.Adam(lr=0.1, beta1=0.0, beta2=0.0, eps=0.0), grads)
    np.testing.assert_array_equal(exact.delta[:, 0], -0.1 * np.sign(grads))


def test_sign_descent_cycles_where_adam_converges() -> None:
    bowl = adamlib.Quadratic(curvatures=(1.0,))
    sign = adamlib.run(adamlib.Adam(lr=0.3, beta1=0.0, beta2=0.0), bowl, [1.0], 200)
    adam = adamlib.run(adamlib.Adam(lr=0.3), bowl, [1.0], 200)
    np.testing.assert_allclose(sign.phi[1:7, 0], [0.7, 0.4, 0.1, -0.2, 0.1, -0.2], atol=1e-6)
    assert abs(sign.final[0]) > 0.09 and abs(adam.final[0]) < 1e-4


def test_moments_never_read_each_other() -> None:
    """Given the gradients, m_t ignores β2 and v_t ignores β1 (bit for bit)."""
    grads = np.random.default_rng(1).standard_normal((50, 3))
    base = adamlib.run_sequence(adamlib.Adam(), grads)
    assert base.m.tobytes() == adamlib.run_sequence(adamlib.Adam(beta2=0.5), grads).m.tobytes()
    assert base.v.tobytes() == adamlib.run_sequence(adamlib.Adam(beta1=0.0), grads).v.tobytes()
