"""Generate ``torch_nadam_vectors.npz``: ``torch.optim.NAdam`` trajectories for adamlib's NAdam.

Run with a Python that has torch and numpy (adamlib is not needed), from anywhere::

    python3 tests/reference/make_nadam_reference.py

A sibling of ``make_reference.py`` that writes a separate file, so ``torch_vectors.npz`` (which a
chapter notebook reads) stays as it is. It reuses that script's seed, initial parameters,
gradient sequences (random, sparse, tiny, huge, drift), ``N_STEPS = 1200`` and recorded steps:
the same ``np.random.default_rng(SEED)`` draws in the same order. Each configuration in
:data:`CONFIGS` runs on every sequence with float64 parameters on the CPU through torch's
single-tensor path (``foreach=False``; NAdam has no fused path).
``tests/contracts/test_nadam.py`` replays the gradients through :class:`adamlib.nadam.NAdam`.

Besides what ``make_reference.py`` stores, every run records torch's ``mu_product``
(:math:`\\Pi_t`, a float32 0-d tensor in torch) after *every* step, since it underflows to zero
long before the last one.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_reference import (
    N_PARAMS,
    RECORD_STEPS,
    SEED,
    base_arrays,
    make_sequences,
    write_npz,
)

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "torch_nadam_vectors.npz"

#: name -> torch ``NAdam`` arguments and the equivalent ``adamlib.nadam.NAdam`` arguments. The
#: same arguments are used on every sequence (NAdam's step does not scale with the gradient).
CONFIGS: dict[str, dict[str, Any]] = {
    "nadam": {
        "torch_kwargs": {},
        "adamlib_kwargs": {},
    },
    "nadam_lr1e-2_no_momentum_decay": {
        "torch_kwargs": {"lr": 1e-2, "momentum_decay": 0.0},
        "adamlib_kwargs": {"lr": 1e-2, "momentum_decay": 0.0},
    },
    "nadam_l2": {
        "torch_kwargs": {"weight_decay": 1e-2},
        "adamlib_kwargs": {"weight_decay": 1e-2},
    },
    "nadam_decoupled": {
        "torch_kwargs": {"weight_decay": 1e-2, "decoupled_weight_decay": True},
        "adamlib_kwargs": {"weight_decay": 1e-2, "decoupled_weight_decay": True},
    },
    "nadam_maximize": {
        "torch_kwargs": {"maximize": True},
        "adamlib_kwargs": {"maximize": True},
    },
}

#: torch state key -> adamlib ``NAdamState`` field (``step`` is checked against ``state.t``).
BUFFER_NAMES = {"exp_avg": "m", "exp_avg_sq": "v", "mu_product": "mu_product"}


def run_torch(
    kwargs: dict[str, Any], params0: np.ndarray, grads: np.ndarray
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray], int]:
    """Run ``torch.optim.NAdam`` over ``grads``.

    Returns the params after each step of ``RECORD_STEPS``, ``mu_product`` after every step
    (float32, as torch keeps it), the final ``exp_avg`` and ``exp_avg_sq``, and the final step.
    """
    param = torch.tensor(params0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.NAdam([param], **kwargs, foreach=False)
    recorded, mu_products = [], []
    record = set(RECORD_STEPS.tolist())
    for t in range(1, grads.shape[0] + 1):
        param.grad = torch.tensor(grads[t - 1], dtype=torch.float64)  # a copy
        opt.step()
        mu_product = opt.state[param]["mu_product"]
        assert mu_product.dtype == torch.float32 and mu_product.shape == ()
        mu_products.append(mu_product.item())
        if t in record:
            recorded.append(param.detach().numpy().copy())
    trajectory = np.stack(recorded)
    if not np.all(np.isfinite(trajectory)):
        raise FloatingPointError(f"NAdam({kwargs}) left the finite range")
    state = opt.state[param]
    if set(state) != {"step", *BUFFER_NAMES}:
        raise KeyError(f"unexpected torch state keys {sorted(state)}")
    buffers = {}
    for key in ("exp_avg", "exp_avg_sq"):
        assert state[key].dtype == torch.float64
        buffers[key] = state[key].detach().numpy().copy()
    return trajectory, np.array(mu_products, dtype=np.float32), buffers, int(state["step"].item())


def main() -> None:
    """Build and write the npz and print a short summary."""
    torch.set_num_threads(1)
    assert torch.get_default_dtype() == torch.float32  # so mu_product is float32, as by default
    rng = np.random.default_rng(SEED)
    params0 = rng.standard_normal(N_PARAMS)  # the same draws, in the same order, as make_reference
    sequences = make_sequences(rng)

    arrays = base_arrays(params0, sequences)

    runs: dict[str, dict[str, Any]] = {}
    for cfg_name, cfg in CONFIGS.items():
        for seq_name, seq in sequences.items():
            trajectory, mu_products, buffers, step = run_torch(cfg["torch_kwargs"], params0, seq)
            run_id = f"{cfg_name}__{seq_name}"
            arrays[f"params__{run_id}"] = trajectory
            arrays[f"mu_product__{run_id}"] = mu_products
            for key, value in buffers.items():
                arrays[f"state__{run_id}__{key}"] = value
            runs[run_id] = {
                "config": cfg_name,
                "sequence": seq_name,
                "torch_kwargs": cfg["torch_kwargs"],
                "adamlib_kwargs": cfg["adamlib_kwargs"],
                "buffers": {key: BUFFER_NAMES[key] for key in sorted(buffers)},
                "final_step": step,
                "max_abs_param": float(np.max(np.abs(trajectory))),
                "last_nonzero_mu_product_step": int(np.flatnonzero(mu_products)[-1]) + 1,
            }
            print(
                f"{run_id:45s} |phi|max={np.max(np.abs(trajectory)):.3e} "
                f"mu_product>0 up to t={runs[run_id]['last_nonzero_mu_product_step']}"
            )

    write_npz(
        OUTPUT,
        arrays,
        generator=f"{Path(__file__).name} (foreach=False, float64, CPU)",
        sequences=sequences,
        configs=CONFIGS,
        buffer_names=BUFFER_NAMES,
        runs=runs,
        max_bytes=1_000_000,
    )


if __name__ == "__main__":
    main()
