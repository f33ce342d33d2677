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


def check_unit_interval(x: float, name: str) -> float:
    """Return ``x`` as a float if it is a real number in [0, 1].

    Parameters
    ----------
    x : float
        The value to check, e.g. a final learning-rate factor or a fraction.
    name : str
        The argument's name, for the error message.

    Returns
    -------
    float
        ``x`` as a Python float.

    Raises
    ------
    TypeError
        If ``x`` is not a real number (a bool is not one).
    ValueError
        If ``x`` is outside [0, 1] (or nan).
    """
    value = check_real(x, name)
    if not (0.0 <= value <= 1.0):
        raise ValueError(f"{name} must be in [0, 1], got {x!r}")
    return value


def check_integer_range(n: int, name: str, low: int, high: int | None = None) -> int:
    """Return ``n`` as an int if it is an integer (not a bool) with ``low <= n <= high``.

    Parameters
    ----------
    n : int
        The value to check (a Python or NumPy integer).
    name : str
        The argument's name, for the error message.
    low : int
        The smallest allowed value.
    high : int or None, default None
        The largest allowed value; None for no upper bound.

    Returns
    -------
    int
        ``n`` as a Python int.

    Raises
    ------
    TypeError
        If ``n`` is not an integer (a bool or a float such as ``2.0`` is not one).
    ValueError
        If ``n`` is out of range.
    """
    rule = f"an integer >= {low}" if high is None else f"an integer in [{low}, {high}]"
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{name} must be {rule}, got {n!r}")
    if n < low or (high is not None and n > high):
        raise ValueError(f"{name} must be {rule}, got {n!r}")
    return int(n)


def check_count(n: int, name: str) -> int:
    """Return ``n`` as an int if it is an integer >= 1 (a step number, a size, a count)."""
    return check_integer_range(n, name, 1)


def check_index(n: int, name: str) -> int:
    """Return ``n`` as an int if it is an integer >= 0 (a position, a starting step).

    Parameters
    ----------
    n : int
        The value to check (a Python or NumPy integer).
    name : str
        The argument's name, for the error message.

    Returns
    -------
    int
        ``n`` as a Python int.

    Raises
    ------
    TypeError
        If ``n`` is not an integer (a bool is not one).
    ValueError
        If ``n < 0``.
    """
    return check_integer_range(n, name, 0)


def check_seed(seed: int, name: str = "seed") -> int:
    """Return ``seed`` as an int if it is an integer >= 0 (for ``np.random.default_rng``)."""
    return check_index(seed, name)


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


# -- data for the models of adamlib.ml ------------------------------------------------------


def check_features(X: object, n_features: int | None = None, name: str = "X") -> np.ndarray:
    """Return ``X`` if it is a finite float32/float64 ndarray of shape (n, n_features), n >= 1."""
    if not isinstance(X, np.ndarray):
        raise TypeError(f"{name} must be a numpy ndarray, got {type(X).__name__}")
    if X.dtype not in FLOAT_DTYPES:
        raise TypeError(f"{name} must have dtype float32 or float64, got {X.dtype}")
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"{name} must have shape (n, d) with n >= 1, got {X.shape}")
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(f"{name} must have {n_features} columns, got shape {X.shape}")
    check_all_finite(X, name)
    return X


def check_labels(y: object, n_classes: int, n: int | None = None, name: str = "y") -> np.ndarray:
    """Return ``y`` if it is a 1-D integer ndarray with values in [0, n_classes) (length ``n``)."""
    if not isinstance(y, np.ndarray):
        raise TypeError(f"{name} must be a numpy ndarray of integers, got {type(y).__name__}")
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"{name} must have an integer dtype, got {y.dtype}")
    if y.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {y.shape}")
    if n is not None and y.size != n:
        raise ValueError(f"{name} has {y.size} labels, expected {n} (one per row of X)")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        bad = y[(y < 0) | (y >= n_classes)][0]
        raise ValueError(f"{name} must be in [0, {n_classes}), got {int(bad)}")
    return y


# -- parameters and gradients ------------------------------------------------------------------


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


def check_float_array(a: object, name: str) -> np.ndarray:
    """Return ``np.asarray(a)`` if it has a floating-point dtype of any precision.

    Unlike :func:`check_params`, float16 is accepted: for functions that show what a formula
    does in low precision.

    Parameters
    ----------
    a : array_like
        The value to check.
    name : str
        The argument's name, for the error message.

    Returns
    -------
    ndarray
        ``np.asarray(a)`` (no copy for an ndarray).

    Raises
    ------
    TypeError
        If the array's dtype is not a floating-point one.
    """
    arr = np.asarray(a)
    if arr.dtype.kind != "f":
        raise TypeError(f"{name} must be a floating-point array, got dtype {arr.dtype}")
    return arr


def check_all_nonnegative(a: np.ndarray, name: str) -> None:
    """Raise ValueError naming ``name`` and the first negative entry of ``a``, if any.

    Parameters
    ----------
    a : ndarray
        The array to check (nan entries are not negative and pass).
    name : str
        The argument's name, for the error message.

    Raises
    ------
    ValueError
        If an entry is < 0; the message gives its value and index.
    """
    negative = a < 0
    if not np.any(negative):
        return
    index = tuple(int(i) for i in np.argwhere(negative)[0])
    value = a[index] if index else a[()]
    where = f" at index {index}" if index else ""
    raise ValueError(f"{name} must be >= 0, got {value!r}{where}")


def check_all_finite(a: np.ndarray, name: str) -> None:
    """Raise :class:`NonFiniteError` naming ``name`` and the first inf/nan entry of ``a``."""
    # A sum of squares is finite only if every entry is: inf and nan propagate, and squares
    # cannot cancel. One BLAS call (np.vdot flattens) decides the common case; only a
    # non-finite result (an inf, a nan, or squares that overflow) needs the entrywise look.
    if math.isfinite(np.vdot(a, a)) or np.isfinite(a).all():
        return
    index = tuple(int(i) for i in np.argwhere(~np.isfinite(a))[0])
    value = a[index] if index else a[()]
    where = f" at index {index}" if index else ""
    raise NonFiniteError(f"{name} must be finite, got {value!r}{where}")
