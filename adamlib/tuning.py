r"""Fair learning-rate tuning: every optimizer gets its best :math:`\alpha` from the same grid.

Comparing optimizers at one shared :math:`\alpha` is unfair, because each one reads
:math:`\alpha` differently: SGD multiplies the gradient :math:`g_t` by it, Adam multiplies the
roughly unit-sized :math:`\hat m_t/(\sqrt{\hat v_t}+\varepsilon)`. The rule used in chapter 5:

1. one log-spaced grid of learning rates, the same for every optimizer and problem;
2. for each optimizer and problem, run ``steps`` steps from the same :math:`\phi_0` at every
   :math:`\alpha` of the grid, all other hyperparameters at their defaults;
3. keep the :math:`\alpha` with the smallest final loss :math:`f(\phi_T)`. A run whose gradient,
   parameters or loss stop being finite has *diverged* and counts as :math:`+\infty`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np

from adamlib._base import Optimizer
from adamlib._checks import check_count, check_grid, check_nonnegative, check_positive
from adamlib.problems import Problem
from adamlib.tables import Table

#: Makes an optimizer for a given learning rate, e.g. ``lambda lr: adamlib.Adam(lr=lr)``.
OptimizerFactory = Callable[[float], Optimizer]


def log_grid(lowest: float = 1e-4, highest: float = 1.0, per_decade: int = 3) -> np.ndarray:
    r"""Learning rates :math:`10^{k/n}` from ``lowest`` to ``highest``, ``n = per_decade``.

    Parameters
    ----------
    lowest, highest : float
        The ends of the grid, powers of ten with ``0 < lowest < highest``
        (e.g. ``1e-4`` and ``1.0``).
    per_decade : int, default 3
        Grid points per factor of ten; 3 gives ..., 0.001, 0.00215, 0.00464, 0.01, ...

    Returns
    -------
    ndarray
        The grid in increasing order, both ends included.
    """
    lowest = check_positive(lowest, "lowest")
    highest = check_positive(highest, "highest")
    per_decade = check_count(per_decade, "per_decade")
    lo, hi = math.log10(lowest), math.log10(highest)
    if not (lo.is_integer() and hi.is_integer()) or lo >= hi:
        raise ValueError(
            f"lowest and highest must be powers of ten with lowest < highest, "
            f"got lowest={lowest!r}, highest={highest!r}"
        )
    k = np.arange(round(lo) * per_decade, round(hi) * per_decade + 1)
    return 10.0 ** (k / per_decade)


def final_loss(
    opt: Optimizer,
    problem: Problem,
    phi0: np.ndarray | Iterable[float],
    steps: int,
    *,
    noise: float = 0.0,
    seed: int = 0,
) -> float:
    r"""The loss :math:`f(\phi_T)` after ``steps`` steps of ``opt``, or ``inf`` if it diverged.

    The same steps as :func:`adamlib.trace.run` (same gradients, same noise for the same seed),
    without recording, and stopping at the first step whose gradient :math:`g_t`, parameters
    :math:`\phi_t` or loss is not finite. Overflow inside the problem's formulas is expected
    for a too-large :math:`\alpha` and is silenced (no RuntimeWarning).

    Parameters
    ----------
    opt : Optimizer
        Any adamlib optimizer.
    problem : Problem
        The objective.
    phi0 : array_like
        :math:`\phi_0`.
    steps : int
        :math:`T \ge 1`.
    noise : float, default 0.0
        Standard deviation of the gradient noise, as in :func:`adamlib.trace.run`.
    seed : int, default 0
        Seed of the noise.

    Returns
    -------
    float
        :math:`f(\phi_T)`, or ``math.inf`` for a diverged run.
    """
    steps = check_count(steps, "steps")
    noise = check_nonnegative(noise, "noise")
    phi = np.array(phi0, dtype=np.float64)
    rng = np.random.default_rng(seed)
    state = opt.init(phi)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for _ in range(steps):
            g = problem.noisy_grad(phi, noise, rng)
            if not np.all(np.isfinite(g)):
                return math.inf
            phi, state = opt.step(phi, g, state)
            if not np.all(np.isfinite(phi)):
                return math.inf
        loss = problem.loss(phi)
    return loss if math.isfinite(loss) else math.inf


def best_learning_rate(
    make_optimizer: OptimizerFactory,
    problem: Problem,
    phi0: np.ndarray | Iterable[float],
    steps: int,
    grid: Sequence[float] | np.ndarray,
    *,
    noise: float = 0.0,
    seed: int = 0,
) -> tuple[float, np.ndarray]:
    r"""The :math:`\alpha` of ``grid`` with the smallest final loss, and every final loss.

    Parameters
    ----------
    make_optimizer : callable
        ``make_optimizer(lr)`` returns a fresh optimizer with learning rate ``lr`` (other
        hyperparameters as the caller wants them, in chapter 5 the defaults).
    problem : Problem
        The objective.
    phi0 : array_like
        :math:`\phi_0`, the same for every run.
    steps : int
        :math:`T`, the same for every run.
    grid : sequence of float
        Candidate learning rates, each finite and :math:`> 0`, in increasing order.
    noise, seed
        As in :func:`final_loss` (every candidate sees the same noise).

    Returns
    -------
    lr : float
        The best :math:`\alpha`. Ties go to the smallest one (the first in the grid).
    losses : ndarray
        :math:`f(\phi_T)` for each entry of ``grid``; ``inf`` where the run diverged.

    Raises
    ------
    ValueError
        If the grid is empty or not increasing, or if every run diverged.
    """
    lrs = check_grid(grid)
    losses = np.array(
        [
            final_loss(make_optimizer(float(lr)), problem, phi0, steps, noise=noise, seed=seed)
            for lr in lrs
        ]
    )
    if not np.any(np.isfinite(losses)):
        raise ValueError(f"every run diverged on {problem.label}: try a grid of smaller lr")
    return float(lrs[int(np.argmin(losses))]), losses


def learning_rate_table(chosen: Mapping[str, Mapping[str, float]]) -> Table:
    r"""A table of tuned learning rates: one row per problem, one column per optimizer.

    Parameters
    ----------
    chosen : mapping
        ``chosen[problem_label][optimizer_label]`` is the :math:`\alpha` picked by
        :func:`best_learning_rate`. Every row must name the same optimizers in the same order.

    Returns
    -------
    Table
        Prints as text and shows as HTML in a notebook; values like ``0.00464``.
    """
    if not chosen:
        raise ValueError("chosen must name at least one problem")
    rows_in = list(chosen.items())
    optimizers = list(rows_in[0][1])
    for problem, row in rows_in:
        if list(row) != optimizers:
            raise ValueError(
                f"chosen[{problem!r}] names {list(row)!r}, expected {optimizers!r} like the first"
            )
    headers = ["문제", *optimizers]
    rows = [[problem, *(f"{row[name]:.3g}" for name in optimizers)] for problem, row in rows_in]
    return Table(headers_html=headers, headers_text=headers, rows=rows)
