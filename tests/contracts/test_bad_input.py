"""Rejected input: every optimizer names the argument and the bad value, and changes nothing.

``_checks`` promises that every check runs before anything is computed, so after a rejected
``step`` the caller's params, grad and state hold exactly what they held before.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable
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
)

import adamlib
from adamlib.optimizers import SGD, AdaGrad, AdaMax, Momentum, RMSProp, SGDState, amsgrad
from adamlib.radam import RAdam

NAN, INF = float("nan"), float("inf")

# -- constructors -----------------------------------------------------------------------------
BETA_BAD: list[tuple[Any, type[Exception]]] = [
    (1.0, ValueError),
    (1, ValueError),
    (-0.1, ValueError),
    (1.5, ValueError),
    (NAN, ValueError),
    (INF, ValueError),
    (np.float64(1.0), ValueError),
    ("0.9", TypeError),
    (None, TypeError),
    (True, TypeError),
    (0.5j, TypeError),
    ([0.9], TypeError),
]
LR_BAD: list[tuple[Any, type[Exception]]] = [
    (0, ValueError),
    (0.0, ValueError),
    (-1e-3, ValueError),
    (INF, ValueError),
    (-INF, ValueError),
    (NAN, ValueError),
    (np.float32(0.0), ValueError),
    ("x", TypeError),
    ("1e-3", TypeError),
    (None, TypeError),
    (True, TypeError),
]
NONNEG_BAD: list[tuple[Any, type[Exception]]] = [
    (-1e-3, ValueError),
    (-1, ValueError),
    (INF, ValueError),
    (NAN, ValueError),
    ("x", TypeError),
    (None, TypeError),
    (True, TypeError),
]
BAD_BY_KIND = {"beta": BETA_BAD, "lr": LR_BAD, "nonneg": NONNEG_BAD}

#: Every numeric hyperparameter of every optimizer, by the kind of check it must get.
CONSTRUCTOR_ARGS: dict[Any, dict[str, str]] = {
    adamlib.Adam: {
        "lr": "lr",
        "beta1": "beta",
        "beta2": "beta",
        "eps": "nonneg",
        "weight_decay": "nonneg",
    },
    amsgrad: {
        "lr": "lr",
        "beta1": "beta",
        "beta2": "beta",
        "eps": "nonneg",
        "weight_decay": "nonneg",
    },
    SGD: {"lr": "lr", "weight_decay": "nonneg"},
    Momentum: {"lr": "lr", "momentum": "beta", "dampening": "beta", "weight_decay": "nonneg"},
    AdaGrad: {
        "lr": "lr",
        "eps": "nonneg",
        "lr_decay": "nonneg",
        "initial_accumulator_value": "nonneg",
        "weight_decay": "nonneg",
    },
    RMSProp: {
        "lr": "lr",
        "beta2": "beta",
        "eps": "nonneg",
        "momentum": "beta",
        "weight_decay": "nonneg",
    },
    AdaMax: {
        "lr": "lr",
        "beta1": "beta",
        "beta2": "beta",
        "eps": "nonneg",
        "weight_decay": "nonneg",
    },
    RAdam: {
        "lr": "lr",
        "beta1": "beta",
        "beta2": "beta",
        "eps": "nonneg",
        "weight_decay": "nonneg",
    },
}

CONSTRUCTOR_CASES = [
    pytest.param(cls, arg, value, exc, id=f"{cls.__name__}-{arg}={value!r}")
    for cls, args in CONSTRUCTOR_ARGS.items()
    for arg, kind in args.items()
    for value, exc in BAD_BY_KIND[kind]
]


def assert_names(message: str, name: str, *values: str) -> None:
    """``message`` names the argument ``name`` (as a whole word) and shows each of ``values``."""
    assert re.search(rf"(?<![\w.]){re.escape(name)}(?![\w])", message), (name, message)
    for value in values:
        assert value in message, (value, message)


@pytest.mark.parametrize(("cls", "arg", "value", "exc"), CONSTRUCTOR_CASES)
def test_constructor_rejects_bad_hyperparameter(
    cls: Callable[..., Any], arg: str, value: Any, exc: type[Exception]
) -> None:
    with pytest.raises(exc) as info:
        cls(**{arg: value})
    assert_names(str(info.value), arg, repr(value))


GOOD_VALUES = {
    "beta": [0.0, 0, 0.5, 0.9999, np.float32(0.9)],
    "lr": [1e-12, 1, 10.0, np.float64(0.1)],
}
GOOD_VALUES["nonneg"] = [0.0, 0, 1e-8, 2]


@pytest.mark.parametrize("cls", list(CONSTRUCTOR_ARGS))
def test_constructor_accepts_boundary_values(cls: Callable[..., Any]) -> None:
    """The checks are not blanket refusals: 0 ≤ β < 1, α > 0 and λ, ε ≥ 0 all pass."""
    for arg, kind in CONSTRUCTOR_ARGS[cls].items():
        for value in GOOD_VALUES[kind]:
            opt = cls(**{arg: value})
            p = np.ones(2)
            opt.step(p, np.ones(2), opt.init(p))


def test_nesterov_needs_momentum_and_no_dampening() -> None:
    for kwargs in ({"momentum": 0.0}, {"momentum": 0.9, "dampening": 0.1}):
        with pytest.raises(ValueError) as info:
            Momentum(nesterov=True, **kwargs)
        assert_names(str(info.value), "nesterov", *(f"{k}={v!r}" for k, v in kwargs.items()))


# -- step -------------------------------------------------------------------------------------
CASES = [pytest.param(factory, id=name) for name, factory in OPTIMIZER_CASES.items()]

Args = tuple[Any, Any, Any]
Mutator = Callable[[Any, Any, Any, Any], Args]


def _with(grad: np.ndarray, index: int, value: float) -> np.ndarray:
    grad = grad.copy()
    grad.flat[index] = value
    return grad


def _other_state(opt: Any, params: Any, state: Any) -> Any:
    """A state made by a different optimizer class."""
    return adamlib.Adam().init(params) if isinstance(opt, SGD) else SGDState(t=state.t)


#: (id, how to spoil (opt, params, grad, state), exception, argument name, value tokens)
ARRAY_CASES: list[tuple[str, Mutator, type[Exception], str, tuple[str, ...]]] = [
    ("grad-shape", lambda o, p, g, s: (p, np.zeros(5), s), ValueError, "grad", ("(5,)", "(4,)")),
    (
        "grad-shape-2d",
        lambda o, p, g, s: (p, g.reshape(4, 1), s),
        ValueError,
        "grad",
        ("(4, 1)",),
    ),
    (
        "grad-float32",
        lambda o, p, g, s: (p, g.astype(np.float32), s),
        TypeError,
        "grad",
        ("float32",),
    ),
    ("grad-int", lambda o, p, g, s: (p, np.arange(4), s), TypeError, "grad", ("int64",)),
    (
        "grad-nan-last",
        lambda o, p, g, s: (p, _with(g, -1, NAN), s),
        ValueError,
        "grad",
        ("nan", "(3,)"),
    ),
    (
        "grad-inf-first",
        lambda o, p, g, s: (p, _with(g, 0, INF), s),
        ValueError,
        "grad",
        ("inf", "(0,)"),
    ),
    (
        "grad-neg-inf",
        lambda o, p, g, s: (p, _with(g, 2, -INF), s),
        ValueError,
        "grad",
        ("-inf", "(2,)"),
    ),
    ("grad-list", lambda o, p, g, s: (p, g.tolist(), s), TypeError, "grad", ("list",)),
    ("grad-dict", lambda o, p, g, s: (p, {"a": g}, s), TypeError, "grad", ("dict",)),
    (
        "params-int",
        lambda o, p, g, s: (np.arange(4), g, s),
        TypeError,
        "params",
        ("int64",),
    ),
    ("params-list", lambda o, p, g, s: (p.tolist(), g, s), TypeError, "params", ("list",)),
    (
        "state-other-optimizer",
        lambda o, p, g, s: (p, g, _other_state(o, p, s)),
        TypeError,
        "state",
        (),  # the class name is checked in the test
    ),
    ("state-none", lambda o, p, g, s: (p, g, None), TypeError, "state", ("NoneType",)),
    (
        "state-negative-t",
        lambda o, p, g, s: (p, g, dataclasses.replace(s, t=-1)),
        ValueError,
        "state.t",
        ("-1",),
    ),
]

DICT_CASES: list[tuple[str, Mutator, type[Exception], str, tuple[str, ...]]] = [
    (
        "grad-missing-key",
        lambda o, p, g, s: (p, {"a": g["a"]}, s),
        ValueError,
        "grad",
        ("['a']", "['a', 'b']"),
    ),
    (
        "grad-extra-key",
        lambda o, p, g, s: (p, {**g, "c": g["a"]}, s),
        ValueError,
        "grad",
        ("['a', 'b', 'c']",),
    ),
    (
        "grad-renamed-key",
        lambda o, p, g, s: (p, {"a": g["a"], "c": g["b"]}, s),
        ValueError,
        "grad",
        ("'c'",),
    ),
    (
        "grad-leaf-nan",
        lambda o, p, g, s: (p, {**g, "b": _with(g["b"], -1, NAN)}, s),
        ValueError,
        "grad['b']",
        ("nan", "(1, 1)"),
    ),
    (
        "grad-leaf-shape",
        lambda o, p, g, s: (p, {**g, "a": np.zeros(2)}, s),
        ValueError,
        "grad['a']",
        ("(2,)", "(3,)"),
    ),
    (
        "grad-leaf-dtype",
        lambda o, p, g, s: (p, {**g, "b": g["b"].astype(np.float32)}, s),
        TypeError,
        "grad['b']",
        ("float32",),
    ),
    (
        "grad-ndarray",
        lambda o, p, g, s: (p, g["a"], s),
        TypeError,
        "grad",
        ("ndarray",),
    ),
    (
        "params-leaf-int",
        lambda o, p, g, s: ({**p, "a": np.arange(3)}, g, s),
        TypeError,
        "params['a']",
        ("int64",),
    ),
    (
        "params-leaf-list",
        lambda o, p, g, s: ({**p, "b": p["b"].tolist()}, g, s),
        TypeError,
        "params['b']",
        ("list",),
    ),
    ("params-empty", lambda o, p, g, s: ({}, {}, s), ValueError, "params", ("empty dict",)),
    (
        "state-other-optimizer",
        lambda o, p, g, s: (p, g, _other_state(o, p, s)),
        TypeError,
        "state",
        (),
    ),
]


def _case_params(cases: list[Any]) -> list[Any]:
    return [
        pytest.param(mutate, exc, name, values, id=cid) for cid, mutate, exc, name, values in cases
    ]


def _prepared(factory: Factory, params: Any, grad: Any) -> tuple[Any, Any, Any]:
    """An optimizer and a state two steps in, so every buffer holds nonzero values."""
    opt = factory()
    state = opt.init(params)
    p = params
    for _ in range(2):
        p, state = opt.step(p, grad, state)
    return opt, p, state


def _check_rejected(
    opt: Any, args: Args, exc: type[Exception], name: str, values: tuple[str, ...]
) -> None:
    before = snapshot(args)
    with pytest.raises(exc) as info:
        opt.step(*args)
    message = str(info.value)
    assert_names(message, name, *values)
    if name == "state" and not values:
        assert type(args[2]).__name__ in message, message
    # nothing changed: params, grad and (when it is one) the state
    for i, what in enumerate(("params", "grad")):
        if isinstance(args[i], (np.ndarray, dict)):
            assert_tree_identical(args[i], before[i], what)
    if dataclasses.is_dataclass(args[2]):
        assert_state_identical(args[2], before[2])


@pytest.mark.parametrize(("mutate", "exc", "name", "values"), _case_params(ARRAY_CASES))
@pytest.mark.parametrize("factory", CASES)
def test_step_rejects_bad_array_input(
    factory: Factory, mutate: Mutator, exc: type[Exception], name: str, values: tuple[str, ...]
) -> None:
    grad = np.array([0.5, -1.0, 2.0, -0.25])
    opt, params, state = _prepared(factory, np.array([1.0, -2.0, 3.0, 0.5]), grad)
    _check_rejected(opt, mutate(opt, params, grad, state), exc, name, values)


@pytest.mark.parametrize(("mutate", "exc", "name", "values"), _case_params(DICT_CASES))
@pytest.mark.parametrize("factory", CASES)
def test_step_rejects_bad_dict_input(
    factory: Factory, mutate: Mutator, exc: type[Exception], name: str, values: tuple[str, ...]
) -> None:
    grad = {"a": np.array([0.5, -1.0, 2.0]), "b": np.array([[1.0, -1.0], [0.5, 3.0]])}
    params = {"a": np.array([1.0, -2.0, 3.0]), "b": np.eye(2)}
    opt, params, state = _prepared(factory, params, grad)
    _check_rejected(opt, mutate(opt, params, grad, state), exc, name, values)


BUFFERED_CASES = [
    pytest.param(factory, id=name)
    for name, factory in OPTIMIZER_CASES.items()
    if any(isinstance(b, np.ndarray) for b in state_buffers(factory().init(np.ones(1))).values())
]


@pytest.mark.parametrize("factory", BUFFERED_CASES)
def test_step_rejects_state_of_other_shape(factory: Factory) -> None:
    opt = factory()
    wrong_shape = opt.step(np.ones(5), np.ones(5), opt.init(np.ones(5)))[1]
    args = (np.ones(4), np.full(4, 0.5), wrong_shape)
    _check_rejected(opt, args, ValueError, "state", ("(5,)", "(4,)"))


@pytest.mark.parametrize("factory", BUFFERED_CASES)
def test_step_rejects_state_of_other_keys(factory: Factory) -> None:
    opt = factory()
    tree = {"a": np.ones(3), "b": np.ones(2)}
    other_keys = opt.step(
        {"a": np.ones(3), "c": np.ones(2)},
        {"a": np.ones(3), "c": np.ones(2)},
        opt.init({"a": np.ones(3), "c": np.ones(2)}),
    )[1]
    args = (tree, {"a": np.ones(3), "b": np.ones(2)}, other_keys)
    _check_rejected(opt, args, ValueError, "state", ("'c'",))


@pytest.mark.parametrize(
    "factory",
    [
        pytest.param(OPTIMIZER_CASES[n], id=n)
        for n in ("adam", "momentum", "adagrad", "rmsprop", "adamax")
    ],
)
@pytest.mark.parametrize(
    ("state_is_dict", "shape"),
    [(True, (3,)), (False, (3,)), (False, (2, 2))],
    ids=["dict-state", "array-state", "array-state-2d"],
)
def test_step_rejects_state_of_other_structure(
    factory: Factory, state_is_dict: bool, shape: tuple[int, ...]
) -> None:
    opt = factory()
    x = np.ones(shape)
    if state_is_dict:
        args: Args = (x, np.full(shape, 0.5), opt.init({"a": x}))
    else:
        args = ({"a": x}, {"a": np.full(shape, 0.5)}, opt.init(x))
    _check_rejected(opt, args, TypeError, "state", ("dict",))


def test_step_rejection_check_is_sensitive() -> None:
    """Sanity: a step that is *not* rejected fails _check_rejected, so the tests above bite."""
    opt = adamlib.Adam()
    p = np.ones(3)
    with pytest.raises(pytest.fail.Exception):
        _check_rejected(opt, (p, np.ones(3), opt.init(p)), ValueError, "grad", ())


# -- states made by the same class with other options ---------------------------
def test_amsgrad_rejects_state_without_v_max() -> None:
    params, grad = np.ones(3), np.full(3, 0.5)
    state = adamlib.Adam().init(params)
    before = snapshot((params, grad, state))
    with pytest.raises((ValueError, TypeError)) as info:
        adamlib.Adam(amsgrad=True).step(params, grad, state)
    assert_names(str(info.value), "state.v_max", "None")
    assert_state_identical(state, before[2])


@pytest.mark.parametrize("options", [{"centered": True}, {"momentum": 0.9}])
def test_rmsprop_rejects_state_without_its_buffers(options: dict[str, Any]) -> None:
    params, grad = np.ones(3), np.full(3, 0.5)
    state = RMSProp().init(params)
    with pytest.raises((ValueError, TypeError)) as info:
        RMSProp(**options).step(params, grad, state)
    assert "state" in str(info.value), str(info.value)


@pytest.mark.parametrize("factory", BUFFERED_CASES)
def test_step_rejects_state_of_other_dtype(factory: Factory) -> None:
    """float32 params with a float64 state: rejected, not silently promoted to float64."""
    opt = factory()
    state = opt.init(np.ones(3))  # float64
    params, grad = np.ones(3, np.float32), np.full(3, 0.5, np.float32)
    _check_rejected(opt, (params, grad, state), ValueError, "state", ("float64", "float32"))
    dict_state = opt.init({"a": np.ones(3, np.float32), "b": np.ones(2)})
    tree = {"a": np.ones(3), "b": np.ones(2)}
    dict_grad = {"a": np.full(3, 0.5), "b": np.full(2, 0.5)}
    _check_rejected(opt, (tree, dict_grad, dict_state), ValueError, "state", ("['a']", "float32"))


# -- step_inplace -----------------------------------------------------------------------------
def _inplace_setup(
    dtype: Any = np.float64, amsgrad: bool = True
) -> tuple[adamlib.Adam, np.ndarray, adamlib.InplaceAdamState]:
    opt = adamlib.Adam(lr=0.01, amsgrad=amsgrad, weight_decay=0.1)
    params = np.linspace(-1.0, 1.0, 1000, dtype=dtype)
    state = opt.init_inplace(params, block=64)
    rng = np.random.default_rng(1)
    for _ in range(3):
        opt.step_inplace(params, rng.standard_normal(1000).astype(dtype), state)
    return opt, params, state


def _inplace_state_snapshot(state: adamlib.InplaceAdamState) -> tuple[Any, ...]:
    v_max = None if state.v_max is None else state.v_max.copy()
    return state.t, state.m.copy(), state.v.copy(), v_max, state.block


def _assert_inplace_unchanged(
    params: np.ndarray, p_before: np.ndarray, state: adamlib.InplaceAdamState, before: Any
) -> None:
    assert_tree_identical(params, p_before, "params")
    t, m, v, v_max, block = before
    assert state.t == t and state.block == block
    assert_tree_identical(state.m, m, "state.m")
    assert_tree_identical(state.v, v, "state.v")
    if v_max is None:
        assert state.v_max is None
    else:
        assert_tree_identical(state.v_max, v_max, "state.v_max")


def _good_grad() -> np.ndarray:
    return np.full(1000, 0.5)


INPLACE_CASES: list[Any] = [
    pytest.param(
        lambda p, s: (p, _with(_good_grad(), -1, NAN), s),
        ValueError,
        "grad",
        ("nan", "(999,)"),
        id="grad-nan-last",
    ),
    pytest.param(
        lambda p, s: (p, _with(_good_grad(), 999, INF), s),
        ValueError,
        "grad",
        ("inf", "(999,)"),
        id="grad-inf-last",
    ),
    pytest.param(
        lambda p, s: (p, _with(_good_grad(), 64, -INF), s),
        ValueError,
        "grad",
        ("-inf", "(64,)"),
        id="grad-neg-inf-second-block",
    ),
    pytest.param(
        lambda p, s: (p, _good_grad().astype(np.float32), s),
        TypeError,
        "grad",
        ("float32",),
        id="grad-float32",
    ),
    pytest.param(
        lambda p, s: (p, np.ones(1000, dtype=np.int64), s),
        TypeError,
        "grad",
        ("int64",),
        id="grad-int",
    ),
    pytest.param(
        lambda p, s: (p, np.ones(999), s), ValueError, "grad", ("(999,)",), id="grad-shape"
    ),
    pytest.param(
        lambda p, s: (p, _good_grad().tolist(), s), TypeError, "grad", ("list",), id="grad-list"
    ),
    pytest.param(
        lambda p, s: (p, np.ones(2000)[::2], s),
        ValueError,
        "grad",
        ("C-contiguous",),
        id="grad-not-contiguous",
    ),
    pytest.param(
        lambda p, s: (p.tolist(), _good_grad(), s), TypeError, "params", ("list",), id="params-list"
    ),
    pytest.param(
        lambda p, s: (np.arange(1000), _good_grad(), s),
        TypeError,
        "params",
        ("int64",),
        id="params-int",
    ),
    pytest.param(
        lambda p, s: (p, _good_grad(), adamlib.Adam().init(p)),
        TypeError,
        "state",
        ("AdamState",),
        id="state-pure",
    ),
    pytest.param(
        lambda p, s: (p, _good_grad(), adamlib.Adam().init_inplace(np.ones(500))),
        ValueError,
        "state",
        ("(500,)",),
        id="state-other-size",
    ),
    pytest.param(
        lambda p, s: (p, _good_grad(), adamlib.Adam().init_inplace(np.ones(1000, np.float32))),
        ValueError,
        "state",
        ("float32",),
        id="state-other-dtype",
    ),
]


@pytest.mark.parametrize(("spoil", "exc", "name", "values"), INPLACE_CASES)
def test_step_inplace_rejects_and_changes_nothing(
    spoil: Callable[[Any, Any], Args],
    exc: type[Exception],
    name: str,
    values: tuple[str, ...],
) -> None:
    opt, params, state = _inplace_setup()
    p_before, s_before = params.copy(), _inplace_state_snapshot(state)
    args = spoil(params, state)
    g_before = snapshot(args[1])
    with pytest.raises(exc) as info:
        opt.step_inplace(*args)
    assert_names(str(info.value), name, *values)
    _assert_inplace_unchanged(params, p_before, state, s_before)
    if isinstance(args[2], adamlib.InplaceAdamState) and args[2] is not state:
        assert args[2].t == 0 and not args[2].m.any()
    if isinstance(g_before, np.ndarray):
        assert_tree_identical(args[1], g_before, "grad")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_step_inplace_nan_in_last_block_leaves_earlier_blocks(dtype: Any) -> None:
    """The NaN is found before the first block is written, not when its block comes up."""
    opt, params, state = _inplace_setup(dtype)
    p_before, s_before = params.copy(), _inplace_state_snapshot(state)
    grad = np.full(1000, 0.5, dtype=dtype)
    grad[-1] = np.nan
    with pytest.raises(ValueError, match=r"grad must be finite, got .*nan.* at index \(999,\)"):
        opt.step_inplace(params, grad, state)
    _assert_inplace_unchanged(params, p_before, state, s_before)
    # and the next good step proceeds from the untouched state
    grad[-1] = 0.5
    opt.step_inplace(params, grad, state)
    assert state.t == s_before[0] + 1


def test_step_inplace_amsgrad_rejects_state_without_v_max_and_changes_nothing() -> None:
    _, params, state = _inplace_setup(amsgrad=False)
    p_before, s_before = params.copy(), _inplace_state_snapshot(state)
    with pytest.raises((ValueError, TypeError)) as info:
        adamlib.Adam(amsgrad=True).step_inplace(params, _good_grad(), state)
    assert_names(str(info.value), "state.v_max", "None")
    _assert_inplace_unchanged(params, p_before, state, s_before)


def test_nan_repr_is_what_messages_show() -> None:
    """The constructor tests look for repr(value); for NaN that is 'nan'."""
    assert repr(NAN) == "nan" and math.isnan(NAN)
