r"""What every optimizer in adamlib shares: ``init``, ``step``, ``step_with_info``.

An optimizer is a frozen ``config`` (its hyperparameters, checked once in the constructor) and
two pure rules for one parameter array, in the spirit of optax's ``init``/``update`` pair:

- :meth:`Optimizer.init_leaf` ``(φ) -> buffers``: the zero state of one array, a dict such as
  ``{"m": 0, "v": 0}``;
- :meth:`Optimizer.step_leaf` ``(φ_{t-1}, g_t, buffers, t) -> (φ_t, buffers, info)``: one step.

This base class does the rest once: it checks ``params``, ``grad`` and ``state`` at the entry of
``step``, applies the rules array by array when the parameters are a dict, and packs the new
state. Nothing below the entry checks anything again.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import fields
from functools import cached_property, partial
from typing import Any, ClassVar, Generic, TypeVar

import numpy as np

from adamlib._checks import FLOAT_DTYPES, check_all_finite, check_grad, check_params
from adamlib._tree import Params, is_dict

S = TypeVar("S")

_FLOAT_DTYPE_SET = frozenset(FLOAT_DTYPES)

#: Names a step may report in ``info``: the quantities the book plots and tabulates.
INFO_KEYS = ("m", "v", "m_hat", "v_hat", "delta")

Buffers = dict[str, np.ndarray]
LeafStep = tuple[np.ndarray, Buffers, dict[str, np.ndarray]]


def prepare(p: np.ndarray, g: np.ndarray, config: Any) -> tuple[np.ndarray, np.ndarray]:
    r"""The parameter and gradient a step works with, after ``maximize`` and weight decay.

    .. math::
        g_t \leftarrow -g_t \ \text{(maximize)}, \qquad
        \begin{cases}
          g_t \leftarrow g_t + \lambda\,\phi_{t-1} & \text{L2 (coupled)} \\
          \phi_{t-1} \leftarrow \phi_{t-1}\,(1 - \alpha\lambda) & \text{decoupled (AdamW)}
        \end{cases}

    Parameters
    ----------
    p, g : ndarray
        :math:`\phi_{t-1}` and :math:`g_t`.
    config : frozen dataclass
        An optimizer's config with ``lr``, ``weight_decay`` (:math:`\lambda`), ``maximize`` and,
        where the optimizer offers it, ``decoupled_weight_decay`` (False when absent).

    Returns
    -------
    p, g : ndarray
        New arrays where something changed, the inputs themselves otherwise.
    """
    if not config.maximize and config.weight_decay == 0.0:
        return p, g
    if config.maximize:
        g = -g
    if config.weight_decay != 0.0:
        if getattr(config, "decoupled_weight_decay", False):
            p = p * (1.0 - config.lr * config.weight_decay)
        else:
            g = g + config.weight_decay * p
    return p, g


class Optimizer(ABC, Generic[S]):
    r"""Base class: a pure ``step`` built on two rules for one parameter array.

    The rules are :meth:`init_leaf` (the zero state of one array) and :meth:`step_leaf` (one
    step of one array). This class checks ``params``, ``grad`` and ``state`` once, at the entry
    of ``step``, applies the rules array by array when the parameters are a dict, and packs the
    new state. Subclasses set ``state_type`` (a frozen dataclass with a field ``t`` and one field per
    buffer), store their hyperparameters in a frozen dataclass ``self.config``, and implement
    :meth:`init_leaf` and :meth:`step_leaf`. ``step`` never mutates its arguments.
    """

    #: The dataclass holding this optimizer's state.
    state_type: ClassVar[type]
    #: The hyperparameters, a frozen dataclass made (and checked) by the constructor.
    config: Any

    def __repr__(self) -> str:
        args = ", ".join(
            f"{f.name}={_format(getattr(self.config, f.name))}" for f in fields(self.config)
        )
        return f"{type(self).__name__}({args})"

    # -- the per-array rule -------------------------------------------------------------------
    @abstractmethod
    def init_leaf(self, p: np.ndarray) -> Buffers:
        """The buffers of one parameter array before the first step (``t = 0``)."""

    @abstractmethod
    def step_leaf(self, p: np.ndarray, g: np.ndarray, buffers: Buffers, t: int) -> LeafStep:
        r"""Step :math:`t` for one array: :math:`\phi_t`, the new buffers, and ``info``.

        Called with checked arguments only; ``info`` may hold any of ``INFO_KEYS``, where
        ``delta`` is :math:`\Delta\phi_t = \phi_t - \phi_{t-1}`.
        """

    # -- the public interface ---------------------------------------------------------------
    def init(self, params: Params) -> S:
        """The state for ``params`` (an ndarray or a dict of them): ``t = 0`` and zero buffers."""
        check_params(params)
        if is_dict(params):
            leaves = {k: self.init_leaf(p) for k, p in params.items()}
            buffers = {name: {k: b[name] for k, b in leaves.items()} for name in self._in_use}
        else:
            buffers = self.init_leaf(params)
        return self.state_type(t=0, **buffers)

    def step(self, params: Params, grad: Params, state: S) -> tuple[Params, S]:
        r"""One step: return the new :math:`\phi_t` and state; the inputs are left unchanged."""
        new_params, new_state, _ = self.step_with_info(params, grad, state)
        return new_params, new_state

    def step_with_info(
        self, params: Params, grad: Params, state: S
    ) -> tuple[Params, S, dict[str, Params]]:
        r"""Like :meth:`step`, and also return the step's intermediate quantities.

        Returns
        -------
        params : ndarray or dict
            :math:`\phi_t`.
        state : state dataclass
            The state after step :math:`t`.
        info : dict
            Some of ``m``, ``v``, ``m_hat``, ``v_hat``, ``delta`` (the update
            :math:`\Delta\phi_t = \phi_t - \phi_{t-1}`), each shaped like ``params``.
        """
        buffers = self._check(params, grad, state)
        t = state.t + 1  # type: ignore[attr-defined]
        if isinstance(params, np.ndarray):
            if params.ndim:
                new_params, new_buffers, info = self.step_leaf(params, grad, buffers, t)
            else:
                new_params, new_buffers, info = _step_scalar(self, params, grad, buffers, t)
            return new_params, _new_state(self.state_type, t, new_buffers), info
        new_params, info = {}, {}
        new_buffers: dict[str, dict[str, np.ndarray]] = {name: {} for name in buffers}
        for key, p in params.items():
            leaf_buffers = {name: buf[key] for name, buf in buffers.items()}
            step = self.step_leaf if p.ndim else partial(_step_scalar, self)
            new_params[key], leaf_new, leaf_info = step(p, grad[key], leaf_buffers, t)
            for name in buffers:
                new_buffers[name][key] = leaf_new[name]
            for name, value in leaf_info.items():
                info.setdefault(name, {})[key] = value
        return new_params, _new_state(self.state_type, t, new_buffers), info

    # -- checks at the entry of step ------------------------------------------------------------
    @cached_property
    def _in_use(self) -> tuple[str, ...]:
        """The state fields this configuration uses (the others stay None)."""
        return tuple(self.init_leaf(np.zeros(1)))

    def _check(self, params: Params, grad: Params, state: S) -> dict[str, Any]:
        """Check the arguments of ``step``; return the state's buffers in use, by name.

        The common case (one array, a state of this optimizer with matching buffers) is
        recognised in one pass of cheap tests; anything else goes through :meth:`_check_all`,
        which finds the problem and names it.
        """
        if (
            type(params) is np.ndarray
            and type(grad) is np.ndarray
            and type(state) is self.state_type
            and params.dtype in _FLOAT_DTYPE_SET
            and grad.dtype == params.dtype
            and grad.shape == params.shape
            and type(t := state.t) is int  # type: ignore[attr-defined]
            and t >= 0
        ):
            buffers = {name: getattr(state, name) for name in self._in_use}
            for buf in buffers.values():
                if not (
                    type(buf) is np.ndarray
                    and buf.shape == params.shape
                    and buf.dtype == params.dtype
                ):
                    break
            else:
                check_all_finite(grad, "grad")
                return buffers
        return self._check_all(params, grad, state)

    def _check_all(self, params: Params, grad: Params, state: S) -> dict[str, Any]:
        """Every check of ``step``'s arguments, each raising with a message that names it."""
        if (
            isinstance(params, np.ndarray)
            and isinstance(grad, np.ndarray)
            and params.dtype in _FLOAT_DTYPE_SET
            and grad.dtype == params.dtype
            and grad.shape == params.shape
        ):
            check_all_finite(grad, "grad")  # the common case, checked in one pass
        else:
            check_params(params)
            check_grad(grad, params)
        if not isinstance(state, self.state_type):
            raise TypeError(
                f"state must be a {self.state_type.__name__} from {type(self).__name__}.init, "
                f"got {type(state).__name__}"
            )
        t = state.t  # type: ignore[attr-defined]
        if (type(t) is not int and (isinstance(t, bool) or not isinstance(t, np.integer))) or t < 0:
            raise ValueError(f"state.t must be an integer >= 0, got {t!r}")
        buffers = {name: getattr(state, name) for name in self._in_use}
        for name, buf in buffers.items():
            if buf is None:
                raise ValueError(
                    f"state.{name} is None, but {self!r} needs it: "
                    "make the state with this optimizer's init"
                )
            if isinstance(params, np.ndarray):
                if not (
                    type(buf) is np.ndarray
                    and buf.shape == params.shape
                    and buf.dtype == params.dtype
                ):
                    _check_buffer(buf, params, name)
                continue
            if not is_dict(buf):
                raise TypeError(
                    f"state.{name} must be a dict like params, got {type(buf).__name__}"
                )
            if set(buf) != set(params):
                raise ValueError(
                    f"state.{name} keys {sorted(buf)!r} differ from params keys {sorted(params)!r}"
                )
            for key, p in params.items():  # type: ignore[union-attr]
                _check_buffer(buf[key], p, f"{name}[{key!r}]")
        return buffers


def _step_scalar(
    opt: Optimizer, p: np.ndarray, g: np.ndarray, buffers: Buffers, t: int
) -> LeafStep:
    """``opt.step_leaf`` on a 0-d array, stepped as a 1-element one.

    NumPy turns arithmetic on 0-d arrays into scalars, which are not arrays; reshaping to (1,)
    and back keeps every result an ndarray of the parameter's shape.
    """
    flat = {name: b.reshape(1) for name, b in buffers.items()}
    new_p, new_buffers, info = opt.step_leaf(p.reshape(1), g.reshape(1), flat, t)
    return (
        new_p.reshape(()),
        {name: b.reshape(()) for name, b in new_buffers.items()},
        {name: np.reshape(x, ()) for name, x in info.items()},
    )


def _new_state(state_type: type, t: int, buffers: dict[str, Any]) -> Any:
    """``state_type(t=t, **buffers)``, the unused fields None, without the dataclass ``__init__``.

    A frozen dataclass's ``__init__`` sets every field through ``object.__setattr__``, which
    costs as much as a third of a 10-parameter Adam step; filling the instance's ``__dict__``
    gives the same object (equal, frozen, same repr) at half the cost.
    """
    state = object.__new__(state_type)
    fields_ = state.__dict__
    fields_.update(_FIELDS.get(state_type) or _field_defaults(state_type))
    fields_.update(buffers)
    fields_["t"] = t
    return state


_FIELDS: dict[type, dict[str, Any]] = {}


def _field_defaults(state_type: type) -> dict[str, Any]:
    """``{field: None}`` for every field of ``state_type``, computed once per class."""
    return _FIELDS.setdefault(state_type, {f.name: None for f in fields(state_type)})


def _check_buffer(leaf: object, p: np.ndarray, name: str) -> None:
    if not isinstance(leaf, np.ndarray):
        raise TypeError(f"state.{name} must be an ndarray like params, got {type(leaf).__name__}")
    if leaf.shape != p.shape or leaf.dtype != p.dtype:
        raise ValueError(
            f"state.{name} has shape {leaf.shape} and dtype {leaf.dtype}, "
            f"expected {p.shape} and {p.dtype} like params"
        )


def _format(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if callable(value):
        return getattr(value, "__name__", repr(value))
    return repr(value)
