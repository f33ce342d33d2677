"""Argument checks, done once at each boundary (a constructor, a ``step`` entry, a public helper).

Every check raises before anything is computed, so a rejected call changes nothing, and every
message names the argument and the offending value. The formulas themselves
(:func:`adamlib.moments.ema`, :func:`adamlib.bias.correct`, :func:`adamlib.adam.adam_direction`,
...) check nothing: they run on values that were checked here, once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from adamlib._tree import Params, is_dict

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


class NonFiniteError(ValueError):
    """A gradient (or another array that must be finite) holds an inf or a nan.

    A run that diverges ends with this error from the optimizer's ``step``; code that expects
    divergence catches this type rather than matching the message.
    """


def check_real(x: object, name: str) -> float:
    """Return ``x`` as a float if it is a real number (int or float, not bool)."""
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {x!r}")
    return float(x)


def check_finite(x: float, name: str) -> float:
    """Return ``x`` as a float if it is a finite real number."""
    value = check_real(x, name)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {x!r}")
    return value


def check_positive(x: float, name: str) -> float:
    """Return ``x`` as a float if it is finite and > 0 (a learning rate, a tolerance, ...)."""
    value = check_real(x, name)
    if not math.isfinite(value) or value <= 0.0:
        raise ValueError(f"{name} must be a finite number > 0, got {x!r}")
    return value


def check_nonnegative(x: float, name: str) -> float:
    """Return ``x`` as a float if it is finite and >= 0."""
    value = check_real(x, name)
    if not math.isfinite(value) or value < 0.0:
        raise ValueError(f"{name} must be a finite number >= 0, got {x!r}")
    return value


def check_decay_rate(beta: float, name: str) -> float:
    """Return ``beta`` as a float if 0 <= beta < 1 (β1, β2, a momentum or dampening factor)."""
    value = check_real(beta, name)
    if not (0.0 <= value < 1.0):
        raise ValueError(f"{name} must be in [0, 1), got {beta!r}")
    return value


def check_count(n: int, name: str) -> int:
    """Return ``n`` as an int if it is an integer >= 1 (a step number, a size, a count)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{name} must be an integer >= 1, got {n!r}")
    if n < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {n!r}")
    return int(n)


def check_seed(seed: int, name: str = "seed") -> int:
    """Return ``seed`` as an int if it is an integer >= 0 (for ``np.random.default_rng``)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{name} must be an integer >= 0, got {seed!r}")
    if seed < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {seed!r}")
    return int(seed)


def check_grid(grid: Sequence[float] | np.ndarray, name: str = "grid") -> np.ndarray:
    """Return ``grid`` as a float64 array if it is a non-empty, strictly increasing 1-D sequence
    of positive finite values (learning rates); raise ValueError naming the grid otherwise."""
    values = np.asarray(grid, dtype=np.float64)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence, got {grid!r}")
    for value in values:
        check_positive(float(value), f"{name} entry")
    if np.any(np.diff(values) <= 0):
        raise ValueError(f"{name} must be strictly increasing, got {grid!r}")
    return values


def check_params(params: Params, name: str = "params") -> None:
    """Check that ``params`` is a float32/float64 ndarray or a non-empty dict of them."""
    if is_dict(params):
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
    """Check that ``grad`` matches ``params`` in structure, shape and dtype, and is finite.

    Raises :class:`NonFiniteError` (a ValueError) for an inf or nan entry.
    """
    if is_dict(params):
        if not is_dict(grad):
            raise TypeError(f"{name} must be a dict like params, got {type(grad).__name__}")
        if set(grad) != set(params):
            raise ValueError(
                f"{name} keys {sorted(grad)!r} differ from params keys {sorted(params)!r}"
            )
        for key in params:
            _check_grad_leaf(grad[key], params[key], f"{name}[{key!r}]")
    else:
        if is_dict(grad):
            raise TypeError(f"{name} must be an ndarray like params, got dict")
        _check_grad_leaf(grad, params, name)


def _check_grad_leaf(g: object, p: np.ndarray, name: str) -> None:
    if not isinstance(g, np.ndarray):
        raise TypeError(f"{name} must be a numpy ndarray, got {type(g).__name__}")
    if g.shape != p.shape:
        raise ValueError(f"{name} has shape {g.shape}, expected {p.shape} like params")
    if g.dtype != p.dtype:
        raise TypeError(f"{name} has dtype {g.dtype}, expected {p.dtype} like params")
    check_all_finite(g, name)


def check_all_finite(a: np.ndarray, name: str) -> None:
    """Raise :class:`NonFiniteError` naming ``name`` and the first inf/nan entry of ``a``."""
    # A sum is finite only if every entry is (inf and nan propagate); one reduction decides
    # the common case, and only a non-finite sum (or an overflow) needs the entrywise look.
    if math.isfinite(np.add.reduce(a, axis=None)) or np.isfinite(a).all():
        return
    index = tuple(int(i) for i in np.argwhere(~np.isfinite(a))[0])
    value = a[index] if index else a[()]
    where = f" at index {index}" if index else ""
    raise NonFiniteError(f"{name} must be finite, got {value!r}{where}")
