"""adamlib.experiments.memory (chapter 6): state sizes counted from the arrays the optimizers
create."""

from __future__ import annotations

import numpy as np
import pytest

import adamlib
from adamlib.experiments.memory import (
    GB,
    TrainingMemory,
    full_matrix_bytes,
    state_arrays,
    state_bytes_per_param,
    state_nbytes,
    training_memory,
)
from adamlib.optimizers import SGD, AdaGrad, AdaMax, Momentum, RMSProp, amsgrad
from adamlib.radam import RAdam

# Buffers per parameter, by construction of each optimizer (its state dataclass).
EXPECTED_BUFFERS = [
    (SGD(), 0),
    (Momentum(), 1),
    (AdaGrad(), 1),
    (RMSProp(), 1),
    (RMSProp(centered=True, momentum=0.9), 3),
    (adamlib.Adam(), 2),
    (AdaMax(), 2),
    (amsgrad(), 3),
    (adamlib.Adam(amsgrad=True), 3),
]


@pytest.mark.parametrize(("opt", "buffers"), EXPECTED_BUFFERS, ids=repr)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bytes_per_param_is_buffers_times_itemsize(opt, buffers: int, dtype) -> None:
    itemsize = np.dtype(dtype).itemsize
    assert state_bytes_per_param(opt, 100, dtype) == buffers * itemsize


def test_radam_keeps_two_moments() -> None:
    assert state_bytes_per_param(RAdam(), 64) == 8


def test_state_arrays_are_the_state_buffers_themselves() -> None:
    opt = adamlib.Adam()
    state = opt.init(np.zeros(5, dtype=np.float32))
    arrays = state_arrays(state)
    assert len(arrays) == 2
    assert arrays[0] is state.m and arrays[1] is state.v
    assert state_nbytes(state) == 2 * 5 * 4


def test_dict_params_give_dict_buffers_and_all_leaves_count() -> None:
    params = {"W": np.zeros((3, 4)), "b": np.zeros(4)}
    state = adamlib.Adam().init(params)
    assert len(state_arrays(state)) == 4
    assert state_nbytes(state) == 2 * (12 + 4) * 8


def test_state_after_steps_has_the_same_size() -> None:
    opt = adamlib.Adam(amsgrad=True)
    phi = np.ones(7)
    state = opt.init(phi)
    before = state_nbytes(state)
    for _ in range(3):
        phi, state = opt.step(phi, np.full(7, 0.5), state)
    assert state_nbytes(state) == before == 3 * 7 * 8


@pytest.mark.parametrize("bad", [np.zeros(3), 1.0, adamlib.AdamState])
def test_state_arrays_rejects_what_is_not_a_state(bad) -> None:
    with pytest.raises(TypeError, match="state"):
        state_arrays(bad)


def test_state_bytes_per_param_rejects_bad_arguments_by_name() -> None:
    with pytest.raises(TypeError, match="opt"):
        state_bytes_per_param("adam")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n_params"):
        state_bytes_per_param(adamlib.Adam(), 0)
    with pytest.raises(TypeError, match="dtype"):
        state_bytes_per_param(adamlib.Adam(), 10, np.int32)


def test_seven_billion_parameters_in_fp32() -> None:
    mem = training_memory(7_000_000_000, 8.0)
    assert isinstance(mem, TrainingMemory)
    assert mem.gigabytes() == {"params": 28.0, "grads": 28.0, "state": 56.0, "total": 112.0}
    assert mem.bytes_per_param == 16.0


def test_mixed_precision_also_costs_sixteen_bytes() -> None:
    mem = training_memory(1000, 12.0, param_bytes=2.0, grad_bytes=2.0)
    assert mem.total == 16_000 and mem.bytes_per_param == 16.0


def test_training_memory_rejects_bad_arguments_by_name() -> None:
    with pytest.raises(ValueError, match="n_params"):
        training_memory(0, 8.0)
    with pytest.raises(ValueError, match="state_bytes"):
        training_memory(10, -1.0)
    with pytest.raises(ValueError, match="param_bytes"):
        training_memory(10, 8.0, param_bytes=float("nan"))


def test_full_matrix_is_quadratic() -> None:
    assert full_matrix_bytes(10) == 400.0
    assert full_matrix_bytes(7_000_000_000) / GB == pytest.approx(1.96e11)
    with pytest.raises(ValueError, match="bytes_per_value"):
        full_matrix_bytes(10, -4.0)


def test_inplace_state_counts_m_and_v_but_not_the_work_space() -> None:
    """1000 float32 parameters: m and v are 8000 bytes; the two scratch blocks are not state."""
    state = adamlib.Adam().init_inplace(np.zeros(1000, dtype=np.float32), block=256)
    assert sum(a.nbytes for a in state.scratch) == 2048
    assert state_nbytes(state) == 8000
