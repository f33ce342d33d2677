r"""How sensitive a model's training is to the learning rate (chapter 6).

Chapter 5's :mod:`adamlib.tuning` sweeps :math:`\alpha` on test functions; this module does
the same for the classifiers of :mod:`adamlib.ml.models`, trained with
:func:`adamlib.ml.training.train`, and measures how *wide* the band of good learning rates is:

- :func:`final_training_loss`: train, return the final training objective (``inf`` if the run
  diverged);
- :func:`learning_rate_sweep`: that for every :math:`\alpha` of a grid (e.g.
  :func:`adamlib.tuning.log_grid`), every run with the same :math:`\phi_0` and minibatches;
- the width of the band of good learning rates is :func:`adamlib.tuning.good_band`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from adamlib._base import Optimizer
from adamlib._checks import NonFiniteError
from adamlib.ml.models import Model, ParamDict
from adamlib.ml.training import train
from adamlib.tuning import OptimizerFactory, sweep


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
    ``train`` rejects non-finite parameters or gradients with :class:`~adamlib.NonFiniteError`,
    which is caught here; overflow warnings on the way are silenced.

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
        except NonFiniteError:
            return math.inf
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
    return sweep(
        make_optimizer,
        lambda opt: final_training_loss(
            opt, model, params, X, y, epochs=epochs, batch_size=batch_size, seed=seed, l2=l2
        ),
        grid,
    )
