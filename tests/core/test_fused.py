"""adamlib.fused.fused_adam_step: the numba single-pass step computes Adam.step's φ, m, v.

Tolerances. The fused loop performs Adam.step's operations in Adam.step's order, each rounded
to the dtype and without fused multiply-adds (``fastmath=False``); measured at the time of
writing, 50 steps agree to the last bit in float32 and in float64. The tests allow a little
more, so that a reordering of the same formulas in either implementation still passes while a
wrong formula fails:

- float32: a reordering changes the update Δφ_t (of size ≈ α = 1e-3) by a few units in its last
  place, ~1e-10, far below half an ulp of φ (~6e-8 for |φ| ≈ 1). Such a difference flips the
  rounding of φ_t = φ_{t-1} + Δφ_t only now and then, and each flip is one ulp of φ. Allowing
  4 ulps of the largest |φ| (4 · 2⁻²³ · max|φ| ≈ 2e-6 here) leaves room for a few flips on one
  element; a wrong β, α or bias correction moves φ by ~1e-4 or more after 50 steps.
  m and v are compared the same way (4 ulps of their largest entry).
- float64: the same argument with 2⁻⁵² gives ~1e-15 relative: rtol 1e-12 is loose and honest.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import adamlib
from adamlib.fused import fused_adam_step

STEPS = 50


def _run_both(dtype, shape=(40, 25), lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, seed=0):
    """φ, m, v after STEPS steps of Adam.step and of fused_adam_step from the same start."""
    rng = np.random.default_rng(seed)
    phi0 = rng.standard_normal(shape).astype(dtype)
    # gradients of varying scale (1e-3 .. 1e2), so that v̂ and ε matter in different places
    grads = [
        (rng.standard_normal(shape) * 10.0 ** rng.uniform(-3, 2)).astype(dtype)
        for _ in range(STEPS)
    ]
    opt = adamlib.Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    phi_ref, state = phi0.copy(), opt.init(phi0)
    for g in grads:
        phi_ref, state = opt.step(phi_ref, g, state)
    phi, m, v = phi0.copy(), np.zeros_like(phi0), np.zeros_like(phi0)
    for t, g in enumerate(grads, start=1):
        fused_adam_step(phi, g, m, v, t, lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    return (phi_ref, state.m, state.v), (phi, m, v)


HYPERS = [
    {},
    {"lr": 0.05, "beta1": 0.0, "beta2": 0.5, "eps": 0.0},
    {"lr": 1e-2, "beta1": 0.99, "beta2": 0.9999, "eps": 1e-3},
]


@pytest.mark.parametrize("hyper", HYPERS, ids=["defaults", "beta1=0,eps=0", "slow-betas"])
def test_float32_agrees_with_adam_step_to_float32_rounding(hyper: dict) -> None:
    ref, fused = _run_both(np.float32, **hyper)
    for name, a, b in zip(["phi", "m", "v"], ref, fused, strict=True):
        assert b.dtype == np.float32 and b.shape == a.shape
        atol = 4 * np.finfo(np.float32).eps * float(np.max(np.abs(a)))
        np.testing.assert_allclose(b, a, rtol=0, atol=atol, err_msg=name)


@pytest.mark.parametrize("hyper", HYPERS, ids=["defaults", "beta1=0,eps=0", "slow-betas"])
def test_float64_agrees_with_adam_step(hyper: dict) -> None:
    ref, fused = _run_both(np.float64, **hyper)
    for name, a, b in zip(["phi", "m", "v"], ref, fused, strict=True):
        assert b.dtype == np.float64
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-300, err_msg=name)


def test_first_step_is_the_documented_example() -> None:
    phi = np.array([1.0, -2.0], dtype=np.float32)
    m, v = np.zeros_like(phi), np.zeros_like(phi)
    fused_adam_step(phi, np.array([3.0, -0.5], dtype=np.float32), m, v, t=1, lr=0.1)
    np.testing.assert_allclose(phi, [0.9, -1.9], rtol=1e-6)
    np.testing.assert_allclose(m, [0.3, -0.05], rtol=1e-6)
    np.testing.assert_allclose(v, [0.009, 0.00025], rtol=1e-6)


def test_empty_arrays_are_a_no_op() -> None:
    a = np.zeros(0, dtype=np.float64)
    fused_adam_step(a, a.copy(), a.copy(), a.copy(), 1)


# -- the float32 kernel computes in float32 -----------------------------------------------------


def _one_step_float32(seed: int = 3, n: int = 4096):
    """One step from nonzero m, v: fused result, float32 reference, float64 reference (rounded)."""
    rng = np.random.default_rng(seed)
    phi0, g, m0 = (rng.standard_normal(n, dtype=np.float32) for _ in range(3))
    v0 = rng.random(n, dtype=np.float32) + np.float32(0.5)
    t, lr, b1, b2, eps = 7, 0.3, 0.9, 0.999, 1e-8  # a large α: φ_t shows Δφ_t's rounding
    phi, m, v = phi0.copy(), m0.copy(), v0.copy()
    fused_adam_step(phi, g, m, v, t, lr=lr, beta1=b1, beta2=b2, eps=eps)

    def reference(dt):
        c = {k: dt(x) for k, x in [("b1", b1), ("b2", b2), ("eps", eps), ("neg_lr", -lr)]}
        one_b1, one_b2 = dt(1.0 - b1), dt(1.0 - b2)
        bc1, bc2 = dt(1.0 - b1**t), dt(1.0 - b2**t)
        p_, g_, m_, v_ = (a.astype(dt) for a in (phi0, g, m0, v0))
        m_ = m_ * c["b1"] + g_ * one_b1
        v_ = v_ * c["b2"] + (g_ * g_) * one_b2
        p_ = p_ + (m_ / bc1) / (np.sqrt(v_ / bc2) + c["eps"]) * c["neg_lr"]
        return tuple(a.astype(np.float32) for a in (p_, m_, v_))

    return (phi, m, v), reference(np.float32), reference(np.float64)


def test_float32_kernel_rounds_like_float32_arithmetic() -> None:
    """Bit-equal to the float32 formulas and, in some entries, not to float64 ones rounded once.

    If the kernel promoted to float64 (say, a constant left as a Python float), it would
    match the second reference instead and this would fail.
    """
    fused, ref32, ref64 = _one_step_float32()
    for name, a, r32, r64 in zip(["phi", "m", "v"], fused, ref32, ref64, strict=True):
        np.testing.assert_array_equal(a, r32, err_msg=name)
        assert np.count_nonzero(a != r64) > 0, f"{name} is float64 arithmetic rounded once"


def test_float32_kernel_is_compiled_for_float32_constants() -> None:
    from adamlib._numba_kernels import adam_kernel

    phi = np.ones(8, dtype=np.float32)
    fused_adam_step(phi, phi.copy(), np.zeros_like(phi), np.zeros_like(phi), 1)
    sigs32 = [s for s in adam_kernel.signatures if str(s[0].dtype) == "float32"]
    assert sigs32, adam_kernel.signatures
    for sig in sigs32:
        scalars = sig[4:]
        assert [str(s) for s in scalars] == ["float32"] * len(scalars), sig


# -- bad arguments --------------------------------------------------------------------------------


def _arrays(dtype=np.float32, n=6):
    rng = np.random.default_rng(1)
    return {
        "phi": rng.standard_normal(n).astype(dtype),
        "g": rng.standard_normal(n).astype(dtype),
        "m": rng.standard_normal(n).astype(dtype),
        "v": rng.random(n).astype(dtype),
    }


def _readonly(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


BAD_ARRAYS = [
    # (argument replaced, how, exception, message that names it and the value)
    ("phi", lambda a: a["phi"].astype(np.int64), TypeError, r"phi must have dtype .* got int64"),
    ("phi", lambda a: a["phi"].astype(np.float16), TypeError, r"phi .* got float16"),
    ("g", lambda a: list(a["g"]), TypeError, r"g must be a numpy ndarray, got list"),
    ("g", lambda a: a["g"].astype(np.float64), TypeError, r"g has dtype float64, expected float32"),
    ("m", lambda a: np.zeros(5, np.float32), ValueError, r"m has shape \(5,\), expected \(6,\)"),
    ("v", lambda a: np.zeros(12, np.float32)[::2], ValueError, r"v must be C-contiguous"),
    ("m", lambda a: _readonly(a["m"].copy()), ValueError, r"m is read-only"),
    ("v", lambda a: a["m"], ValueError, r"m and v share memory"),
    ("g", lambda a: a["phi"][::-1], ValueError, r"g must be C-contiguous"),
]


@pytest.mark.parametrize(("which", "make", "exc", "match"), BAD_ARRAYS)
def test_bad_arrays_raise_naming_the_argument_and_change_nothing(which, make, exc, match) -> None:
    arrays = _arrays()
    arrays[which] = make(arrays)
    before = {k: np.array(a, copy=True) for k, a in arrays.items()}
    with pytest.raises(exc, match=match):
        fused_adam_step(arrays["phi"], arrays["g"], arrays["m"], arrays["v"], 1)
    for k, a in arrays.items():
        np.testing.assert_array_equal(np.asarray(a), before[k], err_msg=k)


BAD_SCALARS = [
    ({"t": 0}, ValueError, r"t must be an integer >= 1, got 0"),
    ({"t": 1.0}, TypeError, r"t must be an integer >= 1, got 1\.0"),
    ({"t": True}, TypeError, r"t must be an integer >= 1, got True"),
    ({"lr": 0.0}, ValueError, r"lr must be a finite number > 0, got 0\.0"),
    ({"lr": float("nan")}, ValueError, r"lr must be a finite number > 0, got nan"),
    ({"lr": "0.1"}, TypeError, r"lr must be a real number, got '0\.1'"),
    ({"beta1": 1.0}, ValueError, r"beta1 must be in \[0, 1\), got 1\.0"),
    ({"beta2": -0.1}, ValueError, r"beta2 must be in \[0, 1\), got -0\.1"),
    ({"eps": -1e-8}, ValueError, r"eps must be a finite number >= 0, got -1e-08"),
    ({"eps": float("inf")}, ValueError, r"eps must be a finite number >= 0, got inf"),
]


@pytest.mark.parametrize(("kwargs", "exc", "match"), BAD_SCALARS)
def test_bad_hyperparameters_raise_naming_them_and_change_nothing(kwargs, exc, match) -> None:
    arrays = _arrays(np.float64)
    before = {k: a.copy() for k, a in arrays.items()}
    call = {"t": 1, **kwargs}
    with pytest.raises(exc, match=match):
        fused_adam_step(arrays["phi"], arrays["g"], arrays["m"], arrays["v"], **call)
    for k, a in arrays.items():
        np.testing.assert_array_equal(a, before[k], err_msg=k)


def test_importing_adamlib_does_not_load_numba() -> None:
    code = (
        "import sys, adamlib, adamlib.fused, adamlib.experiments.cost; "
        "assert 'numba' not in sys.modules, 'numba was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
