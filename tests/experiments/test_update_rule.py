"""Chapter 4, the update rule: step-size bound, the lone-spike step, scale invariance."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import adamlib
from adamlib import plotting
from adamlib.experiments.update_rule import sparse_step_ratio, step_size_bound

betas = st.floats(min_value=0.0, max_value=0.999)


def spike(t: int, value: float = 1.0, width: int = 1) -> np.ndarray:
    """``t - 1`` zeros and then ``value``: a gradient that arrives once, after a long silence."""
    g = np.zeros((t, width))
    g[-1] = value
    return g


# -- step_size_bound ------------------------------------------------------------------------------


def test_step_size_bound_defaults_is_sparse_case() -> None:
    """Defaults: 1-β1 = 0.1 > √(1-β2) ≈ 0.0316, so the bound is α·0.1/√0.001 ≈ 3.16 α."""
    assert step_size_bound() == pytest.approx(1e-3 * 0.1 / np.sqrt(1e-3), rel=1e-15)
    assert step_size_bound(0.1) == pytest.approx(0.316227766, rel=1e-9)


@pytest.mark.parametrize(("beta1", "beta2"), [(0.99, 0.999), (0.9, 0.9), (0.0, 0.0), (0.5, 0.5)])
def test_step_size_bound_common_case_is_alpha(beta1: float, beta2: float) -> None:
    """When 1-β1 <= √(1-β2) the bound is α itself."""
    assert 1 - beta1 <= np.sqrt(1 - beta2)
    assert step_size_bound(0.25, beta1, beta2) == 0.25


@given(beta1=betas, beta2=betas, lr=st.floats(1e-6, 10.0))
def test_step_size_bound_is_alpha_times_max(beta1: float, beta2: float, lr: float) -> None:
    expected = lr * max(1.0, (1 - beta1) / np.sqrt(1 - beta2))
    assert step_size_bound(lr, beta1, beta2) == pytest.approx(expected, rel=1e-14)
    assert step_size_bound(lr, beta1, beta2) >= lr


# -- sparse_step_ratio ----------------------------------------------------------------------------


@given(
    beta1=betas,
    beta2=betas,
    t=st.integers(1, 400),
    value=st.floats(1e-6, 1e6) | st.floats(-1e6, -1e-6),
    corrected=st.booleans(),
)
def test_sparse_step_ratio_matches_adam_at_the_spike(
    beta1: float, beta2: float, t: int, value: float, corrected: bool
) -> None:
    """The closed form is what Adam (ε = 0) does at a spike after t-1 zeros, for any spike size."""
    opt = adamlib.Adam(lr=0.01, beta1=beta1, beta2=beta2, eps=0.0, bias_correction=corrected)
    with np.errstate(invalid="ignore"):  # the zeros before the spike give 0/0 when ε = 0
        trace = adamlib.run_sequence(opt, spike(t, value))
    measured = abs(float(trace.delta[-1, 0])) / 0.01
    assert measured == pytest.approx(
        sparse_step_ratio(beta1, beta2, t, corrected=corrected), rel=1e-12
    )
    assert np.sign(trace.delta[-1, 0]) == -np.sign(value)


def test_sparse_step_ratio_known_values() -> None:
    assert sparse_step_ratio(0.9, 0.999, 1) == pytest.approx(1.0, rel=1e-13)
    assert sparse_step_ratio(0.9, 0.999, 1000) == pytest.approx(2.5145667126, rel=1e-9)
    assert sparse_step_ratio(0.9, 0.999, 1000, corrected=False) == pytest.approx(
        np.sqrt(10.0), rel=1e-14
    )


def test_sparse_step_ratio_dips_then_rises_to_the_bound() -> None:
    """1 at t = 1; below 1 while 1-β1^t has caught up and 1-β2^t has not; then up to the bound."""
    ts = np.arange(1, 100_001)
    ratios = np.array([sparse_step_ratio(0.9, 0.999, int(t)) for t in ts])
    assert ratios[0] == pytest.approx(1.0, rel=1e-13)
    assert ratios.min() < 0.5
    assert np.all(np.diff(ratios[100:]) >= 0)  # flat once 1-β^t rounds to 1
    assert ratios[-1] == pytest.approx(step_size_bound(1.0), rel=1e-12)
    assert ratios.max() <= step_size_bound(1.0)


def test_bound_is_not_strict_for_growing_gradients() -> None:
    """A gradient that grows by β2/β1 per step (after zeros that let 1-β^t reach 1) beats it.

    By Cauchy–Schwarz the worst ratio |m_t|/√v_t is √((1-β1)²/((1-β2)(1-β1²/β2))) ≈ 7.27 for the
    defaults, above the paper's (1-β1)/√(1-β2) ≈ 3.16: the paper's bound is a rule of thumb.
    """
    beta1, beta2 = 0.9, 0.999
    growth = (beta2 / beta1) ** np.arange(300)
    g = np.concatenate([np.zeros(20_000), 1e-12 * growth])
    with np.errstate(invalid="ignore"):  # 0/0 on the zeros, ε = 0
        trace = adamlib.run_sequence(adamlib.Adam(lr=1.0, eps=0.0), g)
    worst = float(np.nanmax(np.abs(trace.delta)))
    cauchy_schwarz = np.sqrt((1 - beta1) ** 2 / ((1 - beta2) * (1 - beta1**2 / beta2)))
    assert worst > 2 * step_size_bound(1.0)
    assert worst == pytest.approx(cauchy_schwarz, rel=1e-3)
    assert worst <= cauchy_schwarz * (1 + 1e-12)


@given(g=st.floats(1e-3, 1e3) | st.floats(-1e3, -1e-3), t=st.integers(1, 300))
def test_constant_gradient_steps_at_most_alpha(g: float, t: int) -> None:
    """The common case: a steady gradient gives |Δφ_t| ≈ α (below it by the ε share)."""
    trace = adamlib.run_sequence(adamlib.Adam(lr=0.1), np.full(t, g))
    ratios = np.abs(trace.delta[:, 0]) / 0.1
    assert np.all(ratios <= 1.0 + 1e-12)
    assert np.all(ratios >= abs(g) / (abs(g) + 1e-8) - 1e-12)


# -- scale invariance -----------------------------------------------------------------------------


@given(seed=st.integers(0, 2**32 - 1), exponent=st.integers(-60, 60))
def test_power_of_two_scale_gives_identical_steps_without_eps(seed: int, exponent: int) -> None:
    """g_t · 2^k scales m_t and √v_t exactly: with ε = 0 the steps are bitwise equal."""
    g = np.random.default_rng(seed).standard_normal((50, 3))
    opt = adamlib.Adam(lr=0.01, eps=0.0)
    a = adamlib.run_sequence(opt, g)
    b = adamlib.run_sequence(opt, np.ldexp(g, exponent))
    assert a.delta.tobytes() == b.delta.tobytes()
    assert a.phi.tobytes() == b.phi.tobytes()


@given(seed=st.integers(0, 2**32 - 1), scale=st.floats(1e-6, 1e6))
def test_any_scale_gives_the_same_trajectory_without_eps(seed: int, scale: float) -> None:
    g = np.random.default_rng(seed).standard_normal((100, 2))
    opt = adamlib.Adam(lr=0.01, eps=0.0)
    a = adamlib.run_sequence(opt, g)
    b = adamlib.run_sequence(opt, g * scale)
    np.testing.assert_allclose(b.phi, a.phi, rtol=0, atol=1e-14)


def test_eps_breaks_scale_invariance_for_tiny_gradients() -> None:
    """|g| = ε: the first step is α|g|/(|g|+ε) = α/2, not α."""
    trace = adamlib.run_sequence(adamlib.Adam(lr=0.1, eps=1e-8), [1e-8])
    assert abs(float(trace.delta[0, 0])) == pytest.approx(0.05, rel=1e-12)


# -- plot_step_sizes ------------------------------------------------------------------------------


def test_plot_step_sizes_draws_one_line_per_trace() -> None:
    a = adamlib.run_sequence(adamlib.Adam(lr=0.1), [[1.0, 2.0], [0.0, 0.0], [0.5, -1.0]])
    b = adamlib.run_sequence(adamlib.Adam(lr=0.1), spike(5, 3.0, width=2))
    ax = plotting.plot_step_sizes({"Adam": a, "spike": b}, lr=0.1, title="t")
    lines = ax.get_lines()
    assert len(lines) == 2
    np.testing.assert_allclose(lines[0].get_ydata(), np.linalg.norm(a.delta, axis=1) / 0.1)
    assert np.isnan(lines[1].get_ydata()[:4]).all(), "zero steps are left out of a log axis"
    assert ax.get_yscale() == "log"
    ax2 = plotting.plot_step_sizes({"Adam": a}, index=1)
    np.testing.assert_allclose(ax2.get_lines()[0].get_ydata(), np.abs(a.delta[:, 1]))
    plt.close("all")


# -- validation -----------------------------------------------------------------------------------

BAD_CALLS: list[Any] = [
    pytest.param(lambda: step_size_bound(0.0), "lr", id="bound-lr=0"),
    pytest.param(lambda: step_size_bound(1e-3, 1.0), "beta1", id="bound-beta1=1"),
    pytest.param(lambda: step_size_bound(1e-3, 0.9, -0.1), "beta2", id="bound-beta2<0"),
    pytest.param(lambda: sparse_step_ratio(1.2, 0.999, 3), "beta1", id="ratio-beta1"),
    pytest.param(lambda: sparse_step_ratio(0.9, 1.0, 3), "beta2", id="ratio-beta2"),
    pytest.param(lambda: sparse_step_ratio(0.9, 0.999, 0), "t", id="ratio-t=0"),
    pytest.param(lambda: sparse_step_ratio(0.9, 0.999, 2.5), "t", id="ratio-t=2.5"),
]


@pytest.mark.parametrize(("call", "name"), BAD_CALLS)
def test_bad_arguments_are_named(call: Callable[[], Any], name: str) -> None:
    with pytest.raises((ValueError, TypeError), match=name):
        call()


def test_plot_step_sizes_rejects_bad_lr() -> None:
    a = adamlib.run_sequence(adamlib.Adam(), [1.0])
    with pytest.raises(ValueError, match="lr"):
        plotting.plot_step_sizes({"a": a}, lr=-1.0)
    plt.close("all")
