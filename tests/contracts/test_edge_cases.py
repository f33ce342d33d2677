"""Regression tests for the edges that other projects' test inputs found: scalar (0-d)
parameters, Δφ_t under decoupled weight decay, an in-place step whose gradient is the parameter
array itself, SGD momentum 0 with dampening, the cosine schedule's offset from PyTorch, and
AdaMax with β2 = 0."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from _support import OPTIMIZER_CASES, Factory
from hypothesis import given, settings
from hypothesis import strategies as st

import adamlib
from adamlib.optimizers import SGD, AdaMax, Momentum
from adamlib.schedules import cosine_decay

CASES = [pytest.param(factory, id=name) for name, factory in OPTIMIZER_CASES.items()]


# -- 0-d parameters ----------------------------------------------------------------------------
@settings(max_examples=20)
@pytest.mark.parametrize("factory", CASES)
@given(grads=st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=6))
def test_scalar_params_step_like_one_element_arrays(factory: Factory, grads: list[float]) -> None:
    """A 0-d φ is optimized (PyTorch, optax and Keras all allow it) exactly as a 1-element one,
    and every result, state buffer and info entry stays a 0-d ndarray."""
    opt = factory()
    scalar, vector = np.array(0.5), np.array([0.5])
    s_state, v_state = opt.init(scalar), opt.init(vector)
    for g in grads:
        scalar, s_state, s_info = opt.step_with_info(scalar, np.array(g), s_state)
        vector, v_state, v_info = opt.step_with_info(vector, np.array([g]), v_state)
        assert isinstance(scalar, np.ndarray) and scalar.shape == ()
        assert scalar.tobytes() == vector.tobytes()
        for name, value in s_info.items():
            assert isinstance(value, np.ndarray) and value.shape == (), name
            assert value.tobytes() == v_info[name].tobytes(), name
        for field in ("m", "v", "v_max", "u", "buf", "mu_product"):
            buf = getattr(s_state, field, None)
            if buf is not None:
                assert isinstance(buf, np.ndarray) and buf.shape == (), field
                assert buf.tobytes() == getattr(v_state, field).tobytes(), field


def test_scalar_params_in_a_dict_and_in_a_run() -> None:
    opt = adamlib.Adam(lr=0.1)
    params = {"w": np.array(1.0), "b": np.array([2.0, 3.0])}
    new, state = opt.step(
        params, {"w": np.array(0.5), "b": np.array([1.0, -1.0])}, opt.init(params)
    )
    assert new["w"].shape == () and state.m["w"].shape == ()
    np.testing.assert_allclose(new["w"], 0.9)
    trace = adamlib.run_sequence(opt, [1.0, -2.0, 3.0], phi0=0.0)  # 1-D grads: one parameter
    assert trace.phi.shape == (4, 1)


# -- Δφ_t is φ_t − φ_{t−1}, decoupled weight decay included ---------------------------------------
DECOUPLED = {
    "adamw": lambda: adamlib.Adam(lr=0.1, weight_decay=0.5, decoupled_weight_decay=True),
    "radam-decoupled": lambda: adamlib.RAdam(lr=0.1, weight_decay=0.5, decoupled_weight_decay=True),
    "nadam-decoupled": lambda: adamlib.NAdam(lr=0.1, weight_decay=0.5, decoupled_weight_decay=True),
}


@pytest.mark.parametrize("factory", DECOUPLED.values(), ids=DECOUPLED.keys())
def test_delta_includes_the_decoupled_decay(factory: Factory) -> None:
    opt = factory()
    phi = np.array([1.0, -2.0, 3.0])
    state = opt.init(phi)
    for g in ([0.1, 0.2, -0.3], [0.0, 0.0, 0.0], [1.0, -1.0, 0.5]):
        new, state, info = opt.step_with_info(phi, np.array(g), state)
        np.testing.assert_array_equal(info["delta"], new - phi)
        phi = new
    # With g = 0 the optimizer's own step is 0 after the first steps' moments decay... but the
    # decay term alone already moves φ: Δφ must not be the adaptive step only.
    trace = adamlib.run_sequence(factory(), np.zeros((3, 2)), phi0=1.0)
    np.testing.assert_array_equal(trace.delta, np.diff(trace.phi, axis=0))
    assert np.all(trace.delta < 0)  # φ = 1 shrinks towards 0 by α λ φ each step


def test_delta_without_decay_is_the_optimizer_step_itself() -> None:
    """Without decoupled decay Δφ_t is −α·direction as computed (what the tables show)."""
    opt = adamlib.Adam(lr=0.1)
    phi = np.array([1.0])
    _, _, info = opt.step_with_info(phi, np.array([3.0]), opt.init(phi))
    np.testing.assert_array_equal(
        info["delta"], -0.1 * adamlib.adam_direction(np.array([3.0]), np.array([9.0]), 1e-8)
    )


# -- step_inplace(p, p, state): the gradient is the parameter array --------------------------------
@pytest.mark.parametrize(
    "options",
    [
        {"weight_decay": 0.1, "decoupled_weight_decay": True},
        {"weight_decay": 0.1},
        {"maximize": True, "amsgrad": True},
        {},
    ],
    ids=["adamw", "l2", "maximize-amsgrad", "plain"],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_inplace_with_the_gradient_aliasing_the_params(options: dict[str, Any], dtype: Any) -> None:
    opt = adamlib.Adam(lr=0.01, **options)
    p_pure = np.linspace(-1.0, 1.0, 1000, dtype=dtype)
    p_inplace = p_pure.copy()
    state, st_in = opt.init(p_pure), opt.init_inplace(p_inplace, block=64)
    for _ in range(5):
        p_pure, state = opt.step(p_pure, p_pure.copy(), state)
        opt.step_inplace(p_inplace, p_inplace, st_in)
        assert p_inplace.tobytes() == p_pure.tobytes()
    assert st_in.m.tobytes() == state.m.tobytes() and st_in.v.tobytes() == state.v.tobytes()


# -- SGD momentum 0 with dampening ---------------------------------------------------------------
def test_momentum_zero_ignores_dampening_like_torch() -> None:
    """torch.optim.SGD(momentum=0, dampening=d) is plain SGD: it keeps no buffer, so d never
    enters. adamlib used to scale g_t by (1 − d) from step 2 on."""
    grads = np.random.default_rng(0).standard_normal((6, 3))
    a = adamlib.run_sequence(Momentum(lr=0.1, momentum=0.0, dampening=0.5), grads, 1.0)
    b = adamlib.run_sequence(SGD(lr=0.1), grads, 1.0)
    np.testing.assert_array_equal(a.phi, b.phi)


# -- the cosine schedule against PyTorch's CosineAnnealingLR ---------------------------------------
def torch_cosine_annealing(step: int, total: int, final: float) -> float:
    """torch.optim.lr_scheduler.CosineAnnealingLR's closed form (``_get_closed_form_lr``) with
    ``eta_min = final · base_lr``, as a factor of ``base_lr``, at optimizer step ``step`` of a
    loop that calls ``scheduler.step()`` after ``optimizer.step()``: T_cur = step − 1 there."""
    t_cur = step - 1
    return final + (1.0 - final) * (1.0 + math.cos(math.pi * t_cur / total)) / 2.0


@pytest.mark.parametrize(("total", "final"), [(10, 0.0), (100, 0.1), (7, 0.5)])
def test_cosine_decay_runs_one_step_ahead_of_torch(total: int, final: float) -> None:
    """Documented difference: s(t) here is torch's factor of step t + 1 (up to rounding)."""
    s = cosine_decay(total, final)
    for t in range(1, total + 1):
        assert s(t) == pytest.approx(torch_cosine_annealing(t + 1, total, final), rel=1e-12)
    assert torch_cosine_annealing(1, total, final) == 1.0 and s(1) < 1.0
    assert s(total) == pytest.approx(final, abs=1e-15)


# -- AdaMax with β2 = 0 ------------------------------------------------------------------------
def test_adamax_with_beta2_zero_holds_still_where_u_is_zero_though_m_is_not() -> None:
    """β2 = 0, ε = 0: u_t = |g_t|, so g_2 = 0 gives u_2 = 0 while m_2 = β1 m_1 ≠ 0; the entry
    does not move (the ratio is taken as 0), as the class docstring says."""
    opt = AdaMax(lr=0.1, beta1=0.9, beta2=0.0, eps=0.0)
    phi = np.array([1.0])
    phi, state = opt.step(phi, np.array([2.0]), opt.init(phi))
    before = phi.copy()
    phi, state, info = opt.step_with_info(phi, np.array([0.0]), state)
    assert state.u[0] == 0.0 and state.m[0] != 0.0
    assert info["delta"][0] == 0.0 and phi.tobytes() == before.tobytes()


# -- NonFiniteError ------------------------------------------------------------------------------
def test_a_non_finite_gradient_raises_the_typed_error() -> None:
    opt = adamlib.Adam()
    phi = np.zeros(3)
    with pytest.raises(
        adamlib.NonFiniteError, match=r"grad must be finite, got .*inf.* at index \(1,\)"
    ):
        opt.step(phi, np.array([0.0, np.inf, 0.0]), opt.init(phi))
    assert issubclass(adamlib.NonFiniteError, ValueError)


def test_every_optimizer_has_a_frozen_config_and_a_complete_repr() -> None:
    import dataclasses

    for name, factory in OPTIMIZER_CASES.items():
        opt = factory()
        assert dataclasses.is_dataclass(opt.config), name
        with pytest.raises(dataclasses.FrozenInstanceError):
            opt.config.lr = 1.0  # type: ignore[misc]
        if name.startswith("scheduled"):
            continue  # Scheduled(opt, schedule) prints the wrapped optimizer's repr instead
        text = repr(opt)
        for field in dataclasses.fields(opt.config):
            assert f"{field.name}=" in text, (name, field.name)
