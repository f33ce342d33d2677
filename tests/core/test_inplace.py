"""Adam.step_inplace / init_inplace: the blocked, allocation-free step is Adam.step to the bit."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import adamlib

OPTIONS: list[Any] = [
    pytest.param({}, id="default"),
    pytest.param({"amsgrad": True}, id="amsgrad"),
    pytest.param({"weight_decay": 0.1}, id="l2"),
    pytest.param({"weight_decay": 0.1, "decoupled_weight_decay": True}, id="adamw"),
    pytest.param({"maximize": True}, id="maximize"),
    pytest.param({"bias_correction": False}, id="no-bias-correction"),
    pytest.param({"lr": 0.3, "eps": 1e-12, "beta1": 0.5, "beta2": 0.9}, id="other-hyperparameters"),
    pytest.param(
        {
            "lr": 0.05,
            "amsgrad": True,
            "weight_decay": 0.01,
            "decoupled_weight_decay": True,
            "maximize": True,
            "bias_correction": False,
        },
        id="everything",
    ),
    pytest.param(
        {"lr": 0.05, "amsgrad": True, "weight_decay": 0.01, "maximize": True}, id="amsgrad-l2-max"
    ),
]
DTYPES = [pytest.param(np.float32, id="float32"), pytest.param(np.float64, id="float64")]


def grads_for(step: int, size: int, dtype: Any) -> np.ndarray:
    """Gradients with a few exact zeros and a wide range of magnitudes."""
    rng = np.random.default_rng(step)
    g = rng.standard_normal(size) * 10.0 ** rng.integers(-3, 3, size)
    g[rng.random(size) < 0.1] = 0.0
    return g.astype(dtype)


def run_both(options: dict[str, Any], dtype: Any, size: int, block: int, steps: int = 50) -> None:
    opt = adamlib.Adam(**options)
    p_pure = np.linspace(-1.0, 1.0, size, dtype=dtype)
    p_inplace = p_pure.copy()
    state = opt.init(p_pure)
    istate = opt.init_inplace(p_inplace, block=block)
    buffer_ids = (id(p_inplace), id(istate.m), id(istate.v), id(istate.scratch))
    for step in range(1, steps + 1):
        g = grads_for(step, size, dtype)
        g_before = g.copy()
        p_pure, state = opt.step(p_pure, g, state)
        assert opt.step_inplace(p_inplace, g, istate) is None
        assert g.tobytes() == g_before.tobytes(), "step_inplace wrote into grad"
        assert istate.t == state.t == step
        assert p_inplace.dtype == dtype and istate.m.dtype == dtype
        assert p_inplace.tobytes() == p_pure.tobytes(), f"params differ at step {step}"
        assert istate.m.tobytes() == state.m.tobytes(), f"m differs at step {step}"
        assert istate.v.tobytes() == state.v.tobytes(), f"v differs at step {step}"
        if options.get("amsgrad"):
            assert istate.v_max is not None
            assert istate.v_max.tobytes() == state.v_max.tobytes()
        else:
            assert istate.v_max is None and state.v_max is None
    assert (id(p_inplace), id(istate.m), id(istate.v), id(istate.scratch)) == buffer_ids


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("options", OPTIONS)
def test_step_inplace_is_bit_identical_to_step(options: dict[str, Any], dtype: Any) -> None:
    """size 1000, block 64: 15 full blocks and a partial one of 40."""
    run_both(options, dtype, size=1000, block=64)


@pytest.mark.parametrize(
    ("size", "block"),
    [(1, 64), (63, 64), (64, 64), (65, 64), (128, 64), (7, 1), (1000, 1 << 16), (999, 100)],
)
def test_step_inplace_any_block_size(size: int, block: int) -> None:
    run_both({"amsgrad": True, "weight_decay": 0.1}, np.float64, size, block, steps=10)


def test_init_inplace_state() -> None:
    opt = adamlib.Adam(amsgrad=True)
    st = opt.init_inplace(np.ones(1000, np.float32), block=64)
    assert st.t == 0 and st.block == 64
    for buf in (st.m, st.v, st.v_max):
        assert buf is not None
        assert buf.shape == (1000,) and buf.dtype == np.float32
        assert not buf.any()
    assert all(s.shape == (64,) and s.dtype == np.float32 for s in st.scratch)
    small = opt.init_inplace(np.ones(10), block=64)
    assert all(s.shape == (10,) for s in small.scratch), "scratch need not exceed the array"
    assert adamlib.Adam().init_inplace(np.ones(3)).v_max is None


@pytest.mark.parametrize(
    ("block", "exc"),
    [(0, ValueError), (-1, ValueError), (1.5, TypeError), ("64", TypeError), (True, TypeError)],
)
def test_init_inplace_rejects_bad_block(block: Any, exc: type[Exception]) -> None:
    params = np.ones(10)
    with pytest.raises(exc) as info:
        adamlib.Adam().init_inplace(params, block=block)
    assert "block" in str(info.value) and repr(block) in str(info.value)


@pytest.mark.parametrize("dtype", DTYPES)
def test_step_inplace_on_2d_params(dtype: Any) -> None:
    opt = adamlib.Adam(amsgrad=True)
    p_pure = np.linspace(-1.0, 1.0, 60, dtype=dtype).reshape(6, 10)
    p_inplace = p_pure.copy()
    state, istate = opt.init(p_pure), opt.init_inplace(p_inplace, block=16)
    for step in range(1, 6):
        g = grads_for(step, 60, dtype).reshape(6, 10)
        p_pure, state = opt.step(p_pure, g, state)
        opt.step_inplace(p_inplace, g, istate)
        assert p_inplace.tobytes() == p_pure.tobytes()
        assert istate.m.tobytes() == state.m.tobytes()


def test_inplace_comparison_is_sensitive() -> None:
    """Sanity: a different option set does not produce the same bits, so the checks bite."""
    a, b = adamlib.Adam(), adamlib.Adam(eps=1e-7)
    p, q = np.linspace(-1.0, 1.0, 100), np.linspace(-1.0, 1.0, 100)
    st = b.init_inplace(q, block=64)
    p, _ = a.step(p, grads_for(1, 100, np.float64), a.init(p))
    b.step_inplace(q, grads_for(1, 100, np.float64), st)
    assert p.tobytes() != q.tobytes()
