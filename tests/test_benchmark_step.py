"""benchmarks/step.py: the naive baseline and adamlib's steps compute the same φ (chapter 6).

The benchmark is a script, not a module of adamlib; it is loaded by path as the chapter does.
Only the correctness check is tested here: timings are not.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("step_benchmark", ROOT / "benchmarks" / "step.py")
assert _spec is not None and _spec.loader is not None
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def test_every_variant_agrees_with_the_naive_step() -> None:
    diffs = bench.check_agreement(n=2000, steps=4, seed=1)
    assert {"adamlib Adam.step (pure)", "adamlib Adam.step_inplace"} <= set(diffs)
    assert all(0.0 <= d <= bench.FLOAT32_ATOL for d in diffs.values())


def test_the_check_catches_a_wrong_step(monkeypatch: pytest.MonkeyPatch) -> None:
    """A baseline with the wrong β2 must fail the check, so the check is not vacuous."""
    original = bench.naive_step

    def wrong(phi, g, m, v, t, lr=1e-3):
        original(phi, g, m, v, t, lr=2 * lr)

    monkeypatch.setattr(bench, "naive_step", wrong)
    with pytest.raises(AssertionError, match="differs from the naive step"):
        bench.check_agreement(n=500, steps=2)


def test_effective_bandwidth() -> None:
    assert bench.effective_gb_per_s(1_000_000_000, 1000.0) == pytest.approx(28.0)
    assert bench.effective_gb_per_s(10, 1e-6, bytes_per_param=8) == pytest.approx(80.0)


def test_naive_step_is_adams_first_step() -> None:
    phi = np.array([1.0, -2.0], dtype=np.float32)
    m, v = np.zeros_like(phi), np.zeros_like(phi)
    bench.naive_step(phi, np.array([3.0, -0.5], dtype=np.float32), m, v, 1, lr=0.1)
    np.testing.assert_allclose(phi, [0.9, -1.9], rtol=1e-6)
