"""Shared pytest configuration.

Hypothesis runs under the ``ci`` profile by default: derandomized (the same examples every run),
no per-example deadline, and a bounded number of examples so the suite stays fast. Set
``HYPOTHESIS_PROFILE=dev`` for a randomized, longer search.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, max_examples=100, database=None)
settings.register_profile("dev", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
