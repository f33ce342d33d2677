"""Facts about the Adam update from Kingma & Ba (2015), checked on adamlib.Adam by hypothesis.

Section 2.1 of the paper: the step Δ_t = -α m̂_t/(√v̂_t + ε) is invariant to the scale of the
gradients, is about α in size, and has α(1-β1)/√(1-β2) as its bound in the sparse case.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from _support import finite_floats, log_uniform
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import adamlib
from adamlib.optimizers import AdaMax, RMSProp

betas = st.floats(min_value=0.0, max_value=0.9999, allow_subnormal=False)
lrs = log_uniform(-6, 2)


def nonzero_arrays(shape: Any, lo: float = 1e-3, hi: float = 1e3) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.float64, shape, elements=finite_floats(lo, hi))


def deltas(opt: adamlib.Adam, grads: np.ndarray, p0: np.ndarray | None = None) -> np.ndarray:
    """The updates Δ_1, ..., Δ_T (from step_with_info) for the gradient rows of ``grads``."""
    p = np.zeros_like(grads[0]) if p0 is None else p0
    state = opt.init(p)
    out = []
    for g in grads:
        p, state, info = opt.step_with_info(p, g, state)
        out.append(info["delta"])
    return np.array(out)


# -- the first step ---------------------------------------------------------------------------
@given(
    beta1=betas,
    beta2=betas,
    lr=log_uniform(-8, 4),
    eps=st.one_of(st.just(0.0), st.just(1e-8), log_uniform(-12, 2)),
    g=hnp.arrays(
        np.float64,
        st.integers(1, 6),
        elements=st.one_of(st.just(0.0), finite_floats(1e-100, 1e100)),
    ),
)
def test_first_step_is_alpha_g_over_abs_g_plus_eps(
    beta1: float, beta2: float, lr: float, eps: float, g: np.ndarray
) -> None:
    """Δ_1 = -α g/(|g| + ε): m̂_1 = g and v̂_1 = g² whatever β1, β2."""
    assume(eps > 0.0 or np.all(g != 0.0))  # ε = 0 and g = 0 is 0/0
    opt = adamlib.Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    p0 = np.linspace(-1.0, 1.0, g.size)
    p1, _, info = opt.step_with_info(p0, g, opt.init(p0))
    expected = -lr * g / (np.abs(g) + eps)
    np.testing.assert_allclose(info["delta"], expected, rtol=1e-12, atol=0.0)
    np.testing.assert_allclose(info["m_hat"], g, rtol=1e-12, atol=0.0)
    np.testing.assert_allclose(info["v_hat"], np.square(g), rtol=1e-12, atol=0.0)
    np.testing.assert_array_equal(p1, p0 + info["delta"])


def test_first_step_known_value() -> None:
    """The docstring example: φ = [1, -2], g = [3, -0.5], α = 0.1 gives φ_1 = [0.9, -1.9]."""
    opt = adamlib.Adam(lr=0.1)
    p, _ = opt.step(np.array([1.0, -2.0]), np.array([3.0, -0.5]), opt.init(np.zeros(2)))
    np.testing.assert_allclose(p, [0.9, -1.9], rtol=1e-8)


# -- constant gradient: every step is α -------------------------------------------------------
@settings(max_examples=50)
@given(
    beta1=betas,
    beta2=betas,
    lr=lrs,
    g=nonzero_arrays(st.integers(1, 4), 1e-50, 1e50),
    eps_zero=st.booleans(),
)
def test_constant_gradient_steps_are_alpha(
    beta1: float, beta2: float, lr: float, g: np.ndarray, eps_zero: bool
) -> None:
    """m̂_t = g and v̂_t = g² for all t, so |Δ_t| = α (|g| ≫ ε: ε is 0 or 1e-12 |g|)."""
    eps = 0.0 if eps_zero else 1e-12 * float(np.min(np.abs(g)))
    opt = adamlib.Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    ds = deltas(opt, np.broadcast_to(g, (300, g.size)))
    np.testing.assert_allclose(ds, np.broadcast_to(-lr * np.sign(g), ds.shape), rtol=1e-9, atol=0)


# -- no bias correction: the first step is too large ------------------------------------------
@given(beta1=betas, beta2=betas, lr=lrs, g=nonzero_arrays(st.integers(1, 4), 1e-100, 1e100))
def test_uncorrected_first_step(beta1: float, beta2: float, lr: float, g: np.ndarray) -> None:
    """m_1 = (1-β1) g, v_1 = (1-β2) g², so |Δ_1| = α(1-β1)/√(1-β2) with ε = 0."""
    opt = adamlib.Adam(lr=lr, beta1=beta1, beta2=beta2, eps=0.0, bias_correction=False)
    (d,) = deltas(opt, g[None, :])
    expected = -lr * (1.0 - beta1) / math.sqrt(1.0 - beta2) * np.sign(g)
    np.testing.assert_allclose(d, expected, rtol=1e-12, atol=0.0)


@pytest.mark.parametrize(("beta2", "ratio"), [(0.999, 3.1622776601683795), (0.9999, 10.0)])
@pytest.mark.parametrize("lr", [1e-3, 0.5])
def test_uncorrected_first_step_known_ratios(beta2: float, ratio: float, lr: float) -> None:
    """At β1 = 0.9: 0.1/√0.001 ≈ 3.16 α, and 0.1/√0.0001 = 10 α."""
    g = np.array([0.3, -7.0])
    off = deltas(adamlib.Adam(lr=lr, beta2=beta2, eps=0.0, bias_correction=False), g[None, :])[0]
    on = deltas(adamlib.Adam(lr=lr, beta2=beta2, eps=0.0), g[None, :])[0]
    np.testing.assert_allclose(np.abs(off), ratio * lr, rtol=1e-12)
    np.testing.assert_allclose(np.abs(on), lr, rtol=1e-12)


# -- scale invariance -------------------------------------------------------------------------
scale_options = st.fixed_dictionaries(
    {
        "beta1": betas,
        "beta2": betas,
        "lr": lrs,
        "amsgrad": st.booleans(),
        "bias_correction": st.booleans(),
        "maximize": st.booleans(),
    }
)
gradient_runs = nonzero_arrays(st.tuples(st.integers(1, 30), st.integers(1, 4)))


@given(options=scale_options, grads=gradient_runs, k=st.integers(-20, 20))
def test_scaling_gradients_by_a_power_of_two_changes_nothing(
    options: dict[str, Any], grads: np.ndarray, k: int
) -> None:
    """ε = 0, c = 2^k: m scales by c, v by c² and √v by c, all exactly, so Δ is bit-identical."""
    opt = adamlib.Adam(eps=0.0, **options)
    p0 = np.linspace(-1.0, 1.0, grads.shape[1])
    np.testing.assert_array_equal(deltas(opt, grads * 2.0**k, p0), deltas(opt, grads, p0))


@given(options=scale_options, grads=gradient_runs, k=st.integers(-6, 6))
def test_scaling_gradients_by_a_power_of_ten_leaves_the_trajectory(
    options: dict[str, Any], grads: np.ndarray, k: int
) -> None:
    """ε = 0, c = 10^k (not exact in binary): the same trajectory to 1e-10 relative.

    Each Δ_t may differ by rounding of size ~1e-16 α·t; the parameters are compared to 1e-10.
    """
    opt = adamlib.Adam(eps=0.0, **options)
    p0 = np.linspace(-1.0, 1.0, grads.shape[1])
    base = p0 + np.cumsum(deltas(opt, grads, p0), axis=0)
    scaled = p0 + np.cumsum(deltas(opt, grads * 10.0**k, p0), axis=0)
    lr = options["lr"]
    np.testing.assert_allclose(scaled, base, rtol=1e-10, atol=1e-10 * lr)


def test_scale_invariance_needs_eps_zero() -> None:
    """Sanity: with ε > 0 tiny gradients do take shorter steps, so the tests above can fail."""
    g = np.full((3, 1), 1e-9)
    small = deltas(adamlib.Adam(), g)
    large = deltas(adamlib.Adam(), g * 1e6)
    assert np.abs(small[-1, 0]) < 0.1 * np.abs(large[-1, 0])


# -- the size of a step -----------------------------------------------------------------------
def sharp_bound(beta1: float, beta2: float, t: int) -> float:
    r"""max |m̂_t|/√v̂_t over all gradient sequences g_1..g_t (Cauchy-Schwarz).

    m̂_t = Σ a_i g_i and v̂_t = Σ b_i g_i² with a_i = (1-β1)β1^{t-i}/(1-β1^t) and
    b_i = (1-β2)β2^{t-i}/(1-β2^t), so |m̂_t| ≤ √(Σ a_i²/b_i) √v̂_t, with equality at
    g_i ∝ a_i/b_i ∝ (β1/β2)^{t-i}.
    """
    k = np.arange(t, dtype=np.float64)  # k = t - i
    a = (1.0 - beta1) * beta1**k / (1.0 - beta1**t)
    b = (1.0 - beta2) * beta2**k / (1.0 - beta2**t)
    return float(np.sqrt(np.sum(a * a / b)))


def paper_bound(beta1: float, beta2: float) -> float:
    """Kingma & Ba §2.1: α(1-β1)/√(1-β2) if (1-β1) > √(1-β2), else α."""
    return max(1.0, (1.0 - beta1) / math.sqrt(1.0 - beta2))


@given(
    beta1=st.floats(0.0, 0.999, allow_subnormal=False),
    beta2=st.floats(0.01, 0.9999),
    lr=lrs,
    eps=st.sampled_from([1e-8, 1e-12, 1e-3]),
    grads=hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 60), st.integers(1, 3)),
        elements=st.one_of(st.just(0.0), st.floats(-1e4, 1e4)),
    ),
)
def test_every_step_is_within_the_sharp_bound(
    beta1: float, beta2: float, lr: float, eps: float, grads: np.ndarray
) -> None:
    """|Δ_t| ≤ α·√(Σ a_i²/b_i) for any gradients, sparse or not, at every step."""
    ds = deltas(adamlib.Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps), grads)
    assert np.all(np.isfinite(ds))
    for t, d in enumerate(ds, start=1):
        bound = lr * sharp_bound(beta1, beta2, t)
        assert np.all(np.abs(d) <= bound * (1.0 + 1e-9)), (t, d, bound)


@given(
    beta1=st.floats(0.0, 0.999, allow_subnormal=False),
    beta2=st.floats(0.01, 0.9999),
    lr=lrs,
    t=st.integers(1, 300),
    g=finite_floats(1e-3, 1e3),
)
def test_one_gradient_after_zeros_is_the_papers_severe_case(
    beta1: float, beta2: float, lr: float, t: int, g: float
) -> None:
    """The paper's "most severe case of sparsity": zero gradients, then g at step t.

    Δ_t = α (1-β1)/(1-β1^t) · √((1-β2^t)/(1-β2)), which is at most the paper's bound
    α·max(1, (1-β1)/√(1-β2)) and tends to α(1-β1)/√(1-β2) as t grows.
    """
    grads = np.zeros((t, 1))
    grads[-1, 0] = g
    # ε = 1e-300 keeps the all-zero steps at Δ = 0 (not 0/0) and is negligible against √v̂
    ds = deltas(adamlib.Adam(lr=lr, beta1=beta1, beta2=beta2, eps=1e-300), grads)
    assert np.all(ds[:-1] == 0.0)
    step = abs(float(ds[-1, 0]))
    exact = lr * (1.0 - beta1) / (1.0 - beta1**t) * math.sqrt((1.0 - beta2**t) / (1.0 - beta2))
    assert step == pytest.approx(exact, rel=1e-9)
    assert step <= lr * paper_bound(beta1, beta2) * (1.0 + 1e-9)


@pytest.mark.parametrize(
    ("beta1", "beta2", "t"),
    [(0.9, 0.999, 500), (0.9, 0.99, 500), (0.99, 0.9999, 2000), (0.5, 0.99, 500)],
)
def test_the_papers_bound_is_exceeded_by_growing_gradients(
    beta1: float, beta2: float, t: int
) -> None:
    """The bound α·max(1, (1-β1)/√(1-β2)) holds in the sparse case, not for every sequence.

    Gradients growing like (β2/β1)^i attain the sharp bound, which for large t exceeds the
    paper's (4.56 α > 3.16 α at the defaults after 500 steps). This pins down both that the
    sharp bound is attained (so the test above is tight) and that the paper's is not universal.
    """
    grads = ((beta1 / beta2) ** np.arange(t - 1, -1, -1, dtype=np.float64))[:, None]
    ds = deltas(adamlib.Adam(lr=1.0, beta1=beta1, beta2=beta2, eps=0.0), grads)
    last = abs(float(ds[-1, 0]))
    assert last == pytest.approx(sharp_bound(beta1, beta2, t), rel=1e-9)
    assert last > 1.1 * paper_bound(beta1, beta2)


# -- AdaMax and sign descent ------------------------------------------------------------------
@given(
    beta1=betas,
    beta2=betas,
    lr=lrs,
    g=hnp.arrays(
        np.float64,
        st.integers(1, 6),
        elements=st.one_of(st.just(0.0), finite_floats(1e-150, 1e150)),
    ),
)
def test_adamax_first_step_is_alpha_sign_g(
    beta1: float, beta2: float, lr: float, g: np.ndarray
) -> None:
    """m_1 = (1-β1) g, u_1 = |g|, Δ_1 = -α/(1-β1) · m_1/u_1 = -α sign(g); 0 where g = 0."""
    opt = AdaMax(lr=lr, beta1=beta1, beta2=beta2, eps=0.0)
    p0 = np.ones_like(g)
    p1, _, info = opt.step_with_info(p0, g, opt.init(p0))
    d = info["delta"]
    np.testing.assert_array_equal(p1, p0 + d)
    assert np.all(d[g == 0.0] == 0.0)
    np.testing.assert_allclose(d, -lr * np.sign(g), rtol=8 * np.finfo(np.float64).eps, atol=0.0)
    if beta1 == 0.0:
        np.testing.assert_array_equal(d, -lr * np.sign(g))


@given(
    lr=lrs,
    bias_correction=st.booleans(),
    grads=hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 20), st.integers(1, 5)),
        elements=finite_floats(1e-100, 1e100),
    ),
)
def test_beta_zero_eps_zero_is_sign_descent(
    lr: float, bias_correction: bool, grads: np.ndarray
) -> None:
    """β1 = β2 = ε = 0: m̂ = g, v̂ = g², √(g²) = |g| exactly, so Δ_t = -α sign(g_t) exactly."""
    opt = adamlib.Adam(lr=lr, beta1=0.0, beta2=0.0, eps=0.0, bias_correction=bias_correction)
    np.testing.assert_array_equal(deltas(opt, grads), -lr * np.sign(grads))


@given(
    lr=lrs,
    beta2=betas,
    eps=st.sampled_from([0.0, 1e-8, 1e-3]),
    weight_decay=st.sampled_from([0.0, 0.1]),
    maximize=st.booleans(),
    grads=nonzero_arrays(st.tuples(st.integers(1, 20), st.integers(1, 5))),
)
def test_beta1_zero_without_bias_correction_is_rmsprop(
    lr: float, beta2: float, eps: float, weight_decay: float, maximize: bool, grads: np.ndarray
) -> None:
    """Adam(β1=0, bias_correction=False) and RMSProp(β2, ε) are the same algorithm, bit for bit."""
    kw = {"lr": lr, "beta2": beta2, "eps": eps, "weight_decay": weight_decay, "maximize": maximize}
    adam = adamlib.Adam(beta1=0.0, bias_correction=False, **kw)
    rms = RMSProp(**kw)
    pa = pr = np.linspace(-1.0, 1.0, grads.shape[1])
    sa, sr = adam.init(pa), rms.init(pr)
    for g in grads:
        pa, sa = adam.step(pa, g, sa)
        pr, sr = rms.step(pr, g, sr)
        assert pa.tobytes() == pr.tobytes()
        assert sa.v.tobytes() == sr.v.tobytes()


# -- the options, as transformations of plain Adam --------------------------------------------
option_runs = st.fixed_dictionaries(
    {
        "beta1": betas,
        "beta2": betas,
        "lr": lrs,
        "eps": st.sampled_from([1e-8, 1e-3]),
        "grads": hnp.arrays(
            np.float64,
            st.tuples(st.integers(1, 25), st.integers(1, 4)),
            elements=st.one_of(st.just(0.0), finite_floats(1e-100, 1e3)),
        ),
    }
)


@given(run=option_runs)
def test_amsgrad_divides_by_the_running_max_of_v(run: dict[str, Any]) -> None:
    """v_max_t = max_{s≤t} v_s, m and v are Adam's, and Δ uses v_max: |Δ| ≤ Adam's |Δ|."""
    grads = run.pop("grads")
    plain, ams = adamlib.Adam(**run), adamlib.Adam(amsgrad=True, **run)
    p = q = np.zeros(grads.shape[1])
    sp, sq = plain.init(p), ams.init(q)
    vs = []
    for t, g in enumerate(grads, start=1):
        p, sp, ip = plain.step_with_info(p, g, sp)
        q, sq, iq = ams.step_with_info(q, g, sq)
        vs.append(sp.v)
        assert sq.m.tobytes() == sp.m.tobytes() and sq.v.tobytes() == sp.v.tobytes()
        np.testing.assert_array_equal(sq.v_max, np.max(vs, axis=0))
        v_hat = sq.v_max / (1.0 - run["beta2"] ** t)
        np.testing.assert_allclose(iq["v_hat"], v_hat, rtol=1e-13, atol=0.0)
        expected = -run["lr"] * iq["m_hat"] / (np.sqrt(v_hat) + run["eps"])
        np.testing.assert_allclose(iq["delta"], expected, rtol=1e-12, atol=0.0)
        assert np.all(np.abs(iq["delta"]) <= np.abs(ip["delta"]) * (1.0 + 1e-12))


@given(run=option_runs, weight_decay=st.sampled_from([0.0, 0.1]))
def test_maximize_is_descent_on_minus_g(run: dict[str, Any], weight_decay: float) -> None:
    grads = run.pop("grads")
    up = adamlib.Adam(maximize=True, weight_decay=weight_decay, **run)
    down = adamlib.Adam(weight_decay=weight_decay, **run)
    p = q = np.linspace(-1.0, 1.0, grads.shape[1])
    sp, sq = up.init(p), down.init(q)
    for g in grads:
        p, sp = up.step(p, g, sp)
        q, sq = down.step(q, -g, sq)
        assert p.tobytes() == q.tobytes()


@given(run=option_runs, weight_decay=st.floats(1e-4, 1.0))
def test_weight_decay_l2_and_decoupled(run: dict[str, Any], weight_decay: float) -> None:
    """L2: Adam on g + λφ. Decoupled (AdamW): φ(1-αλ), then plain Adam. Bit for bit."""
    grads = run.pop("grads")
    lam, lr = weight_decay, run["lr"]
    l2 = adamlib.Adam(weight_decay=lam, **run)
    adamw = adamlib.Adam(weight_decay=lam, decoupled_weight_decay=True, **run)
    plain = adamlib.Adam(**run)
    p_l2 = p_w = p_ref_l2 = p_ref_w = np.linspace(-1.0, 1.0, grads.shape[1])
    s_l2, s_w, s_ref_l2, s_ref_w = (o.init(p_l2) for o in (l2, adamw, plain, plain))
    for g in grads:
        p_l2, s_l2 = l2.step(p_l2, g, s_l2)
        p_ref_l2, s_ref_l2 = plain.step(p_ref_l2, g + p_ref_l2 * lam, s_ref_l2)
        assert p_l2.tobytes() == p_ref_l2.tobytes()
        p_w, s_w = adamw.step(p_w, g, s_w)
        p_ref_w, s_ref_w = plain.step(p_ref_w * (1.0 - lr * lam), g, s_ref_w)
        assert p_w.tobytes() == p_ref_w.tobytes()
