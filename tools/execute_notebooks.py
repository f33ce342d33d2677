"""Re-execute chapter notebooks in place so their stored outputs are what the code produces now.

Run after changing a notebook or adamlib (``make notebooks``); strict nbval then checks that a
second execution reproduces exactly these outputs. Widget state is not stored, so the static site
loads no widget scripts.

Usage: ``python tools/execute_notebooks.py [NOTEBOOK ...]`` (default: every chapters/*.ipynb).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def merge_streams(outputs: list) -> list:
    """Join consecutive stdout (or stderr) outputs into one.

    How the kernel splits printed text into messages depends on timing, so without this a
    re-execution changes the file even when the text is the same (nbval merges them too).
    """
    merged: list = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and out.get("output_type") == "stream"
            and prev.get("output_type") == "stream"
            and prev.get("name") == out.get("name")
        ):
            prev["text"] = "".join(prev["text"]) + "".join(out["text"])
        else:
            merged.append(out)
    return merged


def execute(path: Path) -> float:
    """Execute ``path`` in its own folder with the ``python3`` kernel; return the seconds taken."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=600,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    # nbclient must record widget state while it runs (with store_widget_state=False, a cell
    # whose ipywidgets.interact draws into an Output widget fails with a KeyError in nbclient
    # 0.11), so the state is dropped here instead.
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)
            for out in cell.outputs:
                # a view of a widget whose state is not stored: dead offline, and its random
                # model id would change the file on every run (the text repr stays)
                out.get("data", {}).pop("application/vnd.jupyter.widget-view+json", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # timestamps would change on every run
    nbformat.write(nb, path)
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    os.environ.pop("MPLBACKEND", None)  # the kernel must use the inline backend to store figures
    paths = [Path(a) for a in argv] or sorted((ROOT / "chapters").glob("*.ipynb"))
    for path in paths:
        print(f"{path}: {execute(path):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
