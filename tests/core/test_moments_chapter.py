"""adamlib.moments, the helpers chapters 1 and 2 call: series, RMS, half-life, noise ratio."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from adamlib.moments import (
    effective_window,
    ema_half_life,
    ema_noise_ratio,
    ema_weights,
    first_moment,
    first_moment_series,
    gradient_rms,
    second_moment,
    second_moment_series,
)

betas = st.floats(min_value=0.0, max_value=0.9999)
sequences = hnp.arrays(
    np.float64,
    st.tuples(st.integers(1, 30), st.integers(1, 4)),
    elements=st.floats(-1e6, 1e6, allow_subnormal=False),
)


# -- series ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("series", "step"),
    [(first_moment_series, first_moment), (second_moment_series, second_moment)],
    ids=["first", "second"],
)
@given(beta=betas, grads=sequences)
def test_series_is_the_step_function_applied_row_by_row(
    series: Callable[..., np.ndarray], step: Callable[..., np.ndarray], beta: float, grads: Any
) -> None:
    """Bit for bit what a loop over the one-step function gives, from a zero start."""
    got = series(grads, beta)
    assert got.shape == grads.shape and got.dtype == np.float64
    moment = np.zeros(grads.shape[1])
    for t, g in enumerate(grads):
        moment = step(moment, g, beta)
        assert got[t].tobytes() == moment.tobytes(), t


def test_series_of_a_1d_sequence_is_1d() -> None:
    """By hand: m = 0.2, 0.58, 0.422 and v = 0.4, 1.96, 1.864 for g = 2, 4, -1 (β = 0.9)."""
    g = [2.0, 4.0, -1.0]
    m = first_moment_series(g, 0.9)
    v = second_moment_series(g, 0.9)
    assert m.shape == v.shape == (3,)
    np.testing.assert_allclose(m, [0.2, 0.58, 0.422], rtol=1e-15)
    np.testing.assert_allclose(v, [0.4, 1.96, 1.864], rtol=1e-15)


def test_series_leaves_its_input_alone() -> None:
    g = np.array([[1.0, -2.0], [3.0, 0.5]])
    before = g.copy()
    first_moment_series(g, 0.9)
    second_moment_series(g, 0.999)
    assert g.tobytes() == before.tobytes()


def test_constant_gradient_gives_one_minus_beta_to_the_t() -> None:
    """m_t = (1 - β^t) g for a constant g: the start at zero that chapter 3 corrects."""
    t = np.arange(1, 51)
    m = first_moment_series(np.full(50, 3.0), 0.9)
    np.testing.assert_allclose(m, 3.0 * (1.0 - 0.9**t), rtol=1e-13)


@pytest.mark.parametrize(
    ("call", "name", "value", "exc"),
    [
        (lambda b: first_moment_series([1.0], b), "beta1", 1.0, ValueError),
        (lambda b: first_moment_series([1.0], b), "beta1", "0.9", TypeError),
        (lambda b: second_moment_series([1.0], b), "beta2", -0.5, ValueError),
        (lambda b: second_moment_series([1.0], b), "beta2", None, TypeError),
        (ema_half_life, "beta", 1.0, ValueError),
        (ema_noise_ratio, "beta", 1.5, ValueError),
    ],
)
def test_bad_beta_is_named(call: Callable[[Any], Any], name: str, value: Any, exc: type) -> None:
    with pytest.raises(exc) as info:
        call(value)
    assert str(info.value).startswith(f"{name} ") and repr(value) in str(info.value)


@pytest.mark.parametrize("grads", [[], 1.0, np.zeros((0, 3))], ids=["empty", "scalar", "no-rows"])
def test_series_needs_at_least_one_step(grads: Any) -> None:
    with pytest.raises(ValueError, match="grads must have shape"):
        first_moment_series(grads, 0.9)


# -- gradient_rms ----------------------------------------------------------------------------
def test_gradient_rms_of_a_constant_magnitude_is_that_magnitude() -> None:
    """An alternating ±2 has mean near 0 but v_t → 4, so √v_t → 2."""
    v = second_moment_series(np.tile([2.0, -2.0], 2000), 0.99)
    assert gradient_rms(v)[-1] == pytest.approx(2.0, rel=1e-12)
    np.testing.assert_array_equal(gradient_rms(np.array([0.0, 0.25, 9.0])), [0.0, 0.5, 3.0])


# -- half-life -------------------------------------------------------------------------------
@pytest.mark.parametrize(("beta", "k"), [(0.5, 1.0), (0.0, 0.0), (0.9, 6.578813478960585)])
def test_half_life_known_values(beta: float, k: float) -> None:
    assert ema_half_life(beta) == pytest.approx(k, rel=1e-14)


@given(beta=st.floats(min_value=0.01, max_value=0.999))
def test_half_life_is_where_the_weight_halves(beta: float) -> None:
    k = ema_half_life(beta)
    assert beta**k == pytest.approx(0.5, rel=1e-12)
    assert k < effective_window(beta)


@pytest.mark.parametrize("beta", [0.8, 0.9, 0.99])
def test_half_life_is_the_time_to_cross_zero_after_a_sign_flip(beta: float) -> None:
    """From a settled m_t ≈ 1, a flip to g = -1 makes m_t negative after ceil(half-life) steps.

    (Not β = 0.5: its half-life is a whole step and m_t lands on 0 exactly.)
    """
    settle = int(50 * effective_window(beta))
    g = np.concatenate([np.ones(settle), -np.ones(settle)])
    m = first_moment_series(g, beta)
    steps_to_cross = int(np.argmax(m[settle:] < 0.0)) + 1
    assert steps_to_cross == math.ceil(ema_half_life(beta))


# -- noise ratio -----------------------------------------------------------------------------
@given(beta=st.floats(min_value=0.0, max_value=0.99))
def test_noise_ratio_is_the_root_sum_of_squared_weights(beta: float) -> None:
    t = int(40 * effective_window(beta)) + 1
    w = ema_weights(beta, t)
    assert ema_noise_ratio(beta) == pytest.approx(math.sqrt(float(w @ w)), rel=1e-12)


def test_noise_ratio_matches_a_simulation() -> None:
    """The spread of m_t around the signal, for seeded Gaussian noise, is σ · ratio to a few %."""
    rng = np.random.default_rng(0)
    beta, sigma = 0.9, 2.0
    g = 1.0 + sigma * rng.standard_normal(200_000)
    m = first_moment_series(g, beta)[1000:]
    assert float(np.std(m)) == pytest.approx(sigma * ema_noise_ratio(beta), rel=0.02)
    assert ema_noise_ratio(0.0) == 1.0
