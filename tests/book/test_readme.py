"""Numbers the README states about the repository, checked against the repository itself."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def configurations(npz: str) -> int:
    with np.load(ROOT / "tests" / "reference" / npz, allow_pickle=False) as data:
        return len(json.loads(str(data["meta"]))["configs"])


def test_reference_vector_counts_match_the_files() -> None:
    torch_main = re.search(r"(\d+)가지 설정 × 5가지 그래디언트 수열", README)
    nadam = re.search(r"NAdam의\s*(\d+)가지 설정", README)
    assert torch_main and nadam
    assert int(torch_main.group(1)) == configurations("torch_vectors.npz")
    assert int(nadam.group(1)) == configurations("torch_nadam_vectors.npz")


def test_every_module_the_readme_names_exists() -> None:
    for name in re.findall(r"`(\w+)\.py`", README):
        dirs = ("adamlib", "tests", "benchmarks", "_ext", "tools")
        hits = [p for d in dirs for p in (ROOT / d).rglob(f"{name}.py")]
        assert hits, name
