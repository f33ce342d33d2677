"""pytest configuration shared by `make unit` and `make nbval` (loaded for both from the root).

nbval 0.11 sends every cell to the kernel with ``store_history=False``. IPython decides whether a
trailing ``;`` silences a cell's result by looking at the last *stored* input, so under nbval
``ax.set_title("…");`` still produces ``Text(…)``, while Jupyter, nbclient (``make notebooks``) and
the committed notebooks show nothing: strict nbval then fails on a correct notebook
(computationalmodelling/nbval#194, ipython/ipython#14162). Run cells the way Jupyter does.
"""

from __future__ import annotations

import pytest


def _execute_like_jupyter(self, cell_input, allow_stdin=None):
    return self.kc.execute(
        cell_input, store_history=True, allow_stdin=allow_stdin, stop_on_error=False
    )


def pytest_configure(config: pytest.Config) -> None:
    if not (config.getoption("nbval", False) or config.getoption("nbval_lax", False)):
        return
    from nbval.kernel import RunningKernel

    RunningKernel.execute_cell_input = _execute_like_jupyter
