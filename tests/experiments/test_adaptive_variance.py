"""adamlib.experiments.adaptive_variance (chapter 7): ψ_t = 1/(√v̂_t + ε), its Monte Carlo
statistics, and the exact and approximate variances behind RAdam's r_t."""

from __future__ import annotations

import math

import numpy as np
import pytest

import adamlib
from adamlib.experiments.adaptive_variance import (
    adaptive_learning_rates,
    adaptive_lr_statistics,
    sma_psi_variance,
    sma_psi_variance_approx,
)
from adamlib.radam import rectification, rectifications, rho_inf, rho_t


def test_adaptive_learning_rates_match_adam() -> None:
    grads = np.random.default_rng(0).standard_normal((30, 4))
    trace = adamlib.run_sequence(adamlib.Adam(lr=1.0, eps=1e-8), grads)
    psi = adaptive_learning_rates(grads, 0.999, eps=1e-8)
    np.testing.assert_allclose(psi, 1.0 / (np.sqrt(trace.v_hat) + 1e-8), rtol=1e-14)
    np.testing.assert_allclose(psi[0], 1.0 / (np.abs(grads[0]) + 1e-8), rtol=1e-12)


def test_adaptive_learning_rates_of_zero_gradients_are_infinite_without_eps() -> None:
    assert np.isinf(adaptive_learning_rates(np.zeros(3), 0.9)).all()
    np.testing.assert_allclose(adaptive_learning_rates(np.zeros(3), 0.9, eps=0.5), 2.0)


def test_statistics_match_a_direct_computation_with_the_same_draws() -> None:
    steps, n, seed = 8, 500, 3
    rng = np.random.default_rng(seed)
    grads = np.array([rng.standard_normal(n) for _ in range(steps)])
    psi = adaptive_learning_rates(grads, 0.99)
    stats = adaptive_lr_statistics(0.99, steps, n, seed=seed)
    np.testing.assert_allclose(stats.mean, psi.mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(stats.var, psi.var(axis=1, ddof=1), rtol=1e-10)
    assert stats.n_sequences == n and stats.steps == steps


def test_statistics_are_reproducible_and_scale_applies() -> None:
    a = adaptive_lr_statistics(0.999, 20, 1000, seed=1)
    b = adaptive_lr_statistics(0.999, 20, 1000, seed=1, scale=2.0)
    np.testing.assert_allclose(b.mean, 2 * a.mean, rtol=1e-14)
    np.testing.assert_allclose(b.var, 4 * a.var, rtol=1e-12)
    r = adaptive_lr_statistics(0.999, 20, 1000, seed=1, scale=rectifications(0.999, 20))
    assert np.isnan(r.var[:5]).all() and np.isfinite(r.var[5:]).all()


def test_monte_carlo_agrees_with_the_exact_sma_variance_from_t_3() -> None:
    """For β2 = 0.999 and small t, v̂_t is almost the plain average of t squares."""
    stats = adaptive_lr_statistics(0.999, 10, 200_000, seed=0)
    for t in (3, 6, 10):
        assert stats.var[t - 1] == pytest.approx(sma_psi_variance(t), rel=0.08)


def test_sample_variance_at_t1_keeps_growing_with_the_sample_size() -> None:
    """Var[1/|g|] is infinite: more samples, larger estimates."""
    small = adaptive_lr_statistics(0.999, 1, 1_000, seed=0).var[0]
    large = adaptive_lr_statistics(0.999, 1, 100_000, seed=0).var[0]
    assert large > 10 * small


def test_sma_variance_known_values_and_limits() -> None:
    assert sma_psi_variance(2.0) == math.inf and sma_psi_variance(1.0) == math.inf
    # ρ = 3: 3 - 3 Γ(1)²/(2 Γ(3/2)²) = 3 - 6/π
    assert sma_psi_variance(3.0) == pytest.approx(3 - 6 / math.pi, rel=1e-12)
    # large ρ: about (1 + 15/(4ρ))/(2ρ), with no loss of precision where the two terms cancel
    assert sma_psi_variance(1e6) == pytest.approx((1 + 3.75e-6) / 2e6, rel=1e-8)
    assert sma_psi_variance(999.9999) == pytest.approx(sma_psi_variance(1000.0), rel=1e-6)
    assert sma_psi_variance(10.0, std=2.0) == pytest.approx(sma_psi_variance(10.0) / 4)
    rhos = np.linspace(2.5, 500, 50)
    assert np.all(np.diff([sma_psi_variance(r) for r in rhos]) < 0)


def test_sma_variance_by_monte_carlo() -> None:
    rng = np.random.default_rng(0)
    rho = 7
    v_hat = np.mean(rng.standard_normal((rho, 400_000)) ** 2, axis=0)
    assert np.var(1 / np.sqrt(v_hat)) == pytest.approx(sma_psi_variance(rho), rel=0.02)


def test_approximation_formula_and_its_pole_at_four() -> None:
    assert sma_psi_variance_approx(4.0) == math.inf
    assert sma_psi_variance_approx(6.0) == pytest.approx(6 / (2 * 4 * 2))
    assert sma_psi_variance_approx(5.0) > 3 * sma_psi_variance(5.0)
    assert sma_psi_variance_approx(1e4) == pytest.approx(sma_psi_variance(1e4), rel=1e-3)


@pytest.mark.parametrize("beta2", [0.99, 0.999])
@pytest.mark.parametrize("t", [6, 10, 100, 1000])
def test_rectification_is_the_root_of_the_approximate_variance_ratio(beta2: float, t: int) -> None:
    ratio = sma_psi_variance_approx(rho_inf(beta2)) / sma_psi_variance_approx(rho_t(beta2, t))
    assert math.sqrt(ratio) == pytest.approx(rectification(beta2, t), rel=1e-10)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n_sequences": 1}, "n_sequences"),
        ({"steps": 0}, "steps"),
        ({"std": 0.0}, "std"),
        ({"eps": -1.0}, "eps"),
        ({"seed": -1}, "seed"),
    ],
)
def test_statistics_reject_bad_arguments(kwargs: dict, name: str) -> None:
    args = {"beta2": 0.999, "steps": 5, "n_sequences": 10, **kwargs}
    with pytest.raises(ValueError, match=name):
        adaptive_lr_statistics(**args)


@pytest.mark.parametrize("bad", [0.0, -1.0, math.inf])
def test_variances_reject_bad_rho(bad: float) -> None:
    with pytest.raises(ValueError, match="rho"):
        sma_psi_variance(bad)
    with pytest.raises(ValueError, match="rho"):
        sma_psi_variance_approx(bad)
