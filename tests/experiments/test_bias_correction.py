"""Chapter 3 helpers: expectations of the moving averages, ζ_t, when the correction stops
mattering, the uncorrected step, noisy gradient sequences, the logistic-regression problem and
the figure of corrected moments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from _support import assert_rejects_naming
from hypothesis import given
from hypothesis import strategies as st

import adamlib
from adamlib.bias import bias_correction, bias_corrections
from adamlib.experiments.bias_correction import (
    expected_corrected_moment,
    expected_moment,
    noisy_gradients,
    nonstationarity_bound,
    nonstationarity_term,
    steps_to_reach,
    uncorrected_step_factor,
)
from adamlib.moments import first_moment
from adamlib.problems import LogisticRegression

betas = st.floats(min_value=0.0, max_value=0.9999)


# -- expected_moment ------------------------------------------------------------------------


@given(beta=betas, mu=st.floats(-1e3, 1e3), steps=st.integers(1, 300))
def test_expected_moment_of_a_constant_mean_is_one_minus_beta_to_the_t_times_it(
    beta: float, mu: float, steps: int
) -> None:
    expected = expected_moment(np.full(steps, mu), beta)
    np.testing.assert_allclose(
        expected, bias_corrections(beta, steps) * mu, rtol=1e-12, atol=1e-12 * abs(mu)
    )


def test_expected_moment_is_the_moving_average_of_the_means() -> None:
    means = np.random.default_rng(3).standard_normal((40, 3))
    m = np.zeros(3)
    rows = []
    for row in means:
        m = first_moment(m, row, 0.8)
        rows.append(m)
    result = expected_moment(means, 0.8)
    assert result.shape == means.shape
    np.testing.assert_array_equal(result, np.array(rows))
    np.testing.assert_array_equal(expected_moment(means[:, 0], 0.8), result[:, 0])


def test_expected_moment_matches_a_monte_carlo_average() -> None:
    grads = noisy_gradients(np.linspace(0.0, 2.0, 50), 1.0, 50, n=20_000, seed=1)
    trace = adamlib.run_sequence(adamlib.Adam(), grads)
    assert trace.m is not None
    sample_mean = trace.m.mean(axis=1)
    standard_error = trace.m.std(axis=1) / np.sqrt(grads.shape[1])
    deviation = np.abs(sample_mean - expected_moment(np.linspace(0.0, 2.0, 50), 0.9))
    assert np.all(deviation < 5 * standard_error)


# Subnormal means (|μ| < 2.2e-308) carry fewer significant bits than rtol = 1e-12 asks for.
normal_means = st.floats(-1e3, 1e3).filter(lambda x: x == 0.0 or abs(x) > 1e-300)


@given(beta=betas, mu=normal_means, steps=st.integers(1, 300))
def test_expected_corrected_moment_of_a_constant_mean_is_the_mean(
    beta: float, mu: float, steps: int
) -> None:
    np.testing.assert_allclose(
        expected_corrected_moment(np.full(steps, mu), beta),
        mu,
        rtol=1e-12,
        atol=1e-12 * abs(mu),
    )


def test_expected_corrected_moment_is_the_mean_plus_the_corrected_zeta() -> None:
    means = np.column_stack([np.linspace(0.0, 3.0, 60), np.sin(np.arange(60.0))])
    zeta = nonstationarity_term(means, 0.95)
    factors = bias_corrections(0.95, 60)[:, None]
    np.testing.assert_allclose(
        expected_corrected_moment(means, 0.95), means + zeta / factors, rtol=1e-12, atol=1e-12
    )
    np.testing.assert_allclose(
        expected_corrected_moment(means[:, 1], 0.95), means[:, 1] + zeta[:, 1] / factors[:, 0]
    )


def test_expected_corrected_moment_matches_adams_corrected_moments() -> None:
    grads = noisy_gradients(np.linspace(1.0, 2.0, 40), 0.5, 40, n=20_000, seed=4)
    trace = adamlib.run_sequence(adamlib.Adam(), grads)
    assert trace.m_hat is not None
    spread = trace.m_hat.std(axis=1) / np.sqrt(grads.shape[1])
    deviation = trace.m_hat.mean(axis=1) - expected_corrected_moment(np.linspace(1, 2, 40), 0.9)
    assert np.all(np.abs(deviation) < 5 * spread)


# -- nonstationarity_term and its bound -----------------------------------------------------


@given(beta=betas, mu=st.floats(-1e3, 1e3), steps=st.integers(1, 200))
def test_zeta_vanishes_for_a_stationary_mean(beta: float, mu: float, steps: int) -> None:
    zeta = nonstationarity_term(np.full(steps, mu), beta)
    np.testing.assert_allclose(zeta, 0.0, atol=1e-12 * max(1.0, abs(mu)))


def test_zeta_is_the_weighted_sum_of_differences() -> None:
    means = np.array([0.0, 1.0, 4.0, 9.0])
    beta = 0.5
    t = 4
    weights = (1 - beta) * beta ** np.arange(t - 1, -1, -1)
    expected = float(np.sum(weights * (means - means[-1])))
    assert nonstationarity_term(means, beta)[-1] == pytest.approx(expected, rel=1e-14)


def test_zeta_with_two_columns_matches_each_column() -> None:
    means = np.column_stack([np.linspace(0, 1, 30), np.linspace(2, -1, 30)])
    both = nonstationarity_term(means, 0.9)
    for k in range(2):
        np.testing.assert_allclose(both[:, k], nonstationarity_term(means[:, k], 0.9), rtol=1e-15)


@given(beta=st.floats(0.0, 0.99), delta=st.floats(0.0, 10.0))
def test_linear_drift_approaches_the_bound_from_below(beta: float, delta: float) -> None:
    steps = 3000
    zeta = nonstationarity_term(delta * np.arange(1, steps + 1), beta)
    bound = nonstationarity_bound(beta, delta)
    assert np.all(np.abs(zeta) <= bound * (1 + 1e-9) + 1e-9)
    assert zeta[-1] == pytest.approx(-bound, rel=1e-6, abs=1e-9)


@given(seed=st.integers(0, 10_000), beta=st.floats(0.0, 0.999))
def test_any_bounded_drift_respects_the_bound(seed: int, beta: float) -> None:
    rng = np.random.default_rng(seed)
    delta = 0.05
    means = np.cumsum(rng.uniform(-delta, delta, 500))
    zeta = nonstationarity_term(means, beta)
    assert np.max(np.abs(zeta)) <= nonstationarity_bound(beta, delta) * (1 + 1e-9) + 1e-12


def test_nonstationarity_bound_values() -> None:
    assert nonstationarity_bound(0.9, 0.01) == pytest.approx(0.09)
    assert nonstationarity_bound(0.999, 1.0) == pytest.approx(999.0)
    assert nonstationarity_bound(0.0, 5.0) == 0.0


# -- steps_to_reach -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("beta", "level", "expected"),
    [(0.9, 0.99, 44), (0.999, 0.99, 4603), (0.9999, 0.99, 46050), (0.9, 0.5, 7), (0.0, 0.99, 1)],
)
def test_steps_to_reach_known_values(beta: float, level: float, expected: int) -> None:
    assert steps_to_reach(beta, level) == expected


@given(beta=st.floats(0.01, 0.9999), level=st.floats(0.01, 0.999))
def test_steps_to_reach_is_the_first_such_step(beta: float, level: float) -> None:
    t = steps_to_reach(beta, level)
    assert bias_correction(beta, t) >= level
    if t > 1:
        assert bias_correction(beta, t - 1) < level


# -- uncorrected_step_factor ----------------------------------------------------------------


@pytest.mark.parametrize("beta2", [0.99, 0.999, 0.9999])
@pytest.mark.parametrize("g", [1.0, -0.003, 250.0])
def test_uncorrected_step_factor_is_what_adam_without_correction_does(
    beta2: float, g: float
) -> None:
    lr = 1e-3
    steps = 200
    opt = adamlib.Adam(lr=lr, beta2=beta2, eps=0.0, bias_correction=False)
    trace = adamlib.run_sequence(opt, np.full(steps, g))
    factor = uncorrected_step_factor(0.9, beta2, steps)
    np.testing.assert_allclose(-np.sign(g) * trace.delta[:, 0] / lr, factor, rtol=1e-12)


def test_uncorrected_first_step_values() -> None:
    assert uncorrected_step_factor(0.9, 0.999, 1)[0] == pytest.approx(np.sqrt(10.0), rel=1e-12)
    assert uncorrected_step_factor(0.9, 0.9999, 1)[0] == pytest.approx(10.0, rel=1e-12)
    assert uncorrected_step_factor(0.9, 0.9, 5).tolist() == pytest.approx(
        np.sqrt(bias_corrections(0.9, 5)).tolist(), rel=1e-12
    )


# -- noisy_gradients ------------------------------------------------------------------------


def test_noisy_gradients_shape_seed_and_moments() -> None:
    g = noisy_gradients(1.5, 2.0, 30, n=4000, seed=7)
    assert g.shape == (30, 4000)
    np.testing.assert_array_equal(g, noisy_gradients(1.5, 2.0, 30, n=4000, seed=7))
    assert not np.array_equal(g, noisy_gradients(1.5, 2.0, 30, n=4000, seed=8))
    assert g.mean() == pytest.approx(1.5, abs=0.01)
    assert np.mean(g**2) == pytest.approx(1.5**2 + 2.0**2, rel=0.01)


def test_noisy_gradients_without_noise_are_the_means() -> None:
    means = np.linspace(-1.0, 1.0, 11)
    g = noisy_gradients(means, 0.0, 11, n=3)
    np.testing.assert_array_equal(g, np.column_stack([means] * 3))


# -- validation -----------------------------------------------------------------------------

BAD_CALLS: list[Any] = (
    [
        pytest.param(
            lambda v: expected_moment([1.0, 2.0], v), "beta", v, e, id=f"expected-beta={v!r}"
        )
        for v, e in [(1.0, ValueError), (-0.5, ValueError), ("x", TypeError)]
    ]
    + [
        pytest.param(
            lambda v: expected_corrected_moment([1.0], v), "beta", v, e, id=f"hat-beta={v!r}"
        )
        for v, e in [(1.0, ValueError), ("x", TypeError)]
    ]
    + [
        pytest.param(lambda v: nonstationarity_term([1.0], v), "beta", v, e, id=f"zeta-beta={v!r}")
        for v, e in [(1.0, ValueError), (None, TypeError)]
    ]
    + [
        pytest.param(lambda v: nonstationarity_bound(v, 1.0), "beta", v, e, id=f"bound-beta={v!r}")
        for v, e in [(1.0, ValueError)]
    ]
    + [
        pytest.param(
            lambda v: nonstationarity_bound(0.9, v), "drift", v, e, id=f"bound-drift={v!r}"
        )
        for v, e in [(-1.0, ValueError), (float("inf"), ValueError)]
    ]
    + [
        pytest.param(lambda v: steps_to_reach(v), "beta", v, e, id=f"reach-beta={v!r}")
        for v, e in [(1.0, ValueError), (-0.1, ValueError)]
    ]
    + [
        pytest.param(lambda v: steps_to_reach(0.9, v), "level", v, e, id=f"reach-level={v!r}")
        for v, e in [(0.0, ValueError), (1.0, ValueError), (1.5, ValueError), (-0.1, ValueError)]
    ]
    + [
        pytest.param(
            lambda v: uncorrected_step_factor(v, 0.999, 3), "beta1", v, e, id=f"factor-beta1={v!r}"
        )
        for v, e in [(1.0, ValueError)]
    ]
    + [
        pytest.param(
            lambda v: uncorrected_step_factor(0.9, v, 3), "beta2", v, e, id=f"factor-beta2={v!r}"
        )
        for v, e in [(1.0, ValueError)]
    ]
    + [
        pytest.param(
            lambda v: uncorrected_step_factor(0.9, 0.999, v),
            "steps",
            v,
            e,
            id=f"factor-steps={v!r}",
        )
        for v, e in [(0, ValueError), (2.5, TypeError)]
    ]
    + [
        pytest.param(lambda v: noisy_gradients(0.0, v, 3), "std", v, e, id=f"noisy-std={v!r}")
        for v, e in [(-1.0, ValueError)]
    ]
    + [
        pytest.param(lambda v: noisy_gradients(0.0, 1.0, v), "steps", v, e, id=f"noisy-steps={v!r}")
        for v, e in [(0, ValueError)]
    ]
    + [
        pytest.param(lambda v: noisy_gradients(0.0, 1.0, 3, n=v), "n", v, e, id=f"noisy-n={v!r}")
        for v, e in [(0, ValueError), (1.5, TypeError)]
    ]
)


@pytest.mark.parametrize(("call", "name", "value", "exc"), BAD_CALLS)
def test_bad_arguments_name_the_argument_and_value(
    call: Callable[[Any], Any], name: str, value: Any, exc: type[Exception]
) -> None:
    assert_rejects_naming(call, name, value, exc)


@pytest.mark.parametrize("bad", [[], [[[1.0]]], [1.0, float("nan")]])
def test_expected_moment_rejects_bad_means(bad: Any) -> None:
    with pytest.raises(ValueError, match=r"^means "):
        expected_moment(bad, 0.9)


def test_noisy_gradients_rejects_a_mean_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match=r"^mean .*\(5,\)"):
        noisy_gradients(np.zeros(4), 1.0, 5)
    with pytest.raises(ValueError, match=r"^mean must be finite"):
        noisy_gradients(np.array([0.0, np.inf]), 1.0, 2)


# -- LogisticRegression ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def logreg() -> LogisticRegression:
    return LogisticRegression()


def test_logistic_gradient_matches_finite_differences(logreg: LogisticRegression) -> None:
    phi = np.random.default_rng(0).standard_normal(logreg.n_features)
    h = 1e-6
    numeric = np.array(
        [
            (logreg.loss(phi + h * e) - logreg.loss(phi - h * e)) / (2 * h)
            for e in np.eye(logreg.n_features)
        ]
    )
    np.testing.assert_allclose(logreg.grad(phi), numeric, rtol=1e-6, atol=1e-8)


def test_logistic_minimum_is_stationary_and_lowest(logreg: LogisticRegression) -> None:
    star = logreg.minimum
    assert star.shape == (logreg.n_features,)
    assert np.max(np.abs(logreg.grad(star))) < 1e-12
    rng = np.random.default_rng(1)
    for _ in range(20):
        assert logreg.loss(star) < logreg.loss(star + 0.1 * rng.standard_normal(star.shape))
    assert logreg.loss(np.zeros(logreg.n_features)) == pytest.approx(np.log(2.0))


def test_logistic_minimum_with_l2() -> None:
    problem = LogisticRegression(n_samples=60, n_features=4, l2=0.5, seed=3)
    assert np.max(np.abs(problem.grad(problem.minimum))) < 1e-12
    unregularised = LogisticRegression(n_samples=60, n_features=4, seed=3)
    assert np.linalg.norm(problem.minimum) < np.linalg.norm(unregularised.minimum)


def test_logistic_minibatch_gradient_is_unbiased(logreg: LogisticRegression) -> None:
    phi = np.full(logreg.n_features, 0.3)
    rng = np.random.default_rng(5)
    draws = np.array([logreg.noisy_grad(phi, 0.0, rng) for _ in range(4000)])
    spread = draws.std(axis=0) / np.sqrt(len(draws))
    assert np.all(np.abs(draws.mean(axis=0) - logreg.grad(phi)) < 5 * spread)
    assert not np.allclose(draws[0], draws[1]), "minibatches differ from draw to draw"


def test_logistic_full_batch_and_extra_noise() -> None:
    problem = LogisticRegression(n_samples=50, n_features=3, batch_size=None)
    phi = np.array([0.1, -0.2, 0.3])
    rng = np.random.default_rng(0)
    np.testing.assert_array_equal(problem.noisy_grad(phi, 0.0, rng), problem.grad(phi))
    noisy = problem.noisy_grad(phi, 1.0, np.random.default_rng(0))
    expected = problem.grad(phi) + np.random.default_rng(0).standard_normal(3)
    np.testing.assert_allclose(noisy, expected, rtol=1e-15)


def test_logistic_runs_deterministically_with_adam(logreg: LogisticRegression) -> None:
    a = adamlib.run(adamlib.Adam(lr=0.05), logreg, np.zeros(logreg.n_features), 50, seed=2)
    b = adamlib.run(adamlib.Adam(lr=0.05), logreg, np.zeros(logreg.n_features), 50, seed=2)
    np.testing.assert_array_equal(a.phi, b.phi)
    assert a.loss is not None
    assert a.loss[-1] < a.loss[0]
    assert LogisticRegression(seed=1).loss(np.ones(10)) != logreg.loss(np.ones(10))


def test_logistic_loss_does_not_overflow_far_away(logreg: LogisticRegression) -> None:
    phi = np.full(logreg.n_features, 1e4)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert np.isfinite(logreg.loss(phi))
        assert np.all(np.isfinite(logreg.grad(phi)))


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n_samples": 0}, "n_samples"),
        ({"n_features": 1.5}, "n_features"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": True}, "batch_size"),
        ({"l2": -1.0}, "l2"),
    ],
)
def test_logistic_rejects_bad_arguments(kwargs: dict[str, Any], name: str) -> None:
    with pytest.raises((ValueError, TypeError), match=f"^{name} "):
        LogisticRegression(**kwargs)


def test_logistic_separable_data_is_reported() -> None:
    with pytest.raises(ValueError, match="separable"):
        LogisticRegression(n_samples=3, n_features=5)


# -- plot_corrected_moments -----------------------------------------------------------------


def test_plot_corrected_moments_draws_raw_and_corrected_lines() -> None:
    from adamlib import plotting

    trace = adamlib.run_sequence(adamlib.Adam(), noisy_gradients(1.0, 0.5, 40, seed=0))
    ax = plotting.plot_corrected_moments(trace, title="제목")
    lines = ax.get_lines()
    assert len(lines) == 5
    np.testing.assert_array_equal(lines[1].get_ydata(), trace.m[:, 0])
    np.testing.assert_array_equal(lines[2].get_ydata(), trace.m_hat[:, 0])
    assert ax.get_title() == "제목"
    ax_first = plotting.plot_corrected_moments(trace, second=False)
    assert len(ax_first.get_lines()) == 3
    plt.close("all")


def test_plot_corrected_moments_needs_the_corrected_moments() -> None:
    from adamlib import plotting

    trace = adamlib.run_sequence(adamlib.SGD(), np.ones(5))
    with pytest.raises(ValueError, match="m_hat"):
        plotting.plot_corrected_moments(trace)
