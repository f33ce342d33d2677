r"""How sensitive a model's training is to the learning rate (chapter 6).

Chapter 5's :mod:`adamlib.tuning` sweeps :math:`\alpha` on test functions; this module does
the same for the classifiers of :mod:`adamlib.ml.models`, trained with
:func:`adamlib.ml.training.train`, and measures how *wide* the band of good learning rates is:

- :func:`final_training_loss`: train, return the final training objective (``inf`` if the run
  diverged);
- :func:`learning_rate_sweep`: that for every :math:`\alpha` of a grid (e.g.
  :func:`adamlib.tuning.log_grid`), every run with the same :math:`\phi_0` and minibatches;
- :func:`good_band`: the contiguous learning rates around the best whose loss is close to the
  best one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from adamlib._base import Optimizer
from adamlib._checks import check_grid, check_nonnegative
from adamlib.ml.models import Model, ParamDict
from adamlib.ml.training import train

#: Makes an optimizer for a given learning rate, e.g. ``lambda lr: adamlib.Adam(lr=lr)``.
OptimizerFactory = Callable[[float], Optimizer]


def final_training_loss(
    opt: Optimizer,
    model: Model,
    params: ParamDict,
    X: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int,
    batch_size: int | None = None,
    seed: int = 0,
    l2: float = 0.0,
) -> float:
    r"""The training objective :math:`L(\phi)` after :func:`~adamlib.ml.training.train`, or ``inf``.

    The run is ``train(opt, model, params, X, y, epochs=..., batch_size=..., seed=..., l2=...)``
    and the result is its last entry of ``losses`` (the full objective on all of ``X`` after
    the last epoch). A run whose parameters, gradients or loss stop being finite has
    *diverged* and counts as :math:`+\infty`, as in :func:`adamlib.tuning.final_loss`:
    ``train`` rejects non-finite parameters or gradients with a ``ValueError`` saying they
    "must be finite", which is caught here; overflow warnings on the way are silenced.

    Parameters
    ----------
    opt : Optimizer
        Any adamlib optimizer.
    model : Model
        :class:`~adamlib.ml.models.SoftmaxRegression` or :class:`~adamlib.ml.models.MLP`.
    params : dict of str to ndarray
        :math:`\phi_0`; not modified.
    X, y : ndarray
        Training features and integer labels.
    epochs : int
        Passes over the data.
    batch_size : int, optional
        Minibatch size; None means full batch.
    seed : int, default 0
        Seed of the minibatch order (the same for every optimizer and learning rate).
    l2 : float, default 0.0
        :math:`\lambda` of the model's L2 term.

    Returns
    -------
    float
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        try:
            result = train(
                opt, model, params, X, y, epochs=epochs, batch_size=batch_size, seed=seed, l2=l2
            )
        except ValueError as err:
            if "must be finite" in str(err):
                return math.inf
            raise
    loss = float(result.losses[-1])
    return loss if math.isfinite(loss) else math.inf


def learning_rate_sweep(
    make_optimizer: OptimizerFactory,
    model: Model,
    params: ParamDict,
    X: np.ndarray,
    y: np.ndarray,
    grid: Sequence[float] | np.ndarray,
    *,
    epochs: int,
    batch_size: int | None = None,
    seed: int = 0,
    l2: float = 0.0,
) -> np.ndarray:
    r"""Final training loss for every learning rate of ``grid`` (see :func:`final_training_loss`).

    Every run starts from the same ``params`` and sees the same minibatches (same ``seed``), so
    the learning rate is the only thing that changes along the sweep.

    Parameters
    ----------
    make_optimizer : callable
        ``make_optimizer(lr)`` returns a fresh optimizer with learning rate ``lr``.
    model, params, X, y, epochs, batch_size, seed, l2
        As in :func:`final_training_loss`.
    grid : sequence of float
        Learning rates, each finite and > 0, strictly increasing.

    Returns
    -------
    ndarray
        One loss per entry of ``grid``; ``inf`` where the run diverged.
    """
    lrs = check_grid(grid)
    return np.array(
        [
            final_training_loss(
                make_optimizer(float(lr)),
                model,
                params,
                X,
                y,
                epochs=epochs,
                batch_size=batch_size,
                seed=seed,
                l2=l2,
            )
            for lr in lrs
        ]
    )


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
