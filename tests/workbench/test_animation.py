"""adamlib.animation (chapter 5): deterministic, self-contained jshtml players."""

from __future__ import annotations

import base64
import io
import re

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.animation import FuncAnimation

import adamlib
from adamlib.animation import (
    BUTTON_TITLES,
    ICONS,
    animation_html,
    html_id,
    make_deterministic,
    parameter_sweep,
    sweep_figure,
)

matplotlib.use("Agg")

BOWL = adamlib.Quadratic(curvatures=(1.0, 4.0))
RANDOM_ID = re.compile(r"[0-9a-f]{32}")


def _tiny_figure() -> tuple[plt.Figure, object]:
    fig, ax = plt.subplots(figsize=(1.5, 1.0))
    (line,) = ax.plot([0.0, 1.0], [0.0, 0.0])

    def update(k: int) -> None:
        line.set_ydata([0.0, float(k)])

    return fig, update


def _sweep(name: str = "test_sweep") -> str:
    return parameter_sweep(
        BOWL,
        lambda lr: adamlib.Adam(lr=lr),
        [0.01, 0.1, 0.5],
        [1.0, 1.0],
        10,
        name=name,
        alt="세 학습률의 경로",
        dpi=40,
    )


def test_html_id_is_fixed_and_validated() -> None:
    assert html_id("ch05_adam_lr") == "adamlib_ch05_adam_lr"
    for bad in ("", "1abc", "a-b", "a b", "a;alert(1)", None):
        with pytest.raises(ValueError, match="name"):
            html_id(bad)  # type: ignore[arg-type]


def test_two_calls_give_byte_identical_html() -> None:
    first, second = _sweep(), _sweep()
    assert first == second
    assert "adamlib_test_sweep" in first and "animadamlib_test_sweep" in first
    assert not RANDOM_ID.search(first)


def test_matplotlib_itself_is_random_and_make_deterministic_fixes_it() -> None:
    raw = []
    for _ in range(2):
        fig, update = _tiny_figure()
        raw.append(FuncAnimation(fig, update, frames=range(2)).to_jshtml())
        plt.close(fig)
    assert raw[0] != raw[1]  # the uuid4 id
    fixed = [make_deterministic(h, "same", "그림") for h in raw]
    assert fixed[0] == fixed[1]


def test_no_external_resources_and_text_icons() -> None:
    html = _sweep()
    assert "http://" not in html and "https://" not in html
    assert "<link" not in html and "font-awesome" not in html and 'class="fa' not in html
    assert re.search(r"<script[^>]*\bsrc=", html) is None  # inline scripts only
    for symbol in ICONS.values():
        assert f'<span aria-hidden="true">{symbol}</span>' in html
    assert ">한 번</label>" in html and ">Once</label>" not in html


def test_the_controls_speak_korean_and_the_image_has_its_alt_text() -> None:
    html = _sweep()
    titles = re.findall(r'title="([^"]*)"', html)
    assert sorted(set(titles)) == sorted(BUTTON_TITLES.values())
    assert 'alt="세 학습률의 경로"' in html
    assert re.search(r'<input[^>]*class="anim-slider" aria-label="프레임"', html)
    for english in BUTTON_TITLES:
        assert f'"{english}"' not in html
    labels = re.findall(r'aria-label="([^"]*)"', html)
    assert set(labels) == {*BUTTON_TITLES.values(), "프레임"}


@pytest.mark.parametrize("alt", ["", "   ", None])
def test_an_animation_without_alt_text_is_refused(alt: object) -> None:
    fig, update = _tiny_figure()
    with pytest.raises(ValueError, match="alt"):
        animation_html(fig, update, 2, name="x", alt=alt)  # type: ignore[arg-type]


def test_frames_are_embedded_pngs_and_the_player_has_controls() -> None:
    html = _sweep()
    frames = re.findall(r'frames\[\d+\] = "data:image/png;base64,([^"]+)"', html)
    assert len(frames) == 3 and "new Array(3)" in html
    png = base64.b64decode(frames[0].replace("\\\n", ""))
    assert png.startswith(b"\x89PNG")
    for control in ("_anim_slider", "play_animation", "next_frame", "previous_frame"):
        assert control in html


def test_the_chapter_size_budget_holds_for_ten_frames() -> None:
    """Ten frames of the chapter's figure at dpi 75 stay well below 1.5 MB."""
    html = parameter_sweep(
        adamlib.Rosenbrock(),
        lambda lr: adamlib.Adam(lr=lr),
        np.geomspace(1e-3, 1.0, 10),
        [-1.0, -0.5],
        30,
        name="budget",
        alt="열 학습률의 경로",
    )
    assert len(html.encode()) < 1.5e6


def test_animation_html_closes_the_figure() -> None:
    fig, update = _tiny_figure()
    animation_html(fig, update, 2, name="closed", alt="그림", dpi=30)
    assert not plt.fignum_exists(fig.number)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"frames": 0}, "frames"), ({"interval": 0}, "interval"), ({"dpi": 5}, "dpi")],
)
def test_animation_html_rejects_bad_arguments(kwargs: dict, name: str) -> None:
    fig, update = _tiny_figure()
    args = {"frames": 2, "name": "x", "alt": "그림", **kwargs}
    with pytest.raises(ValueError, match=name):
        animation_html(fig, update, **args)
    plt.close(fig)


def test_make_deterministic_refuses_unknown_html() -> None:
    with pytest.raises(RuntimeError, match="template"):
        make_deterministic("<div>not an animation</div>", "x", "그림")


def test_sweep_figure_draws_any_frame() -> None:
    values = [0.01, 0.1]
    traces = [adamlib.run(adamlib.Adam(lr=v), BOWL, [1.0, 1.0], 5) for v in values]
    fig, update = sweep_figure(BOWL, values, traces)
    update(1)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=40)
    assert buf.getvalue().startswith(b"\x89PNG")
    left = fig.axes[0]
    np.testing.assert_array_equal(left.lines[-1].get_xdata(), traces[1].phi[:, 0])
    assert "0.1" in left.get_title()
    plt.close(fig)


def test_sweep_figure_rejects_mismatched_input() -> None:
    trace = adamlib.run(adamlib.Adam(lr=0.1), BOWL, [1.0, 1.0], 3)
    with pytest.raises(ValueError, match="values and traces"):
        sweep_figure(BOWL, [0.1, 0.2], [trace])
    no_loss = adamlib.run_sequence(adamlib.Adam(), np.ones((3, 2)), [1.0, 1.0])
    with pytest.raises(ValueError, match="loss"):
        sweep_figure(BOWL, [0.1], [no_loss])
