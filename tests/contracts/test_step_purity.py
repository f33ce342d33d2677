"""``step`` is a pure function for every optimizer: it mutates nothing, treats dict parameters
key by key, and keeps each array's dtype."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from _support import (
    OPTIMIZER_CASES,
    Factory,
    assert_state_identical,
    assert_tree_identical,
    snapshot,
    state_buffers,
    tree_dtypes,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import adamlib

CASES = [pytest.param(factory, id=name) for name, factory in OPTIMIZER_CASES.items()]
DTYPES = [pytest.param(np.float32, id="float32"), pytest.param(np.float64, id="float64")]


def runs(dtype: Any, shape: Any) -> st.SearchStrategy[np.ndarray]:
    """A sequence of gradients (first axis: steps) of the given dtype."""
    width = 32 if dtype == np.float32 else 64
    elements = st.floats(-1e3, 1e3, width=width)
    return hnp.arrays(dtype, st.tuples(st.integers(1, 6), shape), elements=elements)


def mutation_checked_step(opt: Any, params: Any, grad: Any, state: Any) -> tuple[Any, Any]:
    """One step, asserting that params, grad and every state buffer are unchanged by it."""
    before = snapshot((params, grad, state))
    new_params, new_state = opt.step(params, grad, state)
    assert_tree_identical(params, before[0], "params")
    assert_tree_identical(grad, before[1], "grad")
    assert_state_identical(state, before[2])
    assert new_state is not state
    assert new_state.t == state.t + 1
    return new_params, new_state


@settings(max_examples=30)
@pytest.mark.parametrize("factory", CASES)
@given(grads=runs(np.float64, st.integers(1, 5)))
def test_step_never_mutates_its_inputs(factory: Factory, grads: np.ndarray) -> None:
    opt = factory()
    params = np.linspace(-1.0, 1.0, grads.shape[1])
    state = opt.init(params)
    for g in grads:
        params, state = mutation_checked_step(opt, params, g, state)


@settings(max_examples=30)
@pytest.mark.parametrize("factory", CASES)
@given(grads=runs(np.float64, st.integers(1, 5)))
def test_step_never_mutates_dict_inputs(factory: Factory, grads: np.ndarray) -> None:
    opt = factory()
    n = grads.shape[1]
    params = {"a": np.linspace(-1.0, 1.0, n), "b": np.full((2, 3), 0.5)}
    state = opt.init(params)
    for g in grads:
        grad = {"a": g, "b": np.full((2, 3), g[0])}
        params, state = mutation_checked_step(opt, params, grad, state)


@pytest.mark.parametrize("factory", CASES)
def test_results_do_not_alias_inputs(factory: Factory) -> None:
    """Writing into a returned array must not write into the caller's arrays (and vice versa)."""
    opt = factory()
    params = np.array([0.5, -1.5, 2.0])
    state = opt.init(params)
    grad = np.array([0.1, -0.2, 0.3])
    for _ in range(2):
        new_params, new_state = opt.step(params, grad, state)
        for name, buf in state_buffers(new_state).items():
            if isinstance(buf, np.ndarray):
                assert not np.shares_memory(buf, params), name
                assert not np.shares_memory(buf, grad), name
                old = getattr(state, name)
                assert old is None or not np.shares_memory(buf, old), name
        assert not np.shares_memory(new_params, params)
        assert not np.shares_memory(new_params, grad)
        params, state = new_params, new_state


@settings(max_examples=30)
@pytest.mark.parametrize("factory", CASES)
@given(
    xs=runs(np.float64, st.just(4)),
    ys=runs(np.float64, st.just(4)),
)
def test_dict_step_equals_separate_steps(factory: Factory, xs: np.ndarray, ys: np.ndarray) -> None:
    """Stepping {'a': x, 'b': y} is stepping x and y on their own, bit for bit."""
    steps = min(len(xs), len(ys))
    opt = factory()
    x, y = np.linspace(-1.0, 1.0, 4), np.linspace(2.0, -2.0, 8).reshape(2, 4)
    tree = {"a": x, "b": y}
    sx, sy, st_ = opt.init(x), opt.init(y), opt.init(tree)
    for i in range(steps):
        gy = np.stack([ys[i], -ys[i]])
        x, sx, ix = opt.step_with_info(x, xs[i], sx)
        y, sy, iy = opt.step_with_info(y, gy, sy)
        tree, st_, it = opt.step_with_info(tree, {"a": xs[i], "b": gy}, st_)
        assert_tree_identical(tree, {"a": x, "b": y}, "params")
        assert st_.t == sx.t == sy.t == i + 1
        for name, buf in state_buffers(st_).items():
            if name == "t":
                continue
            bx, by = getattr(sx, name), getattr(sy, name)
            if bx is None:
                assert buf is None and by is None, name
            else:
                assert_tree_identical(buf, {"a": bx, "b": by}, f"state.{name}")
        assert list(it) == list(ix) == list(iy)
        for key in ix:
            assert_tree_identical(it[key], {"a": ix[key], "b": iy[key]}, f"info[{key!r}]")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("factory", CASES)
def test_dtype_is_kept(factory: Factory, dtype: Any) -> None:
    """float32 stays float32 and float64 stays float64: parameters, every buffer, every info."""
    opt = factory()
    rng = np.random.default_rng(0)
    params = rng.standard_normal(7).astype(dtype)
    state = opt.init(params)
    assert tree_dtypes(state_buffers(state)) <= {np.dtype(dtype)}
    for _ in range(3):
        grad = rng.standard_normal(7).astype(dtype)
        params, state, info = opt.step_with_info(params, grad, state)
        assert params.dtype == dtype
        assert tree_dtypes(state_buffers(state)) <= {np.dtype(dtype)}
        assert tree_dtypes(info) == {np.dtype(dtype)}


@pytest.mark.parametrize("factory", CASES)
def test_dtype_is_kept_per_key(factory: Factory) -> None:
    opt = factory()
    params = {"s": np.ones(3, np.float32), "d": np.ones((2, 2), np.float64)}
    grad = {"s": np.full(3, 0.5, np.float32), "d": np.full((2, 2), 0.5)}
    state = opt.init(params)
    for _ in range(2):
        params, state = opt.step(params, grad, state)
    assert params["s"].dtype == np.float32 and params["d"].dtype == np.float64
    for name, buf in state_buffers(state).items():
        if isinstance(buf, dict):
            assert buf["s"].dtype == np.float32, name
            assert buf["d"].dtype == np.float64, name


def test_purity_check_detects_mutation() -> None:
    """The helper above would catch an optimizer that writes into its state."""

    class Leaky:
        def step(self, params: np.ndarray, grad: np.ndarray, state: Any) -> tuple[Any, Any]:
            state.m[0] += 1.0
            return params - grad, type(state)(t=state.t + 1, m=state.m, v=state.v)

    state = adamlib.Adam().init(np.zeros(2))
    with pytest.raises(AssertionError, match=r"state\.m"):
        mutation_checked_step(Leaky(), np.zeros(2), np.ones(2), state)
