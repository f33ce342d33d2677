"""The cost benchmark (chapter 6): adamlib.experiments.cost and its command line benchmarks/step.py.

Only correctness is tested here, on small arrays: that every variant computes the same φ, that
the ladder has its rungs in order (the numba fused one and the measured floor included), that
the floor kernel makes Adam's reads and writes in the arrays' own dtype, and that the script
loaded by path, as the chapter loads it, still offers the same functions. Timings are never
asserted.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat
import numpy as np
import pytest

import adamlib
import adamlib.fused
from adamlib.experiments import cost

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("step_benchmark", ROOT / "benchmarks" / "step.py")
assert _spec is not None and _spec.loader is not None
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def test_the_script_reexports_the_package_functions() -> None:
    """Chapter 6 loads benchmarks/step.py by path and uses these names."""
    for name in ("measure", "check_agreement", "naive_step", "median_ms", "effective_gb_per_s"):
        assert getattr(bench, name) is getattr(cost, name)
    assert bench.FLOAT32_ATOL == cost.FLOAT32_ATOL
    assert bench.FLOOR == cost.FLOOR
    assert (bench.BYTES_PER_PARAM_ADAM, bench.BYTES_PER_PARAM_COPY) == (28, 8)


def test_every_variant_agrees_with_the_naive_step() -> None:
    diffs = bench.check_agreement(n=2000, steps=4, seed=1)
    assert {cost.PURE, cost.INPLACE, cost.FUSED} <= set(diffs)
    assert all(0.0 <= d <= bench.FLOAT32_ATOL for d in diffs.values())


def test_the_check_catches_a_wrong_baseline(monkeypatch: pytest.MonkeyPatch) -> None:
    """A baseline with twice the learning rate must fail the check: it is not vacuous."""
    original = cost.naive_step

    def wrong(phi, g, m, v, t, lr=1e-3):
        original(phi, g, m, v, t, lr=2 * lr)

    monkeypatch.setattr(cost, "naive_step", wrong)
    with pytest.raises(AssertionError, match="differs from the naive step"):
        bench.check_agreement(n=500, steps=2)


def test_the_check_covers_the_fused_step(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fused step with the wrong β1 is caught, and named."""
    original = adamlib.fused.fused_adam_step

    def wrong(phi, g, m, v, t, **kwargs):
        original(phi, g, m, v, t, beta1=0.5)

    monkeypatch.setattr(adamlib.fused, "fused_adam_step", wrong)
    with pytest.raises(AssertionError, match=f"{cost.FUSED} differs from the naive step"):
        cost.check_agreement(n=500, steps=3)


def test_effective_bandwidth() -> None:
    assert bench.effective_gb_per_s(1_000_000_000, 1000.0) == pytest.approx(28.0)
    assert bench.effective_gb_per_s(10, 1e-6, bytes_per_param=8) == pytest.approx(80.0)


def test_naive_step_is_adams_first_step() -> None:
    phi = np.array([1.0, -2.0], dtype=np.float32)
    m, v = np.zeros_like(phi), np.zeros_like(phi)
    bench.naive_step(phi, np.array([3.0, -0.5], dtype=np.float32), m, v, 1, lr=0.1)
    np.testing.assert_allclose(phi, [0.9, -1.9], rtol=1e-6)


def test_the_ladder_has_every_rung_in_order_with_the_floor_last() -> None:
    copies: dict[str, float] = {}
    rows = cost.ladder(n=3000, repeats=2, copies=copies)
    names = [name for name, _ in rows]
    assert names[:4] == [cost.NAIVE, cost.PURE, cost.INPLACE, cost.FUSED]
    assert names[-1] == cost.FLOOR
    assert names.count(cost.FLOOR) == 1
    assert names == [name for name in cost.LADDER if name in names]  # the ladder's order
    assert {"numpy", "numba"} <= set(copies)  # copies are timed, for reference
    assert not any(name.startswith("copy") for name in names)  # but are not rows
    assert all(ms > 0 and np.isfinite(ms) for _, ms in rows)


def test_the_ladder_times_the_floor_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    """The floor row is a measurement of stream_floor on float32 arrays of n, not a formula."""
    from adamlib import _numba_kernels

    original = _numba_kernels.stream_floor
    seen: list[tuple[int, ...]] = []

    def spy(phi, g, m, v):
        seen.append((phi.size, g.size, m.size, v.size))
        assert {a.dtype for a in (phi, g, m, v)} == {np.dtype(np.float32)}
        original(phi, g, m, v)

    monkeypatch.setattr(_numba_kernels, "stream_floor", spy)
    cost.ladder(n=1000, repeats=3)
    assert seen == [(1000,) * 4] * (2 + 3)  # two warm-up calls, then one a round


def test_floor_by_size_times_the_floor_kernel_at_each_size(monkeypatch: pytest.MonkeyPatch) -> None:
    from adamlib import _numba_kernels

    original = _numba_kernels.stream_floor
    seen: list[int] = []

    def spy(phi, g, m, v):
        seen.append(phi.size)
        assert {a.size for a in (g, m, v)} == {phi.size}
        original(phi, g, m, v)

    monkeypatch.setattr(_numba_kernels, "stream_floor", spy)
    rows = cost.floor_by_size([500, 2000], repeats=3)
    assert [n for n, _ in rows] == [500, 2000] and all(ms > 0 for _, ms in rows)
    assert seen == [500] * (2 + 3) + [2000] * (2 + 3)  # warm-up, then the repeats, size by size


def test_floor_by_size_rejects_bad_sizes_and_repeats() -> None:
    with pytest.raises(ValueError, match="sizes"):
        cost.floor_by_size([1000, 0], repeats=3)
    with pytest.raises(ValueError, match="repeats"):
        cost.floor_by_size([1000], repeats=0)


def test_last_level_cache_reads_the_largest_size(tmp_path) -> None:
    for index, size in (("index0", "48K"), ("index2", "2048K"), ("index3", "480M")):
        (tmp_path / index).mkdir()
        (tmp_path / index / "size").write_text(size + "\n")
    assert cost.last_level_cache_bytes(tmp_path) == 480 * 2**20
    assert cost.last_level_cache_bytes(tmp_path / "missing") is None


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_floor_kernel_reads_four_arrays_and_writes_three(dtype) -> None:
    """After one call φ, m and v have each grown by g exactly (rounded in their own dtype, as
    NumPy rounds it: bit for bit), g is unchanged, and nothing was promoted."""
    from adamlib._numba_kernels import stream_floor

    rng = np.random.default_rng(3)
    phi, g, m, v = (rng.standard_normal(1001).astype(dtype) for _ in range(4))
    before = {name: a.copy() for name, a in {"phi": phi, "g": g, "m": m, "v": v}.items()}
    stream_floor(phi, g, m, v)
    for name, a in (("phi", phi), ("m", m), ("v", v)):
        assert a.dtype == dtype
        expected = before[name] + before["g"]  # NumPy: dtype + dtype stays dtype
        assert expected.dtype == dtype
        np.testing.assert_array_equal(a.view(f"u{a.itemsize}"), expected.view(f"u{a.itemsize}"))
        assert not np.array_equal(a, before[name])  # the stores happened
    np.testing.assert_array_equal(g, before["g"])
    assert g.dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_floor_kernel_computes_in_the_arrays_dtype(dtype) -> None:
    """Every float the compiled loop handles is of the arrays' dtype: no float64 promotion.

    The bitwise check above cannot see a promotion (a float32 sum computed in float64 and
    rounded back is the same float32), so this looks at numba's types. Cached code cannot be
    inspected, so the check compiles the same Python function afresh, as the kernel's
    decorator does but without the disk cache.
    """
    import numba
    from numba import types

    from adamlib._numba_kernels import stream_floor

    fresh = numba.njit(parallel=True, fastmath=False)(stream_floor.py_func)
    fresh(*(np.zeros(8, dtype=dtype) for _ in range(4)))
    (signature,) = fresh.signatures
    typemap = fresh.overloads[signature].fndesc.typemap
    floats = {t for t in typemap.values() if isinstance(t, types.Float)}
    assert floats == {numba.from_dtype(np.dtype(dtype))}


def test_measure_keeps_its_shape_floor_first() -> None:
    rows = bench.measure(3000, repeats=1)
    assert rows[0][0] == bench.FLOOR
    assert {cost.NAIVE, cost.PURE, cost.INPLACE, cost.FUSED} <= {name for name, _ in rows[1:]}
    assert all(isinstance(name, str) and ms > 0 for name, ms in rows)


def test_ratios_to_the_floor_and_to_torch_foreach() -> None:
    rows = [(cost.INPLACE, 12.0), (cost.FUSED, 6.0), (cost.TORCH_FOREACH, 8.0), (cost.FLOOR, 4.0)]
    ratios = {
        name: (x_floor, x_foreach) for name, _, x_floor, x_foreach in cost.ladder_ratios(rows)
    }
    assert ratios[cost.FUSED] == (1.5, 0.75)
    assert ratios[cost.INPLACE] == (3.0, 1.5)
    assert ratios[cost.FLOOR] == (1.0, 0.5)
    without_torch = cost.ladder_ratios([(cost.FUSED, 6.0), (cost.FLOOR, 4.0)])
    assert [r[3] for r in without_torch] == [None, None]
    table = cost.format_ladder(rows, n=1000)
    assert cost.FUSED in table and "x foreach" in table


def test_interleaved_timing_rotates_the_order() -> None:
    calls: list[str] = []
    fns = {k: (lambda k=k: calls.append(k)) for k in "abc"}
    ms = cost.interleaved_ms(fns, repeats=3, warmup=1)
    assert set(ms) == {"a", "b", "c"}
    assert calls == list("abc" + "abc" + "bca" + "cab")
    with pytest.raises(ValueError, match="repeats must be an integer >= 1, got 0"):
        cost.interleaved_ms(fns, repeats=0)


def test_the_bare_step_is_adam_step() -> None:
    rng = np.random.default_rng(2)
    phi = rng.standard_normal(10)
    opt = adamlib.Adam()
    ref, state = phi, opt.init(phi)
    m, v = np.zeros(10), np.zeros(10)
    for t in range(1, 6):
        g = rng.standard_normal(10)
        ref, state = opt.step(ref, g, state)
        phi, m, v = cost.bare_adam_step(phi, g, m, v, t)
    np.testing.assert_allclose(phi, ref, rtol=1e-12)


def test_small_step_overhead_reports_both_times() -> None:
    r = cost.small_step_overhead(steps=20, repeats=2)
    assert set(r) == {"adamlib_us", "bare_us", "ratio"}
    assert r["ratio"] == pytest.approx(r["adamlib_us"] / r["bare_us"])


def test_the_command_line_prints_the_ladder_with_the_fused_rung(capsys) -> None:
    bench.main(["--n", "2000", "--repeats", "1"])
    out = capsys.readouterr().out
    assert cost.FUSED in out and cost.FLOOR in out and "x foreach" in out
    assert "GB/s effective" in out and "copy bandwidth, for reference" in out


def test_chapter_times_runs_notebooks_in_their_folder_with_the_inline_backend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MPLBACKEND=Agg (as `make unit` sets it) must not reach the kernel: figures would vanish."""
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.v4.new_notebook()
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "import matplotlib\nopen('seen.txt', 'w').write(matplotlib.get_backend())"
        )
    )
    path = tmp_path / "00_tiny.ipynb"
    nbformat.write(nb, path)
    written = path.read_bytes()
    times = cost.chapter_times([path], timeout=120)
    assert [name for name, _ in times] == ["00_tiny.ipynb"]
    assert "inline" in (tmp_path / "seen.txt").read_text()
    assert path.read_bytes() == written  # nothing written back


def test_h100_measurements_come_from_package_data() -> None:
    """Chapter 6 reads the GPU table through adamlib, not by a path into the repository."""
    provenance, rows = cost.load_h100()
    assert provenance.startswith("#") and "H100" in provenance
    assert {r["what"] for r in rows} >= {"copy (read+write)", "Adam fused", "Adam foreach"}
    assert all(float(r["ms_per_step"]) > 0 for r in rows)
    assert len(rows) == 15
