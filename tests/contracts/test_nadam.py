"""``adamlib.nadam.NAdam`` against ``torch.optim.NAdam``, and the optimizer protocol it follows.

The torch trajectories are in ``tests/reference/torch_nadam_vectors.npz``, made by
``tests/reference/make_nadam_reference.py`` (torch 2.13.0, float64, CPU, ``foreach=False``) from
the same seed and gradient sequences as ``torch_vectors.npz``; see ``tests/reference/README.md``.
"Agree" means what it means in ``test_reference.py`` (whose helpers are reused): the largest
difference over an array, relative to that array's largest torch entry, is at most 1e-12 for the
parameters at every recorded step and the final ``m``, ``v``. torch's ``mu_product`` (a float32
running product) is compared bit for bit after every step. torch is not imported here.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _support import (
    assert_rejects_naming,
    assert_state_identical,
    assert_tree_identical,
    snapshot,
)
from test_reference import RTOL, rel_diff, trajectory_rel_diffs
from test_reference import reference as adam_reference

from adamlib.nadam import (
    MU_PRODUCT_DTYPE,
    NAdam,
    NAdamConfig,
    NAdamState,
    momentum_coefficient,
)

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "torch_nadam_vectors.npz"

EXPECTED_SEQUENCES = ("random", "sparse", "tiny", "huge", "drift")
EXPECTED_CONFIGS = {
    "nadam": {},
    "nadam_lr1e-2_no_momentum_decay": {"lr": 1e-2, "momentum_decay": 0.0},
    "nadam_l2": {"weight_decay": 1e-2},
    "nadam_decoupled": {"weight_decay": 1e-2, "decoupled_weight_decay": True},
    "nadam_maximize": {"maximize": True},
}
N_STEPS = 1200


@functools.cache
def reference() -> dict[str, np.ndarray]:
    """All arrays of the NAdam npz, loaded once (without pickle)."""
    with np.load(REFERENCE, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


@functools.cache
def meta() -> dict[str, Any]:
    """The npz's JSON metadata (versions, configurations, resolved arguments of each run)."""
    return json.loads(str(reference()["meta"]))


def run_ids() -> list[str]:
    return list(meta()["runs"])


@functools.cache
def replay(run_id: str) -> tuple[NAdamState, np.ndarray, np.ndarray]:
    """adamlib over the run's gradients (float64): final state, params at the recorded steps and
    ``mu_product`` after every step (one entry; all entries of the buffer are checked equal)."""
    ref, run = reference(), meta()["runs"][run_id]
    grads = ref[f"grads__{run['sequence']}"]
    record = set(ref["record_steps"].tolist())
    opt = NAdam(**run["adamlib_kwargs"])
    params = ref["params0"].copy()
    state = opt.init(params)
    recorded, mu_products = [], []
    for t in range(1, grads.shape[0] + 1):
        params, state = opt.step(params, grads[t - 1], state)
        assert np.all(state.mu_product == state.mu_product[0])
        mu_products.append(state.mu_product[0])
        if t in record:
            recorded.append(params)
    return state, np.stack(recorded), np.array(mu_products)


# -- the reference file ---------------------------------------------------------------------------
def test_reference_made_with_torch_2_13() -> None:
    assert meta()["torch_version"].startswith("2.13.0")


def test_every_configuration_ran_on_every_sequence() -> None:
    ref, info = reference(), meta()
    assert {name: c["adamlib_kwargs"] for name, c in info["configs"].items()} == EXPECTED_CONFIGS
    assert tuple(info["sequences"]) == EXPECTED_SEQUENCES
    assert info["n_steps"] == N_STEPS
    n_records, n_params = ref["record_steps"].size, info["n_params"]
    expected = {f"{c}__{s}" for c in EXPECTED_CONFIGS for s in EXPECTED_SEQUENCES}
    assert set(info["runs"]) == expected
    for run_id, run in info["runs"].items():
        assert run["final_step"] == N_STEPS, run_id
        assert ref[f"params__{run_id}"].shape == (n_records, n_params), run_id
        assert np.all(np.isfinite(ref[f"params__{run_id}"])), run_id
        mu = ref[f"mu_product__{run_id}"]
        assert mu.shape == (N_STEPS,) and mu.dtype == np.float32, run_id
        assert set(run["buffers"]) == {"exp_avg", "exp_avg_sq"}, run_id


def test_same_sequences_as_the_other_reference_file() -> None:
    """The gradients, initial parameters and recorded steps are ``torch_vectors.npz``'s."""
    ours, theirs = reference(), adam_reference()
    for key in ["params0", "record_steps", *(f"grads__{s}" for s in EXPECTED_SEQUENCES)]:
        assert_tree_identical(ours[key], theirs[key], key)


def test_torch_mu_product_is_a_float32_running_product() -> None:
    """torch's Π_t: μ_t rounded to float32, multiplied in float32, underflowing near step 130.

    Kept in float64 it would differ from the first step on, which is why NAdam reproduces it.
    """
    for config, kwargs in EXPECTED_CONFIGS.items():
        beta1, psi = kwargs.get("beta1", 0.9), kwargs.get("momentum_decay", 4e-3)
        torch_mu = reference()[f"mu_product__{config}__random"]
        product32 = np.float32(1.0)
        for t in range(1, N_STEPS + 1):
            product32 = product32 * np.float32(momentum_coefficient(beta1, psi, t))
            assert product32 == torch_mu[t - 1], (config, t)
        first_zero = 1 + next(i for i in range(N_STEPS) if torch_mu[i] == 0.0)
        assert 100 < first_zero < 140, config
        for seq in EXPECTED_SEQUENCES:  # Π_t does not depend on the gradients
            assert_tree_identical(reference()[f"mu_product__{config}__{seq}"], torch_mu, seq)


def test_float64_product_would_differ_from_torch() -> None:
    beta1, psi = 0.9, 4e-3
    torch_mu = reference()["mu_product__nadam__random"].astype(np.float64)
    exact = np.cumprod([momentum_coefficient(beta1, psi, t) for t in range(1, 41)])
    assert np.any(exact != torch_mu[:40])
    assert np.max(np.abs(exact - torch_mu[:40]) / exact) < 1e-6  # float32 rounding, no more


# -- adamlib against torch ------------------------------------------------------------------------
@pytest.mark.parametrize("run_id", run_ids())
def test_matches_torch(run_id: str) -> None:
    """Params at every recorded step and the final m, v within ``RTOL``; Π_t bit for bit."""
    ref, run = reference(), meta()["runs"][run_id]
    state, ours, mu_products = replay(run_id)
    diffs = trajectory_rel_diffs(ours, ref[f"params__{run_id}"])
    worst = int(np.argmax(diffs))
    assert diffs[worst] <= RTOL, (
        f"params differ by {diffs[worst]:.3g} (relative) at step {ref['record_steps'][worst]}"
    )
    assert state.t == run["final_step"]
    for key, field in run["buffers"].items():
        d = rel_diff(getattr(state, field), ref[f"state__{run_id}__{key}"])
        assert d <= RTOL, f"state.{field} (torch {key}) differs by {d:.3g} (relative)"
    torch_mu = ref[f"mu_product__{run_id}"]
    assert_tree_identical(mu_products, torch_mu.astype(np.float64), "mu_product")


def test_worst_difference_is_far_below_the_bound() -> None:
    """Over all 25 runs the params stay within a few float64 ulps of torch (measured ≤ 1e-15)."""
    worst = max(
        trajectory_rel_diffs(replay(r)[1], reference()[f"params__{r}"]).max() for r in run_ids()
    )
    assert worst < 1e-14


# -- the schedule ---------------------------------------------------------------------------------
def test_momentum_coefficient_values() -> None:
    assert momentum_coefficient(0.9, 4e-3, 1) == pytest.approx(0.45007347, rel=1e-8)
    assert momentum_coefficient(0.9, 4e-3, 10**6) == pytest.approx(0.9, rel=1e-12)
    # ψ = 0 freezes μ_t at β1/2, not at β1
    assert all(momentum_coefficient(0.9, 0.0, t) == 0.45 for t in (1, 2, 1000))
    mus = [momentum_coefficient(0.9, 4e-3, t) for t in range(1, 2000)]
    assert np.all(np.diff(mus) > 0) and max(mus) < 0.9


def test_first_step_matches_the_formula() -> None:
    """t = 1: m̂_1 = g_1 + μ_2/(1 − μ_1 μ_2)·(1 − β1) g_1 and v̂_1 = g_1²."""
    opt = NAdam(lr=0.1, eps=0.0)
    phi0, g = np.array([1.0, -2.0, 0.5]), np.array([3.0, -0.5, 1e-3])
    phi, _, info = opt.step_with_info(phi0, g, opt.init(phi0))
    mu1, mu2 = momentum_coefficient(0.9, 4e-3, 1), momentum_coefficient(0.9, 4e-3, 2)
    factor = 1.0 + 0.1 * mu2 / (1.0 - mu1 * mu2)
    np.testing.assert_allclose(phi, phi0 - 0.1 * factor * np.sign(g), rtol=1e-6)
    np.testing.assert_allclose(info["m_hat"], factor * g, rtol=1e-6)
    np.testing.assert_allclose(info["v_hat"], g**2, rtol=1e-15)


# -- the protocol ---------------------------------------------------------------------------------
OPTION_SETS = {
    "default": {},
    "l2": {"weight_decay": 0.1},
    "decoupled": {"weight_decay": 0.1, "decoupled_weight_decay": True},
    "maximize": {"maximize": True, "momentum_decay": 0.0},
    "all": {"weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True, "lr": 0.05},
}


def some_steps(opt: NAdam, params: Any, n: int = 3, seed: int = 0) -> tuple[Any, NAdamState]:
    rng = np.random.default_rng(seed)
    state = opt.init(params)
    for _ in range(n):
        if isinstance(params, dict):
            grad = {k: rng.standard_normal(p.shape).astype(p.dtype) for k, p in params.items()}
        else:
            grad = rng.standard_normal(params.shape).astype(params.dtype)
        params, state = opt.step(params, grad, state)
    return params, state


@pytest.mark.parametrize(
    ("name", "value", "exc"),
    [
        ("lr", 0.0, ValueError),
        ("lr", -1e-3, ValueError),
        ("lr", math.inf, ValueError),
        ("lr", math.nan, ValueError),
        ("lr", "0.1", TypeError),
        ("beta1", 1.0, ValueError),
        ("beta1", -0.1, ValueError),
        ("beta1", True, TypeError),
        ("beta2", 1.5, ValueError),
        ("beta2", None, TypeError),
        ("eps", -1e-8, ValueError),
        ("eps", math.inf, ValueError),
        ("weight_decay", -0.01, ValueError),
        ("weight_decay", math.nan, ValueError),
        ("momentum_decay", -1, ValueError),
        ("momentum_decay", math.inf, ValueError),
        ("momentum_decay", [4e-3], TypeError),
    ],
)
def test_bad_argument_is_named(name: str, value: Any, exc: type[Exception]) -> None:
    assert_rejects_naming(lambda v: NAdam(**{name: v}), name, value, exc)


def test_momentum_decay_message() -> None:
    with pytest.raises(ValueError, match=r"^momentum_decay must be a finite number >= 0, got -1$"):
        NAdam(momentum_decay=-1)


def test_config_and_repr() -> None:
    opt = NAdam(lr=0.01, beta2=0.99, weight_decay=0.1, momentum_decay=0.0, maximize=True)
    assert opt.config == NAdamConfig(
        lr=0.01,
        beta1=0.9,
        beta2=0.99,
        eps=1e-8,
        weight_decay=0.1,
        momentum_decay=0.0,
        decoupled_weight_decay=False,
        maximize=True,
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        opt.config.lr = 1.0  # type: ignore[misc]
    text = repr(opt)
    assert text.startswith("NAdam(")
    for field in dataclasses.fields(NAdamConfig):
        assert f"{field.name}=" in text, field.name
    assert "momentum_decay=0" in text and "maximize=True" in text


def test_defaults_are_torchs() -> None:
    c = NAdam().config
    assert (c.lr, c.beta1, c.beta2, c.eps) == (2e-3, 0.9, 0.999, 1e-8)
    assert (c.weight_decay, c.momentum_decay) == (0.0, 4e-3)
    assert not c.decoupled_weight_decay and not c.maximize


def test_init_state() -> None:
    phi = np.array([[1.0, -2.0], [0.5, 3.0]])
    state = NAdam().init(phi)
    assert state.t == 0
    assert_tree_identical(state.m, np.zeros_like(phi), "m")
    assert_tree_identical(state.v, np.zeros_like(phi), "v")
    assert_tree_identical(state.mu_product, np.ones_like(phi), "mu_product")


@pytest.mark.parametrize("options", OPTION_SETS.values(), ids=list(OPTION_SETS))
@pytest.mark.parametrize("use_dict", [False, True], ids=["array", "dict"])
def test_step_leaves_its_inputs_unchanged(options: dict[str, Any], use_dict: bool) -> None:
    opt = NAdam(**options)
    rng = np.random.default_rng(1)
    if use_dict:
        params: Any = {"w": rng.standard_normal((3, 2)), "b": rng.standard_normal(2)}
        grad: Any = {k: rng.standard_normal(p.shape) for k, p in params.items()}
    else:
        params, grad = rng.standard_normal(5), rng.standard_normal(5)
    params, state = some_steps(opt, params)
    before = snapshot((params, grad, state))
    new_params, new_state, info = opt.step_with_info(params, grad, state)
    assert_tree_identical(params, before[0], "params")
    assert_tree_identical(grad, before[1], "grad")
    assert_state_identical(state, before[2])
    # and the same call again gives the very same result (no hidden state)
    again_params, again_state, again_info = opt.step_with_info(params, grad, state)
    assert_tree_identical(again_params, new_params, "params")
    assert_state_identical(again_state, new_state)
    assert_tree_identical(again_info, info, "info")


@pytest.mark.parametrize("options", OPTION_SETS.values(), ids=list(OPTION_SETS))
def test_dict_params_step_each_array_on_its_own(options: dict[str, Any]) -> None:
    opt = NAdam(**options)
    rng = np.random.default_rng(2)
    params = {
        "w": rng.standard_normal((3, 2)),
        "b": rng.standard_normal(2),
        "s": np.array(0.7),
    }
    state = opt.init(params)
    singles = {k: (p, opt.init(p)) for k, p in params.items()}
    for _ in range(4):
        grad = {k: rng.standard_normal(p.shape) for k, p in params.items()}
        params, state, info = opt.step_with_info(params, grad, state)
        assert set(info) == {"m", "v", "m_hat", "v_hat", "delta"}
        for key in params:
            p, s = singles[key]
            p, s, single_info = opt.step_with_info(p, grad[key], s)
            singles[key] = (p, s)
            assert_tree_identical(params[key], p, f"params[{key!r}]")
            for name in ("m", "v", "mu_product"):
                assert_tree_identical(getattr(state, name)[key], getattr(s, name), name)
            for name, value in single_info.items():
                assert_tree_identical(info[name][key], value, f"info[{name!r}][{key!r}]")
    assert state.t == 4 and list(state.m) == ["w", "b", "s"]
    assert state.mu_product["s"].shape == ()


@pytest.mark.parametrize("options", OPTION_SETS.values(), ids=list(OPTION_SETS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_delta_is_exactly_the_change_of_the_parameters(
    options: dict[str, Any], dtype: type[np.floating]
) -> None:
    opt = NAdam(**options)
    rng = np.random.default_rng(3)
    phi = rng.standard_normal(7).astype(dtype)
    state = opt.init(phi)
    for _ in range(20):
        g = rng.standard_normal(7).astype(dtype)
        new_phi, state, info = opt.step_with_info(phi, g, state)
        assert_tree_identical(info["delta"], new_phi - phi, "delta")
        phi = new_phi
    assert phi.dtype == dtype and {b.dtype for b in (state.m, state.v, state.mu_product)} == {
        np.dtype(dtype)
    }


def test_delta_includes_the_decoupled_decay() -> None:
    """With decoupled decay Δφ_t = −αλφ_{t−1}(approximately) + the adaptive step."""
    lr, wd = 0.05, 0.1
    coupled_free = NAdam(lr=lr)
    decoupled = NAdam(lr=lr, weight_decay=wd, decoupled_weight_decay=True)
    phi, g = np.array([2.0, -1.0, 0.5]), np.array([0.3, 0.2, -0.1])
    _, _, plain = coupled_free.step_with_info(phi, g, coupled_free.init(phi))
    _, _, decayed = decoupled.step_with_info(phi, g, decoupled.init(phi))
    np.testing.assert_allclose(decayed["delta"], plain["delta"] - lr * wd * phi, rtol=1e-12)


def test_mu_product_buffer_is_a_float32_value_for_every_dtype() -> None:
    for dtype in (np.float64, np.float32):
        _, state = some_steps(NAdam(), np.ones(4, dtype=dtype), n=5)
        mu = state.mu_product
        assert mu.dtype == dtype
        assert np.all(mu.astype(MU_PRODUCT_DTYPE).astype(dtype) == mu)
        assert np.all(mu == mu[0]) and 0.0 < mu[0] < 0.45**5 * 1.01


@dataclasses.dataclass(frozen=True)
class OtherState:
    t: int
    m: Any
    v: Any
    mu_product: Any


def test_state_of_another_type_is_refused() -> None:
    phi = np.zeros(3)
    with pytest.raises(TypeError, match="state must be a NAdamState"):
        NAdam().step(phi, phi, OtherState(t=0, m=phi, v=phi, mu_product=phi + 1))
