"""adamlib.moments: the EMA, m_t and v_t against their closed form, and the ``out=`` paths."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from _support import assert_rejects_naming
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from adamlib import effective_window, ema, ema_weights, first_moment, second_moment

UNIT_ROUNDOFF = float(np.finfo(np.float64).eps) / 2
#: Absolute slack for squares and products that fall into the subnormal range.
TINY = 1e-300

betas = st.floats(min_value=0.0, max_value=0.9999, allow_subnormal=False)
sequences = hnp.arrays(
    np.float64,
    st.tuples(st.integers(1, 40), st.integers(1, 5)),
    elements=st.floats(-1e6, 1e6, allow_subnormal=False),
)


def run_ema(update: Callable[..., np.ndarray], xs: np.ndarray, beta: float) -> list[np.ndarray]:
    """a_1, ..., a_T from a_0 = 0 by the recursion ``update``."""
    a = np.zeros_like(xs[0])
    out = []
    for x in xs:
        a = update(a, x, beta)
        out.append(a)
    return out


# -- closed form ------------------------------------------------------------------------------
@given(beta=betas, xs=sequences)
def test_ema_equals_unrolled_weighted_sum(beta: float, xs: np.ndarray) -> None:
    r"""a_t = Σ_i (1-β) β^{t-i} x_i for every t, to rounding (bounded by Σ w_i |x_i|)."""
    for t, a in enumerate(run_ema(ema, xs, beta), start=1):
        w = ema_weights(beta, t)
        closed = w @ xs[:t]
        scale = w @ np.abs(xs[:t])
        tol = 4 * (t + 1) * UNIT_ROUNDOFF * scale + TINY  # TINY: products may be subnormal
        assert np.all(np.abs(a - closed) <= tol), (t, a, closed)


@given(beta=betas, xs=sequences)
def test_first_moment_is_the_ema_of_g(beta: float, xs: np.ndarray) -> None:
    for m, a in zip(run_ema(first_moment, xs, beta), run_ema(ema, xs, beta), strict=True):
        np.testing.assert_array_equal(m, a)


@given(beta=betas, xs=sequences)
def test_second_moment_is_the_ema_of_g_squared(beta: float, xs: np.ndarray) -> None:
    vs = run_ema(second_moment, xs, beta)
    for t, v in enumerate(vs, start=1):
        np.testing.assert_array_equal(v, run_ema(ema, np.square(xs[:t]), beta)[-1])
        w = ema_weights(beta, t)
        closed = w @ np.square(xs[:t])
        assert np.all(v >= 0.0)
        np.testing.assert_allclose(v, closed, rtol=4 * (t + 1) * UNIT_ROUNDOFF, atol=TINY)


@given(beta=betas, xs=sequences)
def test_second_moment_loses_the_sign(beta: float, xs: np.ndarray) -> None:
    for v_pos, v_neg in zip(
        run_ema(second_moment, xs, beta), run_ema(second_moment, -xs, beta), strict=True
    ):
        assert v_pos.tobytes() == v_neg.tobytes()


def test_first_moment_keeps_the_sign() -> None:
    """The counterpart: m_t of -g is -m_t, so the sign test above is not vacuous."""
    g = np.array([1.0, -2.0, 3.0])
    m = first_moment(np.zeros(3), g, 0.9)
    np.testing.assert_array_equal(first_moment(np.zeros(3), -g, 0.9), -m)
    assert not np.array_equal(m, first_moment(np.zeros(3), -g, 0.9))


def test_ema_known_values() -> None:
    """Two steps by hand: a_1 = 0.1·2 = 0.2, a_2 = 0.9·0.2 + 0.1·4 = 0.58."""
    a1 = ema(np.zeros(1), np.array([2.0]), 0.9)
    a2 = ema(a1, np.array([4.0]), 0.9)
    assert a1[0] == pytest.approx(0.2, rel=1e-15)
    assert a2[0] == pytest.approx(0.58, rel=1e-15)
    v1 = second_moment(np.zeros(1), np.array([-3.0]), 0.999)
    assert v1[0] == pytest.approx(0.009, rel=1e-13)


# -- ema_weights, effective_window ------------------------------------------------------------
@given(beta=betas, t=st.integers(1, 3000))
def test_ema_weights_sum_to_one_minus_beta_to_the_t(beta: float, t: int) -> None:
    w = ema_weights(beta, t)
    assert w.shape == (t,)
    assert w.dtype == np.float64
    assert w[-1] == pytest.approx(1.0 - beta, rel=1e-15)
    assert w[0] == pytest.approx((1.0 - beta) * beta ** (t - 1), rel=1e-12, abs=1e-300)
    assert np.all(np.diff(w) >= 0.0), "older gradients must not weigh more"
    # 1 - β^t cancels for β near 1 and small t: allow for the rounding of β^t.
    tol = 4 * t * UNIT_ROUNDOFF + 4 * UNIT_ROUNDOFF / (1.0 - beta**t)
    assert w.sum() == pytest.approx(1.0 - beta**t, rel=tol)


def test_ema_weights_known_values() -> None:
    np.testing.assert_allclose(ema_weights(0.5, 3), [0.125, 0.25, 0.5], rtol=0, atol=0)
    np.testing.assert_allclose(ema_weights(0.0, 4), [0.0, 0.0, 0.0, 1.0], rtol=0, atol=0)
    assert ema_weights(0.9, 1).tolist() == pytest.approx([0.1], rel=1e-15)


@pytest.mark.parametrize(("beta", "window"), [(0.9, 10.0), (0.999, 1000.0), (0.0, 1.0), (0.5, 2.0)])
def test_effective_window(beta: float, window: float) -> None:
    assert effective_window(beta) == pytest.approx(window, rel=1e-12)


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.99])
def test_effective_window_is_mean_age_plus_one(beta: float) -> None:
    """Σ_k (k+1)(1-β)β^k = 1/(1-β): the docstring's reading of the window."""
    t = 20_000
    w = ema_weights(beta, t)[::-1]  # w[k] weighs the gradient of age k
    ages = np.arange(t, dtype=np.float64)
    assert float(np.sum((ages + 1.0) * w)) == pytest.approx(effective_window(beta), rel=1e-12)


# -- out= and scratch= -----------------------------------------------------------------------
MomentFn = Callable[..., np.ndarray]
MOMENT_FNS: list[Any] = [
    pytest.param(ema, id="ema"),
    pytest.param(first_moment, id="first_moment"),
    pytest.param(second_moment, id="second_moment"),
]
dtypes = st.sampled_from([np.float32, np.float64])


def _pair(dtype: Any, n: int) -> st.SearchStrategy[tuple[np.ndarray, np.ndarray]]:
    elems = st.floats(-1e3, 1e3, width=32 if dtype == np.float32 else 64)
    return st.tuples(hnp.arrays(dtype, n, elements=elems), hnp.arrays(dtype, n, elements=elems))


# -- bad arguments ---------------------------------------------------------------------------
BAD_CALLS: list[Any] = (
    [
        pytest.param(lambda v: ema_weights(v, 3), "beta", v, exc, id=f"ema_weights-beta={v!r}")
        for v, exc in [
            (1.0, ValueError),
            (1, ValueError),
            (-0.1, ValueError),
            (1.5, ValueError),
            (float("nan"), ValueError),
            ("x", TypeError),
            (None, TypeError),
            (True, TypeError),
        ]
    ]
    + [
        pytest.param(lambda v: ema_weights(0.9, v), "t", v, exc, id=f"ema_weights-t={v!r}")
        for v, exc in [(0, ValueError), (-2, ValueError), (1.5, TypeError), ("3", TypeError)]
    ]
    + [
        pytest.param(effective_window, "beta", v, exc, id=f"effective_window-beta={v!r}")
        for v, exc in [(1.0, ValueError), (-0.1, ValueError), ("x", TypeError)]
    ]
)


@pytest.mark.parametrize(("call", "name", "value", "exc"), BAD_CALLS)
def test_bad_arguments_name_the_argument_and_value(
    call: Callable[[Any], Any], name: str, value: Any, exc: type[Exception]
) -> None:
    assert_rejects_naming(call, name, value, exc)
