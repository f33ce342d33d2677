"""Shared pytest hooks of the take-home tests (tests/home/).

A failing test that used the JupyterLab server of ``test_jupyterlab.py`` (fixture ``lab``) gets
the end of that server's log (``make lab``'s output: ``jupyter trust``, JupyterLab, its kernels)
as a section of its report, beside pytest's captured output.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[Any]:
    outcome = yield
    report = outcome.get_result()
    lab = getattr(item, "funcargs", {}).get("lab")
    if report.failed and lab is not None and hasattr(lab, "log_tail"):
        report.sections.append(("JupyterLab server log", lab.log_tail()))
