r"""Run an optimizer for :math:`T` steps and record every quantity the book shows.

A :class:`Trace` holds, per step, :math:`\phi_t`, :math:`g_t`, :math:`m_t`, :math:`v_t`,
:math:`\hat m_t`, :math:`\hat v_t` and :math:`\Delta\phi_t` as arrays with the step on axis 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from adamlib._base import INFO_KEYS, Optimizer
from adamlib._checks import check_count, check_nonnegative, check_params
from adamlib.problems import Problem


@dataclass(frozen=True)
class Trace:
    r"""What happened during a run of ``steps`` steps.

    Attributes
    ----------
    phi : ndarray, shape (steps + 1, n)
        :math:`\phi_0, \dots, \phi_T`.
    g : ndarray, shape (steps, n)
        :math:`g_1, \dots, g_T` (row ``t - 1`` is :math:`g_t`).
    m, v, m_hat, v_hat : ndarray or None, shape (steps, n)
        :math:`m_t, v_t, \hat m_t, \hat v_t` where the optimizer has them, else None.
    delta : ndarray, shape (steps, n)
        :math:`\Delta\phi_t = \phi_t - \phi_{t-1}` as the optimizer computed it.
    loss : ndarray or None, shape (steps + 1,)
        :math:`f(\phi_t)` when a problem was given.
    """

    phi: np.ndarray
    g: np.ndarray
    m: np.ndarray | None
    v: np.ndarray | None
    m_hat: np.ndarray | None
    v_hat: np.ndarray | None
    delta: np.ndarray
    loss: np.ndarray | None

    @property
    def steps(self) -> int:
        """Number of steps :math:`T`."""
        return int(self.g.shape[0])

    @property
    def final(self) -> np.ndarray:
        r""":math:`\phi_T`."""
        return self.phi[-1]


def run(
    opt: Optimizer,
    problem: Problem,
    phi0: np.ndarray | Iterable[float],
    steps: int,
    *,
    noise: float = 0.0,
    seed: int = 0,
) -> Trace:
    r"""Minimise ``problem`` from :math:`\phi_0` for ``steps`` steps and record everything.

    Parameters
    ----------
    opt : Optimizer
        Any adamlib optimizer (:class:`adamlib.Adam`, :class:`adamlib.optimizers.SGD`, ...).
    problem : Problem
        Supplies :math:`g_t = \nabla f(\phi_{t-1})` (plus noise) and the loss.
    phi0 : array_like
        Starting point :math:`\phi_0` (converted to float64).
    steps : int
        :math:`T \ge 1`.
    noise : float, default 0.0
        Standard deviation :math:`\sigma` of Gaussian noise added to each gradient.
    seed : int, default 0
        Seed of the noise generator; the same seed gives the same run.

    Returns
    -------
    Trace
    """
    phi = np.array(phi0, dtype=np.float64)
    steps = check_count(steps, "steps")
    noise = check_nonnegative(noise, "noise")
    rng = np.random.default_rng(seed)
    return _record(opt, phi, steps, lambda p, _t: problem.noisy_grad(p, noise, rng), problem)


def run_sequence(
    opt: Optimizer, grads: np.ndarray | Iterable[float], phi0: np.ndarray | float = 0.0
) -> Trace:
    r"""Feed a fixed gradient sequence :math:`g_1, \dots, g_T` to ``opt`` and record everything.

    The gradients do not depend on :math:`\phi`: this isolates what the optimizer does with a
    given signal (a constant, a sign flip, a sparse spike...).

    Parameters
    ----------
    opt : Optimizer
        Any adamlib optimizer.
    grads : array_like, shape (T,) or (T, n)
        Row ``t - 1`` is :math:`g_t`. A 1-D sequence means one parameter.
    phi0 : array_like or float, default 0.0
        :math:`\phi_0`, broadcast to the gradient's width.

    Returns
    -------
    Trace
        With ``loss=None``.
    """
    g_all = np.asarray(grads, dtype=np.float64)
    if g_all.ndim == 1:
        g_all = g_all[:, None]
    if g_all.ndim != 2 or g_all.shape[0] == 0:
        raise ValueError(f"grads must have shape (T,) or (T, n) with T >= 1, got {g_all.shape}")
    phi = np.broadcast_to(np.asarray(phi0, dtype=np.float64), g_all.shape[1:]).copy()
    return _record(opt, phi, g_all.shape[0], lambda _p, t: g_all[t], None)


def _record(opt: Optimizer, phi: np.ndarray, steps: int, grad_at, problem: Problem | None) -> Trace:
    check_params(phi, "phi0")
    state = opt.init(phi)
    phis, gs = [phi], []
    infos: dict[str, list[np.ndarray]] = {k: [] for k in INFO_KEYS}
    for t in range(steps):
        g = grad_at(phi, t)
        phi, state, info = opt.step_with_info(phi, g, state)
        phis.append(phi)
        gs.append(g)
        for k in INFO_KEYS:
            if k in info:
                infos[k].append(info[k])
    stacked = {k: (np.array(v) if v else None) for k, v in infos.items()}
    phi_arr = np.array(phis)
    loss = None if problem is None else np.array([problem.loss(p) for p in phi_arr])
    delta = stacked.pop("delta")
    assert delta is not None
    return Trace(phi=phi_arr, g=np.array(gs), delta=delta, loss=loss, **stacked)
