r"""The cost of one Adam step on the CPU, measured side by side in one run (chapter 6).

The *ladder* times, on the same float32 data (10M parameters by default), from slowest to
fastest:

- a naive NumPy step (the textbook formulas, each allocating temporaries): baseline only;
- adamlib's pure :meth:`~adamlib.Adam.step` (returns new arrays);
- adamlib's in-place :meth:`~adamlib.Adam.step_inplace` (cache-sized blocks, no allocation);
- :func:`adamlib.fused.fused_adam_step` (one parallel numba pass);
- ``torch.optim.Adam`` with ``foreach=True`` and with ``fused=True``, when torch is importable
  (torch is optional: it is imported inside the functions that use it, never by adamlib);
- the memory floor (:data:`FLOOR`), measured: a numba loop
  (``adamlib._numba_kernels.stream_floor``) with exactly Adam's accesses, on as many
  threads as the fused step: read :math:`\phi, g, m, v` and write :math:`\phi, m, v` in place,
  28 bytes a float32 parameter, with one addition per array in float32 for all its arithmetic.
  A step that moves these bytes cannot beat it by more than the noise of the timing.

A copy of the n float32s is timed too, for reference only (``copies``). It is not a floor to
scale: "28 bytes at copy speed" assumed a copy moves 8 bytes an element, but its destination
lines are read before they are written (write-allocate), so it moves about 12, while Adam's
stores go to lines it has just read. That estimate put the floor about 1.5 times too high, and
a fused step appeared to run "below the floor".

The repeats are interleaved (round after round, every variant once per round), so a change in
the machine's load while it runs slows every variant alike instead of one of them.

:func:`check_agreement` runs every variant a few steps on the same data first: the timings
compare the same computation. :func:`small_step_overhead` times the other end, a 10-parameter
step, where validation and state objects rather than memory set the cost, and
:func:`chapter_times` the execution of the book's notebooks. ``benchmarks/step.py`` is the
command line for all of these.
"""

from __future__ import annotations

import csv
import io
import os
import statistics
import time
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path

import numpy as np

import adamlib
from adamlib._checks import check_count

BYTES_PER_PARAM_ADAM = 28  # read phi, g, m, v (16) + write phi, m, v (12), float32
#: What a copy asks for, read + write of a float32; the memory also reads the destination
#: before writing it (write-allocate), so the traffic is about 12 bytes. Reference only.
BYTES_PER_PARAM_COPY = 8
#: The measured floor: ``adamlib._numba_kernels.stream_floor``, Adam's 28 B/param of
#: reads and writes with trivial arithmetic (the last row of :func:`ladder`).
FLOOR = "memory floor (Adam's 28 B/param, no arithmetic)"
#: Largest ``|φ_variant − φ_naive|`` accepted after a few steps: φ is of order 1, and float32 has
#: 2**-23 ≈ 1.2e-7 of relative precision, so differently ordered float32 arithmetic of the same
#: formulas stays within a few units in the last place of 1.
FLOAT32_ATOL = 1e-6

NAIVE = "naive numpy"
PURE = "adamlib Adam.step (pure)"
INPLACE = "adamlib Adam.step_inplace"
FUSED = "numba fused_adam_step"
TORCH_FOREACH = "torch Adam foreach"
TORCH_FUSED = "torch Adam fused"
#: The rungs of :func:`ladder`, in its order (the torch ones only when torch is importable).
LADDER = (NAIVE, PURE, INPLACE, FUSED, TORCH_FOREACH, TORCH_FUSED, FLOOR)


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


def interleaved_ms(
    fns: dict[str, Callable[[], object]], repeats: int, warmup: int = 2
) -> dict[str, float]:
    """Median wall time in ms of each ``fn()``, the repeats of all of them interleaved.

    After ``warmup`` untimed calls of each, ``repeats`` rounds call every function once,
    timing each call; the order within a round is rotated from round to round, so no variant
    always runs right after the same neighbour. A drift of the machine's load during the run
    then lands on every variant alike.
    """
    if repeats < 1:
        raise ValueError(f"repeats must be an integer >= 1, got {repeats!r}")
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    names = list(fns)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        shift = r % len(names) if names else 0
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            fns[name]()
            times[name].append(time.perf_counter() - start)
    return {name: 1e3 * statistics.median(ts) for name, ts in times.items()}


def naive_step(
    phi: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray, t: int, lr: float = 1e-3
) -> None:
    """Baseline: :func:`bare_adam_step`'s formulas, written back into ``phi``, ``m``, ``v``.

    Adam the obvious way, with a NumPy temporary for every operation (benchmark only).
    """
    phi[:], m[:], v[:] = bare_adam_step(phi, g, m, v, t, lr)


def effective_gb_per_s(n: int, ms: float, bytes_per_param: int = BYTES_PER_PARAM_ADAM) -> float:
    """Bytes an Adam step must move (``bytes_per_param`` × ``n``) divided by its time, in GB/s."""
    return bytes_per_param * n / (ms * 1e-3) / 1e9


def check_agreement(n: int = 100_000, steps: int = 5, seed: int = 0) -> dict[str, float]:
    """Run every variant ``steps`` steps from the same float32 φ₀ with the same gradients.

    Returns ``{variant: max |φ_variant − φ_naive|}`` after the last step, for adamlib's pure
    and in-place steps, the numba fused step and (when importable) torch's foreach and fused
    Adam, all with the defaults α = 1e-3, β1 = 0.9, β2 = 0.999, ε = 1e-8. Raises
    ``AssertionError`` if any difference exceeds :data:`FLOAT32_ATOL`.
    """
    from adamlib.fused import fused_adam_step

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

    phi_fused, m, v = phi0.copy(), np.zeros_like(phi0), np.zeros_like(phi0)
    for t, g in enumerate(grads, start=1):
        fused_adam_step(phi_fused, g, m, v, t)

    results = {
        PURE: phi_pure,
        INPLACE: phi_inplace,
        FUSED: phi_fused,
        **_torch_results(phi0, grads),
    }
    diffs = {name: float(np.max(np.abs(phi - phi_naive))) for name, phi in results.items()}
    for name, diff in diffs.items():
        assert diff <= FLOAT32_ATOL, f"{name} differs from the naive step by {diff:.3e}"
    assert all(phi.dtype == np.float32 for phi in results.values())
    return diffs


def _torch_results(phi0: np.ndarray, grads: list[np.ndarray]) -> dict[str, np.ndarray]:
    torch = _import_torch()
    if torch is None:
        return {}
    out = {}
    for name, kwargs in ((TORCH_FOREACH, {"foreach": True}), (TORCH_FUSED, {"fused": True})):
        p = torch.from_numpy(phi0.copy())
        opt = torch.optim.Adam([p], **kwargs)
        for g in grads:
            p.grad = torch.from_numpy(g.copy())
            opt.step()
        out[name] = p.detach().numpy().copy()
    return out


def _import_torch():  # -> the torch module, or None
    try:
        import torch
    except ImportError:
        return None
    return torch


def ladder(
    n: int = 10_000_000,
    repeats: int = 15,
    seed: int = 0,
    *,
    copies: dict[str, float] | None = None,
) -> list[tuple[str, float]]:
    """``(name, median ms per step)`` of every rung of :data:`LADDER`, measured interleaved.

    All variants step the same float32 φ₀ with the same gradient, each on its own arrays.
    Warm-up calls (two per variant) are not timed, so numba's compilation and torch's first
    step are excluded. The torch rungs are left out when torch is not importable. The last
    row is the floor (:data:`FLOOR`), measured like the others:
    ``adamlib._numba_kernels.stream_floor`` on its own float32 φ, g, m, v, with numba's
    threads (those of the fused step). Copies of the n float32s are timed in the same rounds,
    for reference, not for the floor; pass a dict as ``copies`` to get their times
    (``{"numpy": ms, "numba": ms, "torch": ms}``).
    """
    from adamlib._numba_kernels import parallel_copy, stream_floor
    from adamlib.fused import fused_adam_step

    rng = np.random.default_rng(seed)
    phi0 = rng.standard_normal(n, dtype=np.float32)
    g = rng.standard_normal(n, dtype=np.float32)
    fns: dict[str, Callable[[], object]] = {}

    phi_n, m_n, v_n = phi0.copy(), np.zeros_like(phi0), np.zeros_like(phi0)
    fns[NAIVE] = lambda: naive_step(phi_n, g, m_n, v_n, 1)

    opt = adamlib.Adam()
    state = opt.init(phi0)
    fns[PURE] = lambda: opt.step(phi0, g, state)

    phi_i = phi0.copy()
    istate = opt.init_inplace(phi_i)
    fns[INPLACE] = lambda: opt.step_inplace(phi_i, g, istate)

    phi_f, m_f, v_f = phi0.copy(), np.zeros_like(phi0), np.zeros_like(phi0)
    fns[FUSED] = lambda: fused_adam_step(phi_f, g, m_f, v_f, 1)

    torch = _import_torch()
    if torch is not None:
        for name, kwargs in ((TORCH_FOREACH, {"foreach": True}), (TORCH_FUSED, {"fused": True})):
            p = torch.from_numpy(phi0.copy())
            p.grad = torch.from_numpy(g)
            fns[name] = torch.optim.Adam([p], **kwargs).step

    # Zeros in m and v, like the fused step's; adding g each call keeps them finite for far
    # more calls than a benchmark makes.
    phi_s, m_s, v_s = phi0.copy(), np.zeros_like(phi0), np.zeros_like(phi0)
    fns[FLOOR] = lambda: stream_floor(phi_s, g, m_s, v_s)

    dst = np.empty_like(phi0)
    copy_fns: dict[str, Callable[[], object]] = {
        "numpy": lambda: np.copyto(dst, phi0),
        "numba": lambda: parallel_copy(dst, phi0),
    }
    if torch is not None:
        src_t, dst_t = torch.from_numpy(phi0), torch.from_numpy(dst)
        copy_fns["torch"] = lambda: dst_t.copy_(src_t)
    for name, fn in copy_fns.items():
        fns[f"copy {name}"] = fn

    ms = interleaved_ms(fns, repeats)
    if copies is not None:
        copies.update({name: ms[f"copy {name}"] for name in copy_fns})
    return [(name, ms[name]) for name in LADDER if name in ms]


def measure(n: int, repeats: int, seed: int = 0) -> list[tuple[str, float]]:
    """Return ``(name, ms per step)`` for every variant available, all on the same data.

    The first row is the measured memory floor (:data:`FLOOR`); the others are the rungs of
    :func:`ladder` in its order (naive, adamlib pure and in place, numba fused, torch foreach
    and fused when torch is importable), measured interleaved.
    """
    rows = ladder(n, repeats, seed)
    return [rows[-1], *rows[:-1]]


#: Bytes of φ, g, m and v held for a float32 parameter: the working set of one step.
BYTES_HELD_PER_PARAM = 16


def floor_by_size(sizes: Sequence[int], repeats: int, seed: int = 0) -> list[tuple[int, float]]:
    """``(n, median ms)`` of the memory floor (:data:`FLOOR`) at each parameter count ``n``.

    Each size is timed alone, its call repeated on the same arrays
    (:data:`BYTES_HELD_PER_PARAM` × n bytes), which are freed before the next size is allocated.
    A working set that a large last-level cache holds (:func:`last_level_cache_bytes`) then stays
    in it, and the floor comes out faster than main memory allows; one several times the cache
    runs from main memory. Chapter 6 compares both with the ladder's floor, which is timed
    interleaved with the other rungs: they touch enough memory between its calls to evict its
    arrays, so at the ladder's size it sits near the main-memory floor, not the cached one.
    """
    from adamlib._numba_kernels import stream_floor

    sizes = [check_count(n, "sizes") for n in sizes]
    repeats = check_count(repeats, "repeats")

    def floor_ms(n: int) -> float:
        g = np.random.default_rng(seed).standard_normal(n, dtype=np.float32)
        phi, m, v = g.copy(), np.zeros_like(g), np.zeros_like(g)
        return interleaved_ms({FLOOR: lambda: stream_floor(phi, g, m, v)}, repeats)[FLOOR]

    return [(n, floor_ms(n)) for n in sizes]


# Where Linux describes the first CPU's caches, one index*/size file per cache.
_CPU_CACHE_DIR = Path("/sys/devices/system/cpu/cpu0/cache")


def last_level_cache_bytes(cache_dir: Path | None = None) -> int | None:
    """Size in bytes of the largest CPU cache Linux reports, or None.

    ``cache_dir`` (default: the ``cpu0/cache`` folder under ``/sys/devices/system/cpu``) holds
    one ``index*/size`` file per cache level (``48K``, ``2048K``, ``480M``); a machine without
    them (not Linux, or a restricted container) gives None.
    """
    sizes = []
    for path in Path(cache_dir or _CPU_CACHE_DIR).glob("index*/size"):
        text = path.read_text().strip()
        scale = {"K": 2**10, "M": 2**20, "G": 2**30}.get(text[-1:], 1)
        digits = text.rstrip("KMG")
        if digits.isdigit():
            sizes.append(int(digits) * scale)
    return max(sizes, default=None)


def ladder_ratios(
    rows: Sequence[tuple[str, float]],
) -> list[tuple[str, float, float, float | None]]:
    """``(name, ms, ms / floor, ms / torch foreach)`` for each row of :func:`ladder`.

    The last entry is None for every row when the rows have no torch foreach rung.
    """
    by_name = dict(rows)
    floor = by_name[FLOOR]
    foreach = by_name.get(TORCH_FOREACH)
    return [(name, ms, ms / floor, ms / foreach if foreach else None) for name, ms in rows]


def format_ladder(rows: Sequence[tuple[str, float]], n: int) -> str:
    """The ladder as a text table: ms per step, effective GB/s, × floor and × torch foreach."""
    lines = [f"{'variant':<52}{'ms/step':>9}{'GB/s':>8}{'x floor':>9}{'x foreach':>11}"]
    for name, ms, x_floor, x_foreach in ladder_ratios(rows):
        rel = f"{x_foreach:>11.2f}" if x_foreach is not None else f"{'-':>11}"
        lines.append(f"{name:<52}{ms:>9.2f}{effective_gb_per_s(n, ms):>8.1f}{x_floor:>9.2f}{rel}")
    return "\n".join(lines)


# -- the other end: a step on 10 parameters ---------------------------------------------------


def bare_adam_step(
    phi: np.ndarray,
    g: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    t: int,
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Adam's formulas in plain NumPy, returning new ``(φ_t, m_t, v_t)``: no checks, no state.

    The least a pure step can cost in Python; :func:`small_step_overhead` compares
    :meth:`adamlib.Adam.step` (validation, state objects) with it.
    """
    m = beta1 * m + (1.0 - beta1) * g
    v = beta2 * v + (1.0 - beta2) * (g * g)
    m_hat = m / (1.0 - beta1**t)
    v_hat = v / (1.0 - beta2**t)
    return phi - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def small_step_overhead(
    n: int = 10, steps: int = 2000, repeats: int = 7, seed: int = 0
) -> dict[str, float]:
    """Time per step of ``adamlib.Adam().step`` and of :func:`bare_adam_step` on ``n`` float64s.

    Each sample runs ``steps`` steps in a row (the state carried along, as in training); the
    samples of the two alternate, ``repeats`` each after one warm-up sample. Returns
    ``{"adamlib_us": ..., "bare_us": ..., "ratio": adamlib / bare}``, medians in microseconds.
    """
    rng = np.random.default_rng(seed)
    phi0 = rng.standard_normal(n)
    g = rng.standard_normal(n)
    opt = adamlib.Adam()

    def run_adamlib() -> None:
        phi, state = phi0, opt.init(phi0)
        for _ in range(steps):
            phi, state = opt.step(phi, g, state)

    def run_bare() -> None:
        phi, m, v = phi0, np.zeros_like(phi0), np.zeros_like(phi0)
        for t in range(1, steps + 1):
            phi, m, v = bare_adam_step(phi, g, m, v, t)

    ms = interleaved_ms({"adamlib": run_adamlib, "bare": run_bare}, repeats, warmup=1)
    adamlib_us, bare_us = (1e3 * ms[k] / steps for k in ("adamlib", "bare"))
    return {"adamlib_us": adamlib_us, "bare_us": bare_us, "ratio": adamlib_us / bare_us}


# -- measured elsewhere: the GPU ------------------------------------------------------------

#: The H100 measurements shipped with the package (see ``data/README.md`` beside it).
H100_CSV = "adam_step_h100.csv"


def load_h100() -> tuple[str, list[dict[str, str]]]:
    """The cost of one step measured on an NVIDIA H100 (chapter 6), read from package data.

    Returns
    -------
    provenance : str
        The file's first line: a ``#`` comment with the device and the torch version.
    rows : list of dict
        One dict per measurement with the columns ``what``, ``n_params``, ``ms_per_step``,
        ``effective_GB_s`` and ``pct_of_copy_bw`` (as strings, as in the file).
    """
    text = (resources.files("adamlib.experiments") / "data" / H100_CSV).read_text("utf-8")
    provenance, _, body = text.partition("\n")
    return provenance.strip(), list(csv.DictReader(io.StringIO(body)))


# -- the book itself ---------------------------------------------------------------------------


def chapter_times(
    paths: Sequence[Path] | None = None, timeout: int = 600
) -> list[tuple[str, float]]:
    """Wall time in seconds to execute each notebook with nbclient, outputs discarded.

    ``paths`` defaults to the book's eight chapters, ``chapters/0*.ipynb`` of the repository
    holding this package. Each runs as ``make notebooks`` runs it: kernel ``python3``, working
    directory the notebook's folder, and an environment without ``MPLBACKEND`` (which would
    take the kernel off its inline backend). Nothing is written back.
    """
    import nbformat
    from nbclient import NotebookClient

    if paths is None:
        root = Path(adamlib.__file__).resolve().parent.parent
        paths = sorted((root / "chapters").glob("0*.ipynb"))
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    times = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb,
            kernel_name="python3",
            timeout=timeout,
            record_timing=False,
            resources={"metadata": {"path": str(Path(path).parent)}},
        )
        start = time.perf_counter()
        client.execute(env=env)
        times.append((Path(path).name, time.perf_counter() - start))
    return times
