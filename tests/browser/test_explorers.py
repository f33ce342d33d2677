"""The kernel-free explorers of chapters 1–5 on the built site (``adamlib.explorer``'s twins).

Each twin must load without a console error, redraw when any of its controls moves (by script,
keyboard, mouse and touch), draw adamlib's numbers (the arrays behind the drawing equal the
chapter's explorer computed here, rounded to float32 as the page stores them) for three settings,
redraw within :data:`REDRAW_BUDGET_MS`, and weigh what the README says.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from browsing import SETTLE, Visit, watch

import adamlib
from adamlib.experiments import explorers
from adamlib.explorer import Explorer

ROOT = Path(__file__).resolve().parents[2]
REDRAW_BUDGET_MS = 100.0
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


# The chapters' explorers, built from the same data as in the notebooks (their cells say so).
def _first_moment() -> Explorer:
    rng = np.random.default_rng(2)
    t = np.arange(1, 301)
    truth = np.where(t <= 150, 1.0, -1.0)
    return explorers.first_moment(t, truth + rng.standard_normal(truth.size), truth)


def _second_moment() -> Explorer:
    settle = 8000
    t = np.arange(1, 2 * settle + 1) - settle
    return explorers.second_moment(t, np.tile([1.0, -1.0], settle) * np.where(t <= 0, 1.0, 0.1))


def _update_rule() -> Explorer:
    def bowl(scale: float) -> adamlib.Quadratic:
        return adamlib.Quadratic(curvatures=(1.0 * scale, 25.0 * scale), angle=0.4)

    scales = [10.0**k for k in range(-12, 3)]
    return explorers.update_rule({s: bowl(s) for s in scales}, [-2.0, 1.0], lr=0.05)


def _cooperation() -> Explorer:
    tilted = adamlib.Quadratic(curvatures=(1.0, 50.0), angle=np.pi / 6)
    problems = {
        "로젠브록 함수": (adamlib.Rosenbrock(), [-1.0, -0.5]),
        "빌 함수": (adamlib.Beale(), [1.0, 1.5]),
        "이차 함수 (30도 회전)": (tilted, [-2.0, -1.0]),
    }
    return explorers.cooperation(problems, steps=300)


EXPLORERS: dict[str, tuple[str, Callable[[], Explorer]]] = {
    "first_moment": ("chapters/01_first_moment.html", _first_moment),
    "second_moment": ("chapters/02_second_moment.html", _second_moment),
    "bias_correction": ("chapters/03_bias_correction.html", explorers.bias_correction),
    "update_rule": ("chapters/04_update_rule.html", _update_rule),
    "cooperation": ("chapters/05_cooperation.html", _cooperation),
}

READY = "document.querySelector('.adamlib-explorer[data-ready]') !== null"
DRAWN = """(name) => [...adamlibExplorer.registry[name].root.querySelectorAll('svg path')]
    .map((p) => p.getAttribute('d') || '')"""
# Set control k to option i as a reader's input would, and time the redraw up to the next frame.
SET = """async ([name, k, i]) => {
  const input = adamlibExplorer.registry[name].inputs[k];
  const t0 = performance.now();
  input.value = String(i);
  input.dispatchEvent(new Event('input', {bubbles: true}));
  await new Promise((done) => requestAnimationFrame(() => done()));
  return performance.now() - t0;
}"""


@pytest.fixture(scope="module")
def built() -> dict[str, Explorer]:
    return {name: make() for name, (_page, make) in EXPLORERS.items()}


@pytest.fixture
def desktop(browser: Any, server: str) -> Iterator[tuple[Any, Visit]]:
    context = browser.new_context(locale="ko-KR", **DESKTOP)
    page, visit = context.new_page(), Visit()
    watch(page, server, visit)
    yield page, visit
    context.close()


def _open(page: Any, server: str, name: str) -> None:
    page.goto(server + EXPLORERS[name][0], wait_until="load")
    page.evaluate(SETTLE)
    page.wait_for_function(READY, timeout=30_000)


def _settings(ex: Explorer) -> list[dict[str, int]]:
    """Three settings as option indices: the start, every control first, every control last."""
    start = {c.name: c.values.index(c.default) for c in ex.controls}
    return [
        start,
        {c.name: 0 for c in ex.controls},
        {c.name: len(c.values) - 1 for c in ex.controls},
    ]


@pytest.mark.parametrize("name", list(EXPLORERS))
def test_twin_draws_adamlibs_numbers_and_redraws_fast(
    name: str, desktop: tuple[Any, Visit], server: str, built: dict[str, Explorer]
) -> None:
    page, visit = desktop
    _open(page, server, name)
    ex = built[name]
    assert page.evaluate(f"Object.keys(adamlibExplorer.registry).includes({name!r})")
    worst = 0.0
    # every control, moved alone from the start, changes what is drawn
    for k, control in enumerate(ex.controls):
        start = control.values.index(control.default)
        before = page.evaluate(DRAWN, name)
        worst = max(worst, page.evaluate(SET, [name, k, (start + 1) % len(control.values)]))
        assert page.evaluate(DRAWN, name) != before, (
            f"{name}: moving {control.name} drew nothing new"
        )
        worst = max(worst, page.evaluate(SET, [name, k, start]))
        assert page.evaluate(DRAWN, name) == before, (
            f"{name}: back at the start, a different figure"
        )
    # three settings: the arrays behind the drawing are adamlib's, rounded to float32
    for setting in _settings(ex):
        for k, control in enumerate(ex.controls):
            worst = max(worst, page.evaluate(SET, [name, k, setting[control.name]]))
        values = {c.name: c.values[setting[c.name]] for c in ex.controls}
        shown = page.evaluate(f"adamlibExplorer.registry[{name!r}].setting()")
        assert shown == {c.name: c.readout(values[c.name]) for c in ex.controls}
        drawn = page.evaluate(f"adamlibExplorer.registry[{name!r}].arrays()")
        expected = ex.values(**values)
        assert sorted(drawn) == sorted(expected)
        for key, want in expected.items():
            with np.errstate(over="ignore"):
                want32 = want.astype(np.float32).astype(np.float64)
            got = np.array([np.nan if v is None else v for v in drawn[key]], dtype=np.float64)
            np.testing.assert_array_equal(got, want32, err_msg=f"{name} {values} {key}")
    times = page.evaluate(f"adamlibExplorer.registry[{name!r}].times")
    print(f"{name}: worst redraw {worst:.1f} ms to the next frame, {max(times):.1f} ms in script")
    assert worst < REDRAW_BUDGET_MS, f"{name}: a redraw took {worst:.1f} ms"
    assert not visit.console_errors, visit.console_errors
    assert not visit.failed and not visit.blocked, (visit.failed, visit.blocked)


def test_keyboard_mouse_and_touch_move_the_sliders(browser: Any, server: str) -> None:
    """Chapter 5's centrepiece: arrow key, a mouse click on the track, a finger tap, the menu."""
    for options in (DESKTOP, PHONE):
        context = browser.new_context(locale="ko-KR", **options)
        page, visit = context.new_page(), Visit()
        watch(page, server, visit)
        try:
            _open(page, server, "cooperation")
            root = page.locator("#adamlib-explorer-cooperation")
            ranges = root.locator("input[type=range]")
            assert ranges.count() == 3
            before = page.evaluate(DRAWN, "cooperation")
            ranges.nth(0).focus()
            page.keyboard.press("ArrowLeft")
            assert page.evaluate(DRAWN, "cooperation") != before, "ArrowLeft redrew nothing"
            box = ranges.nth(1).bounding_box()
            assert box is not None
            x, y = box["x"] + 4, box["y"] + box["height"] / 2
            before = page.evaluate(DRAWN, "cooperation")
            if options is PHONE:
                page.touchscreen.tap(x, y)
            else:
                page.mouse.click(x, y)
            assert ranges.nth(1).input_value() == "0", (
                "a click or tap at the left end did not move β1"
            )
            assert page.evaluate(DRAWN, "cooperation") != before
            before = page.evaluate(DRAWN, "cooperation")
            root.locator("select").select_option(index=1)
            assert page.evaluate(DRAWN, "cooperation") != before, (
                "choosing a problem redrew nothing"
            )
            assert not visit.console_errors, visit.console_errors
        finally:
            context.close()


def test_twins_fit_a_phone_and_follow_dark_mode(browser: Any, server: str) -> None:
    """At 390 px no twin is wider than its column; in dark mode its text is light."""
    for scheme in ("light", "dark"):
        context = browser.new_context(locale="ko-KR", color_scheme=scheme, **PHONE)
        page = context.new_page()
        watch(page, server, Visit())
        try:
            for name in EXPLORERS:
                _open(page, server, name)
                sizes = page.evaluate(
                    """(name) => {
                      const root = adamlibExplorer.registry[name].root;
                      const tick = root.querySelector('svg text');
                      return {width: root.scrollWidth, box: root.clientWidth,
                              page: document.documentElement.scrollWidth,
                              color: getComputedStyle(tick).fill};
                    }""",
                    name,
                )
                assert sizes["width"] <= sizes["box"] + 1, f"{name} overflows: {sizes}"
                assert sizes["page"] <= 390, f"{name}: the page scrolls sideways: {sizes}"
                rgb = [int(v) for v in re.findall(r"\d+", sizes["color"])[:3]]
                assert (sum(rgb) > 450) == (scheme == "dark"), f"{name} {scheme}: {sizes['color']}"
        finally:
            context.close()


def twin_weight(site: Path) -> float:
    """MB of the twins in the site's chapter pages: their data, script and style."""
    total = 0
    pattern = re.compile(
        r'<div class="adamlib-explorer.*?adamlibExplorer\.start\([^)]*\);</script>', re.S
    )
    for page in sorted((site / "chapters").glob("0*.html")):
        total += sum(len(m.group(0).encode()) for m in pattern.finditer(page.read_text("utf-8")))
    return total / 1e6


def test_readme_states_the_twins_weight_within_the_budget(site: Path) -> None:
    weight = twin_weight(site)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    stated = re.search(r"탐색기 다섯 개는 모두 약 ([\d.]+) MB", readme)
    budget = re.search(r"탐색기 예산은 ([\d.]+) MB", readme)
    assert stated and budget, "README: say what the explorers weigh, and their budget"
    print(f"explorers: {weight:.2f} MB in the pages; README {stated.group(1)} MB")
    assert abs(float(stated.group(1)) - weight) <= 0.1 * weight, (stated.group(1), weight)
    assert weight <= float(budget.group(1))
    assert weight > 0.5, "no explorer found in the chapter pages"


def test_a_browser_without_decompression_is_told_so(browser: Any, server: str) -> None:
    """No DecompressionStream (browsers before 2023): a sentence instead of a dead box."""
    context = browser.new_context(locale="ko-KR", **DESKTOP)
    context.add_init_script("delete window.DecompressionStream;")
    page, visit = context.new_page(), Visit()
    watch(page, server, visit)
    try:
        page.goto(server + EXPLORERS["first_moment"][0], wait_until="load")
        page.evaluate(SETTLE)
        text = page.locator("#adamlib-explorer-first_moment .aex-fallback").inner_text()
        assert "DecompressionStream" in text, text
        assert not visit.console_errors, visit.console_errors
    finally:
        context.close()
