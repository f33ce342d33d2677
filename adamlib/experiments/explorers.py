r"""The explorers of chapters 1–5, each described once (:mod:`adamlib.explorer`).

Each function takes the chapter's data and returns an :class:`~adamlib.explorer.Explorer`;
the chapter displays it, which gives the slider explorer in Jupyter and its kernel-free twin on
the site. The slider values are the grid the twin stores: a run of adamlib for each.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

import adamlib
from adamlib import plotting
from adamlib.explorer import Control, Explorer, Line, Panel
from adamlib.moments import first_moment_series, gradient_rms, second_moment_series
from adamlib.optimizers import SGD, Momentum, RMSProp
from adamlib.problems import Problem
from adamlib.trace import iterate, to_trace

#: Adam's defaults (read from :class:`adamlib.Adam`), marked on every slider that has them.
DEFAULTS = {name: getattr(adamlib.Adam().config, name) for name in ("lr", "beta1", "beta2", "eps")}

BETA1 = Control(
    "beta1", r"$\beta_1$", (0.0, 0.5, 0.8, 0.9, 0.95, 0.99), 0.9, adam=DEFAULTS["beta1"]
)
RED, BLUE = plotting.COLORS["Adam"], plotting.COLORS["모멘텀"]


def first_moment(t: np.ndarray, g: np.ndarray, truth: np.ndarray) -> Explorer:
    r"""Chapter 1: :math:`\beta_1` against the EMA :math:`m_t` of a noisy gradient ``g``."""
    return Explorer(
        "first_moment",
        controls=[BETA1],
        compute=lambda beta1: {"m": first_moment_series(g, beta1)},
        fixed={"t": t, "g": g, "truth": truth},
        panels=[
            Panel(
                [
                    Line("g", "t", r"$g_t$", color="grey", width=0.6),
                    Line("truth", "t", "참 그래디언트", style="dashed", width=1.0),
                    Line("m", "t", r"$m_t$", color=RED, width=1.6),
                ],
                title=r"$\beta_1$ = {beta1}",
                xlabel=r"스텝 $t$",
                ylim=(-3.5, 3.5),
            )
        ],
        description="β1을 바꾸며 잡음 섞인 그래디언트의 지수 이동 평균 m_t를 보는 탐색기입니다.",
    )


def second_moment(t: np.ndarray, g: np.ndarray, *, first: int = -500) -> Explorer:
    r"""Chapter 2: :math:`\beta_2` against :math:`\sqrt{v_t}` after the gradient's scale changes.

    ``t`` counts the steps since the change (``t <= 0`` before it); the panel starts at
    ``t = first``.
    """
    keep = t >= first
    return Explorer(
        "second_moment",
        controls=[
            Control(
                "beta2",
                r"$\beta_2$",
                (0.9, 0.99, 0.995, 0.999, 0.9995),
                0.999,
                adam=DEFAULTS["beta2"],
            )
        ],
        compute=lambda beta2: {"rms": gradient_rms(second_moment_series(g, beta2))[keep]},
        fixed={"t": t[keep], "abs_g": np.abs(g[keep])},
        panels=[
            Panel(
                [
                    Line("abs_g", "t", r"$|g_t|$", style="dashed", width=1.0),
                    Line("rms", "t", r"$\sqrt{v_t}$", color=BLUE),
                ],
                title=r"$\beta_2$ = {beta2}",
                xlabel="크기가 바뀐 뒤 지난 스텝",
                ylog=True,
                ylim=(0.05, 1.5),
            )
        ],
        description=(
            "β2를 바꾸며 그래디언트 크기가 바뀐 뒤 √v_t가 따라가는 속도를 보는 탐색기입니다."
        ),
    )


def log_steps(steps: int, dense: int = 60, points: int = 120) -> np.ndarray:
    """Steps ``1..steps`` to draw on a log axis: all up to ``dense``, then log-spaced."""
    late = np.geomspace(dense, steps, points)
    return np.unique(np.concatenate([np.arange(1, dense + 1), np.round(late)])).astype(int)


def bias_correction(
    *,
    steps: Sequence[int] = (30, 100, 300, 1000, 3000),
    noise: Sequence[float] = (0.0, 0.5, 1.0, 2.0),
    mean: float = 1.0,
    seed: int = 0,
) -> Explorer:
    r"""Chapter 3: :math:`\beta_1, \beta_2`, the noise and the steps shown, on bias correction.

    The gradient is :math:`g_t = 1 + \sigma\xi_t`
    (:func:`adamlib.experiments.bias_correction.noisy_gradients`); the run is as long as the
    largest ``steps`` and the slider "스텝 수" sets how much of it the panel shows.
    """
    from adamlib.experiments.bias_correction import noisy_gradients

    longest = max(steps)
    shown = log_steps(longest)

    runs: dict[tuple[float, float, float], adamlib.Trace] = {}

    def compute(beta1: float, beta2: float, noise: float, steps: int) -> dict[str, np.ndarray]:
        if (beta1, beta2, noise) not in runs:  # the steps only change what is shown
            grads = noisy_gradients(mean, noise, longest, seed=seed)
            adam = adamlib.Adam(beta1=beta1, beta2=beta2)
            runs[beta1, beta2, noise] = adamlib.run_sequence(adam, grads)
        trace = runs[beta1, beta2, noise]
        i = shown - 1
        assert trace.m is not None and trace.v is not None
        assert trace.m_hat is not None and trace.v_hat is not None
        return {
            "g": trace.g[i, 0],
            "m": trace.m[i, 0],
            "m_hat": trace.m_hat[i, 0],
            "rms": np.sqrt(trace.v[i, 0]),
            "rms_hat": np.sqrt(trace.v_hat[i, 0]),
            "xlim": np.array([1.0, steps]),
        }

    return Explorer(
        "bias_correction",
        controls=[
            BETA1,
            Control(
                "beta2", r"$\beta_2$", (0.9, 0.99, 0.999, 0.9999), 0.999, adam=DEFAULTS["beta2"]
            ),
            Control("noise", r"잡음 $\sigma$", tuple(noise), 0.0),
            Control("steps", "스텝 수", tuple(steps), 300),
        ],
        compute=compute,
        fixed={"t": shown},
        panels=[
            Panel(
                [
                    Line("g", "t", r"$g_t$", color="grey", width=0.7),
                    Line("m", "t", r"$m_t$", color=RED, style="dashed"),
                    Line("m_hat", "t", r"$\hat m_t$", color=RED),
                    Line("rms", "t", r"$\sqrt{v_t}$", color=BLUE, style="dashed"),
                    Line("rms_hat", "t", r"$\sqrt{\hat v_t}$", color=BLUE),
                ],
                title=r"$\beta_1$ = {beta1}, $\beta_2$ = {beta2}",
                xlabel=r"스텝 $t$",
                xlog=True,
                xlim="xlim",
            )
        ],
        description=(
            "β1, β2, 잡음, 보여 줄 스텝 수를 바꾸며 보정 전후의 모멘트를 비교하는 탐색기입니다."
        ),
    )


#: A path is cut where its loss first exceeds this multiple of the starting loss: it has
#: diverged, and beyond that it leaves the window (and float32's range) within a few steps.
DIVERGED = 1e10


def _path(opt: adamlib.Adam | SGD | Momentum | RMSProp, problem: Problem, start, steps: int):
    """Path and loss of ``opt`` on ``problem``, cut where it diverges (:data:`DIVERGED`)."""
    with np.errstate(all="ignore"):
        result = iterate(
            opt,
            np.array(start, dtype=np.float64),
            steps,
            lambda p, _t: problem.grad(p),
            stop_on_divergence=True,
        )
        trace = to_trace(result, loss=problem.loss)
    assert trace.loss is not None
    loss = trace.loss
    over = np.flatnonzero(~(loss <= DIVERGED * loss[0]))
    end = int(over[0]) if over.size else loss.size
    return trace.phi[:end, 0], trace.phi[:end, 1], loss[:end]


def contour_lines(problem: Problem, *, resolution: int = 120, levels: int = 14) -> np.ndarray:
    """Contour lines of a 2-D problem over its window, log-spaced levels as in
    :func:`adamlib.plotting.plot_contour`: shape (2, n), polylines separated by nan."""
    import contourpy

    xs, ys, z = plotting.loss_surface(problem, resolution)
    gen = contourpy.contour_generator(xs, ys, z, line_type="Separate")
    pieces = []
    for level in plotting.log_levels(z, levels + 2)[1:-1]:
        for line in gen.lines(level):
            pieces.append(np.asarray(line)[::2] if len(line) > 40 else np.asarray(line))
            pieces.append(np.full((1, 2), np.nan))
    return np.concatenate(pieces).T


def update_rule(
    bowl: Mapping[float, Problem],
    start: Sequence[float],
    *,
    lr: float,
    eps: Sequence[float] = (1e-12, 1e-11, 1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4),
    steps: int = 300,
) -> Explorer:
    r"""Chapter 4: :math:`\varepsilon` against the gradient's scale, Adam's path and step sizes.

    ``bowl`` maps each gradient scale to the problem with that scale (the same bowl, curvatures
    multiplied by it); each setting draws Adam with :math:`\varepsilon` and with
    :math:`\varepsilon = 0`.
    """
    scales = tuple(bowl)
    shape = bowl[1.0] if 1.0 in bowl else next(iter(bowl.values()))
    contour = contour_lines(shape)

    def compute(eps: float, scale: float) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for key, e in (("eps", eps), ("zero", 0.0)):
            trace = adamlib.run(adamlib.Adam(lr=lr, eps=e), bowl[scale], start, steps)
            out[f"{key}_x"], out[f"{key}_y"] = trace.phi[:, 0], trace.phi[:, 1]
            out[f"{key}_step"] = plotting.step_sizes(trace, lr=lr)
        return out

    x0, x1, y0, y1 = shape.window
    return Explorer(
        "update_rule",
        controls=[
            Control(
                "eps", r"$\varepsilon$", tuple(eps), DEFAULTS["eps"], ".0e", adam=DEFAULTS["eps"]
            ),
            Control("scale", "배율", scales, 1e-8 if 1e-8 in scales else scales[0], ".0e"),
        ],
        compute=compute,
        fixed={
            "cx": contour[0],
            "cy": contour[1],
            "sx": [start[0]],
            "sy": [start[1]],
            "mx": [shape.minimum[0]],
            "my": [shape.minimum[1]],
            "t": np.arange(1, steps + 1),
        },
        panels=[
            Panel(
                [
                    Line("cy", "cx", color="grey", width=0.5),
                    Line("zero_y", "zero_x", r"$\varepsilon = 0$", color="#7f7f7f", style="dashed"),
                    Line("eps_y", "eps_x", r"$\varepsilon$ = 슬라이더 값", color=RED),
                    Line("sy", "sx", marker=True),
                    Line("my", "mx", marker=True, color=RED),
                ],
                title="그래디언트 배율 {scale}",
                xlabel=r"$\phi_1$",
                ylabel=r"$\phi_2$",
                xlim=(x0, x1),
                ylim=(y0, y1),
                square=True,
            ),
            Panel(
                [
                    Line("zero_step", "t", r"$\varepsilon = 0$", color="#7f7f7f", style="dashed"),
                    Line("eps_step", "t", r"$\varepsilon$ = 슬라이더 값", color=RED),
                ],
                title=r"보폭 $\Vert\Delta\phi_t\Vert/\alpha$",
                xlabel=r"스텝 $t$",
                ylog=True,
            ),
        ],
        description="ε과 그래디언트 배율을 바꾸며 Adam의 경로와 보폭을 보는 탐색기입니다.",
    )


#: The optimizers of chapter 5's explorer, by legend name, in drawing order.
OPTIMIZERS = ("SGD", "모멘텀", "RMSProp", "Adam")


def cooperation(
    problems: Mapping[str, tuple[Problem, Sequence[float]]],
    *,
    steps: int,
    lr: Sequence[float] = (1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0),
    beta1: Sequence[float] = (0.0, 0.5, 0.9, 0.99),
    beta2: Sequence[float] = (0.9, 0.99, 0.999, 0.9999),
    lr_default: float = 0.1,
) -> Explorer:
    r"""Chapter 5: a problem, :math:`\alpha, \beta_1, \beta_2`; SGD, momentum, RMSProp and Adam.

    The :math:`\alpha` slider starts at ``lr_default`` (0.1, as in the chapter's notebook: with
    Adam's default :math:`10^{-3}` a 300-step path barely leaves its start); Adam's default is
    marked on it.

    Every optimizer gets the same :math:`\alpha`; momentum takes :math:`\beta_1` as its
    momentum and RMSProp :math:`\beta_2` as its decay rate, so each slider moves what it means
    in that optimizer. A run that diverges is cut where its loss passes :data:`DIVERGED` times
    the starting loss.
    """
    cache: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    contours = {name: contour_lines(problem) for name, (problem, _start) in problems.items()}

    def path(problem: str, name: str, lr: float, beta1: float, beta2: float):
        key = (problem, name, lr, beta1 if name in ("모멘텀", "Adam") else None)
        key += (beta2 if name in ("RMSProp", "Adam") else None,)
        if key not in cache:
            opt = {
                "SGD": lambda: SGD(lr=lr),
                "모멘텀": lambda: Momentum(lr=lr, momentum=beta1),
                "RMSProp": lambda: RMSProp(lr=lr, beta2=beta2),
                "Adam": lambda: adamlib.Adam(lr=lr, beta1=beta1, beta2=beta2),
            }[name]()
            target, start = problems[problem]
            cache[key] = _path(opt, target, start, steps)
        return cache[key]

    def compute(problem: str, lr: float, beta1: float, beta2: float) -> dict[str, np.ndarray]:
        target, start = problems[problem]
        x0, x1, y0, y1 = target.window
        out = {
            "cx": contours[problem][0],
            "cy": contours[problem][1],
            "sx": [start[0]],
            "sy": [start[1]],
            "mx": [target.minimum[0]],
            "my": [target.minimum[1]],
            "xlim": [x0, x1],
            "ylim": [y0, y1],
        }
        for k, name in enumerate(OPTIMIZERS):
            x, y, loss = path(problem, name, lr, beta1, beta2)
            out[f"x{k}"], out[f"y{k}"], out[f"loss{k}"] = x, y, np.maximum(loss, 1e-16)
            out[f"t{k}"] = np.arange(loss.size)
        return out

    colors = [plotting.COLORS[name] for name in OPTIMIZERS]
    return Explorer(
        "cooperation",
        controls=[
            Control("problem", "문제", tuple(problems), next(iter(problems))),
            Control("lr", r"$\alpha$", tuple(lr), lr_default, adam=DEFAULTS["lr"]),
            Control("beta1", r"$\beta_1$", tuple(beta1), DEFAULTS["beta1"], adam=DEFAULTS["beta1"]),
            Control("beta2", r"$\beta_2$", tuple(beta2), DEFAULTS["beta2"], adam=DEFAULTS["beta2"]),
        ],
        compute=compute,
        panels=[
            Panel(
                [
                    Line("cy", "cx", color="grey", width=0.5),
                    *(
                        Line(f"y{k}", f"x{k}", name, color=colors[k], width=1.4)
                        for k, name in enumerate(OPTIMIZERS)
                    ),
                    Line("sy", "sx", marker=True),
                    Line("my", "mx", marker=True, color=RED),
                ],
                title="{problem}",
                xlabel=r"$\phi_1$",
                ylabel=r"$\phi_2$",
                xlim="xlim",
                ylim="ylim",
                square=True,
            ),
            Panel(
                [
                    Line(f"loss{k}", f"t{k}", name, color=colors[k], width=1.4)
                    for k, name in enumerate(OPTIMIZERS)
                ],
                title=r"손실 $f(\phi_t)$",
                xlabel=r"스텝 $t$",
                ylog=True,
            ),
        ],
        description=(
            "문제와 α, β1, β2를 바꾸며 SGD, 모멘텀, RMSProp, Adam의 경로와 손실을 비교하는 "
            "탐색기입니다."
        ),
    )
