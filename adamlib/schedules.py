r"""Learning-rate schedules :math:`\alpha_t = \alpha\,s(t)` for any adamlib optimizer (chapter 7).

A schedule is a function :math:`s(t)` of the step number :math:`t \ge 1`, and
:class:`Scheduled` wraps an optimizer so that step :math:`t` moves :math:`s(t)` times as far as
the optimizer would have moved with its own :math:`\alpha`. For every optimizer in adamlib the
whole update is proportional to :math:`\alpha` once the state (:math:`m_t`, :math:`v_t`, ...)
is fixed, and the state's update does not involve :math:`\alpha`, so scaling the step by
:math:`s(t)` *is* running with learning rate :math:`\alpha s(t)` (up to rounding); the
decoupled weight decay :math:`\phi(1-\alpha\lambda)` scales with it as well.

- :func:`linear_warmup`: :math:`s(t) = \min(1, t/W)`, the warmup that RAdam was designed to
  make unnecessary (Liu et al., 2020).
- :func:`inverse_sqrt`: :math:`s(t) = 1/\sqrt{t}`, the step size :math:`\alpha_t = \alpha/\sqrt t`
  of Reddi et al.'s analysis (2018).
- :func:`cosine_decay`: from 1 down to a final factor along half a cosine.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from adamlib._base import Buffers, LeafStep, Optimizer
from adamlib._checks import check_count, check_nonnegative, check_unit_interval

#: A schedule: step number :math:`t \ge 1` → factor :math:`s(t) \ge 0` multiplying :math:`\alpha`.
Schedule = Callable[[int], float]


def linear_warmup(warmup_steps: int) -> Schedule:
    r"""Linear warmup over :math:`W` steps: :math:`s(t) = \min(1,\ t/W)`.

    Step 1 uses :math:`\alpha/W`, step :math:`W` and every later step the full :math:`\alpha`.

    Parameters
    ----------
    warmup_steps : int
        :math:`W \ge 1`; ``1`` means no warmup at all.

    Returns
    -------
    callable
        :math:`t \mapsto \min(1, t/W)`, for integers :math:`t \ge 1`.
    """
    warmup = check_count(warmup_steps, "warmup_steps")

    def schedule(t: int) -> float:
        t = check_count(t, "t")
        return min(1.0, t / warmup)

    schedule.__name__ = f"linear_warmup({warmup})"
    return schedule


def inverse_sqrt() -> Schedule:
    r"""The decreasing schedule :math:`s(t) = 1/\sqrt{t}` (so :math:`\alpha_t = \alpha/\sqrt t`).

    Reddi, Kale & Kumar (2018) analyse Adam and AMSGrad with this step size; it is also the
    classic step size of online gradient descent.

    Returns
    -------
    callable
        :math:`t \mapsto t^{-1/2}`, for integers :math:`t \ge 1`.
    """

    def schedule(t: int) -> float:
        t = check_count(t, "t")
        return 1.0 / math.sqrt(t)

    schedule.__name__ = "inverse_sqrt"
    return schedule


def cosine_decay(total_steps: int, final: float = 0.0) -> Schedule:
    r"""Cosine decay from 1 to ``final`` over :math:`T` steps, then constant.

    .. math::
        s(t) = f + (1-f)\,\tfrac12\bigl(1 + \cos(\pi\min(t, T)/T)\bigr)

    Training schedules often end with a learning rate near 0 like this one; the chapter uses it
    to show that a learning rate that *vanishes* keeps full-batch Adam at its minimum.

    One step ahead of PyTorch: ``torch.optim.lr_scheduler.CosineAnnealingLR`` (with
    ``scheduler.step()`` after each ``optimizer.step()``) uses
    :math:`\cos(\pi (t-1)/T)` at step :math:`t`, so its first step has the full :math:`\alpha`
    and it reaches :math:`f` at step :math:`T+1`; here :math:`s(t)` is torch's factor of step
    :math:`t+1`, and :math:`s(T) = f`. ``tests/contracts/test_edge_cases.py`` pins the relation.

    Parameters
    ----------
    total_steps : int
        :math:`T \ge 1`.
    final : float, default 0.0
        :math:`f \in [0, 1]`, the factor from step :math:`T` on.

    Returns
    -------
    callable
        :math:`t \mapsto s(t)`, for integers :math:`t \ge 1`; :math:`s(T) = f`.
    """
    total = check_count(total_steps, "total_steps")
    final = check_unit_interval(final, "final")

    def schedule(t: int) -> float:
        t = check_count(t, "t")
        return final + (1.0 - final) * 0.5 * (1.0 + math.cos(math.pi * min(t, total) / total))

    schedule.__name__ = f"cosine_decay({total})"
    return schedule


def schedule_values(schedule: Schedule, steps: int) -> np.ndarray:
    r"""The factors :math:`s(1), \dots, s(T)` of ``schedule`` as an array (entry ``t - 1``).

    Parameters
    ----------
    schedule : callable
        A schedule such as :func:`linear_warmup` returns.
    steps : int
        :math:`T \ge 1`.

    Returns
    -------
    ndarray, shape (steps,)
    """
    steps = check_count(steps, "steps")
    return np.array([_check_factor(schedule, t) for t in range(1, steps + 1)])


def _check_factor(schedule: Schedule, t: int) -> float:
    """Return the factor ``schedule(t)`` as a float if it is a finite number >= 0."""
    return check_nonnegative(schedule(t), f"schedule({t})")


@dataclass(frozen=True)
class ScheduledConfig:
    """What :class:`Scheduled` wraps: an optimizer and a schedule."""

    opt: Optimizer
    schedule: Schedule


class Scheduled(Optimizer[Any]):
    r"""``opt`` with the learning rate :math:`\alpha s(t)` at step :math:`t`.

    Step :math:`t` computes ``opt``'s step :math:`\Delta\phi_t` and takes
    :math:`s(t)\,\Delta\phi_t` instead; the state (:math:`t`, :math:`m_t`, :math:`v_t`, ...) is
    exactly ``opt``'s, so ``opt.init`` and ``Scheduled(opt, s).init`` give the same state and
    one can be continued by the other. :func:`adamlib.ml.training.train` and
    :func:`adamlib.trace.run` accept it like any optimizer.

    Parameters
    ----------
    opt : Optimizer
        Any adamlib optimizer whose step is proportional to its learning rate (all of them).
    schedule : callable
        :math:`s(t) \ge 0`, finite, e.g. :func:`linear_warmup` ``(100)``.

    Examples
    --------
    >>> import numpy as np, adamlib
    >>> from adamlib.schedules import Scheduled, linear_warmup
    >>> opt = Scheduled(adamlib.Adam(lr=0.1), linear_warmup(4))
    >>> phi = np.array([1.0])
    >>> phi, state = opt.step(phi, np.array([2.0]), opt.init(phi))  # α_1 = 0.1 · 1/4
    >>> np.round(phi, 6)
    array([0.975])
    """

    def __init__(self, opt: Optimizer, schedule: Schedule) -> None:
        if not isinstance(opt, Optimizer):
            raise TypeError(f"opt must be an adamlib optimizer, got {type(opt).__name__}")
        if not callable(schedule):
            raise TypeError(f"schedule must be callable (t -> factor), got {schedule!r}")
        self.config = ScheduledConfig(opt=opt, schedule=schedule)
        self.opt = opt
        self.schedule = schedule
        self.state_type = opt.state_type

    def __repr__(self) -> str:
        name = getattr(self.schedule, "__name__", repr(self.schedule))
        return f"Scheduled({self.opt!r}, {name})"

    def init_leaf(self, p: np.ndarray) -> Buffers:
        """``opt``'s buffers."""
        return self.opt.init_leaf(p)

    def step_leaf(self, p: np.ndarray, g: np.ndarray, buffers: Buffers, t: int) -> LeafStep:
        r"""``opt``'s step :math:`t` with its :math:`\Delta\phi_t` scaled by :math:`s(t)`."""
        factor = _check_factor(self.schedule, t)
        new_p, new_buffers, info = self.opt.step_leaf(p, g, buffers, t)
        delta = factor * (new_p - p)
        info = {**info, "delta": delta}
        return p + delta, new_buffers, info
