"""Sphinx extension: warn when a notebook was committed without (all of) its outputs.

The book is built with ``execute_notebooks: "off"``, so what a reader sees is exactly the
outputs stored in the ``.ipynb`` files. A notebook saved before running, or run out of order,
would publish silently; this extension turns it into a build warning, which ``-W`` makes fatal.

A notebook counts as executed when every non-empty code cell has an execution count and the
counts are 1, 2, …, N in cell order (one clean top-to-bottom run), and no cell shows an error
unless it is tagged ``raises-exception`` (the tag nbval and myst-nb also honour).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)


def execution_problems(nb: dict[str, Any]) -> list[str]:
    """Return one message per code cell that was not executed in a clean top-to-bottom run."""
    problems: list[str] = []
    expected = 1
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if not "".join(source).strip():
            continue  # empty cells are never executed by Jupyter
        where = f"cell {index}"
        count = cell.get("execution_count")
        if count is None:
            problems.append(f"{where}: not executed (execution_count is null)")
        elif count != expected:
            problems.append(
                f"{where}: execution_count is {count}, expected {expected} "
                "(restart the kernel and run all cells)"
            )
        expected += 1
        tags = cell.get("metadata", {}).get("tags", [])
        if "raises-exception" not in tags:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    problems.append(f"{where}: error output {output.get('ename', '')}")
    return problems


def _check_source(app: Sphinx, docname: str, source: list[str]) -> None:
    if Path(app.env.doc2path(docname, base=False)).suffix != ".ipynb":
        return
    try:
        nb = json.loads(source[0])
    except json.JSONDecodeError:
        return  # myst-nb reports unreadable notebooks itself
    for problem in execution_problems(nb):
        logger.warning(
            "notebook committed without its outputs: %s",
            problem,
            location=docname,
            type="committed_outputs",
        )


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("source-read", _check_source)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
