r"""How much memory an optimizer's state takes (chapter 6, "little memory").

The numbers come from the arrays the optimizers really create: :func:`state_nbytes` walks a
state (the dataclass returned by ``opt.init``) and adds up the ``nbytes`` of every array in it,
so a buffer added to an optimizer shows up here without anyone updating a table.

- :func:`state_arrays`, :func:`state_nbytes`: the arrays of a state and their total size.
- :func:`state_bytes_per_param`: bytes of state per parameter, measured on a small probe.
- :func:`training_memory`: parameters + gradients + state for a model of ``n_params``
  parameters (e.g. :math:`7\times10^9`), in bytes and GB.
- :func:`full_matrix_bytes`: the size of a full :math:`n \times n` matrix, for comparison with
  methods that keep curvature between every pair of parameters.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from adamlib._base import Optimizer
from adamlib._checks import FLOAT_DTYPES, check_count, check_nonnegative

#: Bytes in a gigabyte (decimal, as memory sizes of accelerators are quoted: 80 GB = 80e9 B).
GB = 1e9


def state_arrays(state: Any) -> list[np.ndarray]:
    """Every ndarray held by an optimizer state, in field order.

    Parameters
    ----------
    state : dataclass instance
        What ``opt.init(params)`` returns (``AdamState``, ``MomentumState``, ...), or
        :class:`adamlib.adam.InplaceAdamState`. Fields that are ``None`` (unused buffers) and
        non-array fields (the step count ``t``, a block size) hold no arrays, and work space
        (a field marked ``metadata={"state": False}``) is not state. Dicts, tuples and
        lists inside a field are searched too (dict-valued parameters give dict-valued buffers).

    Returns
    -------
    list of ndarray
        The arrays themselves, not copies.
    """
    if not dataclasses.is_dataclass(state) or isinstance(state, type):
        raise TypeError(
            f"state must be an optimizer state (a dataclass), got {type(state).__name__}"
        )
    found: list[np.ndarray] = []
    for f in dataclasses.fields(state):
        if f.metadata.get("state", True):  # work space (InplaceAdamState.scratch) is not state
            _collect(getattr(state, f.name), found)
    return found


def _collect(value: Any, found: list[np.ndarray]) -> None:
    if isinstance(value, np.ndarray):
        found.append(value)
    elif isinstance(value, Mapping):
        for key in value:
            _collect(value[key], found)
    elif isinstance(value, (tuple, list)):
        for item in value:
            _collect(item, found)


def state_nbytes(state: Any) -> int:
    """Total bytes of the arrays in an optimizer state (see :func:`state_arrays`)."""
    return int(sum(a.nbytes for a in state_arrays(state)))


def state_bytes_per_param(
    opt: Optimizer, n_params: int = 1024, dtype: type | np.dtype = np.float32
) -> float:
    r"""Bytes of optimizer state per parameter, measured on a probe of ``n_params`` zeros.

    ``opt.init`` is called on ``np.zeros(n_params, dtype)`` and :func:`state_nbytes` of the
    result is divided by ``n_params``. Every buffer of adamlib's optimizers has the shape and
    dtype of the parameters, so the answer is (number of buffers) × (bytes per number):
    0 for SGD, 4 for momentum in float32, 8 for Adam, 12 for AMSGrad.

    Parameters
    ----------
    opt : Optimizer
        Any adamlib optimizer (its hyperparameters decide which buffers exist, e.g.
        ``amsgrad=True`` adds :math:`v^{\max}_t`).
    n_params : int, default 1024
        Size of the probe, :math:`\ge 1`.
    dtype : numpy dtype, default float32
        float32 or float64.

    Returns
    -------
    float
    """
    if not isinstance(opt, Optimizer):
        raise TypeError(f"opt must be an adamlib optimizer, got {type(opt).__name__}")
    n_params = check_count(n_params, "n_params")
    dt = np.dtype(dtype)
    if dt not in FLOAT_DTYPES:
        raise TypeError(f"dtype must be float32 or float64, got {dt}")
    return state_nbytes(opt.init(np.zeros(n_params, dtype=dt))) / n_params


@dataclass(frozen=True)
class TrainingMemory:
    """Bytes needed to hold a model's parameters, gradients and optimizer state.

    Attributes
    ----------
    n_params : int
        Number of parameters.
    params : float
        Bytes of the parameters.
    grads : float
        Bytes of the gradients.
    state : float
        Bytes of the optimizer state.
    """

    n_params: int
    params: float
    grads: float
    state: float

    @property
    def total(self) -> float:
        """Parameters + gradients + state, in bytes."""
        return self.params + self.grads + self.state

    @property
    def bytes_per_param(self) -> float:
        """:attr:`total` divided by the number of parameters."""
        return self.total / self.n_params

    def gigabytes(self) -> dict[str, float]:
        """The four sizes in GB (:data:`GB` = 1e9 bytes), keyed params/grads/state/total."""
        return {
            "params": self.params / GB,
            "grads": self.grads / GB,
            "state": self.state / GB,
            "total": self.total / GB,
        }


def training_memory(
    n_params: int,
    state_bytes: float,
    *,
    param_bytes: float = 4.0,
    grad_bytes: float = 4.0,
) -> TrainingMemory:
    r"""Memory for parameters, gradients and optimizer state of a model with ``n_params``.

    Activations, the data and the framework's work space are not counted: this is the floor
    that training with a given optimizer cannot go below without sharding or compression.

    Parameters
    ----------
    n_params : int
        Number of parameters :math:`n \ge 1` (e.g. ``7_000_000_000``).
    state_bytes : float
        Bytes of optimizer state per parameter, e.g. from :func:`state_bytes_per_param`
        (8 for Adam in float32). In mixed-precision training this also holds the float32
        master copy of the parameters (4 more bytes).
    param_bytes, grad_bytes : float, default 4.0
        Bytes per parameter and per gradient entry (4 for float32, 2 for float16/bfloat16).

    Returns
    -------
    TrainingMemory
    """
    n_params = check_count(n_params, "n_params")
    state_bytes = check_nonnegative(state_bytes, "state_bytes")
    param_bytes = check_nonnegative(param_bytes, "param_bytes")
    grad_bytes = check_nonnegative(grad_bytes, "grad_bytes")
    return TrainingMemory(
        n_params=n_params,
        params=n_params * param_bytes,
        grads=n_params * grad_bytes,
        state=n_params * state_bytes,
    )


def full_matrix_bytes(n_params: int, bytes_per_value: float = 4.0) -> float:
    r"""Bytes of a dense :math:`n \times n` matrix (a full preconditioner or Hessian).

    Full-matrix AdaGrad and Newton's method keep one number per *pair* of parameters; Adam keeps
    two per parameter. For :math:`n = 7\times10^9` in float32 this is about
    :math:`2\times10^{20}` bytes.

    Parameters
    ----------
    n_params : int
        :math:`n \ge 1`.
    bytes_per_value : float, default 4.0
        Bytes per entry.
    """
    n_params = check_count(n_params, "n_params")
    bytes_per_value = check_nonnegative(bytes_per_value, "bytes_per_value")
    return float(n_params) ** 2 * bytes_per_value
