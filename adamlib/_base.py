"""The interface every optimizer in adamlib shares: ``init``, ``step`` and ``step_with_info``."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import fields
from typing import Any, Generic, TypeVar

import numpy as np

from adamlib._checks import check_grad, check_params
from adamlib._tree import Params, tree_leaves, tree_map

S = TypeVar("S")

#: Names a step may report in ``info``: the quantities the book plots and tabulates.
INFO_KEYS = ("m", "v", "m_hat", "v_hat", "delta")


class Optimizer(ABC, Generic[S]):
    r"""Base class: a pure ``step`` built on a per-array rule.

    Subclasses implement :meth:`_init_leaf` and :meth:`_step_leaf`; this class validates the input,
    walks dict-valued parameters key by key and assembles the new state. ``step`` never mutates
    its arguments.
    """

    #: The dataclass holding this optimizer's state.
    state_type: type

    def init(self, params: Params) -> S:
        """Create the state for ``params`` (ndarray or dict): ``t = 0`` and zero buffers."""
        check_params(params)
        buffers = tree_map(self._init_leaf, params)
        return self._pack(0, params, buffers)

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
        self._validate(params, grad, state)
        t = state.t + 1  # type: ignore[attr-defined]
        results = tree_map(
            lambda p, g, *bufs: self._step_leaf(p, g, tuple(bufs), t),
            params,
            grad,
            *self._buffers(state, params),
        )
        if isinstance(params, Mapping):
            new_params = {k: r[0] for k, r in results.items()}
            new_buffers = [
                {k: r[1][i] for k, r in results.items()} for i in range(len(self._buffer_names()))
            ]
            info = {
                key: {k: r[2][key] for k, r in results.items()} for key in self._info_keys(results)
            }
        else:
            new_params = results[0]
            new_buffers = list(results[1])
            info = dict(results[2])
        return new_params, self._pack_buffers(t, new_buffers), info

    # -- helpers for subclasses -------------------------------------------------------------
    def _buffer_names(self) -> list[str]:
        return [f.name for f in fields(self.state_type) if f.name != "t"]

    def _buffers(self, state: S, params: Params | None = None) -> list[Any]:
        bufs = [getattr(state, name) for name in self._buffer_names()]
        if params is None:
            return bufs
        # an unused buffer (None) is passed to each leaf as None
        return [tree_map(lambda _p: None, params) if b is None else b for b in bufs]

    def _pack(self, t: int, params: Params, buffers: Any) -> S:
        names = self._buffer_names()
        if isinstance(params, Mapping):
            per_name = [{k: buffers[k][i] for k in params} for i in range(len(names))]
        else:
            per_name = list(buffers)
        return self._pack_buffers(t, per_name)

    def _pack_buffers(self, t: int, per_name: list[Any]) -> S:
        names = self._buffer_names()
        per_name = [None if _all_none(b) else b for b in per_name]
        return self.state_type(t=t, **dict(zip(names, per_name, strict=True)))

    @staticmethod
    def _info_keys(results: Mapping[str, Any]) -> list[str]:
        first = next(iter(results.values()))
        return list(first[2])

    def _validate(self, params: Params, grad: Params, state: S) -> None:
        check_params(params)
        check_grad(grad, params)
        if not isinstance(state, self.state_type):
            raise TypeError(
                f"state must be a {self.state_type.__name__} from {type(self).__name__}.init, "
                f"got {type(state).__name__}"
            )
        t = state.t  # type: ignore[attr-defined]
        if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or t < 0:
            raise ValueError(f"state.t must be an integer >= 0, got {t!r}")
        first = tree_leaves(params)[0]
        expected = self._init_leaf(np.zeros(0, dtype=first.dtype))
        names = self._buffer_names()
        for name, buf, needed in zip(names, self._buffers(state), expected, strict=True):
            if needed is None:
                continue
            if buf is None:
                raise ValueError(
                    f"state.{name} is None, but {self!r} needs it: "
                    "make the state with this optimizer's init"
                )
            if isinstance(params, Mapping) != isinstance(buf, Mapping):
                raise TypeError(
                    f"state.{name} must be "
                    f"{'a dict' if isinstance(params, Mapping) else 'an ndarray'} like params, "
                    f"got {type(buf).__name__}"
                )
            if isinstance(params, Mapping) and set(buf) != set(params):
                raise ValueError(
                    f"state.{name} keys {sorted(buf)!r} differ from params keys {sorted(params)!r}"
                )
            for key, p in params.items() if isinstance(params, Mapping) else [(None, params)]:
                leaf = buf[key] if key is not None else buf
                where = f"state.{name}" + (f"[{key!r}]" if key is not None else "")
                if not isinstance(leaf, np.ndarray):
                    raise TypeError(f"{where} must be an ndarray, got {type(leaf).__name__}")
                if leaf.shape != p.shape or leaf.dtype != p.dtype:
                    raise ValueError(
                        f"{where} has shape {leaf.shape} and dtype {leaf.dtype}, "
                        f"expected {p.shape} and {p.dtype} like params"
                    )

    @abstractmethod
    def _init_leaf(self, p: np.ndarray) -> tuple[Any, ...]:
        """Initial buffers for one parameter array, in the order of ``state_type``'s fields."""

    @abstractmethod
    def _step_leaf(
        self, p: np.ndarray, g: np.ndarray, buffers: tuple[Any, ...], t: int
    ) -> tuple[np.ndarray, tuple[Any, ...], dict[str, np.ndarray]]:
        """One step for one array: new parameter, new buffers, info."""


def _all_none(buf: Any) -> bool:
    if isinstance(buf, Mapping):
        return all(v is None for v in buf.values())
    return buf is None
