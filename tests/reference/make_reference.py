"""Generate ``torch_vectors.npz``: torch.optim trajectories that adamlib must reproduce.

Run with a Python that has torch and numpy (adamlib is not needed)::

    python3 tests/reference/make_reference.py

Every optimizer in :data:`CONFIGS` is run on every gradient sequence in :func:`make_sequences`
with float64 parameters on the CPU through torch's single-tensor path (``foreach=False``, and
``fused=False`` where the class has that option). The gradient is set explicitly each step, so no
autograd is involved. ``tests/contracts/test_reference.py`` replays the same gradients through
adamlib.
"""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
# adamlib of this checkout (the torch environment need not have it installed): its
# chapter_subset cuts chapter 4's runs out of the file for the package.
sys.path.insert(0, str(HERE.parents[1]))

from adamlib.experiments.reference import TORCH_ADAM_NPZ, chapter_subset  # noqa: E402

OUTPUT = HERE / "torch_vectors.npz"
# Chapter 4's runs, copied into the package (adamlib.experiments.reference)
CHAPTER_OUTPUT = HERE.parents[1] / "adamlib" / "experiments" / "data" / TORCH_ADAM_NPZ

SEED = 20_240_613
N_STEPS = 1200
N_PARAMS = 6
#: 1-based steps after which the parameters are stored: the first step, every 10th step, the last.
RECORD_STEPS = np.unique(np.r_[1, np.arange(10, N_STEPS + 1, 10), N_STEPS])

#: Gradient scale of each sequence (the factor the standard normal draws are multiplied by).
SEQUENCE_SCALES = {"random": 1.0, "sparse": 1.0, "tiny": 1e-6, "huge": 1e6, "drift": 1.0}

#: torch optimizer -> adamlib equivalent.
#:
#: ``torch``/``torch_kwargs``: the ``torch.optim`` class and its arguments (besides the
#: single-tensor switches ``foreach=False`` / ``fused=False`` added by :func:`torch_optimizer`).
#: ``adamlib``/``adamlib_kwargs``: the adamlib class (``Adam``, ``optimizers.<Name>`` or
#: ``radam.RAdam``).
#: ``buffers``: torch ``optimizer.state[p]`` key -> adamlib state field.
#: ``scale_dependent``: plain/momentum SGD's step is proportional to the gradient, so on the
#: "tiny" and "huge" sequences lr is divided by the sequence's scale and weight_decay multiplied
#: by it (lr * weight_decay and the parameter motion per step stay as on "random"). The
#: resolved arguments of each run are stored in the npz (``meta["runs"]``).
CONFIGS: dict[str, dict[str, Any]] = {
    "adam": {
        "torch": "Adam",
        "torch_kwargs": {},
        "adamlib": "Adam",
        "adamlib_kwargs": {},
    },
    "adam_amsgrad_lr1e-2": {
        "torch": "Adam",
        "torch_kwargs": {"lr": 1e-2, "amsgrad": True},
        "adamlib": "Adam",
        "adamlib_kwargs": {"lr": 1e-2, "amsgrad": True},
    },
    "adam_l2": {
        "torch": "Adam",
        "torch_kwargs": {"weight_decay": 0.1},
        "adamlib": "Adam",
        "adamlib_kwargs": {"weight_decay": 0.1},
    },
    "adam_maximize": {
        "torch": "Adam",
        "torch_kwargs": {"maximize": True},
        "adamlib": "Adam",
        "adamlib_kwargs": {"maximize": True},
    },
    "adam_l2_amsgrad_maximize": {
        "torch": "Adam",
        "torch_kwargs": {"weight_decay": 0.1, "amsgrad": True, "maximize": True},
        "adamlib": "Adam",
        "adamlib_kwargs": {"weight_decay": 0.1, "amsgrad": True, "maximize": True},
    },
    "adamw": {
        "torch": "AdamW",
        "torch_kwargs": {"weight_decay": 0.05},
        "adamlib": "Adam",
        "adamlib_kwargs": {"decoupled_weight_decay": True, "weight_decay": 0.05},
    },
    "adamw_amsgrad": {
        "torch": "AdamW",
        "torch_kwargs": {"weight_decay": 0.05, "amsgrad": True},
        "adamlib": "Adam",
        "adamlib_kwargs": {"decoupled_weight_decay": True, "weight_decay": 0.05, "amsgrad": True},
    },
    "adam_beta1_0": {
        "torch": "Adam",
        "torch_kwargs": {"betas": (0.0, 0.99)},
        "adamlib": "Adam",
        "adamlib_kwargs": {"beta1": 0.0, "beta2": 0.99},
    },
    "adam_betas_095_09999_eps1e-6": {
        "torch": "Adam",
        "torch_kwargs": {"betas": (0.95, 0.9999), "eps": 1e-6},
        "adamlib": "Adam",
        "adamlib_kwargs": {"beta1": 0.95, "beta2": 0.9999, "eps": 1e-6},
    },
    "sgd_momentum": {
        "torch": "SGD",
        "torch_kwargs": {"lr": 1e-2, "momentum": 0.9},
        "adamlib": "optimizers.Momentum",
        "adamlib_kwargs": {"lr": 1e-2, "momentum": 0.9},
        "scale_dependent": True,
    },
    "sgd_nesterov": {
        "torch": "SGD",
        "torch_kwargs": {"lr": 1e-2, "momentum": 0.9, "nesterov": True},
        "adamlib": "optimizers.Momentum",
        "adamlib_kwargs": {"lr": 1e-2, "momentum": 0.9, "nesterov": True},
        "scale_dependent": True,
    },
    "sgd_momentum_dampening_l2": {
        "torch": "SGD",
        "torch_kwargs": {"lr": 1e-2, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01},
        "adamlib": "optimizers.Momentum",
        "adamlib_kwargs": {"lr": 1e-2, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01},
        "scale_dependent": True,
    },
    "sgd": {
        "torch": "SGD",
        "torch_kwargs": {"lr": 1e-2},
        "adamlib": "optimizers.SGD",
        "adamlib_kwargs": {"lr": 1e-2},
        "scale_dependent": True,
    },
    "rmsprop": {
        "torch": "RMSprop",
        "torch_kwargs": {},
        "adamlib": "optimizers.RMSProp",
        "adamlib_kwargs": {"lr": 1e-2, "beta2": 0.99, "eps": 1e-8},
    },
    "rmsprop_momentum_centered": {
        "torch": "RMSprop",
        "torch_kwargs": {"lr": 1e-3, "momentum": 0.9, "centered": True},
        "adamlib": "optimizers.RMSProp",
        "adamlib_kwargs": {"lr": 1e-3, "momentum": 0.9, "centered": True},
    },
    "adagrad": {
        "torch": "Adagrad",
        "torch_kwargs": {},
        "adamlib": "optimizers.AdaGrad",
        "adamlib_kwargs": {"lr": 1e-2, "eps": 1e-10},
    },
    "adagrad_lrdecay_init": {
        "torch": "Adagrad",
        "torch_kwargs": {"lr_decay": 0.01, "initial_accumulator_value": 0.1},
        "adamlib": "optimizers.AdaGrad",
        "adamlib_kwargs": {"lr_decay": 0.01, "initial_accumulator_value": 0.1},
    },
    "adamax": {
        "torch": "Adamax",
        "torch_kwargs": {},
        "adamlib": "optimizers.AdaMax",
        "adamlib_kwargs": {"lr": 2e-3, "eps": 1e-8},
    },
    "radam": {
        "torch": "RAdam",
        "torch_kwargs": {},
        "adamlib": "radam.RAdam",
        "adamlib_kwargs": {},
    },
    "radam_l2": {
        "torch": "RAdam",
        "torch_kwargs": {"weight_decay": 0.1},
        "adamlib": "radam.RAdam",
        "adamlib_kwargs": {"weight_decay": 0.1},
    },
    "radam_decoupled": {
        "torch": "RAdam",
        "torch_kwargs": {"weight_decay": 0.05, "decoupled_weight_decay": True},
        "adamlib": "radam.RAdam",
        "adamlib_kwargs": {"weight_decay": 0.05, "decoupled_weight_decay": True},
    },
    "radam_maximize": {
        "torch": "RAdam",
        "torch_kwargs": {"maximize": True},
        "adamlib": "radam.RAdam",
        "adamlib_kwargs": {"maximize": True},
    },
}

#: torch state key -> adamlib state field, per torch class.
BUFFER_NAMES: dict[str, dict[str, str]] = {
    "Adam": {"exp_avg": "m", "exp_avg_sq": "v", "max_exp_avg_sq": "v_max"},
    "AdamW": {"exp_avg": "m", "exp_avg_sq": "v", "max_exp_avg_sq": "v_max"},
    "SGD": {"momentum_buffer": "m"},
    "RMSprop": {"square_avg": "v", "grad_avg": "m", "momentum_buffer": "buf"},
    "Adagrad": {"sum": "v"},
    "Adamax": {"exp_avg": "m", "exp_inf": "u"},
    "RAdam": {"exp_avg": "m", "exp_avg_sq": "v"},
}

#: Classes that accept ``fused`` (everything accepts ``foreach``).
HAS_FUSED = {"Adam", "AdamW", "SGD", "Adagrad"}


def longest_zero_run(column: np.ndarray) -> int:
    """Length of the longest run of exact zeros in a 1-D array."""
    longest = current = 0
    for x in column:
        current = current + 1 if x == 0.0 else 0
        longest = max(longest, current)
    return longest


def make_sequences(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The gradient sequences, each of shape ``(N_STEPS, N_PARAMS)``, float64."""
    shape = (N_STEPS, N_PARAMS)
    seqs: dict[str, np.ndarray] = {}
    seqs["random"] = rng.standard_normal(shape)

    # Mostly exact zeros: each entry is nonzero with probability 0.02, plus forced long gaps.
    sparse = np.where(rng.random(shape) < 0.02, rng.standard_normal(shape), 0.0)
    sparse[:500, 0] = 0.0  # entry 0 sees nothing for the first 500 steps
    sparse[300:700, 1] = 0.0  # entry 1: 400 silent steps in the middle
    sparse[820:1180, 2] = 0.0  # entry 2: 360 silent steps near the end
    sparse[510, 0] = 1.5  # make sure entry 0 does wake up
    sparse[0, 3] = -2.0  # one entry gets a gradient at step 1
    seqs["sparse"] = sparse

    seqs["tiny"] = rng.standard_normal(shape) * SEQUENCE_SCALES["tiny"]
    seqs["huge"] = rng.standard_normal(shape) * SEQUENCE_SCALES["huge"]

    # Noise around a mean that wanders slowly (period 800 steps), a different phase per entry.
    t = np.arange(1, N_STEPS + 1)[:, None]
    mean = 2.0 * np.sin(2.0 * np.pi * t / 800.0 + np.arange(N_PARAMS)[None, :])
    seqs["drift"] = rng.standard_normal(shape) + mean

    for name, seq in seqs.items():
        assert seq.shape == shape and seq.dtype == np.float64, name
        assert np.all(np.isfinite(seq)), name
    assert longest_zero_run(sparse[:, 0]) >= 500
    assert all(np.count_nonzero(sparse[:, j]) >= 5 for j in range(N_PARAMS))
    return seqs


def resolve_kwargs(config: dict[str, Any], sequence: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """torch and adamlib arguments for one run (lr and weight_decay rescaled if scale-dependent)."""
    torch_kwargs = dict(config["torch_kwargs"])
    adamlib_kwargs = dict(config["adamlib_kwargs"])
    scale = SEQUENCE_SCALES[sequence]
    if config.get("scale_dependent") and scale != 1.0:
        for kwargs in (torch_kwargs, adamlib_kwargs):
            kwargs["lr"] = kwargs["lr"] / scale
            if kwargs.get("weight_decay", 0.0) != 0.0:
                kwargs["weight_decay"] = kwargs["weight_decay"] * scale
    return torch_kwargs, adamlib_kwargs


def torch_optimizer(
    name: str, param: torch.Tensor, kwargs: dict[str, Any]
) -> torch.optim.Optimizer:
    """A ``torch.optim`` optimizer forced onto the single-tensor (for-loop) implementation."""
    cls = getattr(torch.optim, name)
    switches: dict[str, Any] = {"foreach": False}
    if name in HAS_FUSED:
        switches["fused"] = False
    return cls([param], **kwargs, **switches)


def run_torch(
    name: str, kwargs: dict[str, Any], params0: np.ndarray, grads: np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray], int]:
    """Run one optimizer over ``grads``; return stored params, final buffers and final step."""
    param = torch.tensor(params0, dtype=torch.float64, requires_grad=True)
    opt = torch_optimizer(name, param, kwargs)
    recorded = []
    record = set(RECORD_STEPS.tolist())
    for t in range(1, grads.shape[0] + 1):
        param.grad = torch.tensor(grads[t - 1], dtype=torch.float64)  # a copy
        opt.step()
        if t in record:
            recorded.append(param.detach().numpy().copy())
    trajectory = np.stack(recorded)
    if not np.all(np.isfinite(trajectory)):
        raise FloatingPointError(f"{name}({kwargs}) left the finite range")
    state = opt.state[param]
    buffers: dict[str, np.ndarray] = {}
    step = grads.shape[0]
    for key, value in state.items():
        if key == "step":
            step = int(value.item())
        elif isinstance(value, torch.Tensor):
            if key not in BUFFER_NAMES[name]:
                raise KeyError(f"unmapped torch state key {key!r} of {name}")
            assert value.dtype == torch.float64
            buffers[key] = value.detach().numpy().copy()
    return trajectory, buffers, step


def base_arrays(params0: np.ndarray, sequences: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The arrays every reference file starts with: φ_0, the recorded steps, the gradients."""
    arrays = {"params0": params0, "record_steps": RECORD_STEPS.astype(np.int64)}
    for seq_name, seq in sequences.items():
        arrays[f"grads__{seq_name}"] = seq
    return arrays


def write_npz(
    output: Path,
    arrays: dict[str, np.ndarray],
    *,
    generator: str,
    sequences: dict[str, np.ndarray],
    configs: dict[str, Any],
    buffer_names: dict[str, Any],
    runs: dict[str, dict[str, Any]],
    max_bytes: int,
) -> None:
    """Add the JSON metadata (versions, configurations, runs) and write ``output``."""
    meta = {
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "generator": generator,
        "seed": SEED,
        "n_steps": N_STEPS,
        "n_params": N_PARAMS,
        "sequences": list(sequences),
        "sequence_scales": SEQUENCE_SCALES,
        "configs": configs,
        "buffer_names": buffer_names,
        "runs": runs,
    }
    arrays["meta"] = np.array(json.dumps(meta, indent=1, sort_keys=True))
    np.savez_compressed(output, **arrays)
    size = output.stat().st_size
    print(f"wrote {output} ({size / 1e6:.3f} MB, {len(arrays)} arrays, {len(runs)} runs)")
    if size > max_bytes:
        sys.exit(f"npz larger than {max_bytes / 1e6:g} MB")


def main() -> None:
    """Build and write the npz and print a short summary."""
    torch.set_num_threads(1)
    rng = np.random.default_rng(SEED)
    params0 = rng.standard_normal(N_PARAMS)
    sequences = make_sequences(rng)

    arrays = base_arrays(params0, sequences)

    runs: dict[str, dict[str, Any]] = {}
    for cfg_name, cfg in CONFIGS.items():
        for seq_name, seq in sequences.items():
            torch_kwargs, adamlib_kwargs = resolve_kwargs(cfg, seq_name)
            trajectory, buffers, step = run_torch(cfg["torch"], torch_kwargs, params0, seq)
            run_id = f"{cfg_name}__{seq_name}"
            arrays[f"params__{run_id}"] = trajectory
            for key, value in buffers.items():
                arrays[f"state__{run_id}__{key}"] = value
            runs[run_id] = {
                "config": cfg_name,
                "sequence": seq_name,
                "torch_kwargs": torch_kwargs,
                "adamlib_kwargs": adamlib_kwargs,
                "buffers": {key: BUFFER_NAMES[cfg["torch"]][key] for key in sorted(buffers)},
                "final_step": step,
                "max_abs_param": float(np.max(np.abs(trajectory))),
            }
            print(
                f"{run_id:50s} |phi|max={np.max(np.abs(trajectory)):.3e} buffers={sorted(buffers)}"
            )

    write_npz(
        OUTPUT,
        arrays,
        generator=f"{Path(__file__).name} (foreach=False, fused=False, float64, CPU)",
        sequences=sequences,
        configs=CONFIGS,
        buffer_names=BUFFER_NAMES,
        runs=runs,
        max_bytes=1_500_000,
    )
    write_chapter_subset()


def write_chapter_subset() -> None:
    """Copy chapter 4's runs into the package, where a notebook outside the repo finds them."""
    with np.load(OUTPUT, allow_pickle=False) as data:
        subset = chapter_subset({key: data[key] for key in data.files})
    np.savez_compressed(CHAPTER_OUTPUT, **subset)
    size = CHAPTER_OUTPUT.stat().st_size
    print(f"wrote {CHAPTER_OUTPUT} ({size / 1e6:.3f} MB, {len(subset)} arrays)")


if __name__ == "__main__":
    main()
