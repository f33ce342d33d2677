"""adamlib.schedules (chapter 7): warmup and α/√t, and the Scheduled wrapper.

The wrapper's promise: scaling each step by s(t) is running with learning rate α·s(t).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import adamlib
from adamlib.ml.data import load_digits_split
from adamlib.ml.models import SoftmaxRegression
from adamlib.ml.training import train
from adamlib.optimizers import SGD, Momentum
from adamlib.radam import RAdam
from adamlib.schedules import (
    Scheduled,
    cosine_decay,
    inverse_sqrt,
    linear_warmup,
    schedule_values,
)


def test_linear_warmup_values() -> None:
    s = linear_warmup(4)
    np.testing.assert_allclose(schedule_values(s, 6), [0.25, 0.5, 0.75, 1.0, 1.0, 1.0])
    np.testing.assert_array_equal(schedule_values(linear_warmup(1), 3), [1.0, 1.0, 1.0])


def test_inverse_sqrt_values() -> None:
    np.testing.assert_allclose(
        schedule_values(inverse_sqrt(), 4), [1, 1 / math.sqrt(2), 1 / math.sqrt(3), 0.5]
    )


def test_cosine_decay_values() -> None:
    values = schedule_values(cosine_decay(4), 6)
    np.testing.assert_allclose(
        values,
        [(1 + math.cos(math.pi / 4)) / 2, 0.5, (1 - math.cos(math.pi / 4)) / 2, 0, 0, 0],
        atol=1e-15,
    )
    with_floor = schedule_values(cosine_decay(4, final=0.2), 6)
    np.testing.assert_allclose(with_floor, 0.2 + 0.8 * values, atol=1e-15)
    assert np.all(np.diff(values) <= 0)
    with pytest.raises(ValueError, match="final"):
        cosine_decay(4, final=1.5)
    with pytest.raises(ValueError, match="total_steps"):
        cosine_decay(0)


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_schedules_reject_bad_step_counts(bad: object) -> None:
    with pytest.raises((TypeError, ValueError), match="warmup_steps"):
        linear_warmup(bad)  # type: ignore[arg-type]
    with pytest.raises((TypeError, ValueError), match="t must"):
        linear_warmup(3)(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "make",
    [
        lambda lr: adamlib.Adam(lr=lr),
        lambda lr: adamlib.Adam(lr=lr, amsgrad=True, beta1=0.0),
        lambda lr: adamlib.Adam(lr=lr, weight_decay=0.3, decoupled_weight_decay=True),
        lambda lr: adamlib.Adam(lr=lr, weight_decay=0.3),
        lambda lr: RAdam(lr=lr),
        lambda lr: SGD(lr=lr),
        lambda lr: Momentum(lr=lr, momentum=0.9),
    ],
)
def test_scheduled_step_equals_the_step_with_lr_times_factor(make) -> None:
    rng = np.random.default_rng(0)
    grads = rng.standard_normal((12, 3))
    alpha, schedule = 0.05, linear_warmup(5)
    wrapped = Scheduled(make(alpha), schedule)
    phi_w = phi_d = np.array([0.5, -1.0, 2.0])
    state_w, state_d = wrapped.init(phi_w), make(alpha).init(phi_d)
    for t, g in enumerate(grads, start=1):
        phi_w, state_w = wrapped.step(phi_w, g, state_w)
        phi_d, state_d = make(alpha * schedule(t)).step(phi_d, g, state_d)
        np.testing.assert_allclose(phi_w, phi_d, rtol=1e-13, atol=1e-15)
    assert type(state_w) is type(state_d) and state_w.t == 12


def test_scheduled_reports_the_scaled_delta_and_works_with_trace_run() -> None:
    opt = Scheduled(adamlib.Adam(lr=0.1), linear_warmup(10))
    trace = adamlib.run_sequence(opt, np.ones(20))
    np.testing.assert_allclose(np.abs(trace.delta[:10, 0]) / 0.1, np.arange(1, 11) / 10, rtol=1e-6)
    np.testing.assert_allclose(trace.delta, np.diff(trace.phi, axis=0), atol=1e-15)


def test_scheduled_trains_a_model_with_train() -> None:
    data = load_digits_split()
    model = SoftmaxRegression(64, 10)
    opt = Scheduled(adamlib.Adam(lr=0.05), linear_warmup(20))
    result = train(
        opt, model, model.init_params(), data.X_train, data.y_train, epochs=3, batch_size=128
    )
    assert result.losses[-1] < result.losses[0]
    assert result.state.t == 3 * 12


def test_scheduled_rejects_bad_arguments() -> None:
    with pytest.raises(TypeError, match="opt"):
        Scheduled("adam", linear_warmup(3))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="schedule"):
        Scheduled(adamlib.Adam(), 0.5)  # type: ignore[arg-type]
    opt = Scheduled(adamlib.Adam(), lambda t: -1.0)
    with pytest.raises(ValueError, match="schedule"):
        opt.step(np.zeros(1), np.ones(1), opt.init(np.zeros(1)))


def test_scheduled_repr_names_the_schedule() -> None:
    assert "linear_warmup(7)" in repr(Scheduled(adamlib.Adam(), linear_warmup(7)))
