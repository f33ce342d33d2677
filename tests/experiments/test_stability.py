"""adamlib.experiments.stability (chapter 7): the momentum stability threshold and the
preconditioned sharpness, checked on quadratics where everything is known exactly."""

from __future__ import annotations

import numpy as np
import pytest

import adamlib
from adamlib.experiments.stability import (
    adam_preconditioner,
    finite_difference_hvp,
    flatten,
    model_gradient,
    momentum_rotation,
    momentum_stability_threshold,
    optimal_gradient_descent,
    optimal_momentum,
    preconditioned_sharpness,
    unflatten,
)
from adamlib.ml.data import load_digits_split
from adamlib.ml.models import SoftmaxRegression


def test_threshold_values() -> None:
    assert momentum_stability_threshold(0.9) == pytest.approx(38.0)
    assert momentum_stability_threshold(0.0) == 2.0
    assert momentum_stability_threshold(0.99) == pytest.approx(398.0)
    with pytest.raises(ValueError, match="beta1"):
        momentum_stability_threshold(1.0)


def test_rotation_values_and_bad_input() -> None:
    assert momentum_rotation(1.9, 0.9) == pytest.approx(np.pi / 2)  # 1 + β − a = 0
    assert momentum_rotation(0.0, 0.9) == 0.0  # real positive roots: no oscillation
    assert momentum_rotation(3.9, 0.9) == pytest.approx(np.pi)  # real negative roots
    assert momentum_rotation(0.5, 0.0) == 0.0 and momentum_rotation(1.5, 0.0) == np.pi
    with pytest.raises(ValueError, match="a must be"):
        momentum_rotation(-1.0)
    with pytest.raises(ValueError, match="beta"):
        momentum_rotation(1.0, 1.0)


@pytest.mark.parametrize("lr", [0.019, 0.0095, 0.0038, 0.0019])
def test_rotation_predicts_the_period_of_the_heavy_ball(lr: float) -> None:
    """Heavy-ball momentum on curvature 100: the measured distance between sign changes of the
    steep coordinate is π/θ on average (chapter 1's table)."""
    theta = momentum_rotation(lr * 100.0, 0.9)
    opt = adamlib.Momentum(lr=lr, momentum=0.9)
    trace = adamlib.run(opt, adamlib.Quadratic(curvatures=(100.0,)), np.array([1.0]), 400)
    x = trace.phi[:, 0]
    flips = np.flatnonzero(np.sign(x[1:]) != np.sign(x[:-1]))
    assert np.mean(np.diff(flips)) == pytest.approx(np.pi / theta, rel=0.05)


@pytest.mark.parametrize("beta1", [0.0, 0.5, 0.9])
def test_threshold_separates_convergence_from_divergence(beta1: float) -> None:
    """EMA momentum with a fixed step factor on f = h φ²/2: stable just below, unstable above."""
    limit = momentum_stability_threshold(beta1)
    for factor, stable in ((0.98, True), (1.02, False)):
        h, lr = 1.0, factor * limit
        opt = adamlib.Momentum(lr=lr, momentum=beta1, dampening=beta1)
        with np.errstate(over="ignore", invalid="ignore"):  # the unstable run overflows
            trace = adamlib.run(opt, adamlib.Quadratic(curvatures=(h,)), np.array([1.0]), 3000)
        assert (abs(trace.phi[-1, 0]) < 1e-3) == stable


def _worst_root(alpha: float, mu: float, curvatures: np.ndarray) -> float:
    """Largest |root| of z² − (1 + μ − αλ)z + μ over the curvatures λ: the asymptotic rate."""
    return max(max(abs(np.roots([1.0, -(1.0 + mu - alpha * lam), mu]))) for lam in curvatures)


def test_optimal_settings_for_condition_number_100() -> None:
    gd, hb = optimal_gradient_descent(1.0, 100.0), optimal_momentum(1.0, 100.0)
    assert (gd.alpha, gd.mu, gd.rate) == pytest.approx((2 / 101, 0.0, 99 / 101))
    assert (hb.alpha, hb.mu, hb.rate) == pytest.approx(((2 / 11) ** 2, (9 / 11) ** 2, 9 / 11))
    # Only the ratio matters for the rate: scaling both curvatures scales alpha inversely.
    assert optimal_momentum(10.0, 1000.0).rate == pytest.approx(hb.rate)
    assert optimal_momentum(10.0, 1000.0).alpha == pytest.approx(hb.alpha / 10)


@pytest.mark.parametrize("kappa", [4.0, 100.0, 1e4])
def test_the_optimum_has_the_stated_rate_and_no_neighbour_beats_it(kappa: float) -> None:
    lams = np.linspace(1.0, kappa, 201)
    hb = optimal_momentum(1.0, kappa)
    assert _worst_root(hb.alpha, hb.mu, lams) == pytest.approx(hb.rate, rel=1e-6)
    gd = optimal_gradient_descent(1.0, kappa)
    assert _worst_root(gd.alpha, 0.0, lams) == pytest.approx(gd.rate, rel=1e-9)
    for da in (0.9, 1.1):
        for dm in (0.9, 1.1):
            assert _worst_root(hb.alpha * da, min(hb.mu * dm, 0.999), lams) > hb.rate
        assert _worst_root(gd.alpha * da, 0.0, lams) > gd.rate


def test_the_heavy_ball_converges_at_the_optimal_rate() -> None:
    hb = optimal_momentum(1.0, 100.0)
    opt = adamlib.optimizers.Momentum(lr=hb.alpha, momentum=hb.mu)
    trace = adamlib.run(opt, adamlib.Quadratic(curvatures=(1.0, 100.0)), [-2.0, 1.0], 200)
    distance = np.linalg.norm(trace.phi, axis=1)
    per_step = (distance[200] / distance[150]) ** (1 / 50)
    # Double roots add a factor t to r**t, so the measured rate sits a little above 9/11.
    assert hb.rate < per_step < hb.rate * (200 / 150) ** (1 / 50) * 1.001


def test_optimal_settings_reject_bad_curvatures() -> None:
    with pytest.raises(ValueError, match="lam_min"):
        optimal_momentum(0.0, 1.0)
    with pytest.raises(ValueError, match="lam_max"):
        optimal_gradient_descent(2.0, 1.0)


def test_flatten_and_unflatten_round_trip() -> None:
    params = {"W": np.arange(6.0).reshape(2, 3), "b": np.array([7.0, 8.0])}
    flat = flatten(params)
    np.testing.assert_array_equal(flat, [0, 1, 2, 3, 4, 5, 7, 8])
    back = unflatten(flat, params)
    for k in params:
        np.testing.assert_array_equal(back[k], params[k])
    with pytest.raises(ValueError, match="flat"):
        unflatten(flat[:-1], params)


def test_finite_difference_hvp_is_exact_on_a_quadratic() -> None:
    q = adamlib.Quadratic(curvatures=(1.0, 25.0), angle=0.4)
    hvp = finite_difference_hvp(q.grad, np.array([0.3, -0.2]))
    u = np.array([0.6, 0.8])
    np.testing.assert_allclose(hvp(u), q.hessian @ u, rtol=1e-9)


def test_preconditioned_sharpness_of_a_diagonal_quadratic() -> None:
    q = adamlib.Quadratic(curvatures=(1.0, 25.0))
    hvp = finite_difference_hvp(q.grad, np.zeros(2))
    assert preconditioned_sharpness(hvp, np.array([1.0, 1.0])) == pytest.approx(25.0, rel=1e-8)
    # the preconditioner can swap which direction is sharpest: P H = diag(10·1, 0.1·25)
    assert preconditioned_sharpness(hvp, np.array([10.0, 0.1])) == pytest.approx(10.0, rel=1e-6)
    # a direction with p = 0 does not count
    assert preconditioned_sharpness(hvp, np.array([1.0, 0.0])) == pytest.approx(1.0, rel=1e-8)


def test_preconditioned_sharpness_of_a_rotated_quadratic_matches_eigvals() -> None:
    q = adamlib.Quadratic(curvatures=(2.0, 30.0), angle=0.7)
    p = np.array([0.5, 3.0])
    exact = np.max(np.linalg.eigvals(np.diag(p) @ q.hessian).real)
    hvp = finite_difference_hvp(q.grad, np.zeros(2))
    assert preconditioned_sharpness(hvp, p, iterations=200) == pytest.approx(exact, rel=1e-8)


def test_adam_preconditioner_matches_the_effective_learning_rate() -> None:
    opt = adamlib.Adam(lr=0.1)
    grads = np.array([[1.0, 0.0, -2.0], [0.5, 0.0, 1.0]])
    trace = adamlib.run_sequence(opt, grads)
    v = trace.v[-1]
    p = adam_preconditioner(v, 2, lr=0.1)
    np.testing.assert_allclose(p[[0, 2]], 0.1 / (np.sqrt(trace.v_hat[-1, [0, 2]]) + 1e-8))
    assert p[1] == 0.0  # never saw a nonzero gradient
    dict_p = adam_preconditioner({"a": v[:2], "b": v[2:]}, 2, lr=0.1)
    np.testing.assert_array_equal(dict_p, p)
    with pytest.raises(ValueError, match="v must"):
        adam_preconditioner(-v, 2, lr=0.1)


def test_model_gradient_matches_the_model() -> None:
    data = load_digits_split()
    model = SoftmaxRegression(64, 10)
    params = model.init_params(seed=1, scale=0.1)
    grad = model_gradient(model, data.X_train, data.y_train, 1e-3, params)
    _, expected = model.loss_and_grad(params, data.X_train, data.y_train, 1e-3)
    np.testing.assert_allclose(grad(flatten(params)), flatten(expected), rtol=1e-13)
