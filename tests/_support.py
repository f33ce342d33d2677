"""Shared pieces of the property and bad-input tests: optimizer cases and exact comparisons."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pytest
from hypothesis import strategies as st

import adamlib
from adamlib.nadam import NAdam
from adamlib.optimizers import SGD, AdaGrad, AdaMax, Momentum, RMSProp, amsgrad
from adamlib.radam import RAdam
from adamlib.schedules import Scheduled, linear_warmup

Factory = Callable[[], Any]

#: Every optimizer class in adamlib, each with a few option sets that switch on every buffer.
OPTIMIZER_CASES: dict[str, Factory] = {
    "adam": lambda: adamlib.Adam(lr=0.01),
    "adam-amsgrad": lambda: adamlib.Adam(lr=0.01, amsgrad=True),
    "amsgrad-factory": lambda: amsgrad(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
    "adam-l2": lambda: adamlib.Adam(lr=0.01, weight_decay=0.1),
    "adamw": lambda: adamlib.Adam(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
    "adam-all": lambda: adamlib.Adam(
        lr=0.01, amsgrad=True, maximize=True, bias_correction=False, weight_decay=0.05
    ),
    "sgd": lambda: SGD(lr=0.01, weight_decay=0.1),
    "sgd-maximize": lambda: SGD(lr=0.01, maximize=True),
    "momentum": lambda: Momentum(lr=0.01, momentum=0.9, dampening=0.1),
    "nesterov": lambda: Momentum(lr=0.01, momentum=0.9, nesterov=True, weight_decay=0.1),
    "adagrad": lambda: AdaGrad(lr=0.01, lr_decay=0.1, initial_accumulator_value=0.1),
    "rmsprop": lambda: RMSProp(lr=0.01),
    "rmsprop-centered-momentum": lambda: RMSProp(
        lr=0.01, centered=True, momentum=0.9, weight_decay=0.1, maximize=True
    ),
    "adamax": lambda: AdaMax(lr=0.01),
    "adamax-eps": lambda: AdaMax(lr=0.01, eps=1e-8, weight_decay=0.1),
    "radam": lambda: RAdam(lr=0.01),
    "radam-all": lambda: RAdam(
        lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True
    ),
    "nadam": lambda: NAdam(lr=0.01),
    "nadam-all": lambda: NAdam(
        lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True
    ),
    "scheduled-adam": lambda: Scheduled(adamlib.Adam(lr=0.01), linear_warmup(3)),
}


def finite_floats(lo: float = 1e-3, hi: float = 1e3) -> st.SearchStrategy[float]:
    """Nonzero floats with magnitude in [lo, hi], either sign: their squares neither over- nor
    underflow, so Adam's arithmetic stays in the normal range."""
    return st.builds(
        lambda mag, neg: -mag if neg else mag,
        st.floats(min_value=lo, max_value=hi),
        st.booleans(),
    )


def log_uniform(lo_exp: float, hi_exp: float) -> st.SearchStrategy[float]:
    """Positive floats 10**u with u uniform in [lo_exp, hi_exp]: spans many orders of magnitude."""
    return st.floats(min_value=lo_exp, max_value=hi_exp).map(lambda u: float(10.0**u))


def state_buffers(state: Any) -> dict[str, Any]:
    """All fields of an optimizer state dataclass (frozen or not), by name."""
    return {f.name: getattr(state, f.name) for f in dataclasses.fields(state)}


def assert_tree_identical(actual: Any, expected: Any, where: str = "value") -> None:
    """Same structure, dtype, shape and the very same bytes (so -0.0 != 0.0 and NaN == NaN)."""
    if isinstance(expected, Mapping):
        assert isinstance(actual, Mapping), f"{where}: expected a dict, got {type(actual)}"
        assert list(actual) == list(expected), f"{where}: keys {list(actual)} != {list(expected)}"
        for key in expected:
            assert_tree_identical(actual[key], expected[key], f"{where}[{key!r}]")
    elif isinstance(expected, np.ndarray):
        assert isinstance(actual, np.ndarray), f"{where}: expected ndarray, got {type(actual)}"
        assert actual.dtype == expected.dtype, f"{where}: dtype {actual.dtype} != {expected.dtype}"
        assert actual.shape == expected.shape, f"{where}: shape {actual.shape} != {expected.shape}"
        assert actual.tobytes() == expected.tobytes(), f"{where}: values differ"
    elif isinstance(expected, tuple):
        assert isinstance(actual, tuple) and len(actual) == len(expected), where
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_tree_identical(a, e, f"{where}[{i}]")
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


def assert_state_identical(actual: Any, expected: Any) -> None:
    """Two states hold the same ``t`` and bit-identical buffers."""
    assert type(actual) is type(expected)
    want = state_buffers(expected)
    got = state_buffers(actual)
    assert list(got) == list(want)
    for name in want:
        assert_tree_identical(got[name], want[name], f"state.{name}")


def snapshot(obj: Any) -> Any:
    """A deep copy to compare against after a call that must not change ``obj``."""
    return copy.deepcopy(obj)


def tree_dtypes(tree: Any) -> set[np.dtype]:
    """The dtypes of all ndarray leaves of ``tree`` (ignoring None)."""
    if isinstance(tree, Mapping):
        return set().union(*(tree_dtypes(v) for v in tree.values()))
    if isinstance(tree, np.ndarray):
        return {tree.dtype}
    return set()


def assert_rejects_naming(
    call: Callable[[Any], Any], name: str, value: Any, exc: type[Exception]
) -> None:
    """``call(value)`` raises ``exc``; the message starts with ``name`` and shows the value."""
    with pytest.raises(exc) as info:
        call(value)
    message = str(info.value)
    assert message.startswith(f"{name} "), message
    assert repr(value) in message, message
