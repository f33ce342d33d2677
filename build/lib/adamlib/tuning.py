r"""Fair learning-rate tuning: every optimizer gets its best :math:`\alpha` from the same grid.

Comparing optimizers at one shared :math:`\alpha` is unfair, because each one reads
:math:`\alpha` differently: SGD multiplies the gradient :math:`g_t` by it, Adam multiplies the
roughly unit-sized :math:`\hat m_t/(\sqrt{\hat v_t}+\varepsilon)`. The rule used in chapter 5:

1. one log-spaced grid of learning rates, the same for every optimizer and problem;
2. for each optimizer and problem, run ``steps`` steps from the same :math:`\phi_0` at every
   :math:`\alpha` of the grid, all other hyperparameters at their defaults;
3. keep the :math:`\alpha` with the smallest final loss :math:`f(\phi_T)`. A run whose gradient,
   parameters or loss stop being finite has *diverged* and counts as :math:`+\infty`.

:func:`sweep` is the one learning-rate sweep (the chapters' sweeps on models and on a moving
target call it with their own score), and :func:`good_band` measures how wide the band of good
learning rates around the best one is (chapter 6).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from adamlib._base import Optimizer
from adamlib._checks import check_count, check_grid, check_nonnegative, check_positive
from adamlib.problems import Problem
from adamlib.tables import Table
from adamlib.trace import iterate

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


def sweep(
    make_optimizer: OptimizerFactory,
    score: Callable[[Optimizer], float],
    grid: Sequence[float] | np.ndarray,
) -> np.ndarray:
    r"""``score(make_optimizer(α))`` for every :math:`\alpha` of ``grid``: the one sweep.

    Parameters
    ----------
    make_optimizer : callable
        ``make_optimizer(lr)`` returns a fresh optimizer with learning rate ``lr``.
    score : callable
        ``score(opt) -> float``, smaller is better, ``inf`` for a diverged run (e.g.
        :func:`final_loss` with everything but the optimizer fixed).
    grid : sequence of float
        Learning rates, each finite and > 0, strictly increasing.

    Returns
    -------
    ndarray
        One score per entry of ``grid``.
    """
    lrs = check_grid(grid)
    return np.array([float(score(make_optimizer(float(lr)))) for lr in lrs])


def best_in_grid(grid: Sequence[float] | np.ndarray, scores: Sequence[float] | np.ndarray) -> float:
    r"""The :math:`\alpha` of ``grid`` with the smallest score; ties go to the smallest one.

    Raises
    ------
    ValueError
        If every score is ``inf`` (every run diverged).
    """
    lrs = check_grid(grid)
    s = np.asarray(scores, dtype=np.float64)
    if s.shape != lrs.shape:
        raise ValueError(f"scores has shape {s.shape}, expected {lrs.shape} like grid")
    if not np.any(np.isfinite(s)):
        raise ValueError("every run diverged: try a grid of smaller learning rates")
    return float(lrs[int(np.argmin(s))])


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
    through the same loop (:func:`adamlib.trace.iterate`) without recording, stopping at the
    first step whose gradient :math:`g_t` or parameters :math:`\phi_t` are not finite.
    Overflow inside the problem's formulas is expected for a too-large :math:`\alpha` and is
    silenced (no RuntimeWarning).

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
    result = iterate(
        opt,
        phi,
        steps,
        lambda p, _t: problem.noisy_grad(p, noise, rng),
        record=False,
        stop_on_divergence=True,
    )
    if result.diverged:
        return math.inf
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        loss = problem.loss(result.final)
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

    :func:`sweep` with :func:`final_loss` as the score, then :func:`best_in_grid`.

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
    losses = sweep(
        make_optimizer,
        lambda opt: final_loss(opt, problem, phi0, steps, noise=noise, seed=seed),
        grid,
    )
    try:
        return best_in_grid(grid, losses), losses
    except ValueError:
        raise ValueError(
            f"every run diverged on {problem.label}: try a grid of smaller lr"
        ) from None


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


@dataclass(frozen=True)
class GoodBand:
    r"""The learning rates whose final loss is close to the best (see :func:`good_band`).

    Attributes
    ----------
    best_lr : float
        The :math:`\alpha` with the smallest loss (the smallest such one on ties).
    best_loss : float
        Its loss :math:`L^\star`.
    threshold : float
        The largest loss that still counts as good.
    lowest, highest : float
        The ends of the band: the contiguous run of grid points around ``best_lr`` whose loss
        is at most ``threshold``.
    count : int
        Grid points in the band.
    """

    best_lr: float
    best_loss: float
    threshold: float
    lowest: float
    highest: float
    count: int

    @property
    def ratio(self) -> float:
        """``highest / lowest``: how many times larger the largest good :math:`\\alpha` is."""
        return self.highest / self.lowest

    @property
    def decades(self) -> float:
        """:math:`\\log_{10}` of :attr:`ratio`: the width of the band in factors of ten."""
        return math.log10(self.ratio)


def good_band(
    grid: Sequence[float] | np.ndarray,
    losses: Sequence[float] | np.ndarray,
    *,
    factor: float = 2.0,
    slack: float = 0.05,
) -> GoodBand:
    r"""The band of good learning rates: contiguous grid points near the best final loss.

    A loss counts as good when it is at most :math:`\max(\text{factor}\cdot L^\star,\ L^\star
    + \text{slack})`, the looser of "within a factor of 2" and "within 0.05" of the best loss
    :math:`L^\star` with the defaults (the factor alone would be too strict when
    :math:`L^\star` is nearly 0). The band is the run of consecutive grid points around the
    best one that are all good; a good point beyond a bad one does not count, so the band is
    an interval a search could not fall out of.

    Parameters
    ----------
    grid : sequence of float
        Learning rates, strictly increasing, all > 0.
    losses : sequence of float
        Final loss for each, ``inf`` for a diverged run.
    factor : float, default 2.0
        :math:`\ge 1`.
    slack : float, default 0.05
        :math:`\ge 0`.

    Returns
    -------
    GoodBand

    Raises
    ------
    ValueError
        If the shapes differ or every run diverged.
    """
    lrs = check_grid(grid)
    values = np.asarray(losses, dtype=np.float64)
    if values.shape != lrs.shape:
        raise ValueError(f"losses has shape {values.shape}, expected {lrs.shape} like grid")
    if np.any(np.isnan(values)):
        raise ValueError("losses must not contain NaN (use inf for a diverged run)")
    factor = check_nonnegative(factor, "factor")
    if factor < 1.0:
        raise ValueError(f"factor must be >= 1, got {factor!r}")
    slack = check_nonnegative(slack, "slack")
    if not np.any(np.isfinite(values)):
        raise ValueError("every run diverged: there is no best learning rate")
    k = int(np.argmin(values))
    best = float(values[k])
    threshold = max(factor * best, best + slack)
    good = values <= threshold
    lo = k
    while lo > 0 and good[lo - 1]:
        lo -= 1
    hi = k
    while hi < lrs.size - 1 and good[hi + 1]:
        hi += 1
    return GoodBand(
        best_lr=float(lrs[k]),
        best_loss=best,
        threshold=threshold,
        lowest=float(lrs[lo]),
        highest=float(lrs[hi]),
        count=hi - lo + 1,
    )
