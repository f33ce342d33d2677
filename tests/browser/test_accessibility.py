"""axe-core on every page of the built site: no serious or critical accessibility violation.

axe-core is vendored for the tests only (``tests/browser/vendor/axe-core/``, ``make vendor-axe``,
tools/vendor_axe.py) and injected into each open page with ``page.add_script_tag``; the site
never ships it. It runs with every rule it enables by default (none is turned off here) on every
page at 1280 in light and dark mode and at 390 (a phone) in light mode, on the same page loads as
the layout checks (fixture ``rendered``). A violation of impact "serious" or "critical" fails,
listed by rule with the page, the mode, its elements and axe's own account of the first one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

VENDOR = Path(__file__).resolve().parent / "vendor" / "axe-core"
AXE = VENDOR / "axe.min.js"
AXE_MODES = ("1280-light", "1280-dark", "390-light")
FAILING_IMPACTS = ("serious", "critical")
SHOWN_TARGETS = 3

RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return {
    version: axe.version,
    violations: result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({
        target: n.target.map(String).join(" "),
        impact: n.impact,
        summary: n.failureSummary || "",
      })),
    })),
  };
}"""


def probe_axe(page: Any, mode: str) -> dict[str, Any]:
    """Inject the vendored axe-core into ``page`` and return its violations."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE)


PAGE_PROBES = {"axe": (90, AXE_MODES, probe_axe)}


def _first_reason(summary: str) -> str:
    """axe's failure summary of one element, as one short line."""
    lines = [line.strip() for line in summary.splitlines() if line.strip()]
    reasons = [line for line in lines if not line.startswith("Fix ")]
    return re.sub(r"\s+", " ", reasons[0])[:200] if reasons else ""


def test_axe_is_vendored_and_not_shipped(site: Path) -> None:
    assert AXE.is_file(), "no vendored axe-core: run `make vendor-axe`"
    assert (VENDOR / "LICENSE").is_file()
    vendored = (VENDOR / "VENDORED.txt").read_text(encoding="utf-8")
    version = re.search(r"axe-core (\d+\.\d+\.\d+)", vendored)
    assert version, vendored
    assert f"axe v{version.group(1)}" in AXE.read_text(encoding="utf-8")[:200]
    shipped = [p.relative_to(site).as_posix() for p in site.rglob("axe*.js")]
    assert not shipped, f"the site ships axe-core: {shipped}"


@pytest.mark.parametrize("mode", AXE_MODES)
def test_no_serious_accessibility_violation(rendered: Any, mode: str) -> None:
    by_rule: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    problems: list[str] = []
    for result in rendered(mode):
        axe = result.probes.get("axe")
        if axe is None:
            problems.append(f"{result.where}: axe did not run: {'; '.join(result.errors)}")
            continue
        for violation in axe["violations"]:
            if violation["impact"] not in FAILING_IMPACTS:
                continue
            nodes = violation["nodes"]
            targets = ", ".join(n["target"] for n in nodes[:SHOWN_TARGETS])
            more = f" (+{len(nodes) - SHOWN_TARGETS} more)" if len(nodes) > SHOWN_TARGETS else ""
            reason = _first_reason(nodes[0]["summary"]) if nodes else ""
            by_rule[(violation["id"], violation["impact"], violation["help"])].append(
                f"  {result.where}: {len(nodes)} element(s): {targets}{more}"
                + (f" — {reason}" if reason else "")
            )
    for (rule, impact, help_text), lines in sorted(by_rule.items()):
        problems.append(f"{rule} ({impact}, {help_text}) on {len(lines)} page(s):")
        problems += lines
    if problems:
        pytest.fail(f"axe-core [{mode}]:\n" + "\n".join(problems), pytrace=False)
