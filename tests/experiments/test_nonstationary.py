"""adamlib.experiments.nonstationary (chapter 6): the moving bowl, tracking it, and settling
times."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import adamlib
from adamlib.experiments.bias_correction import steps_to_reach
from adamlib.experiments.nonstationary import (
    MovingQuadratic,
    Tracking,
    response_steps,
    steps_to_within,
    steps_within_factor,
    track,
    tracking_sweep,
)
from adamlib.optimizers import SGD, AdaGrad

BOWL = MovingQuadratic((1.0, -1.0), (-2.0, 0.5), switch=5, scale_before=2.0, scale_after=0.5)


# -- MovingQuadratic ----------------------------------------------------------------------------
def test_centre_and_scale_switch_after_step_switch() -> None:
    np.testing.assert_array_equal(BOWL.center(5), [1.0, -1.0])
    np.testing.assert_array_equal(BOWL.center(6), [-2.0, 0.5])
    assert BOWL.scale(1) == 2.0 and BOWL.scale(6) == 0.5
    assert BOWL.n == 2


def test_gradient_is_the_derivative_of_the_loss() -> None:
    phi = np.array([0.3, 0.7])
    for t in (1, 9):
        h = 1e-6
        numeric = [
            (BOWL.loss(phi + h * e, t) - BOWL.loss(phi - h * e, t)) / (2 * h) for e in np.eye(2)
        ]
        np.testing.assert_allclose(BOWL.grad(phi, t), numeric, rtol=1e-7)
    assert BOWL.loss(BOWL.center(9), 9) == 0.0


def test_noise_is_relative_to_the_scale() -> None:
    phi = np.zeros(2)
    a = BOWL.noisy_grad(phi, 1, 0.3, np.random.default_rng(4)) - BOWL.grad(phi, 1)
    b = BOWL.noisy_grad(phi, 9, 0.3, np.random.default_rng(4)) - BOWL.grad(phi, 9)
    np.testing.assert_allclose(a / 2.0, b / 0.5, rtol=1e-12)
    np.testing.assert_array_equal(
        BOWL.noisy_grad(phi, 1, 0.0, np.random.default_rng(0)), BOWL.grad(phi, 1)
    )


def test_distance_is_rms() -> None:
    assert BOWL.distance(np.array([1.0, -1.0]), 1) == 0.0
    assert BOWL.distance(np.array([4.0, 3.0]), 1) == pytest.approx(np.sqrt((9 + 16) / 2))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"center_before": (1.0,), "center_after": (1.0, 2.0)}, "same length"),
        ({"center_before": (), "center_after": ()}, "same length"),
        ({"center_before": (np.nan,), "center_after": (1.0,)}, "finite"),
        ({"switch": 0}, "switch"),
        ({"scale_after": 0.0}, "scale_after"),
        ({"scale_before": -1.0}, "scale_before"),
    ],
)
def test_moving_quadratic_rejects_bad_arguments(kwargs: dict, match: str) -> None:
    args = {"center_before": (0.0,), "center_after": (1.0,), "switch": 3, **kwargs}
    with pytest.raises((ValueError, TypeError), match=match):
        MovingQuadratic(**args)


# -- track --------------------------------------------------------------------------------------
def test_track_takes_the_same_steps_as_the_optimizer_by_hand() -> None:
    opt = adamlib.Adam(lr=0.1)
    run = track(opt, BOWL, [0.0, 0.0], 12, noise=0.2, seed=7)
    assert isinstance(run, Tracking) and not run.diverged
    rng = np.random.default_rng(7)
    phi, state = np.zeros(2), opt.init(np.zeros(2))
    for t in range(1, 13):
        phi, state = opt.step(phi, BOWL.noisy_grad(phi, t, 0.2, rng), state)
        np.testing.assert_array_equal(run.phi[t], phi)
        assert run.distance[t] == pytest.approx(BOWL.distance(phi, t), rel=1e-12)
    assert run.distance[0] == BOWL.distance(np.zeros(2), 1)
    assert run.mean_squared_distance == pytest.approx(np.mean(run.distance[1:] ** 2))


def test_sgd_on_the_unit_bowl_lands_on_the_optimum_and_follows_the_jump() -> None:
    bowl = MovingQuadratic((1.0, 2.0), (-1.0, 0.0), switch=3)
    run = track(SGD(lr=1.0), bowl, [0.0, 0.0], 6)
    np.testing.assert_array_equal(run.distance[1:], 0.0)
    assert steps_to_within(run.distance, 3, 1e-12) == 1


def test_a_diverging_run_is_marked_and_silent() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = track(SGD(lr=1e3), BOWL, [0.0, 0.0], 400)
    assert run.diverged and run.mean_squared_distance == math.inf
    assert np.isinf(run.distance[-1]) and np.isnan(run.phi[-1]).all()


def test_track_rejects_bad_arguments() -> None:
    with pytest.raises(TypeError, match="opt"):
        track("adam", BOWL, [0.0, 0.0], 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="objective"):
        track(SGD(), adamlib.Quadratic(), [0.0, 0.0], 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="phi0"):
        track(SGD(), BOWL, [0.0, 0.0, 0.0], 3)
    with pytest.raises(ValueError, match="steps"):
        track(SGD(), BOWL, [0.0, 0.0], 0)


# -- tracking_sweep -----------------------------------------------------------------------------
def test_sweep_picks_the_lowest_score_and_scores_every_rate() -> None:
    grid = [0.01, 0.1, 1.0, 100.0]
    lr, scores = tracking_sweep(lambda a: SGD(lr=a), BOWL, [0.0, 0.0], 300, grid)
    assert scores.shape == (4,) and scores[-1] == math.inf
    assert lr == grid[int(np.argmin(scores))]
    for a, score in zip(grid[:3], scores[:3], strict=True):
        assert score == track(SGD(lr=a), BOWL, [0.0, 0.0], 300).mean_squared_distance


def test_sweep_fails_when_everything_diverges() -> None:
    with pytest.raises(ValueError, match="diverged"):
        tracking_sweep(lambda a: SGD(lr=a), BOWL, [0.0, 0.0], 400, [1e3, 1e4])


def test_adagrad_adapts_to_shrinking_gradients_more_slowly_than_adam() -> None:
    """The chapter's point in small: after the gradients shrink 100×, the sum never forgets."""
    bowl = MovingQuadratic((1.0,) * 4, (-1.0,) * 4, switch=300, scale_after=0.01)
    adam = track(adamlib.Adam(lr=0.03, beta2=0.9), bowl, np.zeros(4), 700, noise=0.1, seed=1)
    adagrad = track(AdaGrad(lr=0.3), bowl, np.zeros(4), 700, noise=0.1, seed=1)
    assert steps_to_within(adam.distance, 300, 0.2) is not None
    assert steps_to_within(adagrad.distance, 300, 0.2) is None


# -- steps_to_within, steps_within_factor, response_steps --------------------------------------
def test_steps_to_within_counts_from_the_start() -> None:
    d = np.array([5.0, 0.1, 3.0, 2.0, 0.5, 0.1])
    assert steps_to_within(d, 0, 0.2) == 1
    assert steps_to_within(d, 2, 0.6) == 2
    assert steps_to_within(d, 2, 0.01) is None
    with pytest.raises(ValueError, match="start"):
        steps_to_within(d, 5, 0.2)
    with pytest.raises(ValueError, match="tol"):
        steps_to_within(d, 0, 0.0)


def test_steps_within_factor_uses_the_trace_layout() -> None:
    x = np.array([1.0, 1.0, 5.0, 3.0, 1.9, 1.1])  # row t-1 is step t
    assert steps_within_factor(x, 2, 1.0, 2.0) == 3  # step 5 (1.9) is the first within 2×
    assert steps_within_factor(x, 0, 4.0, 2.0) == 3  # step 3 (5.0)
    with pytest.raises(ValueError, match="factor"):
        steps_within_factor(x, 0, 1.0, 1.0)
    with pytest.raises(ValueError, match="start"):
        steps_within_factor(x, 6, 1.0, 2.0)


@pytest.mark.parametrize("beta2", [0.9, 0.99])
def test_response_of_an_ema_takes_one_window(beta2: float) -> None:
    """v̂ of a step change in g² covers 1 - 1/e of the jump after about 1/(1-β2) steps."""
    s = 3000
    g = np.where(np.arange(s + 500) < s, 1.0, 3.0)
    run = adamlib.run_sequence(adamlib.Adam(beta2=beta2), g)
    k = response_steps(run.v_hat[:, 0], s, 1.0, 9.0, 1 - np.exp(-1))
    assert k == steps_to_reach(beta2, 1 - np.exp(-1))
    down = response_steps(9.0 - run.v_hat[:, 0] + 1.0, s, 9.0, 1.0, 1 - np.exp(-1))
    assert down == k


def test_response_steps_rejects_bad_arguments() -> None:
    x = np.ones(4)
    with pytest.raises(ValueError, match="differ"):
        response_steps(x, 0, 1.0, 1.0, 0.5)
    with pytest.raises(ValueError, match="fraction"):
        response_steps(x, 0, 0.0, 1.0, 1.5)
    assert response_steps(x, 0, 0.0, 2.0, 0.9) is None
