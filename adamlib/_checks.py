"""Argument validation shared by every optimizer.

Every check raises before anything is computed, so a rejected call changes nothing.
Messages name the argument and the offending value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from adamlib._tree import Params

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def check_lr(lr: float, name: str = "lr") -> float:
    """Return ``lr`` as a float if it is finite and positive."""
    value = _as_real(lr, name)
    if not math.isfinite(value) or value <= 0.0:
        raise ValueError(f"{name} must be a finite number > 0, got {lr!r}")
    return value


def check_beta(beta: float, name: str) -> float:
    """Return ``beta`` as a float if 0 <= beta < 1."""
    value = _as_real(beta, name)
    if not (0.0 <= value < 1.0):
        raise ValueError(f"{name} must be in [0, 1), got {beta!r}")
    return value


def check_nonnegative(x: float, name: str) -> float:
    """Return ``x`` as a float if it is finite and >= 0."""
    value = _as_real(x, name)
    if not math.isfinite(value) or value < 0.0:
        raise ValueError(f"{name} must be a finite number >= 0, got {x!r}")
    return value


def check_step_count(t: int, name: str = "t") -> int:
    """Return ``t`` if it is an integer >= 1."""
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)):
        raise TypeError(f"{name} must be an integer >= 1, got {t!r}")
    if t < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {t!r}")
    return int(t)


def check_grid(grid: Sequence[float] | np.ndarray) -> np.ndarray:
    """Return ``grid`` as a float64 array if it is a non-empty, strictly increasing 1-D sequence
    of learning rates, each finite and > 0; raise ValueError naming the grid otherwise."""
    lrs = np.asarray(grid, dtype=np.float64)
    if lrs.ndim != 1 or lrs.size == 0:
        raise ValueError(f"grid must be a non-empty 1-D sequence, got {grid!r}")
    for lr in lrs:
        check_lr(float(lr), "grid entry")
    if np.any(np.diff(lrs) <= 0):
        raise ValueError(f"grid must be strictly increasing, got {grid!r}")
    return lrs


def _as_real(x: object, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {x!r}")
    return float(x)


def check_params(params: Params, name: str = "params") -> None:
    """Check that ``params`` is a float32/float64 ndarray or a dict of them."""
    if isinstance(params, Mapping):
        if not params:
            raise ValueError(f"{name} must not be an empty dict")
        for key, leaf in params.items():
            _check_leaf(leaf, f"{name}[{key!r}]")
    else:
        _check_leaf(params, name)


def _check_leaf(leaf: object, name: str) -> None:
    if not isinstance(leaf, np.ndarray):
        raise TypeError(f"{name} must be a numpy ndarray, got {type(leaf).__name__}")
    if leaf.dtype not in FLOAT_DTYPES:
        raise TypeError(f"{name} must have dtype float32 or float64, got {leaf.dtype}")


def check_grad(grad: Params, params: Params, name: str = "grad") -> None:
    """Check that ``grad`` matches ``params`` in structure, shape and dtype, and is finite."""
    if isinstance(params, Mapping):
        if not isinstance(grad, Mapping):
            raise TypeError(f"{name} must be a dict like params, got {type(grad).__name__}")
        if set(grad) != set(params):
            raise ValueError(
                f"{name} keys {sorted(grad)!r} differ from params keys {sorted(params)!r}"
            )
        for key in params:
            _check_grad_leaf(grad[key], params[key], f"{name}[{key!r}]")
    else:
        if isinstance(grad, Mapping):
            raise TypeError(f"{name} must be an ndarray like params, got dict")
        _check_grad_leaf(grad, params, name)


def _check_grad_leaf(g: object, p: np.ndarray, name: str) -> None:
    if not isinstance(g, np.ndarray):
        raise TypeError(f"{name} must be a numpy ndarray, got {type(g).__name__}")
    if g.shape != p.shape:
        raise ValueError(f"{name} has shape {g.shape}, expected {p.shape} like params")
    if g.dtype != p.dtype:
        raise TypeError(f"{name} has dtype {g.dtype}, expected {p.dtype} like params")
    finite = np.isfinite(g)
    if not finite.all():
        index = tuple(int(i) for i in np.argwhere(~finite)[0])
        raise ValueError(f"{name} must be finite, got {g[index]!r} at index {index}")
