"""adamlib.ml.models and adamlib.ml.training: backprop against finite differences, and the loop."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from _support import assert_tree_identical, snapshot

import adamlib
from adamlib.ml.models import (
    MLP,
    Model,
    SoftmaxRegression,
    cross_entropy_and_grad,
    log_softmax,
    softmax,
)
from adamlib.ml.training import TrainResult, train
from adamlib.optimizers import SGD, Momentum
from adamlib.radam import RAdam

MODELS = {
    "softmax": lambda: SoftmaxRegression(5, 4),
    "mlp-tanh": lambda: MLP(5, 7, 4, activation="tanh"),
    "mlp-relu": lambda: MLP(5, 7, 4, activation="relu"),
}
MODEL_CASES = [pytest.param(f, id=k) for k, f in MODELS.items()]


def random_instance(model: Model, seed: int, n: int = 9) -> tuple[dict, np.ndarray, np.ndarray]:
    """Random params (not the zero start), features and labels."""
    rng = np.random.default_rng(seed)
    params = {k: rng.standard_normal(s) for k, s in model.shapes().items()}
    X = rng.standard_normal((n, model.n_features))
    y = rng.integers(0, model.n_classes, n)
    return params, X, y


def finite_difference(model: Model, params: dict, X: np.ndarray, y: np.ndarray, l2: float) -> dict:
    """Central differences (h = 1e-6) of ``model.loss``, entry by entry."""
    h = 1e-6
    grads = {}
    for key, value in params.items():
        g = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[key][idx] += h
            minus[key][idx] -= h
            g[idx] = (model.loss(plus, X, y, l2) - model.loss(minus, X, y, l2)) / (2 * h)
        grads[key] = g
    return grads


@pytest.mark.parametrize("make", MODEL_CASES)
@pytest.mark.parametrize("l2", [0.0, 0.3])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradient_matches_central_differences(make: Any, l2: float, seed: int) -> None:
    model = make()
    params, X, y = random_instance(model, seed)
    loss, grads = model.loss_and_grad(params, X, y, l2)
    assert loss == model.loss(params, X, y, l2)
    numeric = finite_difference(model, params, X, y, l2)
    for key in params:
        a, b = grads[key], numeric[key]
        rel = np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)
        assert rel < 1e-6, (key, rel)
        assert a.shape == params[key].shape and a.dtype == np.float64


def test_log_softmax_is_stable_for_huge_logits() -> None:
    z = np.array([[1e4, 0.0, -1e4], [1000.0, 1000.0, 1000.0], [-800.0, -801.0, -799.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        logp = log_softmax(z)
        p = softmax(z)
    assert np.all(np.isfinite(logp))
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_allclose(logp[1], -np.log(3.0), rtol=1e-15)
    np.testing.assert_allclose(logp[2], log_softmax(z[2:] + 799.0)[0], rtol=1e-14)
    loss, dz = cross_entropy_and_grad(z, np.array([2, 0, 1]))
    assert np.isfinite(loss) and loss == pytest.approx((2e4 + np.log(3.0) - logp[2, 1]) / 3)
    np.testing.assert_allclose(dz.sum(axis=1), 0.0, atol=1e-15)


@pytest.mark.parametrize("make", MODEL_CASES)
def test_l2_term_penalises_weights_not_biases(make: Any) -> None:
    model = make()
    params, X, y = random_instance(model, 4)
    l2 = 0.25
    weights = sum(float(np.sum(params[k] ** 2)) for k in model.weight_names())
    assert model.loss(params, X, y, l2) - model.loss(params, X, y) == pytest.approx(
        0.5 * l2 * weights, rel=1e-12
    )
    _, g0 = model.loss_and_grad(params, X, y)
    _, g1 = model.loss_and_grad(params, X, y, l2)
    for key in params:
        extra = l2 * params[key] if key in model.weight_names() else 0.0
        np.testing.assert_allclose(g1[key], g0[key] + extra, rtol=1e-13, atol=1e-15)
    assert all(not k.startswith("b") for k in model.weight_names())


def test_zero_softmax_regression_has_loss_log_k() -> None:
    model = SoftmaxRegression(3, 5)
    params = model.init_params()
    X = np.random.default_rng(0).standard_normal((4, 3))
    assert model.loss(params, X, np.array([0, 1, 2, 4])) == pytest.approx(np.log(5.0), rel=1e-15)


@pytest.mark.parametrize("make", MODEL_CASES)
def test_predictions(make: Any) -> None:
    model = make()
    params, X, y = random_instance(model, 5, n=20)
    proba = model.predict_proba(params, X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-14)
    pred = model.predict(params, X)
    assert pred.dtype == np.int64 and np.array_equal(pred, proba.argmax(axis=1))
    assert model.accuracy(params, X, pred) == 1.0
    assert model.accuracy(params, X, y) == pytest.approx(np.mean(pred == y))


def test_init_params_seeded_and_scaled() -> None:
    mlp = MLP(64, 32, 10)
    a, b, c = mlp.init_params(1), mlp.init_params(1), mlp.init_params(2)
    assert_tree_identical(a, b)
    assert not np.array_equal(a["W1"], c["W1"])
    assert a["W1"].std() == pytest.approx(1 / 8, rel=0.05)  # N(0, 1/d), d = 64
    assert MLP(64, 32, 10, "relu").init_params()["W1"].std() == pytest.approx(
        np.sqrt(2) / 8, rel=0.05
    )
    assert not np.any(a["b1"]) and not np.any(a["b2"])
    assert mlp.n_params() == 64 * 32 + 32 + 32 * 10 + 10
    sm = SoftmaxRegression(4, 3)
    assert not np.any(sm.init_params()["W"])
    assert sm.init_params(0, scale=0.1)["W"].std() > 0


@pytest.mark.parametrize("make", MODEL_CASES)
@pytest.mark.parametrize("opt", [adamlib.Adam(lr=0.05), RAdam(lr=0.05)], ids=["adam", "radam"])
def test_loss_decreases_under_a_few_optimizer_steps(make: Any, opt: Any) -> None:
    model = make()
    _, X, y = random_instance(model, 6, n=40)
    params = model.init_params(0)
    state = opt.init(params)
    losses = []
    for _ in range(10):
        loss, grads = model.loss_and_grad(params, X, y, 0.01)
        losses.append(loss)
        params, state = opt.step(params, grads, state)
    assert model.loss(params, X, y, 0.01) < losses[0]
    assert losses[-1] < losses[0]


def test_float32_params_give_float32_grads() -> None:
    model = MLP(5, 7, 4)
    params, X, y = random_instance(model, 7)
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    _, grads = model.loss_and_grad(p32, X.astype(np.float32), y)
    assert {g.dtype for g in grads.values()} == {np.dtype(np.float32)}
    _, g64 = model.loss_and_grad(params, X, y)
    for key in grads:
        np.testing.assert_allclose(grads[key], g64[key], rtol=1e-4, atol=1e-6)
    # mixed: float64 features with float32 params still gives grads like the params
    _, mixed = model.loss_and_grad(p32, X, y)
    assert {g.dtype for g in mixed.values()} == {np.dtype(np.float32)}


# -- bad input -------------------------------------------------------------------------------
def _spoil(key: str, value: Any) -> Any:
    def apply(params: dict, X: np.ndarray, y: np.ndarray) -> tuple:
        args = {"params": dict(params), "X": X, "y": y, "l2": 0.0}
        if key.startswith("params."):
            args["params"][key[7:]] = value
        elif key == "params-missing":
            del args["params"]["b"]
        else:
            args[key] = value
        return args["params"], args["X"], args["y"], args["l2"]

    return apply


BAD_MODEL_INPUT = [
    ("params.W", np.zeros((4, 3)), ValueError, "params['W']", "(4, 3)"),
    ("params.W", np.zeros((5, 4), dtype=np.int64), TypeError, "params['W']", "int64"),
    ("params.W", [[0.0] * 4] * 5, TypeError, "params['W']", "list"),
    ("params.b", np.array([0.0, np.nan, 0.0, 0.0]), ValueError, "params['b']", "finite"),
    ("params.c", np.zeros(4), ValueError, "params", "'c'"),
    ("params-missing", None, ValueError, "params", "['W']"),
    ("params", [np.zeros((5, 4))], TypeError, "params", "list"),
    ("X", np.zeros((6, 3)), ValueError, "X", "(6, 3)"),
    ("X", np.zeros(5), ValueError, "X", "(5,)"),
    ("X", np.zeros((6, 5), dtype=np.int64), TypeError, "X", "int64"),
    ("X", np.full((6, 5), np.inf), ValueError, "X", "finite"),
    ("y", np.array([0, 1, 2, 3, 4, 0]), ValueError, "y", "4"),
    ("y", np.array([0, 1, 2, 3, -1, 0]), ValueError, "y", "-1"),
    ("y", np.zeros(6), TypeError, "y", "float64"),
    ("y", np.zeros(5, dtype=np.int64), ValueError, "y", "5"),
    ("y", [0, 1, 2, 3, 0, 1], TypeError, "y", "list"),
    ("l2", -0.1, ValueError, "l2", "-0.1"),
    ("l2", "0.1", TypeError, "l2", "'0.1'"),
]


@pytest.mark.parametrize(
    ("key", "value", "exc", "name", "token"),
    BAD_MODEL_INPUT,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(BAD_MODEL_INPUT)],
)
def test_loss_and_grad_rejects_bad_input_and_changes_nothing(
    key: str, value: Any, exc: type[Exception], name: str, token: str
) -> None:
    model = SoftmaxRegression(5, 4)
    params, X, y = random_instance(model, 8, n=6)
    params_bad, X_bad, y_bad, l2 = _spoil(key, value)(params, X, y)
    before = snapshot((params, X, y))
    with pytest.raises(exc) as info:
        model.loss_and_grad(params_bad, X_bad, y_bad, l2)
    message = str(info.value)
    assert message.startswith(name) and token in message, message
    assert_tree_identical(params, before[0])
    assert_tree_identical(X, before[1])
    assert_tree_identical(y, before[2])


@pytest.mark.parametrize(
    ("call", "name", "exc"),
    [
        (lambda: SoftmaxRegression(0, 3), "n_features", ValueError),
        (lambda: SoftmaxRegression(3, 1), "n_classes", ValueError),
        (lambda: SoftmaxRegression(3, 2.0), "n_classes", TypeError),
        (lambda: MLP(3, 0, 2), "n_hidden", ValueError),
        (lambda: MLP(3, 4, 2, activation="sigmoid"), "activation", ValueError),
        (lambda: MLP(3, 4, 2).init_params(-1), "seed", ValueError),
        (lambda: SoftmaxRegression(3, 2).init_params(0, scale=-1.0), "scale", ValueError),
    ],
)
def test_model_constructors_name_the_bad_argument(call: Any, name: str, exc: type) -> None:
    with pytest.raises(exc, match=rf"^{re.escape(name)} "):
        call()


def test_loss_and_grad_does_not_mutate_its_inputs() -> None:
    model = MLP(5, 7, 4, "relu")
    params, X, y = random_instance(model, 9)
    before = snapshot((params, X, y))
    model.loss_and_grad(params, X, y, 0.5)
    assert_tree_identical((params, X, y), before)  # type: ignore[arg-type]


# -- training loop ---------------------------------------------------------------------------
def small_problem() -> tuple[SoftmaxRegression, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    X = rng.standard_normal((50, 5))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(np.int64) + (X[:, 2] > 1).astype(np.int64)
    return SoftmaxRegression(5, 3), X, y


def test_train_full_batch_records_losses_and_continues_exactly() -> None:
    model, X, y = small_problem()
    params0 = model.init_params()
    before = snapshot(params0)
    opt = adamlib.Adam(lr=0.05)
    r = train(opt, model, params0, X, y, epochs=20, l2=0.01)
    assert isinstance(r, TrainResult)
    assert r.losses.shape == (21,) and r.batch_losses.shape == (20,) and r.steps == 20
    assert r.losses[0] == pytest.approx(np.log(3.0)) and r.losses[-1] < 0.6 * r.losses[0]
    np.testing.assert_array_equal(r.batch_losses, r.losses[:-1])  # full batch: the same loss
    assert r.state.t == 20 and r.val_losses is None and r.val_accuracy is None
    assert_tree_identical(params0, before)  # the caller's params are untouched
    # two calls of 10 epochs with the state carried over = one call of 20
    a = train(opt, model, params0, X, y, epochs=10, l2=0.01)
    b = train(opt, model, a.params, X, y, epochs=10, l2=0.01, state=a.state)
    assert_tree_identical(b.params, r.params)
    np.testing.assert_array_equal(np.r_[a.losses, b.losses[1:]], r.losses)


def test_train_matches_a_hand_written_loop() -> None:
    model, X, y = small_problem()
    opt = RAdam(lr=0.05)
    r = train(opt, model, model.init_params(), X, y, epochs=3, batch_size=16, seed=4, l2=0.1)
    rng = np.random.default_rng(4)
    params, state = model.init_params(), opt.init(model.init_params())
    for _ in range(3):
        order = rng.permutation(50)
        for start in range(0, 50, 16):
            idx = order[start : start + 16]
            _, grads = model.loss_and_grad(params, X[idx], y[idx], 0.1)
            params, state = opt.step(params, grads, state)
    assert_tree_identical(r.params, params)
    assert r.steps == 3 * 4 and r.state.t == 12


@pytest.mark.parametrize(
    "opt",
    [adamlib.Adam(lr=0.02), RAdam(lr=0.02), SGD(lr=0.1), Momentum(lr=0.05)],
    ids=["adam", "radam", "sgd", "momentum"],
)
def test_train_is_generic_and_seeded(opt: Any) -> None:
    model = MLP(5, 8, 3)
    _, X, y = small_problem()
    kwargs = {"epochs": 15, "batch_size": 10, "l2": 1e-3, "validation": (X[:20], y[:20])}
    a = train(opt, model, model.init_params(1), X, y, seed=7, **kwargs)
    b = train(opt, model, model.init_params(1), X, y, seed=np.random.default_rng(7), **kwargs)
    assert_tree_identical(a.params, b.params)
    assert a.losses[-1] < a.losses[0]
    assert a.val_losses is not None and a.val_losses.shape == (16,)
    assert a.val_accuracy is not None and np.all((a.val_accuracy >= 0) & (a.val_accuracy <= 1))
    c = train(opt, model, model.init_params(1), X, y, seed=8, **kwargs)
    assert not np.array_equal(a.params["W1"], c.params["W1"])


@pytest.mark.parametrize(
    ("change", "exc", "pattern"),
    [
        ({"opt": "adam"}, TypeError, "^opt must be an adamlib optimizer, got str"),
        ({"model": None}, TypeError, "^model must be"),
        ({"epochs": 0}, ValueError, "^epochs "),
        ({"epochs": 2.0}, TypeError, "^epochs "),
        ({"batch_size": 0}, ValueError, "^batch_size "),
        ({"l2": -1.0}, ValueError, "^l2 "),
        ({"seed": -3}, ValueError, "^seed "),
        ({"state": "s"}, TypeError, "^state must be a AdamState"),
        (
            {"validation": (np.zeros((3, 4)), np.zeros(3, dtype=int))},
            ValueError,
            r"^validation\[0\]",
        ),
        ({"validation": np.zeros(3)}, TypeError, "^validation must be"),
        ({"y": np.zeros(50)}, TypeError, "^y "),
    ],
)
def test_train_rejects_bad_input(change: dict[str, Any], exc: type, pattern: str) -> None:
    model, X, y = small_problem()
    params = model.init_params()
    args: dict[str, Any] = {
        "opt": adamlib.Adam(),
        "model": model,
        "params": params,
        "X": X,
        "y": y,
        "epochs": 2,
        **change,
    }
    before = snapshot(params)
    with pytest.raises(exc, match=pattern):
        train(**args)
    assert_tree_identical(params, before)
