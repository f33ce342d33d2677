"""The wheel holds the whole package: every module of every subpackage and the data beside the
code (the font, the chapters' data files), so a notebook run outside the repository finds them."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "adamlib"


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    # Build from a copy: setuptools writes build/ and *.egg-info beside the sources it builds.
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(PACKAGE, src / "adamlib", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(src)],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("adamlib-*.whl")
    with zipfile.ZipFile(wheel) as z:
        return set(z.namelist())


def source_files() -> set[str]:
    return {
        p.relative_to(ROOT).as_posix()
        for p in PACKAGE.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in {".pyc", ".nbi", ".nbc"}
    }


def test_the_wheel_holds_every_file_of_the_package(wheel_files: set[str]) -> None:
    missing = source_files() - wheel_files
    assert not missing, sorted(missing)


def test_the_wheel_holds_the_subpackages_and_their_data(wheel_files: set[str]) -> None:
    for name in (
        "adamlib/ml/models.py",
        "adamlib/experiments/cost.py",
        "adamlib/experiments/data/adam_step_h100.csv",
        "adamlib/fonts/NanumGothic.ttf",
        "adamlib/fonts/OFL.txt",
    ):
        assert name in wheel_files, name
