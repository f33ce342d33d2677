"""adamlib.experiments.online (chapter 7): projection, Reddi et al.'s losses, regret, and the
projected run.

The headline facts the chapter states are checked here too: with β1 = 0, β2 = 1/(1+C²) and
α_t = α/√t Adam ends at +1 and AMSGrad near -1, and Adam's average regret approaches
2(C-2)/3.
"""

from __future__ import annotations

import numpy as np
import pytest

import adamlib
from adamlib.experiments.online import (
    OnlineRun,
    best_fixed_point,
    linear_regret,
    project_interval,
    reddi_beta2,
    reddi_gradients,
    run_projected,
)
from adamlib.optimizers import SGD
from adamlib.schedules import Scheduled, inverse_sqrt


def paper_adam(big: float = 3.0, *, amsgrad: bool = False) -> adamlib.Adam:
    """Adam as Reddi et al. analyse it: β1 = 0, β2 = 1/(1+C²), no ε, no bias correction."""
    return adamlib.Adam(
        lr=0.1, beta1=0.0, beta2=reddi_beta2(big), eps=0.0, bias_correction=False, amsgrad=amsgrad
    )


# -- pieces -------------------------------------------------------------------------------------
def test_project_interval_clips_and_keeps_inside_points() -> None:
    np.testing.assert_array_equal(
        project_interval(np.array([-3.0, -1.0, 0.25, 1.0, 7.0])), [-1.0, -1.0, 0.25, 1.0, 1.0]
    )
    np.testing.assert_array_equal(project_interval([0.0, 5.0], low=1.0, high=2.0), [1.0, 2.0])


@pytest.mark.parametrize(("low", "high"), [(1.0, 1.0), (2.0, -2.0), (np.nan, 1.0)])
def test_project_interval_rejects_bad_bounds(low: float, high: float) -> None:
    with pytest.raises(ValueError, match=r"low|high"):
        project_interval(np.zeros(2), low, high)


def test_reddi_gradients_follow_the_paper_pattern() -> None:
    c = reddi_gradients(7, big=3.0)
    np.testing.assert_array_equal(c, [3.0, -1, -1, 3.0, -1, -1, 3.0])
    c4 = reddi_gradients(8, big=5.0, period=4)
    np.testing.assert_array_equal(c4, [5.0, -1, -1, -1, 5.0, -1, -1, -1])
    assert c.dtype == np.float64


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"steps": 0}, "steps"),
        ({"steps": 3, "big": 0.0}, "big"),
        ({"steps": 3, "big": np.inf}, "big"),
        ({"steps": 3, "period": 1}, "period"),
    ],
)
def test_reddi_gradients_reject_bad_arguments(kwargs: dict, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        reddi_gradients(**kwargs)


def test_reddi_beta2() -> None:
    assert reddi_beta2(3.0) == pytest.approx(0.1, rel=1e-15)
    assert adamlib.effective_window(reddi_beta2(3.0)) == pytest.approx(1 / 0.9)
    with pytest.raises(ValueError, match="big"):
        reddi_beta2(-1.0)
    with pytest.raises(TypeError, match="big"):
        reddi_beta2("3")  # type: ignore[arg-type]


def test_best_fixed_point_is_an_end_of_the_interval() -> None:
    assert best_fixed_point(reddi_gradients(300, 3.0)) == -1.0  # sum (C - 2) per period > 0
    assert best_fixed_point(reddi_gradients(300, 1.5)) == 1.0  # C < 2: sum < 0
    assert best_fixed_point([1.0, -1.0], low=0.0, high=2.0) == 1.0  # a tie: the midpoint
    np.testing.assert_array_equal(best_fixed_point(np.array([[1.0, -2.0], [1.0, 1.0]])), [-1, 1])


def test_linear_regret_by_hand() -> None:
    c = np.array([3.0, -1.0, -1.0])
    played = np.array([0.0, 0.5, 1.0])
    # suffered: 0, -0.5, -1.5; best for the first t losses: -3, -2, -1
    np.testing.assert_allclose(linear_regret(c, played), [3.0, 1.5, -0.5])


def test_linear_regret_of_the_best_point_is_zero_once_it_is_best() -> None:
    c = reddi_gradients(30, 3.0)
    regret = linear_regret(c, np.full(30, -1.0))
    # after each full period, -1 is the best point in hindsight and playing it costs nothing
    np.testing.assert_allclose(regret[2::3], 0.0, atol=1e-12)


def test_linear_regret_rejects_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match="played"):
        linear_regret(np.ones(3), np.zeros(4))
    with pytest.raises(ValueError, match="coeffs"):
        linear_regret(np.array([]), np.array([]))


# -- the projected run --------------------------------------------------------------------------
def test_run_projected_matches_a_hand_written_loop() -> None:
    c = reddi_gradients(50, 3.0)
    opt = paper_adam()
    run = run_projected(opt, c, 0.0)
    phi, state = np.zeros(1), opt.init(np.zeros(1))
    for t, g in enumerate(c, start=1):
        phi, state = opt.step(phi, np.array([g]), state)
        phi = np.clip(phi, -1.0, 1.0)
        assert run.trace.phi[t, 0] == phi[0]
    assert isinstance(run, OnlineRun)
    assert run.trace.phi.shape == (51, 1) and run.trace.v.shape == (50, 1)
    np.testing.assert_array_equal(run.trace.g[:, 0], c)
    np.testing.assert_allclose(run.losses, c * run.trace.phi[:-1, 0])
    np.testing.assert_allclose(run.trace.delta, np.diff(run.trace.phi, axis=0))


def test_run_projected_keeps_phi_inside_and_records_the_proposal() -> None:
    run = run_projected(SGD(lr=0.5), np.full(10, -1.0), 0.0)
    assert np.all(np.abs(run.trace.phi) <= 1.0)
    np.testing.assert_allclose(run.proposed[:, 0], 0.5)  # SGD proposes +0.5 every step
    np.testing.assert_allclose(run.trace.phi[2:, 0], 1.0)  # and the projection stops it at 1


def test_run_projected_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="phi0"):
        run_projected(SGD(), np.ones(3), 2.0)
    with pytest.raises(TypeError, match="opt"):
        run_projected("adam", np.ones(3))  # type: ignore[arg-type]


def test_adam_goes_to_the_worst_point_and_amsgrad_to_the_best() -> None:
    """The chapter's headline, with the paper's α_t = α/√t."""
    c = reddi_gradients(3000, 3.0)
    adam = run_projected(Scheduled(paper_adam(), inverse_sqrt()), c, 0.0)
    ams = run_projected(Scheduled(paper_adam(amsgrad=True), inverse_sqrt()), c, 0.0)
    assert adam.final[0] == 1.0
    assert ams.final[0] < -0.99
    # average regret: Adam tends to 2(C-2)/3 (it sits at +1), AMSGrad to 0
    assert adam.average_regret[-1] == pytest.approx(2 / 3, abs=0.03)
    assert ams.average_regret[-1] < 0.1
    # with β1 = 0 the bias correction of v barely matters (1 - 0.1^t ≥ 0.999 for t ≥ 3)
    corrected = adamlib.Adam(lr=0.1, beta1=0.0, beta2=0.1, eps=0.0)
    assert run_projected(Scheduled(corrected, inverse_sqrt()), c, 0.0).final[0] == 1.0


def test_amsgrad_v_max_keeps_the_large_gradient() -> None:
    c = reddi_gradients(300, 3.0)
    ams = run_projected(paper_adam(amsgrad=True), c, 0.0)
    adam = run_projected(paper_adam(), c, 0.0)
    # Adam's v_t falls back after every large gradient; AMSGrad's v̂_t (= max v) does not
    assert np.ptp(adam.trace.v_hat[-3:, 0]) > 5.0
    assert np.ptp(ams.trace.v_hat[-3:, 0]) == 0.0
