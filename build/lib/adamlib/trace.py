r"""Run an optimizer for :math:`T` steps and record every quantity the book shows.

:func:`iterate` is the one loop that runs an optimizer in adamlib: :func:`run`,
:func:`run_sequence`, :func:`adamlib.tuning.final_loss` and the chapters' experiments (a moving
target, projected online learning) all go through it. A :class:`Trace` holds, per step,
:math:`\phi_t`, :math:`g_t`, :math:`m_t`, :math:`v_t`, :math:`\hat m_t`, :math:`\hat v_t` and
:math:`\Delta\phi_t` as arrays with the step on axis 0.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from adamlib._base import INFO_KEYS, Optimizer
from adamlib._checks import NonFiniteError, check_count, check_nonnegative, check_params
from adamlib.problems import Problem

#: The gradient of step ``t`` (1-based) at :math:`\phi_{t-1}`: ``grad_at(phi, t) -> g_t``.
GradientSource = Callable[[np.ndarray, int], np.ndarray]


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


@dataclass
class Run:
    r"""What :func:`iterate` saw: :math:`\phi_0, \dots`, the gradients, each step's ``info``.

    Lists, not arrays: a run that stops early is shorter than asked for. ``proposed`` holds the
    optimizer's own :math:`\Delta\phi_t` before any projection.
    """

    phi: list[np.ndarray]
    g: list[np.ndarray] = field(default_factory=list)
    info: dict[str, list[np.ndarray]] = field(default_factory=dict)
    proposed: list[np.ndarray] = field(default_factory=list)
    diverged: bool = False

    @property
    def final(self) -> np.ndarray:
        r"""The last :math:`\phi_t` reached."""
        return self.phi[-1]


def iterate(
    opt: Optimizer,
    phi0: np.ndarray,
    steps: int,
    grad_at: GradientSource,
    *,
    record: bool = True,
    stop_on_divergence: bool = False,
    project: Callable[[np.ndarray], np.ndarray] | None = None,
) -> Run:
    r"""Take ``steps`` steps of ``opt`` from :math:`\phi_0`: the one run loop of adamlib.

    Step :math:`t = 1, \dots, T`: :math:`g_t` = ``grad_at(φ_{t-1}, t)``; the optimizer proposes
    :math:`\phi'_t`; then :math:`\phi_t = \phi'_t`, or ``project(φ'_t)`` when given (the
    optimizer's state is kept as it computed it, as in projected online learning).

    Parameters
    ----------
    opt : Optimizer
        Any adamlib optimizer.
    phi0 : ndarray
        :math:`\phi_0`, a float32/float64 array (checked by ``opt.init``).
    steps : int
        :math:`T \ge 1` (checked by the caller).
    grad_at : callable
        ``grad_at(phi, t) -> g_t``.
    record : bool, default True
        Keep every :math:`\phi_t`, :math:`g_t` and ``info``; False keeps only the last
        :math:`\phi_t` (a sweep needs no more).
    stop_on_divergence : bool, default False
        Stop, and mark the run as diverged, at the first non-finite :math:`g_t` (the
        optimizer's :class:`~adamlib.NonFiniteError`) or :math:`\phi_t`; overflow warnings on
        the way are silenced. False lets a non-finite gradient raise.
    project : callable, optional
        Maps the proposed :math:`\phi'_t` to :math:`\phi_t`.

    Returns
    -------
    Run
    """
    state = opt.init(phi0)
    out = Run(phi=[phi0], info={k: [] for k in INFO_KEYS})
    phi = phi0
    quiet = np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore")
    with quiet if stop_on_divergence else contextlib.nullcontext():
        for t in range(1, steps + 1):
            g = grad_at(phi, t)
            try:
                new_phi, state, info = opt.step_with_info(phi, g, state)
            except NonFiniteError:
                if not stop_on_divergence:
                    raise
                out.diverged = True
                break
            if stop_on_divergence and not np.isfinite(new_phi).all():
                out.diverged = True
                break
            if project is not None:
                out.proposed.append(new_phi - phi)
                new_phi = project(new_phi)
            phi = new_phi
            if record:
                out.phi.append(phi)
                out.g.append(g)
                for k, v in info.items():
                    out.info[k].append(v)
            else:
                out.phi[-1:] = [phi]
    return out


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
    check_params(phi, "phi0")
    rng = np.random.default_rng(seed)
    result = iterate(opt, phi, steps, lambda p, _t: problem.noisy_grad(p, noise, rng))
    return to_trace(result, loss=problem.loss)


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
    check_params(phi, "phi0")
    return to_trace(iterate(opt, phi, g_all.shape[0], lambda _p, t: g_all[t - 1]))


def to_trace(
    result: Run,
    *,
    loss: Callable[[np.ndarray], float] | None = None,
    delta: np.ndarray | None = None,
) -> Trace:
    r"""Stack a recorded :class:`Run` into a :class:`Trace`.

    Parameters
    ----------
    result : Run
        From :func:`iterate` with ``record=True``.
    loss : callable, optional
        :math:`f`, evaluated at every :math:`\phi_t`.
    delta : ndarray, optional
        :math:`\Delta\phi_t` to store instead of the optimizer's (e.g. after a projection).
    """
    stacked = {k: (np.array(v) if v else None) for k, v in result.info.items()}
    phi = np.array(result.phi)
    own_delta = stacked.pop("delta")
    if delta is None:
        assert own_delta is not None
        delta = own_delta
    return Trace(
        phi=phi,
        g=np.array(result.g),
        delta=delta,
        loss=None if loss is None else np.array([loss(p) for p in phi]),
        **stacked,
    )
