"""A reader's machine: the site's two downloads, its commands, every chapter run, zero errors.

This is what the box "이 장을 내 컴퓨터에서 실행하기" promises, done as a reader would do it:

1. the adamlib wheel and the notebook zip are built from a clean ``git clone`` of this repository,
   by the same functions the site uses (``_ext/take_home.py``);
2. in a temporary folder outside the repository, with a fresh ``HOME`` (no user-level Jupyter,
   IPython or matplotlib state) and no variable pointing back at the repository or its ``.venv``,
   the box's commands (:func:`take_home.home_commands`) run one by one: unzip, a new virtual
   environment, ``pip install`` of the wheel and ``requirements-lab.txt``, the kernel, the trust;
3. instead of ``jupyter lab`` (``tests/home/test_jupyterlab.py`` drives the real client), every
   chapter is executed with nbclient, as stored, with the kernel the notebook names.

It requires zero errors and no stderr output, that ``adamlib`` is the installed wheel (not the
checkout), and that the kernel is the one the notebooks name. pip may download packages that are
not in its cache; ``PIP_CACHE_DIR`` keeps the user's cache so that a second run does not.
"""

from __future__ import annotations

import glob
import json
import os
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "_ext"))

import take_home  # noqa: E402 (the site's extension, from _ext/)

# Run by the fresh environment's interpreter, in the reader's folder.
DRIVER = r"""
import json, sys, time
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

import adamlib

home = Path.cwd()
report = {"adamlib": adamlib.__file__, "chapters": {}}
for path in sorted(home.glob("*.ipynb")):
    nb = nbformat.read(path, as_version=4)
    name = nb.metadata.kernelspec.name
    spec = KernelSpecManager().get_kernel_spec(name)
    start = time.perf_counter()
    error = None
    try:
        NotebookClient(nb, kernel_name=name, timeout=600,
                       resources={"metadata": {"path": str(home)}}).execute()
    except CellExecutionError as exc:
        error = str(exc)[-3000:]
    stderr = [
        "".join(out.get("text", ""))[:1000]
        for cell in nb.cells if cell.cell_type == "code"
        for out in cell.outputs
        if out.get("output_type") == "stream" and out.get("name") == "stderr"
    ]
    report["chapters"][path.name] = {
        "seconds": round(time.perf_counter() - start, 1),
        "kernel": [name, nb.metadata.kernelspec.display_name],
        "spec": [spec.display_name, spec.argv[0]],
        "error": error,
        "stderr": stderr,
        "code_cells": sum(c.cell_type == "code" for c in nb.cells),
    }
print(json.dumps(report))
"""


def _pip_cache() -> str:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "cache", "dir"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() if done.returncode == 0 else ""


def _reader_env(home: Path) -> dict[str, str]:
    """The environment of a new terminal on a reader's machine: nothing of this repository."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("JUPYTER", "PYTHON", "VIRTUAL_ENV", "MPL", "IPYTHON", "PYDEVD"))
        and key not in {"HOME", "PATH", "BOOK_SITE"}
    }
    user = home / "user"
    user.mkdir()
    venv_bin = str(Path(sys.executable).parent)  # this repository's .venv: kept off PATH
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != venv_bin]
    env.update(HOME=str(user), PATH=os.pathsep.join(path))
    cache = _pip_cache()
    if cache:
        env["PIP_CACHE_DIR"] = cache
    return env


def _expand(args: list[str], folder: Path) -> list[str]:
    """What the shell does to ``*.ipynb``: the matching files of ``folder``, sorted."""
    expanded: list[str] = []
    for arg in args:
        matches = sorted(glob.glob(str(folder / arg))) if any(c in arg for c in "*?[") else []
        expanded += matches or [arg]
    return expanded


def _run(argv: list[str], cwd: Path, env: dict[str, str], timeout: int = 900) -> str:
    done = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    output = f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    assert done.returncode == 0, f"{shlex.join(argv)} failed:\n{output}"
    return done.stdout


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("take-home")
    assert ROOT not in tmp.parents, "the reader's folder must be outside the repository"
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.fail("needs git and a git checkout: the wheel is built from a clean clone")
    clone = tmp / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    downloads = tmp / "downloads"
    wheel = take_home.build_wheel(clone, downloads)
    bundle = take_home.build_zip(clone, downloads, wheel.name)

    home = tmp / "reader"
    home.mkdir()
    for path in (wheel, bundle):
        shutil.copy(path, home / path.name)
    env = _reader_env(tmp)
    venv_bin = home / ".venv" / "bin"
    ran: list[str] = []
    for command, _comment in take_home.home_commands(wheel.name):
        argv = shlex.split(command)
        if argv[0] == "unzip":  # `unzip` itself may be missing here; the zip module is the same
            with zipfile.ZipFile(home / argv[1]) as z:
                z.extractall(home)
        elif argv[0] == "source":  # what activating does: the venv's bin/ first on PATH
            env["VIRTUAL_ENV"] = str(home / ".venv")
            env["PATH"] = os.pathsep.join([str(venv_bin), env["PATH"]])
        elif argv[:2] == ["jupyter", "lab"]:
            continue  # the server: tests/home/test_jupyterlab.py
        else:
            if argv[0] == "python3":  # before activation: the interpreter running the tests
                argv[0] = sys.executable
            elif (venv_bin / argv[0]).exists():
                argv[0] = str(venv_bin / argv[0])
            _run(argv[:1] + _expand(argv[1:], home), home, env)
        ran.append(command)
    (home / "driver.py").write_text(DRIVER, encoding="utf-8")
    report = json.loads(_run([str(venv_bin / "python"), "driver.py"], home, env).splitlines()[-1])
    return {"home": home, "clone": clone, "report": report, "ran": ran, "zip": bundle}


def test_the_zip_holds_the_notebooks_their_requirements_and_a_readme(reader: dict) -> None:
    with zipfile.ZipFile(reader["zip"]) as z:
        names = set(z.namelist())
    chapters = {p.name for p in (reader["clone"] / "chapters").glob("*.ipynb")}
    assert len(chapters) == 8
    assert names == chapters | {take_home.LAB_REQUIREMENTS, "README.txt"}


def test_every_command_of_the_box_ran(reader: dict) -> None:
    assert len(reader["ran"]) == len(take_home.home_commands("w.whl")) - 1  # all but `jupyter lab`


def test_adamlib_is_the_installed_wheel_not_the_checkout(reader: dict) -> None:
    installed = Path(reader["report"]["adamlib"]).resolve()
    assert (reader["home"] / ".venv").resolve() in installed.parents, installed
    assert ROOT not in installed.parents


def test_every_chapter_runs_outside_the_repository_with_no_error(reader: dict) -> None:
    chapters = reader["report"]["chapters"]
    assert len(chapters) == 8, sorted(chapters)
    timing = ", ".join(f"{name[:2]} {info['seconds']} s" for name, info in chapters.items())
    print(f"\nchapters executed in the fresh environment: {timing}")
    failures = {name: info["error"] for name, info in chapters.items() if info["error"]}
    assert not failures, json.dumps(failures, ensure_ascii=False, indent=1)
    noisy = {name: info["stderr"] for name, info in chapters.items() if info["stderr"]}
    assert not noisy, json.dumps(noisy, ensure_ascii=False, indent=1)


def test_the_kernel_is_the_one_the_notebooks_name(reader: dict) -> None:
    venv = (reader["home"] / ".venv").resolve()
    for name, info in reader["report"]["chapters"].items():
        kernel_name, stored_display = info["kernel"]
        display, interpreter = info["spec"]
        assert kernel_name == take_home.KERNEL_NAME, name
        assert stored_display == take_home.KERNEL_DISPLAY_NAME, name
        assert display == stored_display, name
        assert venv in Path(interpreter).parents, (name, interpreter)
