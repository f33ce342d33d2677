"""The wheel holds the whole package: every module of every subpackage and the data beside the
code (the font, the chapters' data files), so a notebook run outside the repository finds them."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "adamlib"
sys.path.insert(0, str(ROOT / "_ext"))

import take_home  # noqa: E402 (the site's extension, from _ext/)


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    # The wheel the site offers, built the way the site builds it (_ext/take_home.py).
    wheel = take_home.build_wheel(ROOT, tmp_path_factory.mktemp("wheel"))
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
