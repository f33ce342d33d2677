"""Fast checks that the chapters can leave the repository (the slow proof is tests/home/).

No chapter reads a file by a path outside its own folder; the stored kernel is the one
``make venv`` and the site's commands install; ``requirements-lab.txt`` agrees with
``requirements.txt``; ``make lab`` adds ``--allow-root`` for root and only for root; the README
gives the site's commands as the site does.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "_ext"))

import take_home  # noqa: E402 (the site's extension, from _ext/)

CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def _pins(name: str) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            package, sep, version = line.partition("==")
            assert sep, f"{name}: {line!r} is not pinned with =="
            pins[package.lower().replace("_", "-")] = version
    return pins


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_chapter_reaches_outside_its_folder(path: Path) -> None:
    """Data comes through adamlib (importlib.resources), never through ``../`` or the repo."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        assert "../" not in source and "..\\" not in source, f"{path.name} cell {i}"
        assert not re.search(r"""["'](tests|benchmarks|data|chapters)/""", source), (
            f"{path.name} cell {i} names a repository folder"
        )
        assert "sys.path" not in source, f"{path.name} cell {i}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_the_stored_kernel_is_the_one_make_venv_and_the_site_install(path: Path) -> None:
    kernelspec = json.loads(path.read_text(encoding="utf-8"))["metadata"]["kernelspec"]
    assert kernelspec == {
        "display_name": take_home.KERNEL_DISPLAY_NAME,
        "language": "python",
        "name": take_home.KERNEL_NAME,
    }


def test_make_venv_installs_that_kernel() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert (
        f"ipykernel install --sys-prefix --name {take_home.KERNEL_NAME} "
        f'--display-name "{take_home.KERNEL_DISPLAY_NAME}"'
    ) in makefile


def test_requirements_lab_agrees_with_requirements() -> None:
    lab, main = _pins("requirements-lab.txt"), _pins("requirements.txt")
    for package in ("numpy", "matplotlib", "scikit-learn", "numba", "llvmlite", "ipykernel"):
        assert package in lab, package
    assert {"jupyterlab", "jupyterlab-myst", "ipywidgets", "nbclient"} <= set(lab)
    differ = {p: (lab[p], main[p]) for p in set(lab) & set(main) if lab[p] != main[p]}
    assert not differ, f"requirements-lab.txt and requirements.txt pin differently: {differ}"
    # adamlib's own dependencies are all in the reader's list
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for dep in deps["dependencies"]:
        assert re.split(r"[<>=!~ ]", dep)[0].lower() in lab, dep


def _make_lab_command(tmp_path: Path, uid: int) -> str:
    """What ``make -n lab`` would run when ``id -u`` says ``uid`` (a stand-in ``id`` on PATH)."""
    fake = tmp_path / f"bin{uid}"
    fake.mkdir()
    script = fake / "id"
    script.write_text(f'#!/bin/sh\n[ "$1" = "-u" ] && echo {uid} || exec /usr/bin/id "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "PATH": f"{fake}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["make", "-n", "-C", str(ROOT), "lab", "LAB_DIR=somewhere"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    (line,) = [x for x in done.stdout.splitlines() if "jupyter lab" in x]
    return line


def test_make_lab_adds_allow_root_for_root_only(tmp_path: Path) -> None:
    as_root = _make_lab_command(tmp_path, 0)
    as_user = _make_lab_command(tmp_path, 1000)
    assert "--allow-root" in as_root, as_root
    assert "--allow-root" not in as_user, as_user


def test_make_lab_trusts_the_notebooks_and_installs_requirements_lab() -> None:
    done = subprocess.run(
        ["make", "-n", "-B", "-C", str(ROOT), "lab", "LAB_DIR=somewhere"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "pip install -r requirements-lab.txt" in done.stdout
    assert "jupyter trust somewhere/*.ipynb" in done.stdout


def test_the_readme_gives_the_sites_commands() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    wheel = f"adamlib-{version}-py3-none-any.whl"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert take_home.command_text(wheel) in readme, "README.md: paste command_text() again"
    for needed in ("--allow-root", "jupyterlab-myst", "make lab", "make home", take_home.ZIP_NAME):
        assert needed in readme, needed
