"""RAdam's pieces (ρ_∞, ρ_t, r_t), its step, and the AMSGrad factory.

The match with ``torch.optim.RAdam`` over 1200 steps is in ``test_reference.py``; this module
checks the properties the book states.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest
from _support import assert_state_identical, assert_tree_identical, snapshot
from hypothesis import given
from hypothesis import strategies as st

import adamlib
from adamlib.bias import correct
from adamlib.moments import first_moment_series, second_moment_series
from adamlib.optimizers import amsgrad
from adamlib.radam import (
    RHO_THRESHOLD,
    RAdam,
    RAdamState,
    first_adaptive_step,
    is_adaptive_step,
    rectification,
    rectifications,
    rho_inf,
    rho_t,
)

BETA2S = [0.9, 0.95, 0.99, 0.999, 0.9999]


def run_steps(opt: Any, grads: np.ndarray, phi0: np.ndarray) -> tuple[list[dict], Any]:
    """Feed ``grads`` row by row; return every step's info (plus ``phi``) and the final state."""
    phi, state = phi0, opt.init(phi0)
    infos = []
    for g in grads:
        phi, state, info = opt.step_with_info(phi, g, state)
        infos.append({**info, "phi": phi})
    return infos, state


# -- ρ_∞, ρ_t, r_t ------------------------------------------------------------------------------
def test_rho_inf_known_values() -> None:
    assert rho_inf(0.999) == pytest.approx(1999.0, rel=1e-14)
    assert rho_inf(0.99) == pytest.approx(199.0, rel=1e-14)
    assert rho_inf(0.0) == 1.0


@pytest.mark.parametrize("beta2", BETA2S)
def test_rho_starts_at_one_and_rises_towards_rho_inf_below_t(beta2: float) -> None:
    horizon = min(3000, round(20 / (1 - beta2)))  # beyond it β2^t vanishes in float64
    rhos = np.array([rho_t(beta2, t) for t in range(1, horizon + 1)])
    assert rhos[0] == pytest.approx(1.0, abs=1e-9)
    assert np.all(np.diff(rhos) > 0)
    assert np.all(rhos < rho_inf(beta2))
    t = np.arange(1, rhos.size + 1)
    assert np.all(rhos <= t + 1e-9)  # ρ_t ≤ t: so steps 1-5 can never be adaptive
    assert rho_t(beta2, 10**7) == pytest.approx(rho_inf(beta2), rel=1e-12)


def test_switch_at_beta2_0999_happens_at_step_6() -> None:
    """ρ_5 ≈ 4.996 ≤ 5 < ρ_6 ≈ 5.994: the first five steps are un-adapted, step 6 is not."""
    assert rho_t(0.999, 5) == pytest.approx(4.995998, abs=1e-6)
    assert rho_t(0.999, 6) == pytest.approx(5.994164, abs=1e-6)
    assert [is_adaptive_step(0.999, t) for t in range(1, 9)] == [False] * 5 + [True] * 3
    assert first_adaptive_step(0.999) == 6


@pytest.mark.parametrize(
    ("beta2", "expected"),
    [(0.9, 6), (0.99, 6), (0.999, 6), (0.9999, 6), (0.8, 7), (0.7, 10), (0.6, None), (0.0, None)],
)
def test_first_adaptive_step(beta2: float, expected: int | None) -> None:
    assert first_adaptive_step(beta2) == expected
    if expected is not None:
        assert not is_adaptive_step(beta2, expected - 1) and is_adaptive_step(beta2, expected)


def test_no_adaptive_step_exactly_when_rho_inf_at_most_5() -> None:
    """ρ_∞ > 5 ⇔ β2 > 2/3."""
    assert first_adaptive_step(0.66) is None
    assert first_adaptive_step(0.67) is not None


@pytest.mark.parametrize("beta2", BETA2S)
def test_rectification_is_nan_before_the_switch_then_rises_to_one(beta2: float) -> None:
    t0 = first_adaptive_step(beta2)
    assert t0 is not None
    r = rectifications(beta2, 5000)
    assert np.all(np.isnan(r[: t0 - 1]))
    used = r[t0 - 1 :]
    assert np.all((used > 0) & (used <= 1))
    assert np.all(np.diff(used) >= -1e-15)  # non-decreasing up to rounding
    horizon = min(5000, round(20 / (1 - beta2)))  # beyond it r_t is 1 to float64 precision
    assert np.all(used[: horizon - t0] < 1) and np.all(np.diff(used[: horizon - t0]) > 0)
    assert rectification(beta2, 10**6) == pytest.approx(1.0, abs=1e-6)
    assert rectification(beta2, 10**9) == pytest.approx(1.0, abs=1e-12)


def test_rectification_known_values_at_beta2_0999() -> None:
    assert rectification(0.999, 6) == pytest.approx(0.0258211, rel=1e-5)
    assert rectification(0.999, 1000) == pytest.approx(0.6453257, rel=1e-6)
    assert rectification(0.999, 10000) == pytest.approx(0.9997733, rel=1e-6)


def test_rectification_formula() -> None:
    for t in (6, 7, 50, 4000):
        rho, ri = rho_t(0.999, t), rho_inf(0.999)
        expected = math.sqrt((rho - 4) * (rho - 2) * ri / ((ri - 4) * (ri - 2) * rho))
        assert rectification(0.999, t) == pytest.approx(expected, rel=1e-15)
    assert RHO_THRESHOLD == 5.0


@pytest.mark.parametrize(
    ("call", "name", "exc"),
    [
        (lambda: rho_inf(1.0), "beta2", ValueError),
        (lambda: rho_inf("0.9"), "beta2", TypeError),
        (lambda: rho_t(0.999, 0), "t", ValueError),
        (lambda: rho_t(0.999, 1.5), "t", TypeError),
        (lambda: rho_t(-0.1, 3), "beta2", ValueError),
        (lambda: rectification(0.999, -2), "t", ValueError),
        (lambda: rectifications(0.999, 0), "steps", ValueError),
        (lambda: first_adaptive_step(None), "beta2", TypeError),
        (lambda: is_adaptive_step(0.999, True), "t", TypeError),
    ],
)
def test_functions_name_the_bad_argument(call: Any, name: str, exc: type[Exception]) -> None:
    with pytest.raises(exc, match=rf"^{re.escape(name)} "):
        call()


# -- the step --------------------------------------------------------------------------------
@given(
    scale=st.sampled_from([1e-6, 1.0, 1e6]),
    seed=st.integers(0, 2**32 - 1),
    beta1=st.sampled_from([0.0, 0.9]),
)
def test_first_five_steps_are_unadapted_momentum_steps(
    scale: float, seed: int, beta1: float
) -> None:
    """ρ_t ≤ 5: Δφ_t = -α m̂_t exactly, so the step scales with the gradient (no adaptation)."""
    grads = scale * np.random.default_rng(seed).standard_normal((5, 3))
    opt = RAdam(lr=0.01, beta1=beta1)
    infos, _ = run_steps(opt, grads, np.zeros(3))
    m = first_moment_series(grads, beta1)
    for t, info in enumerate(infos, start=1):
        m_hat = correct(m[t - 1], beta1, t)
        np.testing.assert_array_equal(info["m_hat"], m_hat)
        np.testing.assert_array_equal(info["delta"], -0.01 * m_hat)
    # doubling every gradient doubles every step: unlike Adam, nothing normalises it
    doubled, _ = run_steps(opt, 2.0 * grads, np.zeros(3))
    for a, b in zip(infos, doubled, strict=True):
        np.testing.assert_array_equal(b["delta"], 2.0 * a["delta"])


def test_first_step_is_alpha_g_while_adams_is_alpha_sign_g() -> None:
    g = np.array([3.0, -0.5, 1e-4])
    radam, adam = RAdam(lr=0.1, eps=0.0), adamlib.Adam(lr=0.1, eps=0.0)
    phi = np.zeros(3)
    phi_r, _ = radam.step(phi, g, radam.init(phi))
    phi_a, _ = adam.step(phi, g, adam.init(phi))
    np.testing.assert_allclose(phi_r, -0.1 * g, rtol=1e-15)
    np.testing.assert_allclose(phi_a, -0.1 * np.sign(g), rtol=1e-15)


def test_adaptive_steps_are_adams_direction_times_r_t() -> None:
    """From step 6 on (β2 = 0.999, ε = 0): Δφ_t = -α r_t m̂_t / √v̂_t."""
    rng = np.random.default_rng(7)
    grads = rng.standard_normal((40, 4))
    infos, state = run_steps(RAdam(lr=0.01, eps=0.0), grads, np.zeros(4))
    for t in range(6, 41):
        info = infos[t - 1]
        expected = -0.01 * rectification(0.999, t) * info["m_hat"] / np.sqrt(info["v_hat"])
        np.testing.assert_allclose(info["delta"], expected, rtol=1e-14)
    # the state holds the moments of adamlib.moments, computed by those very functions
    np.testing.assert_array_equal(state.m, first_moment_series(grads, 0.9)[-1])
    np.testing.assert_array_equal(state.v, second_moment_series(grads, 0.999)[-1])
    assert state.t == 40


def test_eps_is_added_before_the_bias_correction_as_in_torch() -> None:
    """Step 6 with ε large: √(1-β2^6)/(√v_6 + ε), not 1/(√v̂_6 + ε)."""
    g = np.full((6, 1), 1e-3)
    eps = 1e-3
    infos, state = run_steps(RAdam(lr=1.0, eps=eps), g, np.zeros(1))
    bc2 = 1.0 - 0.999**6
    m_hat = infos[5]["m_hat"]
    torch_form = -rectification(0.999, 6) * m_hat * np.sqrt(bc2) / (np.sqrt(state.v) + eps)
    np.testing.assert_allclose(infos[5]["delta"], torch_form, rtol=1e-14)
    adam_form = -rectification(0.999, 6) * m_hat / (np.sqrt(infos[5]["v_hat"]) + eps)
    assert not np.allclose(infos[5]["delta"], adam_form, rtol=1e-3)


def test_constant_gradient_steps_approach_alpha() -> None:
    """Constant g, ε = 0: m̂_t = g, v̂_t = g², so the adaptive step is α r_t → α (Adam's step)."""
    steps = 3000
    infos, _ = run_steps(RAdam(lr=0.01, eps=0.0), np.full((steps, 1), -2.5), np.zeros(1))
    deltas = np.array([info["delta"][0] for info in infos])
    np.testing.assert_allclose(deltas[:5], 0.01 * 2.5, rtol=1e-12)  # -α m̂_t = α·2.5
    np.testing.assert_allclose(deltas[5:], 0.01 * rectifications(0.999, steps)[5:], rtol=1e-12)
    assert deltas[-1] == pytest.approx(0.01 * rectification(0.999, steps), rel=1e-12)
    assert 0.0095 > deltas[-1] > 0.009  # r_3000 ≈ 0.93


def test_weight_decay_and_maximize() -> None:
    rng = np.random.default_rng(3)
    grads = rng.standard_normal((12, 3))
    phi0 = rng.standard_normal(3)
    # maximize: the same as descending on -g
    a, _ = run_steps(RAdam(lr=0.01, maximize=True), grads, phi0)
    b, _ = run_steps(RAdam(lr=0.01), -grads, phi0)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x["phi"], y["phi"])
    # L2: the gradient becomes g + λφ_{t-1}
    opt = RAdam(lr=0.01, weight_decay=0.1)
    phi, state = phi0, opt.init(phi0)
    for g in grads:
        plain = RAdam(lr=0.01)
        expected, _ = plain.step(phi, g + 0.1 * phi, state)
        phi, state = opt.step(phi, g, state)
        np.testing.assert_array_equal(phi, expected)
    # decoupled: φ_{t-1}(1 - αλ) first, then the plain step with g
    opt = RAdam(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)
    phi, state = phi0, opt.init(phi0)
    for g in grads:
        expected, _ = RAdam(lr=0.01).step(phi * (1.0 - 0.01 * 0.1), g, state)
        phi, state = opt.step(phi, g, state)
        np.testing.assert_array_equal(phi, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_step_is_pure_keeps_dtype_and_handles_dicts(dtype: type) -> None:
    opt = RAdam(lr=0.01, weight_decay=0.1)
    rng = np.random.default_rng(0)
    params = {"W": rng.standard_normal((3, 2)).astype(dtype), "b": np.zeros(2, dtype=dtype)}
    state = opt.init(params)
    assert isinstance(state, RAdamState) and state.t == 0
    for _ in range(8):
        grad = {k: rng.standard_normal(v.shape).astype(dtype) for k, v in params.items()}
        before = snapshot((params, grad, state))
        new_params, new_state = opt.step(params, grad, state)
        assert_tree_identical(params, before[0], "params")
        assert_tree_identical(grad, before[1], "grad")
        assert_state_identical(state, before[2])
        # key by key: the same as stepping each array alone
        for key in params:
            alone, _ = opt.step(
                params[key], grad[key], RAdamState(t=state.t, m=state.m[key], v=state.v[key])
            )
            np.testing.assert_array_equal(new_params[key], alone)
        params, state = new_params, new_state
    assert {p.dtype for p in params.values()} == {np.dtype(dtype)}
    assert {v.dtype for v in state.m.values()} | {v.dtype for v in state.v.values()} == {
        np.dtype(dtype)
    }


def test_runs_through_trace() -> None:
    trace = adamlib.run_sequence(RAdam(lr=0.1), np.ones((10, 2)), 0.0)
    assert trace.delta.shape == (10, 2) and trace.v_hat is not None
    np.testing.assert_allclose(trace.delta[:5], -0.1, rtol=1e-14)


@pytest.mark.parametrize(
    ("kwargs", "name", "exc"),
    [
        ({"lr": 0.0}, "lr", ValueError),
        ({"lr": "1e-3"}, "lr", TypeError),
        ({"beta1": 1.0}, "beta1", ValueError),
        ({"beta2": -0.5}, "beta2", ValueError),
        ({"beta2": None}, "beta2", TypeError),
        ({"eps": -1e-8}, "eps", ValueError),
        ({"weight_decay": float("nan")}, "weight_decay", ValueError),
        ({"weight_decay": True}, "weight_decay", TypeError),
    ],
)
def test_constructor_rejects_bad_hyperparameters(
    kwargs: dict[str, Any], name: str, exc: type[Exception]
) -> None:
    with pytest.raises(exc) as info:
        RAdam(**kwargs)
    message = str(info.value)
    assert message.startswith(f"{name} ") and repr(next(iter(kwargs.values()))) in message


def test_rejected_step_changes_nothing() -> None:
    opt = RAdam()
    params = np.ones(3)
    state = opt.init(params)
    params, state = opt.step(params, np.ones(3), state)
    before = snapshot((params, state))
    for bad_grad, exc in [
        (np.array([1.0, np.nan, 0.0]), ValueError),
        (np.ones(4), ValueError),
        (np.ones(3, dtype=np.float32), TypeError),
    ]:
        with pytest.raises(exc, match="grad"):
            opt.step(params, bad_grad, state)
    with pytest.raises(TypeError, match="state"):
        opt.step(params, np.ones(3), adamlib.Adam().init(params))
    assert_tree_identical(params, before[0])
    assert_state_identical(state, before[1])


def test_repr() -> None:
    assert repr(RAdam(lr=0.01)).startswith("RAdam(lr=0.01, beta1=0.9, beta2=0.999")


# -- AMSGrad ---------------------------------------------------------------------------------
def test_amsgrad_factory_is_adam_with_amsgrad() -> None:
    opt = amsgrad(lr=0.01, weight_decay=0.1, maximize=True)
    assert isinstance(opt, adamlib.Adam)
    assert opt.config == adamlib.Adam(lr=0.01, weight_decay=0.1, maximize=True, amsgrad=True).config
    grads = np.random.default_rng(1).standard_normal((30, 3))
    a = adamlib.run_sequence(opt, grads, 0.5)
    b = adamlib.run_sequence(
        adamlib.Adam(lr=0.01, weight_decay=0.1, maximize=True, amsgrad=True), grads, 0.5
    )
    np.testing.assert_array_equal(a.phi, b.phi)
    state = opt.init(np.zeros(3))
    assert state.v_max is not None


def test_amsgrad_factory_validates_like_adam() -> None:
    with pytest.raises(ValueError, match=r"^beta2 "):
        amsgrad(beta2=1.0)
