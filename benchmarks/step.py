"""Cost of one Adam step on the CPU, measured side by side in one run.

Prints the median time per step for ``--n`` float32 parameters (default 10M) of:

- a naive NumPy step (the textbook formulas, each allocating temporaries) — baseline only;
- adamlib's pure ``Adam.step`` (returns new arrays);
- adamlib's in-place ``Adam.step_inplace`` (cache-sized blocks, no allocation);
- ``torch.optim.Adam`` with ``foreach=True`` and ``fused=True``, when torch is importable;
- the memory-bandwidth floor: 28 bytes a parameter (read φ, g, m, v; write φ, m, v) at the
  bandwidth of the fastest measured copy (8 bytes a parameter; NumPy's, or torch's threaded one).

Ratios are relative to the floor and to torch foreach. This is a benchmark, not a test:
run it with ``python benchmarks/step.py [--n N] [--repeats R]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

import adamlib

BYTES_PER_PARAM_ADAM = 28  # read phi, g, m, v (16) + write phi, m, v (12), float32
BYTES_PER_PARAM_COPY = 8  # read + write


def median_ms(fn: Callable[[], object], repeats: int, warmup: int = 2) -> float:
    """Median wall time of ``fn()`` in milliseconds over ``repeats`` runs after ``warmup``."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def naive_step(
    phi: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray, t: int, lr: float = 1e-3
) -> None:
    """Baseline: Adam written the obvious way with NumPy temporaries (benchmark only)."""
    b1, b2, eps = 0.9, 0.999, 1e-8
    m[:] = b1 * m + (1 - b1) * g
    v[:] = b2 * v + (1 - b2) * g * g
    m_hat = m / (1 - b1**t)
    v_hat = v / (1 - b2**t)
    phi -= lr * m_hat / (np.sqrt(v_hat) + eps)


def measure(n: int, repeats: int, seed: int = 0) -> list[tuple[str, float]]:
    """Return ``(name, ms per step)`` for every variant available, all on the same data."""
    rng = np.random.default_rng(seed)
    phi0 = rng.standard_normal(n, dtype=np.float32)
    g = rng.standard_normal(n, dtype=np.float32)
    rows: list[tuple[str, float]] = []

    dst = np.empty_like(phi0)
    copy_ms = min(median_ms(lambda: np.copyto(dst, phi0), repeats), _torch_copy_ms(phi0, repeats))
    floor_ms = copy_ms * BYTES_PER_PARAM_ADAM / BYTES_PER_PARAM_COPY
    rows.append(("memory-bandwidth floor (28 B/param at copy speed)", floor_ms))

    phi, m, v = phi0.copy(), np.zeros_like(phi0), np.zeros_like(phi0)
    rows.append(("naive numpy", median_ms(lambda: naive_step(phi, g, m, v, 1), repeats)))

    opt = adamlib.Adam()
    state = opt.init(phi0)
    rows.append(("adamlib Adam.step (pure)", median_ms(lambda: opt.step(phi0, g, state), repeats)))

    phi = phi0.copy()
    istate = opt.init_inplace(phi)
    rows.append(
        ("adamlib Adam.step_inplace", median_ms(lambda: opt.step_inplace(phi, g, istate), repeats))
    )
    rows.extend(_torch_rows(phi0, g, repeats))
    return rows


def _torch_copy_ms(phi0: np.ndarray, repeats: int) -> float:
    """Copy time with torch's threads (it can beat single-threaded NumPy); inf without torch."""
    try:
        import torch
    except ImportError:
        return float("inf")
    src = torch.from_numpy(phi0)
    dst = torch.empty_like(src)
    return median_ms(lambda: dst.copy_(src), repeats)


def _torch_rows(phi0: np.ndarray, g: np.ndarray, repeats: int) -> list[tuple[str, float]]:
    try:
        import torch
    except ImportError:
        return []
    rows = []
    for name, kwargs in (
        ("torch Adam foreach", {"foreach": True}),
        ("torch Adam fused", {"fused": True}),
    ):
        p = torch.from_numpy(phi0.copy())
        p.grad = torch.from_numpy(g)
        opt = torch.optim.Adam([p], **kwargs)
        rows.append((f"{name} ({torch.get_num_threads()} threads)", median_ms(opt.step, repeats)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000_000, help="number of float32 parameters")
    parser.add_argument("--repeats", type=int, default=15, help="timed steps per variant")
    args = parser.parse_args()
    rows = measure(args.n, args.repeats)
    floor = rows[0][1]
    foreach = next((ms for name, ms in rows if name.startswith("torch Adam foreach")), None)
    print(f"{args.n:,} float32 parameters, median of {args.repeats} steps")
    header = f"{'variant':<52}{'ms/step':>10}{'x floor':>10}"
    if foreach:
        header += f"{'x foreach':>11}"
    print(header)
    for name, ms in rows:
        line = f"{name:<52}{ms:>10.2f}{ms / floor:>10.2f}"
        if foreach:
            line += f"{ms / foreach:>11.2f}"
        print(line)
    if foreach is None:
        print("(torch not importable: install torch==2.13.0 to compare)")


if __name__ == "__main__":
    main()
