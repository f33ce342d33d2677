r"""A moving target: objectives that change during the run (chapter 6, non-stationary objectives).

:class:`MovingQuadratic` is the simplest objective that changes mid-run: an isotropic bowl

.. math:: f_t(\phi) = \frac{h_t}{2}\,\lVert\phi - c_t\rVert^2

whose centre :math:`c_t` (the optimum) and scale :math:`h_t` (how large the gradients are) jump
from one value to another after step ``switch``. :func:`track` runs an optimizer on it and
records how far :math:`\phi_t` is from the *current* optimum; :func:`steps_to_within` counts
the steps it takes to get back after the jump, and :func:`tracking_sweep` picks each
optimizer's learning rate fairly (the smallest mean squared distance over the whole run).

For the second moment's memory, :func:`steps_within_factor` and :func:`response_steps` measure
how fast a recorded series (e.g. the effective learning rate
:math:`\alpha/(\sqrt{\hat v_t}+\varepsilon)`) settles after a change.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from adamlib._base import Optimizer
from adamlib._checks import (
    check_count,
    check_finite,
    check_index,
    check_nonnegative,
    check_positive,
)
from adamlib.trace import iterate
from adamlib.tuning import OptimizerFactory, best_in_grid, sweep


@dataclass(frozen=True)
class MovingQuadratic:
    r"""A bowl whose optimum and scale jump after step ``switch``.

    .. math::
        f_t(\phi) = \frac{h_t}{2}\lVert\phi - c_t\rVert^2, \qquad
        (c_t, h_t) = \begin{cases} (c^{A}, h^{A}) & t \le \text{switch} \\
                                   (c^{B}, h^{B}) & t > \text{switch} \end{cases}

    Step :math:`t` uses :math:`g_t = \nabla f_t(\phi_{t-1}) = h_t(\phi_{t-1} - c_t)`, so the
    first gradient of the new objective is :math:`g_{\text{switch}+1}`.

    Parameters
    ----------
    center_before, center_after : sequence of float
        :math:`c^{A}` and :math:`c^{B}`, the same length :math:`n`.
    switch : int
        The last step of the first phase, :math:`\ge 1`.
    scale_before, scale_after : float, default 1.0
        :math:`h^{A}, h^{B} > 0`: the curvature, hence the size of the gradients.
    """

    center_before: tuple[float, ...]
    center_after: tuple[float, ...]
    switch: int
    scale_before: float = 1.0
    scale_after: float = 1.0
    _centers: tuple[np.ndarray, np.ndarray] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        a = np.asarray(self.center_before, dtype=np.float64)
        b = np.asarray(self.center_after, dtype=np.float64)
        if a.ndim != 1 or a.size == 0 or a.shape != b.shape:
            raise ValueError(
                f"center_before and center_after must be 1-D of the same length >= 1, "
                f"got shapes {a.shape} and {b.shape}"
            )
        if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
            raise ValueError("center_before and center_after must be finite")
        check_count(self.switch, "switch")
        check_positive(self.scale_before, "scale_before")
        check_positive(self.scale_after, "scale_after")
        object.__setattr__(self, "_centers", (a, b))

    @property
    def n(self) -> int:
        """Number of parameters."""
        return int(self._centers[0].size)

    def center(self, t: int) -> np.ndarray:
        r"""The optimum :math:`c_t` in force at step :math:`t \ge 1`."""
        t = check_count(t, "t")
        return self._centers[0] if t <= self.switch else self._centers[1]

    def scale(self, t: int) -> float:
        r""":math:`h_t` at step :math:`t \ge 1`."""
        t = check_count(t, "t")
        return float(self.scale_before if t <= self.switch else self.scale_after)

    def loss(self, phi: np.ndarray, t: int) -> float:
        r""":math:`f_t(\phi)`."""
        d = np.asarray(phi, dtype=np.float64) - self.center(t)
        return 0.5 * self.scale(t) * float(d @ d)

    def grad(self, phi: np.ndarray, t: int) -> np.ndarray:
        r""":math:`\nabla f_t(\phi) = h_t(\phi - c_t)`."""
        return self.scale(t) * (np.asarray(phi, dtype=np.float64) - self.center(t))

    def noisy_grad(
        self, phi: np.ndarray, t: int, noise: float, rng: np.random.Generator
    ) -> np.ndarray:
        r""":math:`h_t(\phi - c_t + \sigma\xi)`, :math:`\xi \sim N(0, I)`.

        The noise is relative: it is scaled by :math:`h_t` like the gradient, so in units of
        :math:`\phi` it is the same :math:`\sigma` in both phases.
        """
        noise = check_nonnegative(noise, "noise")
        g = self.grad(phi, t)
        if noise == 0.0:
            return g
        return g + self.scale(t) * noise * rng.standard_normal(g.shape)

    def distance(self, phi: np.ndarray, t: int) -> float:
        r"""RMS distance :math:`\lVert\phi - c_t\rVert/\sqrt{n}` to the optimum of step ``t``."""
        d = np.asarray(phi, dtype=np.float64) - self.center(t)
        return float(np.sqrt(np.mean(np.square(d))))


@dataclass(frozen=True)
class Tracking:
    r"""What :func:`track` records.

    Attributes
    ----------
    phi : ndarray, shape (steps + 1, n)
        :math:`\phi_0, \dots, \phi_T` (rows after a divergence are NaN).
    distance : ndarray, shape (steps + 1,)
        ``distance[t]`` is the RMS distance of :math:`\phi_t` to :math:`c_t`, the optimum the
        step that produced it was aiming at (``distance[0]`` uses :math:`c_1`); ``inf`` after a
        divergence.
    diverged : bool
        True if a gradient or :math:`\phi_t` stopped being finite.
    """

    phi: np.ndarray
    distance: np.ndarray
    diverged: bool

    @property
    def mean_squared_distance(self) -> float:
        r"""Mean of ``distance[t]**2`` over :math:`t = 1, \dots, T` (``inf`` if diverged)."""
        return math.inf if self.diverged else float(np.mean(np.square(self.distance[1:])))


def track(
    opt: Optimizer,
    objective: MovingQuadratic,
    phi0: np.ndarray | Sequence[float],
    steps: int,
    *,
    noise: float = 0.0,
    seed: int = 0,
) -> Tracking:
    r"""Run ``opt`` for ``steps`` steps on the moving objective and record the distance to it.

    Step :math:`t` takes :math:`g_t` = ``objective.noisy_grad(φ_{t-1}, t, noise, rng)`` with
    ``rng = np.random.default_rng(seed)``, then ``opt.step``. The run stops at the first
    non-finite gradient or :math:`\phi_t` (overflow warnings are silenced) and is marked as
    diverged.

    Parameters
    ----------
    opt : Optimizer
        Any adamlib optimizer.
    objective : MovingQuadratic
        The moving target.
    phi0 : array_like
        :math:`\phi_0`, length ``objective.n``.
    steps : int
        :math:`T \ge 1`.
    noise : float, default 0.0
        Relative gradient noise :math:`\sigma` (see :meth:`MovingQuadratic.noisy_grad`).
    seed : int, default 0
        Seed of the noise: every optimizer sees the same noise draws.

    Returns
    -------
    Tracking
    """
    if not isinstance(opt, Optimizer):
        raise TypeError(f"opt must be an adamlib optimizer, got {type(opt).__name__}")
    if not isinstance(objective, MovingQuadratic):
        raise TypeError(f"objective must be a MovingQuadratic, got {type(objective).__name__}")
    steps = check_count(steps, "steps")
    noise = check_nonnegative(noise, "noise")
    phi = np.array(phi0, dtype=np.float64)
    if phi.shape != (objective.n,):
        raise ValueError(f"phi0 must have shape ({objective.n},), got {phi.shape}")
    rng = np.random.default_rng(seed)
    result = iterate(
        opt,
        phi,
        steps,
        lambda p, t: objective.noisy_grad(p, t, noise, rng),
        stop_on_divergence=True,
    )
    diverged = result.diverged
    phis = np.full((steps + 1, objective.n), np.nan)
    phis[: len(result.phi)] = result.phi
    # distance[t] to c_t (c_1 for t = 0), computed for all rows at once; NaN rows become inf
    t_of_row = np.maximum(np.arange(steps + 1), 1)
    before, after = objective.center(1), objective.center(objective.switch + 1)
    centers = np.where((t_of_row <= objective.switch)[:, None], before, after)
    with np.errstate(over="ignore", invalid="ignore"):
        dist = np.sqrt(np.mean(np.square(phis - centers), axis=1))
    dist[~np.isfinite(dist)] = np.inf
    return Tracking(phi=phis, distance=dist, diverged=diverged)


def tracking_sweep(
    make_optimizer: OptimizerFactory,
    objective: MovingQuadratic,
    phi0: np.ndarray | Sequence[float],
    steps: int,
    grid: Sequence[float] | np.ndarray,
    *,
    noise: float = 0.0,
    seed: int = 0,
) -> tuple[float, np.ndarray]:
    r"""The learning rate of ``grid`` that tracks best, and the score of every one.

    The score is :attr:`Tracking.mean_squared_distance`: the mean over the whole run of the
    squared distance to the optimum in force, so being slow after the jump and being noisy
    near the optimum both cost. Every candidate sees the same noise.

    Returns
    -------
    lr : float
        The best :math:`\alpha` (the smallest one on ties).
    scores : ndarray
        One score per grid entry, ``inf`` for a diverged run.
    """
    scores = sweep(
        make_optimizer,
        lambda opt: (
            track(opt, objective, phi0, steps, noise=noise, seed=seed).mean_squared_distance
        ),
        grid,
    )
    return best_in_grid(grid, scores), scores


def steps_to_within(distance: np.ndarray, start: int, tol: float) -> int | None:
    r"""Steps after step ``start`` until the distance first drops to ``tol`` or below.

    Parameters
    ----------
    distance : ndarray, shape (T + 1,)
        ``distance[t]`` after step :math:`t` (e.g. :attr:`Tracking.distance`).
    start : int
        :math:`s \ge 0`: count from here (``objective.switch`` for the recovery after the jump,
        0 for the first approach).
    tol : float
        :math:`> 0`.

    Returns
    -------
    int or None
        The smallest :math:`k \ge 1` with ``distance[s + k] <= tol``; None if it never happens.
    """
    d = np.asarray(distance, dtype=np.float64)
    start = check_index(start, "start")
    if start >= d.size - 1:
        raise ValueError(f"start must be < {d.size - 1} (the last step), got {start!r}")
    tol = check_positive(tol, "tol")
    hits = np.flatnonzero(d[start + 1 :] <= tol)
    return int(hits[0]) + 1 if hits.size else None


def steps_within_factor(values: np.ndarray, start: int, target: float, factor: float) -> int | None:
    r"""Steps after step ``start`` until a positive series is within ``factor`` of ``target``.

    Parameters
    ----------
    values : ndarray, shape (T,)
        Positive values, row :math:`t-1` for step :math:`t` (the layout of a
        :class:`~adamlib.trace.Trace`), e.g. the effective learning rate.
    start : int
        Step :math:`s \ge 0` after which to count.
    target : float
        The value the series should settle at, :math:`> 0`.
    factor : float
        :math:`> 1`: "within" means :math:`\max(x/\text{target},\ \text{target}/x) \le`
        ``factor``.

    Returns
    -------
    int or None
        The smallest :math:`k \ge 1` such that the value of step :math:`s + k` is within the
        factor; None if it never is.
    """
    x = np.asarray(values, dtype=np.float64)
    target = check_positive(target, "target")
    factor = check_positive(factor, "factor")
    if factor <= 1.0:
        raise ValueError(f"factor must be > 1, got {factor!r}")
    start = check_index(start, "start")
    if start >= x.size:
        raise ValueError(f"start must be < {x.size} (the number of steps), got {start!r}")
    tail = x[start:]
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = np.maximum(tail / target, target / tail) <= factor
    hits = np.flatnonzero(ok)
    return int(hits[0]) + 1 if hits.size else None


def response_steps(
    values: np.ndarray, start: int, before: float, after: float, fraction: float
) -> int | None:
    r"""Steps after step ``start`` until a series has covered ``fraction`` of a jump.

    With :math:`x_t` the series, the covered fraction is
    :math:`(x_t - \text{before})/(\text{after} - \text{before})`. For an exponential moving
    average of a signal that jumps from ``before`` to ``after`` it is :math:`1-\beta^k` after
    :math:`k` steps, so ``fraction`` :math:`= 1 - 1/e` is reached after about
    :math:`1/(1-\beta)` steps (compare :func:`adamlib.experiments.bias_correction.steps_to_reach`).

    Parameters
    ----------
    values : ndarray, shape (T,)
        Row :math:`t-1` for step :math:`t`, e.g. :math:`\hat v_t` of one parameter.
    start : int
        The last step before the jump, :math:`\ge 0`.
    before, after : float
        The levels before and after (different).
    fraction : float
        In :math:`(0, 1]`.

    Returns
    -------
    int or None
        The smallest :math:`k \ge 1` whose step :math:`s + k` has covered the fraction.
    """
    x = np.asarray(values, dtype=np.float64)
    check_finite(before, "before")
    check_finite(after, "after")
    if before == after:
        raise ValueError(f"before and after must differ, got {before!r}, {after!r}")
    fraction = check_positive(fraction, "fraction")
    if fraction > 1.0:
        raise ValueError(f"fraction must be in (0, 1], got {fraction!r}")
    start = check_index(start, "start")
    if start >= x.size:
        raise ValueError(f"start must be < {x.size} (the number of steps), got {start!r}")
    covered = (x[start:] - before) / (after - before)
    hits = np.flatnonzero(covered >= fraction)
    return int(hits[0]) + 1 if hits.size else None
