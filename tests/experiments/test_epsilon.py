"""adamlib.experiments.epsilon: where ε goes (PyTorch, the paper's efficient form / Keras,
optax)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import adamlib
from adamlib.experiments.epsilon import (
    equivalent_eps,
    optax_style_step,
    paper_efficient_step,
    paper_step_size,
    steps_from_moments,
    torch_style_step,
)

betas = st.floats(min_value=0.0, max_value=0.9999)
seeds = st.integers(0, 2**32 - 1)
scales = st.sampled_from([1e-3, 1.0, 1e3])


def moments(seed: int, scale: float = 1.0, steps: int = 60, width: int = 4, **kw: Any):
    """A recorded run: the moments m_t, v_t (which do not depend on ε) and Adam's own steps."""
    g = scale * np.random.default_rng(seed).standard_normal((steps, width))
    return adamlib.run_sequence(adamlib.Adam(**kw), g)


def rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


# -- the reference form ---------------------------------------------------------------------------


@given(seed=seeds, scale=scales, eps=st.sampled_from([0.0, 1e-8, 1e-3]))
def test_torch_style_step_is_adams_step_to_the_bit(seed: int, scale: float, eps: float) -> None:
    kw = {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": eps}
    trace = moments(seed, scale, **kw)
    ours = steps_from_moments(torch_style_step, trace.m, trace.v, **kw)
    assert ours.tobytes() == trace.delta.tobytes()


@given(seed=seeds, scale=scales)
def test_optax_without_eps_root_is_torch_to_the_bit(seed: int, scale: float) -> None:
    trace = moments(seed, scale)
    a = steps_from_moments(optax_style_step, trace.m, trace.v, eps=1e-8, eps_root=0.0)
    b = steps_from_moments(torch_style_step, trace.m, trace.v, eps=1e-8)
    assert a.tobytes() == b.tobytes()


# -- all forms agree when ε → 0 -------------------------------------------------------------------


@given(seed=seeds, scale=st.sampled_from([1e-6, 1.0, 1e6]), beta1=betas, beta2=betas)
def test_forms_agree_without_eps(seed: int, scale: float, beta1: float, beta2: float) -> None:
    """ε = ε̂ = ε_root = 0: the three forms are one function of (m_t, v_t, t), up to rounding."""
    hyper = {"lr": 0.01, "beta1": beta1, "beta2": beta2}
    trace = moments(seed, scale, **hyper)
    torch_form = steps_from_moments(torch_style_step, trace.m, trace.v, eps=0.0, **hyper)
    paper = steps_from_moments(paper_efficient_step, trace.m, trace.v, eps_hat=0.0, **hyper)
    optax = steps_from_moments(optax_style_step, trace.m, trace.v, eps=0.0, **hyper)
    np.testing.assert_allclose(paper, torch_form, rtol=1e-13, atol=0)
    np.testing.assert_allclose(optax, torch_form, rtol=0, atol=0)


@given(
    seed=seeds,
    eps_hat=st.sampled_from([1e-8, 1e-7, 1e-4, 0.1]),
    beta2=betas,
    scale=st.sampled_from([1e-9, 1e-6, 1.0]),
)
def test_paper_eps_hat_is_torch_with_equivalent_eps(
    seed: int, eps_hat: float, beta2: float, scale: float
) -> None:
    """α_t m_t/(√v_t + ε̂) = α m̂_t/(√v̂_t + ε̂/√(1-β2^t)) at every step, to 1e-12."""
    trace = moments(seed, scale, steps=80, beta2=beta2)
    for t in range(1, trace.steps + 1):
        m, v = trace.m[t - 1], trace.v[t - 1]
        paper = paper_efficient_step(m, v, t, beta2=beta2, eps_hat=eps_hat)
        torch_form = torch_style_step(m, v, t, beta2=beta2, eps=equivalent_eps(eps_hat, beta2, t))
        assert rel(paper, torch_form) <= 1e-12, t


def test_the_forms_differ_through_eps_for_tiny_gradients() -> None:
    """|g| ~ 1e-8: the paper's ε̂ acts like ~31.6 ε̂ at t = 1, so the steps are visibly smaller."""
    m, v = np.array([1e-9]), np.array([1e-19])  # t = 1, g = 1e-8: m_1 = 0.1 g, v_1 = 0.001 g²
    torch_form = torch_style_step(m, v, 1)
    paper = paper_efficient_step(m, v, 1)
    assert torch_form[0] == pytest.approx(-1e-3 * 0.5, rel=1e-9)
    assert paper[0] == pytest.approx(-1e-3 / (1 + math.sqrt(1000)), rel=1e-9)
    optax = optax_style_step(m, v, 1, eps=0.0, eps_root=1e-16)
    assert optax[0] == pytest.approx(-1e-3 / math.sqrt(2), rel=1e-9)


def test_optax_eps_root_guards_a_zero_second_moment() -> None:
    m, v = np.array([0.0, 1e-3]), np.array([0.0, 0.0])
    step = optax_style_step(m, v, 5, eps=0.0, eps_root=1e-16)
    assert step[0] == 0.0
    assert np.isfinite(step).all()


# -- scalars --------------------------------------------------------------------------------------


def test_paper_step_size_known_values() -> None:
    assert paper_step_size(1) == pytest.approx(1e-3 * math.sqrt(1e-3) / 0.1, rel=1e-12)
    assert paper_step_size(1, lr=0.1, beta1=0.0, beta2=0.0) == 0.1
    assert paper_step_size(100_000) == pytest.approx(1e-3, rel=1e-12)


@given(eps_hat=st.floats(0.0, 1.0), beta2=betas, t=st.integers(1, 5000))
def test_equivalent_eps(eps_hat: float, beta2: float, t: int) -> None:
    e = equivalent_eps(eps_hat, beta2, t)
    assert e == pytest.approx(eps_hat / math.sqrt(1 - beta2**t), rel=1e-12)
    assert e >= eps_hat
    assert equivalent_eps(eps_hat, beta2, t + 1) <= e


def test_equivalent_eps_defaults_values() -> None:
    assert equivalent_eps(1e-8, 0.999, 1) == pytest.approx(1e-8 * math.sqrt(1000), rel=1e-12)
    assert equivalent_eps(1e-8, 0.999, 100_000) == pytest.approx(1e-8, rel=1e-12)


# -- dtypes and purity ----------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize(
    "step", [torch_style_step, paper_efficient_step, optax_style_step], ids=lambda f: f.__name__
)
def test_steps_keep_dtype_and_do_not_touch_inputs(dtype: Any, step: Callable[..., Any]) -> None:
    m = np.array([0.1, -0.2, 0.3], dtype=dtype)
    v = np.array([0.01, 0.04, 0.09], dtype=dtype)
    m0, v0 = m.copy(), v.copy()
    out = step(m, v, 3)
    assert out.dtype == dtype
    assert out.shape == m.shape
    assert m.tobytes() == m0.tobytes() and v.tobytes() == v0.tobytes()
    assert np.all(np.sign(out) == -np.sign(m))


def test_float16_eps_underflows_to_zero_and_the_step_is_infinite() -> None:
    """In float16, 1e-8 rounds to 0: a v_t that underflowed to 0 is no longer guarded."""
    assert np.float16(1e-8) == 0
    m = np.array([1e-4], dtype=np.float16)
    v = np.array([0.0], dtype=np.float16)
    with np.errstate(divide="ignore"):
        step = torch_style_step(m, v, 1)
    assert np.isinf(step).all()
    assert np.isfinite(torch_style_step(m.astype(np.float32), v.astype(np.float32), 1)).all()


# -- steps_from_moments ---------------------------------------------------------------------------


def test_steps_from_moments_row_t_minus_one_is_step_t() -> None:
    trace = moments(3, steps=7, width=2)
    out = steps_from_moments(paper_efficient_step, trace.m, trace.v, lr=0.5, eps_hat=1e-3)
    assert out.shape == (7, 2)
    for t in range(1, 8):
        expected = paper_efficient_step(trace.m[t - 1], trace.v[t - 1], t, lr=0.5, eps_hat=1e-3)
        assert out[t - 1].tobytes() == expected.tobytes()


# -- validation -----------------------------------------------------------------------------------

M = np.array([0.1, 0.2])
V = np.array([0.01, 0.04])

BAD_CALLS: list[Any] = [
    *[
        pytest.param(lambda f=f: f(M, V, 0), "t", id=f"{f.__name__}-t=0")
        for f in (torch_style_step, paper_efficient_step, optax_style_step)
    ],
    *[
        pytest.param(lambda f=f: f(M, V, 1, lr=-1.0), "lr", id=f"{f.__name__}-lr<0")
        for f in (torch_style_step, paper_efficient_step, optax_style_step)
    ],
    *[
        pytest.param(lambda f=f: f(M, V, 1, beta1=1.0), "beta1", id=f"{f.__name__}-beta1=1")
        for f in (torch_style_step, paper_efficient_step, optax_style_step)
    ],
    *[
        pytest.param(lambda f=f: f(M, V, 1, beta2=-0.5), "beta2", id=f"{f.__name__}-beta2<0")
        for f in (torch_style_step, paper_efficient_step, optax_style_step)
    ],
    *[
        pytest.param(lambda f=f: f(M, V[:1], 1), "same shape", id=f"{f.__name__}-shapes")
        for f in (torch_style_step, paper_efficient_step, optax_style_step)
    ],
    *[
        pytest.param(lambda f=f: f(M, -V, 1), "v must be >= 0", id=f"{f.__name__}-v<0")
        for f in (torch_style_step, paper_efficient_step, optax_style_step)
    ],
    pytest.param(lambda: torch_style_step(np.array([1, 2]), V, 1), "m", id="int-m"),
    pytest.param(lambda: torch_style_step(M, V, 1, eps=-1e-8), "eps", id="torch-eps<0"),
    pytest.param(lambda: paper_efficient_step(M, V, 1, eps_hat=np.nan), "eps_hat", id="eps_hat"),
    pytest.param(lambda: optax_style_step(M, V, 1, eps_root=-1.0), "eps_root", id="eps_root"),
    pytest.param(lambda: optax_style_step(M, V, 1, eps=np.inf), "eps", id="optax-eps=inf"),
    pytest.param(lambda: paper_step_size(1, lr=0.0), "lr", id="paper_step_size-lr"),
    pytest.param(lambda: paper_step_size(True), "t", id="paper_step_size-t=True"),
    pytest.param(lambda: equivalent_eps(-1e-8, 0.999, 1), "eps_hat", id="equivalent-eps_hat"),
    pytest.param(lambda: equivalent_eps(1e-8, 1.0, 1), "beta2", id="equivalent-beta2"),
    pytest.param(lambda: equivalent_eps(1e-8, 0.999, 0), "t", id="equivalent-t"),
    pytest.param(lambda: steps_from_moments("torch", M, V), "step", id="steps-not-callable"),
    pytest.param(
        lambda: steps_from_moments(torch_style_step, np.zeros((0, 2)), np.zeros((0, 2))),
        "step axis",
        id="steps-empty",
    ),
]


@pytest.mark.parametrize(("call", "match"), BAD_CALLS)
def test_bad_arguments_are_named(call: Callable[[], Any], match: str) -> None:
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_to_bfloat16_keeps_float32_range_and_loses_small_updates() -> None:
    from adamlib.experiments.epsilon import to_bfloat16

    assert to_bfloat16(1e-8).dtype == np.float32
    assert float(to_bfloat16(1e-8)) == pytest.approx(1e-8, rel=2**-8)  # no underflow
    assert float(to_bfloat16(1.0 - 1e-3)) == 1.0  # an update of 1e-3 to 1 is lost
    assert float(to_bfloat16(1.0 + 2**-8)) == 1.0  # a tie goes to the even neighbour
    assert float(to_bfloat16(1.0 + 3 * 2**-8)) == 1.0 + 2**-6  # the other tie goes up
    assert float(to_bfloat16(1.0 + 3 * 2**-9)) == 1.0 + 2**-7
    special = to_bfloat16([np.nan, np.inf, -np.inf, -0.0])
    assert np.isnan(special[0]) and list(special[1:]) == [np.inf, -np.inf, 0.0]
    with pytest.raises(TypeError, match="x must be a floating-point array"):
        to_bfloat16(np.array([1, 2]))


def test_to_bfloat16_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    from adamlib.experiments.epsilon import to_bfloat16

    rng = np.random.default_rng(0)
    x = (rng.standard_normal(10_000) * 10.0 ** rng.integers(-30, 30, 10_000)).astype(np.float32)
    expected = torch.from_numpy(x).to(torch.bfloat16).to(torch.float32).numpy()
    np.testing.assert_array_equal(to_bfloat16(x), expected)
