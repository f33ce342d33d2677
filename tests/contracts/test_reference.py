"""adamlib against recorded ``torch.optim`` trajectories (``tests/reference/torch_vectors.npz``).

The npz is made by ``tests/reference/make_reference.py`` (torch 2.13.0, float64, CPU,
``foreach=False``: torch's single-tensor path); see ``tests/reference/README.md``. This module
needs only numpy and adamlib: torch is not imported here.

What "agree" means
------------------
For an adamlib array ``a`` and the torch array ``b`` of the same quantity, the *relative
difference* is measured against the scale of the whole array::

    rel(a, b) = max_i |a_i - b_i| / max(max_i |b_i|, TINY)        TINY = float64's smallest normal

and the test requires ``rel(a, b) <= 1e-12``. Each stored parameter vector (one per recorded
step: step 1, every 10th step and the last) and each final state buffer is one array. Scaling by
the array's largest entry, rather than entry by entry, keeps an entry that happens to be near
zero (a parameter crossing zero, a moment after a long run of zero gradients) from turning
last-bit rounding into a large ratio, while still being 1e-12 of every array's own scale: 1e-6
for the "tiny" gradients' buffers and 1e6 for the "huge" ones are both handled. An array that is
exactly zero in torch must be exactly zero in adamlib.

Bitwise equality is not expected: torch forms ``m`` with ``lerp`` (``m + (1-β1)(g-m)``) where
adamlib uses ``β1 m + (1-β1) g``, computes ``√v / √(1-β2^t)`` where adamlib takes
``√(v/(1-β2^t))``, and its vectorized kernels may fuse multiply-adds. Those differences are a few
units in the last place per step and do not accumulate over the 1200 steps: measured against
torch 2.13.0, the largest difference of all 110 runs is 3.8e-15 (SGD momentum on "drift", where
the parameters reach ~60), and it shows no growth with the step number. RAdam (which computes
``√(1-β2^t)/(√v + ε)`` where adamlib takes ``1/(√v̂ + ε/√(1-β2^t))``) stays within 5e-16.
"""

from __future__ import annotations

import functools
import json
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import adamlib
from adamlib import optimizers, radam
from adamlib.experiments.reference import (
    chapter_subset,
    load_torch_reference,
    relative_difference,
)

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "torch_vectors.npz"
RTOL = 1e-12
TINY = float(np.finfo(np.float64).tiny)

EXPECTED_SEQUENCES = ("random", "sparse", "tiny", "huge", "drift")
EXPECTED_CONFIGS = frozenset(
    {
        "adam",
        "adam_amsgrad_lr1e-2",
        "adam_l2",
        "adam_maximize",
        "adam_l2_amsgrad_maximize",
        "adamw",
        "adamw_amsgrad",
        "adam_beta1_0",
        "adam_betas_095_09999_eps1e-6",
        "sgd_momentum",
        "sgd_nesterov",
        "sgd_momentum_dampening_l2",
        "sgd",
        "rmsprop",
        "rmsprop_momentum_centered",
        "adagrad",
        "adagrad_lrdecay_init",
        "adamax",
        "radam",
        "radam_l2",
        "radam_decoupled",
        "radam_maximize",
    }
)
MIN_STEPS = 1000

ADAMLIB_CLASSES: dict[str, type[Any]] = {
    "Adam": adamlib.Adam,
    "optimizers.SGD": optimizers.SGD,
    "optimizers.Momentum": optimizers.Momentum,
    "optimizers.RMSProp": optimizers.RMSProp,
    "optimizers.AdaGrad": optimizers.AdaGrad,
    "optimizers.AdaMax": optimizers.AdaMax,
    "radam.RAdam": radam.RAdam,
}


@functools.cache
def reference() -> dict[str, np.ndarray]:
    """All arrays of the npz, loaded once (without pickle)."""
    with np.load(REFERENCE, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


@functools.cache
def meta() -> dict[str, Any]:
    """The npz's JSON metadata: versions, configurations and the resolved arguments of each run."""
    return json.loads(str(reference()["meta"]))


def run_ids() -> list[str]:
    """``"<config>__<sequence>"`` for every recorded run, in generation order."""
    return list(meta()["runs"])


def rel_diff(a: np.ndarray, b: np.ndarray) -> float:
    """``max|a - b| / max(max|b|, TINY)``: adamlib's own measure, which chapter 4 prints."""
    assert a.shape == b.shape, (a.shape, b.shape)
    return relative_difference(a, b)


def make_optimizer(run_id: str) -> Any:
    """The adamlib optimizer of one run, built from the arguments stored in the npz."""
    run = meta()["runs"][run_id]
    adamlib_name = meta()["configs"][run["config"]]["adamlib"]
    return ADAMLIB_CLASSES[adamlib_name](**run["adamlib_kwargs"])


def replay(run_id: str, dtype: type[np.floating] = np.float64) -> tuple[Any, np.ndarray]:
    """Run adamlib over the run's gradients: the final state and the params at recorded steps."""
    ref = reference()
    run = meta()["runs"][run_id]
    grads = ref[f"grads__{run['sequence']}"].astype(dtype)
    record = set(ref["record_steps"].tolist())
    opt = make_optimizer(run_id)
    params = ref["params0"].astype(dtype)
    state = opt.init(params)
    recorded = []
    for t in range(1, grads.shape[0] + 1):
        params, state = opt.step(params, grads[t - 1], state)
        if t in record:
            recorded.append(params)
    return state, np.stack(recorded)


def trajectory_rel_diffs(ours: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    """:func:`rel_diff` of each recorded parameter vector (one row per recorded step)."""
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    return np.array([rel_diff(a, b) for a, b in zip(ours, theirs, strict=True)])


def test_reference_made_with_torch_2_13() -> None:
    assert meta()["torch_version"].startswith("2.13.0")


def test_every_configuration_ran_on_every_sequence() -> None:
    ref, info = reference(), meta()
    assert set(info["configs"]) == EXPECTED_CONFIGS
    assert tuple(info["sequences"]) == EXPECTED_SEQUENCES
    n_steps, n_params = info["n_steps"], info["n_params"]
    assert n_steps >= MIN_STEPS
    steps = ref["record_steps"]
    assert steps[0] == 1 and steps[-1] == n_steps and np.all(np.diff(steps) > 0)
    assert ref["params0"].shape == (n_params,)
    for seq in EXPECTED_SEQUENCES:
        grads = ref[f"grads__{seq}"]
        assert grads.shape == (n_steps, n_params) and grads.dtype == np.float64
        assert np.all(np.isfinite(grads))
    expected_runs = {f"{c}__{s}" for c in EXPECTED_CONFIGS for s in EXPECTED_SEQUENCES}
    assert set(info["runs"]) == expected_runs
    for run_id, run in info["runs"].items():
        assert run["final_step"] == n_steps, run_id
        traj = ref[f"params__{run_id}"]
        assert traj.shape == (len(steps), n_params) and traj.dtype == np.float64, run_id
        assert np.all(np.isfinite(traj)), run_id
        for key in run["buffers"]:
            assert ref[f"state__{run_id}__{key}"].shape == (n_params,), (run_id, key)


def test_sparse_sequence_has_long_zero_runs() -> None:
    grads = reference()["grads__sparse"]
    assert np.mean(grads == 0.0) > 0.95
    assert np.all(grads[:500, 0] == 0.0) and np.any(grads[500:, 0] != 0.0)
    assert np.all(grads[300:700, 1] == 0.0)


@pytest.mark.parametrize("run_id", run_ids())
def test_matches_torch(run_id: str) -> None:
    """Parameters at every recorded step and the final buffers within ``RTOL`` (see module doc)."""
    ref, run = reference(), meta()["runs"][run_id]
    state, ours = replay(run_id)
    diffs = trajectory_rel_diffs(ours, ref[f"params__{run_id}"])
    worst = int(np.argmax(diffs))
    assert diffs[worst] <= RTOL, (
        f"params differ by {diffs[worst]:.3g} (relative) at step {ref['record_steps'][worst]}"
    )

    assert state.t == run["final_step"]
    mapped = run["buffers"]  # torch key -> adamlib field
    for key, field in mapped.items():
        ours_buf = getattr(state, field)
        assert ours_buf is not None, f"adamlib state.{field} is None, torch has {key}"
        d = rel_diff(ours_buf, ref[f"state__{run_id}__{key}"])
        assert d <= RTOL, f"state.{field} (torch {key}) differs by {d:.3g} (relative)"
    # and adamlib keeps no buffer that torch does not have
    used = {f.name for f in fields(state) if f.name != "t" and getattr(state, f.name) is not None}
    assert used == set(mapped.values())


ADAM_RUNS = [
    r for r in run_ids() if meta()["configs"][meta()["runs"][r]["config"]]["adamlib"] == "Adam"
]


@pytest.mark.parametrize("run_id", ADAM_RUNS)
def test_adam_step_inplace_matches_torch(run_id: str) -> None:
    """``Adam.step_inplace`` (blocked, allocation-free) meets the same bound as ``step``."""
    ref, run = reference(), meta()["runs"][run_id]
    opt = make_optimizer(run_id)
    grads = ref[f"grads__{run['sequence']}"]
    record = set(ref["record_steps"].tolist())
    params = ref["params0"].copy()
    state = opt.init_inplace(params, block=4)  # 6 entries: two blocks, one partial
    recorded = []
    for t in range(1, grads.shape[0] + 1):
        opt.step_inplace(params, np.ascontiguousarray(grads[t - 1]), state)
        if t in record:
            recorded.append(params.copy())
    diffs = trajectory_rel_diffs(np.stack(recorded), ref[f"params__{run_id}"])
    assert diffs.max() <= RTOL
    for key, field in run["buffers"].items():
        assert rel_diff(getattr(state, field), ref[f"state__{run_id}__{key}"]) <= RTOL


FLOAT32_RTOL = 1e-4


@pytest.mark.parametrize(
    "run_id", [r for r in ADAM_RUNS if meta()["runs"][r]["sequence"] == "random"]
)
def test_adam_float32_close_to_float64_reference(run_id: str) -> None:
    """float32 adamlib follows the float64 torch trajectory to ``FLOAT32_RTOL`` (same measure)."""
    state, ours = replay(run_id, np.float32)
    assert ours.dtype == np.float32 and state.m.dtype == np.float32
    diffs = trajectory_rel_diffs(ours.astype(np.float64), reference()[f"params__{run_id}"])
    assert diffs.max() <= FLOAT32_RTOL


def test_the_package_holds_chapter_4s_runs_exactly_as_recorded() -> None:
    """``adamlib/experiments/data/torch_adam_vectors.npz`` is the whole file's subset, unchanged.

    Chapter 4 replays it outside the repository; regenerating the whole file without the subset
    (``make_reference.py`` writes both) fails here.
    """
    packaged = load_torch_reference()
    expected = chapter_subset(reference())
    assert packaged.meta == json.loads(str(expected.pop("meta")))
    assert packaged.meta["full_runs"] == len(meta()["runs"])
    assert sorted(packaged.arrays) == sorted(expected)
    for key, array in expected.items():
        np.testing.assert_array_equal(packaged.arrays[key], array, err_msg=key)


def test_relative_difference_is_scaled_by_the_reference_and_rejects_other_shapes() -> None:
    b = np.array([2.0, -4.0, 0.0])
    assert relative_difference(b, b) == 0.0
    assert relative_difference(b + np.array([0.0, 0.0, 1.0]), b) == 0.25
    assert relative_difference(np.array([TINY]), np.zeros(1)) == 1.0
    with pytest.raises(ValueError, match="same shape"):
        relative_difference(np.zeros(2), np.zeros(3))
