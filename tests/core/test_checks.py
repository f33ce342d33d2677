"""The shared validators of adamlib._checks, and the modules that now use them."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pytest

from adamlib._checks import (
    check_all_nonnegative,
    check_count,
    check_float_array,
    check_index,
    check_integer_range,
    check_seed,
    check_unit_interval,
)
from adamlib.animation import animation_html
from adamlib.experiments.adaptive_variance import adaptive_lr_statistics, sma_psi_variance
from adamlib.experiments.nonstationary import response_steps, steps_to_within
from adamlib.experiments.online import linear_regret, reddi_gradients
from adamlib.ml.models import SoftmaxRegression
from adamlib.problems import LogisticRegression
from adamlib.schedules import cosine_decay, schedule_values


@pytest.mark.parametrize("n", [0, 3, np.int64(7)])
def test_check_index_accepts_integers_from_zero(n: Any) -> None:
    assert check_index(n, "start") == int(n)
    assert type(check_index(n, "start")) is int


@pytest.mark.parametrize(
    ("n", "exc"), [(-1, ValueError), (1.0, TypeError), (True, TypeError), ("2", TypeError)]
)
def test_check_index_rejects(n: Any, exc: type[Exception]) -> None:
    with pytest.raises(exc, match=rf"^start must be an integer >= 0, got {n!r}$"):
        check_index(n, "start")


def test_check_integer_range_messages() -> None:
    assert check_integer_range(20, "dpi", 20, 300) == 20
    assert check_integer_range(300, "dpi", 20, 300) == 300
    with pytest.raises(ValueError, match=r"^dpi must be an integer in \[20, 300\], got 301$"):
        check_integer_range(301, "dpi", 20, 300)
    with pytest.raises(TypeError, match=r"^dpi must be an integer in \[20, 300\], got 75\.0$"):
        check_integer_range(75.0, "dpi", 20, 300)
    with pytest.raises(ValueError, match=r"^period must be an integer >= 2, got 0$"):
        check_integer_range(0, "period", 2)


def test_count_and_seed_keep_their_messages() -> None:
    with pytest.raises(ValueError, match=r"^steps must be an integer >= 1, got 0$"):
        check_count(0, "steps")
    with pytest.raises(TypeError, match=r"^seed must be an integer >= 0, got 1\.5$"):
        check_seed(1.5)


@pytest.mark.parametrize("x", [0, 0.25, 1, np.float32(0.5)])
def test_check_unit_interval_accepts(x: Any) -> None:
    assert check_unit_interval(x, "final") == float(x)


@pytest.mark.parametrize(
    ("x", "exc"),
    [(-0.1, ValueError), (1.5, ValueError), (float("nan"), ValueError), (True, TypeError)],
)
def test_check_unit_interval_rejects(x: Any, exc: type[Exception]) -> None:
    with pytest.raises(exc, match=r"^final must be"):
        check_unit_interval(x, "final")


def test_check_float_array() -> None:
    a = np.ones(3, np.float16)
    assert check_float_array(a, "m") is a
    with pytest.raises(TypeError, match=r"^m must be a floating-point array, got dtype int64$"):
        check_float_array(np.ones(3, np.int64), "m")


def test_check_all_nonnegative() -> None:
    check_all_nonnegative(np.array([0.0, 1.0, np.nan]), "v")
    with pytest.raises(ValueError, match=r"^v must be >= 0, got .*-2\.0.* at index \(1, 0\)$"):
        check_all_nonnegative(np.array([[1.0], [-2.0]]), "v")
    with pytest.raises(ValueError, match=r"^v must be >= 0, got .*-1\.0.*$"):
        check_all_nonnegative(np.array(-1.0), "v")


def test_modules_raise_type_error_for_wrong_types() -> None:
    """Calls that raised ValueError for a wrong type before the checks moved to _checks."""
    x = np.linspace(0.0, 1.0, 6)
    with pytest.raises(TypeError, match=r"^start must be an integer >= 0, got 1\.0$"):
        steps_to_within(x, 1.0, 0.1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^start must be an integer >= 0, got -1$"):
        steps_to_within(x, -1, 0.1)
    with pytest.raises(TypeError, match=r"^seed must be an integer >= 0, got 0\.5$"):
        adaptive_lr_statistics(0.999, 3, 4, seed=0.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^batch_size must be an integer >= 1, got 2\.0$"):
        LogisticRegression(n_samples=10, n_features=2, batch_size=2.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^before must be a real number, got '0'$"):
        response_steps(x, 0, "0", 1.0, 0.5)  # type: ignore[arg-type]
    fig, _ax = plt.subplots()
    with pytest.raises(TypeError, match=r"^frames must be an integer >= 1, got 2\.0$"):
        animation_html(fig, lambda k: None, 2.0, name="x", alt="그림")  # type: ignore[arg-type]
    plt.close(fig)


def test_modules_name_the_value() -> None:
    with pytest.raises(ValueError, match=r"^std must be a finite number > 0, got 0\.0$"):
        sma_psi_variance(5.0, 0.0)
    with pytest.raises(ValueError, match=r"^n_sequences must be an integer >= 2, got 1$"):
        adaptive_lr_statistics(0.999, 3, 1)
    with pytest.raises(ValueError, match=r"^period must be an integer >= 2, got 1$"):
        reddi_gradients(3, period=1)
    with pytest.raises(ValueError, match=r"^n_classes must be an integer >= 2, got 0$"):
        SoftmaxRegression(3, 0)
    with pytest.raises(ValueError, match=r"^coeffs must be finite, got .*nan.* at index \(1, 0\)"):
        linear_regret(np.array([1.0, np.nan]), np.zeros(2))
    with pytest.raises(
        ValueError, match=r"^schedule\(1\) must be a finite number >= 0, got -1\.0$"
    ):
        schedule_values(lambda t: -1.0, 2)
    with pytest.raises(ValueError, match=r"^final must be in \[0, 1\], got 1\.5$"):
        cosine_decay(4, final=1.5)
