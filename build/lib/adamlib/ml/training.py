r"""Train a :mod:`adamlib.ml.models` classifier with any adamlib optimizer (chapters 6 and 7).

:func:`train` is the whole loop: shuffle, cut into minibatches
(:func:`adamlib.ml.data.minibatches`), compute :math:`L` and :math:`\nabla L` on each batch
(``model.loss_and_grad``) and take one
``opt.step``. It only uses ``opt.init`` and ``opt.step``, so Adam, RAdam, SGD, Momentum, ... are
interchangeable.

A learning-rate schedule is a sequence of phases: call :func:`train` again with an optimizer of
smaller :math:`\alpha` and ``state=result.state``, which carries :math:`t`, :math:`m_t`,
:math:`v_t` over unchanged (the state does not store :math:`\alpha`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from adamlib._base import Optimizer
from adamlib._checks import check_count, check_features, check_labels, check_nonnegative, check_seed
from adamlib.ml.data import minibatches
from adamlib.ml.models import Model, ParamDict


@dataclass(frozen=True)
class TrainResult:
    r"""What :func:`train` returns.

    Attributes
    ----------
    params : dict of str to ndarray
        The parameters after the last step.
    state : optimizer state
        The optimizer's state after the last step (pass it back to continue).
    losses : ndarray, shape (epochs + 1,)
        The full training objective :math:`L(\phi)` (mean cross-entropy on all of ``X`` plus the
        L2 term): entry 0 before the first step, entry ``e`` after epoch ``e``.
    batch_losses : ndarray, shape (steps,)
        The objective on each step's batch, at the parameters *before* that step (what the
        optimizer saw; noisy for small batches).
    val_losses : ndarray or None, shape (epochs + 1,)
        Mean cross-entropy (no L2 term) on the validation set, same timing as ``losses``.
    val_accuracy : ndarray or None, shape (epochs + 1,)
        Accuracy on the validation set, same timing.
    """

    params: ParamDict
    state: Any
    losses: np.ndarray
    batch_losses: np.ndarray
    val_losses: np.ndarray | None = None
    val_accuracy: np.ndarray | None = None

    @property
    def steps(self) -> int:
        """Number of optimizer steps taken in this call."""
        return int(self.batch_losses.size)


def train(
    opt: Optimizer,
    model: Model,
    params: ParamDict,
    X: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int,
    batch_size: int | None = None,
    seed: int | np.random.Generator = 0,
    l2: float = 0.0,
    state: Any = None,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
) -> TrainResult:
    r"""Minimise ``model``'s objective on ``(X, y)`` with ``opt`` for ``epochs`` passes.

    Each epoch draws a fresh permutation of the rows (one generator for the whole call) and
    takes one step per batch of ``batch_size`` rows (the last batch may be smaller), with
    :math:`g_t = \nabla L_{\text{batch}}(\phi_{t-1})`.

    Parameters
    ----------
    opt : Optimizer
        Any adamlib optimizer.
    model : Model
        :class:`~adamlib.ml.models.SoftmaxRegression` or :class:`~adamlib.ml.models.MLP`.
    params : dict of str to ndarray
        Starting parameters :math:`\phi_0` (e.g. ``model.init_params(seed)``); not modified.
    X : ndarray, shape (n, n_features)
        Training features.
    y : ndarray, shape (n,)
        Integer training labels.
    epochs : int
        Number of passes, :math:`\ge 1`.
    batch_size : int, optional
        Rows per step; None (default) means full batch: one deterministic step per epoch.
    seed : int or numpy.random.Generator, default 0
        Seed of the shuffling, or a generator to draw from (pass the same generator to
        successive calls to continue its stream).
    l2 : float, default 0.0
        :math:`\lambda \ge 0` of the model's L2 term (see
        :meth:`~adamlib.ml.models.Model.loss_and_grad`).
    state : optimizer state, optional
        Continue from this state (from a previous :class:`TrainResult`) instead of
        ``opt.init(params)``.
    validation : (X_val, y_val), optional
        Also record the validation loss and accuracy after every epoch.

    Returns
    -------
    TrainResult
    """
    if not isinstance(opt, Optimizer):
        raise TypeError(f"opt must be an adamlib optimizer, got {type(opt).__name__}")
    if not isinstance(model, Model):
        raise TypeError(f"model must be an adamlib.ml.models.Model, got {type(model).__name__}")
    model.check_params(params)
    X = check_features(X, model.n_features)
    y = check_labels(y, model.n_classes, X.shape[0])
    epochs = check_count(epochs, "epochs")
    n = X.shape[0]
    if batch_size is not None:
        batch_size = check_count(batch_size, "batch_size")
    l2 = check_nonnegative(l2, "l2")
    is_generator = isinstance(seed, np.random.Generator)
    rng = seed if is_generator else np.random.default_rng(check_seed(seed))
    if state is not None and not isinstance(state, opt.state_type):
        raise TypeError(
            f"state must be a {opt.state_type.__name__} from {type(opt).__name__}.init, "
            f"got {type(state).__name__}"
        )
    if validation is not None:
        if not isinstance(validation, tuple) or len(validation) != 2:
            raise TypeError("validation must be a tuple (X_val, y_val)")
        X_val = check_features(validation[0], model.n_features, "validation[0]")
        y_val = check_labels(validation[1], model.n_classes, X_val.shape[0], "validation[1]")

    if state is None:
        state = opt.init(params)
    full_batch = batch_size is None
    # full batch: the loss and gradient at the current parameters, computed once per epoch and
    # used both for the record and for the next step
    current = model.loss_and_grad(params, X, y, l2) if full_batch else None
    losses = [current[0] if current is not None else model.loss(params, X, y, l2)]
    batch_losses: list[float] = []
    val_losses: list[float] = []
    val_acc: list[float] = []

    def evaluate_validation(p: ParamDict) -> None:
        if validation is not None:
            val_losses.append(model.loss(p, X_val, y_val))
            val_acc.append(model.accuracy(p, X_val, y_val))

    evaluate_validation(params)
    for _ in range(epochs):
        if current is not None:
            loss, grads = current
            batch_losses.append(loss)
            params, state = opt.step(params, grads, state)
            current = model.loss_and_grad(params, X, y, l2)
            losses.append(current[0])
        else:
            assert batch_size is not None
            for idx in minibatches(n, batch_size, rng):
                loss, grads = model.loss_and_grad(params, X[idx], y[idx], l2)
                batch_losses.append(loss)
                params, state = opt.step(params, grads, state)
            losses.append(model.loss(params, X, y, l2))
        evaluate_validation(params)
    return TrainResult(
        params=params,
        state=state,
        losses=np.array(losses),
        batch_losses=np.array(batch_losses),
        val_losses=np.array(val_losses) if validation is not None else None,
        val_accuracy=np.array(val_acc) if validation is not None else None,
    )
