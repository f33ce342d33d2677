"""The book shows the committed notebook outputs, so every chapter notebook must carry them.

`_config.yml` sets ``execute_notebooks: "off"``: the build never runs a kernel. These tests fail
when a notebook in `_toc.yml` was saved unexecuted or run out of order, and when a notebook in
`chapters/` is missing from `_toc.yml` (it would be neither built nor noticed by a reader).
The same check runs inside the Sphinx build (`_ext/committed_outputs.py`).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

_spec = importlib.util.spec_from_file_location(
    "committed_outputs", ROOT / "_ext" / "committed_outputs.py"
)
assert _spec is not None and _spec.loader is not None
committed_outputs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(committed_outputs)


def _toc_files(entry: dict) -> list[str]:
    files = [entry[key] for key in ("root", "file") if key in entry]
    for key in ("parts", "chapters", "sections"):
        for child in entry.get(key, []):
            files.extend(_toc_files(child))
    return files


TOC_FILES = _toc_files(yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8")))
TOC_NOTEBOOKS = sorted(f for f in TOC_FILES if (ROOT / f"{f}.ipynb").exists())


def test_every_toc_entry_exists() -> None:
    missing = [
        f for f in TOC_FILES if not any((ROOT / f"{f}{s}").exists() for s in (".md", ".ipynb"))
    ]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


def test_every_chapter_notebook_is_in_the_toc() -> None:
    notebooks = {
        p.relative_to(ROOT).with_suffix("").as_posix()
        for p in (ROOT / "chapters").rglob("*.ipynb")
        if ".ipynb_checkpoints" not in p.parts
    }
    assert notebooks <= set(TOC_FILES), f"not in _toc.yml: {sorted(notebooks - set(TOC_FILES))}"


@pytest.mark.parametrize("name", TOC_NOTEBOOKS)
def test_notebook_was_executed_top_to_bottom(name: str) -> None:
    nb = json.loads((ROOT / f"{name}.ipynb").read_text(encoding="utf-8"))
    problems = committed_outputs.execution_problems(nb)
    assert not problems, f"{name}.ipynb: " + "; ".join(problems)


def test_the_check_catches_an_unexecuted_notebook() -> None:
    code = {"cell_type": "code", "metadata": {}, "source": "1 + 1", "outputs": []}
    executed = [{**code, "execution_count": 1}, {**code, "execution_count": 2}]
    assert committed_outputs.execution_problems({"cells": executed}) == []
    assert committed_outputs.execution_problems({"cells": [{**code, "execution_count": None}]})
    out_of_order = [{**code, "execution_count": 2}, {**code, "execution_count": 1}]
    assert len(committed_outputs.execution_problems({"cells": out_of_order})) == 2
    error = {**code, "execution_count": 1, "outputs": [{"output_type": "error", "ename": "E"}]}
    assert committed_outputs.execution_problems({"cells": [error]})
