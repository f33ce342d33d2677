"""Cost of one Adam step on the CPU, measured side by side in one run.

Prints the median time per step for ``--n`` float32 parameters (default 10M) of:

- a naive NumPy step (the textbook formulas, each allocating temporaries) — baseline only;
- adamlib's pure ``Adam.step`` (returns new arrays);
- adamlib's in-place ``Adam.step_inplace`` (cache-sized blocks, no allocation);
- ``torch.optim.Adam`` with ``foreach=True`` and ``fused=True``, when torch is importable;
- the memory-bandwidth floor: 28 bytes a parameter (read φ, g, m, v; write φ, m, v) at the
  bandwidth of the fastest measured copy (8 bytes a parameter; NumPy's, or torch's threaded one).

Before timing, :func:`check_agreement` runs every variant for a few steps on the same data and
fails if any φ differs from the naive baseline's by more than float32 rounding
(:data:`FLOAT32_ATOL`): the timings compare the same computation.

Ratios are relative to the floor and to torch foreach. This is a benchmark, not a test:
run it with ``python benchmarks/step.py [--n N] [--repeats R]``. Chapter 6 imports
:func:`measure` and :func:`check_agreement` from this file (by path, with importlib).
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
FLOOR = "memory-bandwidth floor (28 B/param at copy speed)"
#: Largest |φ_variant − φ_naive| accepted after a few steps: φ is of order 1, and float32 has
#: 2**-23 ≈ 1.2e-7 of relative precision, so differently ordered float32 arithmetic of the same
#: formulas stays within a few units in the last place of 1.
FLOAT32_ATOL = 1e-6


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


def effective_gb_per_s(n: int, ms: float, bytes_per_param: int = BYTES_PER_PARAM_ADAM) -> float:
    """Bytes an Adam step must move (``bytes_per_param`` × ``n``) divided by its time, in GB/s."""
    return bytes_per_param * n / (ms * 1e-3) / 1e9


def check_agreement(n: int = 100_000, steps: int = 5, seed: int = 0) -> dict[str, float]:
    """Run every variant ``steps`` steps from the same float32 φ₀ with the same gradients.

    Returns ``{variant: max |φ_variant − φ_naive|}`` after the last step, for adamlib's pure and
    in-place steps and (when importable) torch's foreach and fused Adam, all with the defaults
    α = 1e-3, β1 = 0.9, β2 = 0.999, ε = 1e-8. Raises ``AssertionError`` if any difference
    exceeds :data:`FLOAT32_ATOL`.
    """
    rng = np.random.default_rng(seed)
    phi0 = rng.standard_normal(n, dtype=np.float32)
    grads = [rng.standard_normal(n, dtype=np.float32) for _ in range(steps)]

    phi_naive, m, v = phi0.copy(), np.zeros_like(phi0), np.zeros_like(phi0)
    for t, g in enumerate(grads, start=1):
        naive_step(phi_naive, g, m, v, t)

    opt = adamlib.Adam()
    phi_pure, state = phi0.copy(), opt.init(phi0)
    for g in grads:
        phi_pure, state = opt.step(phi_pure, g, state)

    phi_inplace = phi0.copy()
    istate = opt.init_inplace(phi_inplace)
    for g in grads:
        opt.step_inplace(phi_inplace, g, istate)

    results = {
        "adamlib Adam.step (pure)": phi_pure,
        "adamlib Adam.step_inplace": phi_inplace,
        **_torch_results(phi0, grads),
    }
    diffs = {name: float(np.max(np.abs(phi - phi_naive))) for name, phi in results.items()}
    for name, diff in diffs.items():
        assert diff <= FLOAT32_ATOL, f"{name} differs from the naive step by {diff:.3e}"
    assert all(phi.dtype == np.float32 for phi in results.values())
    return diffs


def _torch_results(phi0: np.ndarray, grads: list[np.ndarray]) -> dict[str, np.ndarray]:
    try:
        import torch
    except ImportError:
        return {}
    out = {}
    for name, kwargs in (
        ("torch Adam foreach", {"foreach": True}),
        ("torch Adam fused", {"fused": True}),
    ):
        p = torch.from_numpy(phi0.copy())
        opt = torch.optim.Adam([p], **kwargs)
        for g in grads:
            p.grad = torch.from_numpy(g.copy())
            opt.step()
        out[name] = p.detach().numpy().copy()
    return out


def measure(n: int, repeats: int, seed: int = 0) -> list[tuple[str, float]]:
    """Return ``(name, ms per step)`` for every variant available, all on the same data.

    The first row is the memory-bandwidth floor (:data:`FLOOR`); the others are the naive
    baseline, adamlib's pure and in-place steps, and torch's foreach and fused steps when
    torch is importable.
    """
    rng = np.random.default_rng(seed)
    phi0 = rng.standard_normal(n, dtype=np.float32)
    g = rng.standard_normal(n, dtype=np.float32)
    rows: list[tuple[str, float]] = []

    dst = np.empty_like(phi0)
    copy_ms = min(median_ms(lambda: np.copyto(dst, phi0), repeats), _torch_copy_ms(phi0, repeats))
    floor_ms = copy_ms * BYTES_PER_PARAM_ADAM / BYTES_PER_PARAM_COPY
    rows.append((FLOOR, floor_ms))

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
    diffs = check_agreement()
    print("agreement with the naive step after 5 steps (max |Δφ|):")
    for name, diff in diffs.items():
        print(f"  {name:<50}{diff:.1e}")
    rows = measure(args.n, args.repeats)
    floor = rows[0][1]
    foreach = next((ms for name, ms in rows if name.startswith("torch Adam foreach")), None)
    print(f"{args.n:,} float32 parameters, median of {args.repeats} steps")
    header = f"{'variant':<52}{'ms/step':>10}{'x floor':>10}{'GB/s':>9}"
    if foreach:
        header += f"{'x foreach':>11}"
    print(header)
    for name, ms in rows:
        line = f"{name:<52}{ms:>10.2f}{ms / floor:>10.2f}{effective_gb_per_s(args.n, ms):>9.1f}"
        if foreach:
            line += f"{ms / foreach:>11.2f}"
        print(line)
    if foreach is None:
        print("(torch not importable: install torch==2.13.0 to compare)")


if __name__ == "__main__":
    main()
