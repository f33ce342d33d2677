"""adamlib.bias: the factor 1-β^t and the corrected moments m̂_t, v̂_t."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from _support import assert_rejects_naming
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from adamlib import bias_correction, bias_corrections, correct, first_moment, second_moment

UNIT_ROUNDOFF = float(np.finfo(np.float64).eps) / 2

betas = st.floats(min_value=0.0, max_value=0.9999, allow_subnormal=False)


@given(beta=betas, t=st.integers(1, 10_000))
def test_bias_correction_is_one_minus_beta_to_the_t(beta: float, t: int) -> None:
    c = bias_correction(beta, t)
    assert isinstance(c, float)
    assert c == 1.0 - beta**t
    assert 0.0 < c <= 1.0


@pytest.mark.parametrize(
    ("beta", "t", "expected"),
    [(0.9, 1, 0.1), (0.9, 2, 0.19), (0.999, 1, 1e-3), (0.5, 3, 0.875), (0.0, 1, 1.0)],
)
def test_bias_correction_known_values(beta: float, t: int, expected: float) -> None:
    assert bias_correction(beta, t) == pytest.approx(expected, rel=1e-12)


def test_bias_correction_accepts_numpy_integers() -> None:
    assert bias_correction(0.9, np.int64(2)) == bias_correction(0.9, 2)


@given(beta=betas, steps=st.integers(1, 500))
def test_bias_corrections_array(beta: float, steps: int) -> None:
    cs = bias_corrections(beta, steps)
    assert cs.shape == (steps,)
    assert cs.dtype == np.float64
    assert cs.tolist() == [bias_correction(beta, t) for t in range(1, steps + 1)]
    assert cs[0] == 1.0 - beta
    assert np.all(np.diff(cs) >= 0.0), "1-β^t rises towards 1"


@given(
    beta=betas,
    g=hnp.arrays(
        np.float64,
        st.integers(1, 4),
        elements=st.floats(-1e100, 1e100, allow_subnormal=False).filter(lambda x: abs(x) > 1e-100),
    ),
)
def test_correct_recovers_a_constant_gradient_at_every_step(beta: float, g: np.ndarray) -> None:
    r"""Constant g: m_t = (1-β^t) g, so m̂_t = g and v̂_t = g² for every t, up to rounding.

    The rounding allowance: a few ulps per recursion step plus the cancellation in 1-β^t.
    """
    steps = 300
    m_hat = np.empty((steps, g.size))
    v_hat = np.empty((steps, g.size))
    m = np.zeros_like(g)
    v = np.zeros_like(g)
    for t in range(1, steps + 1):
        m = first_moment(m, g, beta)
        v = second_moment(v, g, beta)
        m_hat[t - 1] = correct(m, beta, t)
        v_hat[t - 1] = correct(v, beta, t)
    t = np.arange(1, steps + 1, dtype=np.float64)[:, None]
    tol = 4 * UNIT_ROUNDOFF * (t + 1.0 / (1.0 - beta**t))
    assert np.all(np.abs(m_hat - g) <= tol * np.abs(g))
    assert np.all(np.abs(v_hat - g * g) <= 2 * tol * g * g)


def test_uncorrected_moment_is_biased_towards_zero() -> None:
    """Without the correction m_1 = (1-β) g: a tenth of g at β = 0.9 (what correct() undoes)."""
    g = np.array([2.0, -4.0])
    m1 = first_moment(np.zeros(2), g, 0.9)
    np.testing.assert_allclose(m1, 0.1 * g, rtol=1e-15)
    np.testing.assert_allclose(correct(m1, 0.9, 1), g, rtol=1e-15)
    assert not np.allclose(correct(m1, 0.9, 2), g)


BAD_CALLS: list[Any] = (
    [
        pytest.param(
            lambda v: bias_correction(v, 3), "beta", v, e, id=f"bias_correction-beta={v!r}"
        )
        for v, e in [
            (1.0, ValueError),
            (-0.1, ValueError),
            (1.5, ValueError),
            (float("nan"), ValueError),
            (np.float64(1.0), ValueError),
            ("x", TypeError),
            (None, TypeError),
            (True, TypeError),
        ]
    ]
    + [
        pytest.param(lambda v: bias_correction(0.9, v), "t", v, e, id=f"bias_correction-t={v!r}")
        for v, e in [(0, ValueError), (-1, ValueError), (1.5, TypeError), (True, TypeError)]
    ]
    + [
        pytest.param(
            lambda v: bias_corrections(v, 3), "beta", v, e, id=f"bias_corrections-beta={v!r}"
        )
        for v, e in [(1.0, ValueError), (-0.1, ValueError), ("x", TypeError)]
    ]
    + [
        pytest.param(
            lambda v: bias_corrections(0.9, v), "steps", v, e, id=f"bias_corrections-steps={v!r}"
        )
        for v, e in [(0, ValueError), (1.5, TypeError)]
    ]
)


@pytest.mark.parametrize(("call", "name", "value", "exc"), BAD_CALLS)
def test_bad_arguments_name_the_argument_and_value(
    call: Callable[[Any], Any], name: str, value: Any, exc: type[Exception]
) -> None:
    assert_rejects_naming(call, name, value, exc)
