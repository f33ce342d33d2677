"""adamlib.explorer: one description, the widget's figure and the site's twin from it."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest

from adamlib.explorer import Control, Explorer, Line, Panel, math_html, pack, unpack
from adamlib.moments import first_moment_series

G = np.array([1.0, -2.0, 0.5, 3.0, -1.0])
T = np.arange(1.0, 6.0)


def small() -> Explorer:
    return Explorer(
        "small",
        controls=[
            Control("beta1", r"$\beta_1$", (0.0, 0.5, 0.9), 0.9, adam=0.9),
            Control("shift", "이동", (0.0, 1.0), 0.0),
            Control("kind", "종류", ("가", "나"), "나"),
        ],
        compute=lambda beta1, shift, kind: {
            "m": first_moment_series(G, beta1) + shift,
            "sign": np.ones(5) if kind == "가" else -np.ones(5),
        },
        fixed={"t": T, "g": G},
        panels=[
            Panel(
                [Line("g", "t", r"$g_t$", color="grey"), Line("m", "t", r"$m_t$", color="#d62728")],
                title=r"$\beta_1$ = {beta1}, {kind}",
            ),
            Panel([Line("sign", "t")], xlog=True),
        ],
    )


def decoded(payload: dict) -> list[np.ndarray]:
    values = unpack(base64.b64decode(payload["data"]))
    ends = np.cumsum(payload["lengths"])
    return np.split(values, ends[:-1])


@pytest.mark.parametrize(
    ("label", "html"),
    [
        (r"$\beta_1$ = {beta1}", "β<sub>1</sub> = {beta1}"),
        (r"$\sqrt{\hat v_t}$", '√<span class="aex-over"><i>v</i>\u0302<sub><i>t</i></sub></span>'),
        (r"스텝 $t$", "스텝 <i>t</i>"),
        (r"$\Vert\Delta\phi_t\Vert/\alpha$", "‖Δφ<sub><i>t</i></sub>‖/α"),
        ("a < b", "a &lt; b"),
        (r"$g_t^2$", "<i>g</i><sub><i>t</i></sub><sup>2</sup>"),
        (r"$\epsilon = 0$", "ε = 0"),
    ],
)
def test_math_html_turns_labels_into_html(label: str, html: str) -> None:
    assert math_html(label) == html


@pytest.mark.parametrize("label", [r"$\frac{1}{2}$", r"$x", r"$\sqrt{x$"])
def test_math_html_refuses_what_it_cannot_show(label: str) -> None:
    with pytest.raises(ValueError, match="label"):
        math_html(label)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"name": "1x"}, ValueError, "name must be a Python identifier, got '1x'"),
        ({"values": ()}, ValueError, "values of control 'beta1' must not be empty"),
        ({"values": (0.1, "a")}, TypeError, "mix text and numbers"),
        ({"values": (0.1, 0.1)}, ValueError, "repeat"),
        ({"default": 0.3}, ValueError, r"default of control 'beta1' must be one of .*got 0.3"),
        ({"adam": 0.3}, ValueError, r"adam of control 'beta1' must be one of .*got 0.3"),
        ({"label": r"$\frac12$"}, ValueError, "cannot show"),
    ],
)
def test_control_rejects_bad_arguments_naming_them(kwargs: dict, error: type, match: str) -> None:
    args = {"name": "beta1", "label": "b", "values": (0.5, 0.9), "default": 0.9} | kwargs
    with pytest.raises(error, match=match):
        Control(**args)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"color": "red"}, "color must be '#rrggbb', 'text' or 'grey', got 'red'"),
        ({"style": "wavy"}, "style must be one of .* got 'wavy'"),
        ({"width": 0}, "width must be > 0, got 0"),
    ],
)
def test_line_rejects_bad_arguments_naming_them(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Line("y", "x", **kwargs)


def test_values_are_the_computed_arrays_and_bad_settings_are_refused() -> None:
    ex = small()
    values = ex.values(beta1=0.5)
    np.testing.assert_array_equal(values["m"], first_moment_series(G, 0.5))
    np.testing.assert_array_equal(values["sign"], -np.ones(5))
    np.testing.assert_array_equal(values["g"], G)
    with pytest.raises(ValueError, match=r"beta1 must be one of \(0.0, 0.5, 0.9\), got 0.7"):
        ex.values(beta1=0.7)
    with pytest.raises(ValueError, match=r"no control named \['gamma'\]"):
        ex.values(gamma=1.0)


def test_payload_indexes_the_right_array_for_every_setting() -> None:
    ex = small()
    payload = ex.payload()
    pool = decoded(payload)
    keys = payload["keys"]
    assert keys == ["g", "m", "sign", "t"]
    assert ex.settings == 12 == len(payload["table"]) // len(keys)
    # each distinct array once: 3 × 2 m's, two signs, g and t; m at β1 = 0, shift 0 is g itself
    assert len(pool) == 6 + 2 + 2 - 1
    row = 0
    for beta1 in (0.0, 0.5, 0.9):
        for shift in (0.0, 1.0):
            for kind in ("가", "나"):
                want = ex.values(beta1=beta1, shift=shift, kind=kind)
                for j, key in enumerate(keys):
                    got = pool[payload["table"][row * len(keys) + j]]
                    np.testing.assert_array_equal(got, want[key].astype(np.float32))
                row += 1
    control = payload["controls"][0]
    assert control["label"] == "β<sub>1</sub>"
    assert (control["default"], control["adam"]) == (2, 2)
    assert payload["controls"][1]["adam"] == -1
    assert payload["controls"][2]["menu"] is True


def test_pack_round_trips_float32() -> None:
    values = np.array([0.0, -1.5, 3e38, np.inf, np.nan, 1e-30], dtype=np.float32)
    np.testing.assert_array_equal(unpack(pack(values)), values)


def test_html_is_self_contained_and_web_only() -> None:
    html = small().html()
    assert html.startswith('<div class="adamlib-explorer web-only" id="adamlib-explorer-small">')
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", html), "the twin names a host"
    data = re.search(
        r'<script type="application/json" id="adamlib-explorer-small-data">(.*?)</script>', html
    )
    assert data is not None
    assert json.loads(data.group(1))["name"] == "small"
    assert 'adamlibExplorer.start("adamlib-explorer-small")' in html
    assert small().html() == html, "two builds of one explorer differ"


def test_compute_must_return_what_the_panels_draw() -> None:
    ex = Explorer(
        "broken",
        controls=[Control("a", "a", (1.0, 2.0), 1.0)],
        compute=lambda a: {"y": np.ones(3) * a},
        panels=[Panel([Line("y", "x")])],
    )
    with pytest.raises(ValueError, match=r"panels draw \['x'\], which compute lacks"):
        ex.payload()


def test_figure_draws_every_panel_with_the_readouts_in_its_title() -> None:
    fig = small().figure(beta1=0.5, kind="가")
    axes = fig.get_axes()
    assert len(axes) == 2
    assert axes[0].get_title() == r"$\beta_1$ = 0.5, 가"
    np.testing.assert_array_equal(axes[0].get_lines()[1].get_ydata(), first_moment_series(G, 0.5))
    assert small().png().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": "two words"}, "name must be a Python identifier, got 'two words'"),
        ({"controls": []}, r"controls must be at least one, with distinct names, got \[\]"),
        (
            {"controls": [Control("a", "a", (1.0,), 1.0), Control("a", "b", (2.0,), 2.0)]},
            r"distinct names, got \['a', 'a'\]",
        ),
        (
            {"fixed": {"t": np.ones((2, 2))}},
            r"array 't' must be 1-D or a scalar, got shape \(2, 2\)",
        ),
    ],
)
def test_explorer_rejects_bad_arguments_naming_them(kwargs: dict, match: str) -> None:
    args = {
        "name": "ok",
        "controls": [Control("a", "a", (1.0,), 1.0)],
        "compute": lambda a: {"y": [a]},
        "panels": [Panel([Line("y", "y")])],
    } | kwargs
    with pytest.raises(ValueError, match=match):
        Explorer(**args)


def test_displaying_an_explorer_offers_the_twin_and_the_widget() -> None:
    pytest.importorskip("ipywidgets")
    bundle = small()._repr_mimebundle_()
    assert bundle["text/plain"] == "탐색기 small: beta1 3단계, shift 2단계, kind 2단계"
    assert bundle["text/html"] == small().html()
    assert "model_id" in bundle["application/vnd.jupyter.widget-view+json"]
