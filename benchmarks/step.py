"""Cost of one Adam step on the CPU: the command line of :mod:`adamlib.experiments.cost`.

Sections (any combination; the ladder alone when none is named):

--ladder    check that every variant computes the same φ, then time, side by side in one run
            with interleaved repeats, at ``--n`` float32 parameters (default 10M): naive NumPy,
            adamlib ``Adam.step`` and ``Adam.step_inplace``, the numba ``fused_adam_step``,
            torch foreach and fused Adam (when torch is importable) and the memory floor (a
            numba loop with Adam's reads and writes, 28 B/param, and trivial arithmetic), as
            ratios to the floor and to torch foreach; then the floor's effective GB/s and, for
            reference only, the time and bandwidth of a plain copy;
--small     a 10-parameter ``adamlib.Adam().step`` against the same formulas in bare NumPy,
            per step, and their ratio;
--chapters  the wall time to execute the eight chapter notebooks ``chapters/0*.ipynb``.

This is a benchmark, not a test: nothing is asserted about times. Run it as
``python benchmarks/step.py [--n N] [--repeats R] [--small] [--chapters]``. The functions live
in :mod:`adamlib.experiments.cost` and are re-exported here, so loading this file by path (as
chapter 6 does, with importlib) gives :func:`measure`, :func:`check_agreement` and the rest.
"""

from __future__ import annotations

import argparse

from adamlib.experiments.cost import (
    BYTES_PER_PARAM_ADAM,
    BYTES_PER_PARAM_COPY,
    FLOAT32_ATOL,
    FLOOR,
    FUSED,
    INPLACE,
    LADDER,
    NAIVE,
    PURE,
    TORCH_FOREACH,
    TORCH_FUSED,
    bare_adam_step,
    chapter_times,
    check_agreement,
    effective_gb_per_s,
    format_ladder,
    interleaved_ms,
    ladder,
    ladder_ratios,
    measure,
    median_ms,
    naive_step,
    small_step_overhead,
)

__all__ = [
    "BYTES_PER_PARAM_ADAM",
    "BYTES_PER_PARAM_COPY",
    "FLOAT32_ATOL",
    "FLOOR",
    "FUSED",
    "INPLACE",
    "LADDER",
    "NAIVE",
    "PURE",
    "TORCH_FOREACH",
    "TORCH_FUSED",
    "bare_adam_step",
    "chapter_times",
    "check_agreement",
    "effective_gb_per_s",
    "format_ladder",
    "interleaved_ms",
    "ladder",
    "ladder_ratios",
    "measure",
    "median_ms",
    "naive_step",
    "small_step_overhead",
]


def _threads() -> str:
    import numba

    line = f"numba {numba.__version__}, {numba.get_num_threads()} threads"
    try:
        import torch
    except ImportError:
        return line + "; torch not importable (install torch==2.13.0 to compare)"
    return line + f"; torch {torch.__version__}, {torch.get_num_threads()} threads"


def set_threads(threads: int) -> None:
    """Use ``threads`` threads in numba and (if importable) torch: fewer than the cores steadies
    the times when other work occupies a core (a parallel loop waits for its slowest thread)."""
    import numba

    numba.set_num_threads(threads)
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(threads)


def run_ladder(n: int, repeats: int) -> None:
    diffs = check_agreement()
    print("agreement with the naive step after 5 steps, 100,000 float32 (max |Δφ|):")
    for name, diff in diffs.items():
        print(f"  {name:<50}{diff:.1e}")
    copies: dict[str, float] = {}
    rows = ladder(n, repeats, copies=copies)
    print(f"\n{n:,} float32 parameters, median of {repeats} interleaved steps ({_threads()})")
    print(format_ladder(rows, n))
    floor_ms = dict(rows)[FLOOR]
    print(
        f"floor: {floor_ms:.2f} ms = {effective_gb_per_s(n, floor_ms):.1f} GB/s effective "
        f"({BYTES_PER_PARAM_ADAM} B/param: read phi, g, m, v; write phi, m, v)"
    )
    print(
        "copy bandwidth, for reference (not the floor), ms and GB/s at "
        f"{BYTES_PER_PARAM_COPY} / 12 B/param (without / with the write-allocate read): "
        + ", ".join(
            f"{k} {ms:.2f} ({effective_gb_per_s(n, ms, BYTES_PER_PARAM_COPY):.1f} / "
            f"{effective_gb_per_s(n, ms, 12):.1f})"
            for k, ms in copies.items()
        )
    )


def run_small(repeats: int) -> None:
    r = small_step_overhead(repeats=repeats)
    print(
        f"10 float64 parameters, per step: adamlib Adam.step {r['adamlib_us']:.1f} µs, "
        f"bare formulas {r['bare_us']:.1f} µs, ratio {r['ratio']:.2f}"
    )


def run_chapters() -> None:
    times = chapter_times()
    for name, seconds in times:
        print(f"  {name:<32}{seconds:>7.1f} s")
    print(f"{len(times)} chapter notebooks: {sum(s for _, s in times):.1f} s in all")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000_000, help="number of float32 parameters")
    parser.add_argument("--repeats", type=int, default=15, help="timed steps per variant")
    parser.add_argument("--threads", type=int, help="numba and torch threads (default: all)")
    parser.add_argument("--ladder", action="store_true", help="the cost ladder (the default)")
    parser.add_argument("--small", action="store_true", help="10 parameters: adamlib vs bare")
    parser.add_argument("--chapters", action="store_true", help="time the chapter notebooks")
    args = parser.parse_args(argv)
    if args.threads is not None:
        set_threads(args.threads)
    if not (args.ladder or args.small or args.chapters):
        args.ladder = True
    if args.ladder:
        run_ladder(args.n, args.repeats)
    if args.small:
        print()
        run_small(args.repeats)
    if args.chapters:
        print()
        run_chapters()


if __name__ == "__main__":
    main()
