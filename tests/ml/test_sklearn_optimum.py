"""An outside check: adamlib's Adam finds the optimum that scikit-learn's own solver finds.

The problem is L2-regularised multinomial logistic regression on the digits
(:func:`adamlib.ml.data.load_digits_split`, 1438 standardized training images, 64 features,
10 classes), a strictly convex objective in the weights. adamlib's objective
(:class:`adamlib.ml.models.SoftmaxRegression`) is

    L(W, b) = (1/n) Σ_i CE(softmax(x_i W + b), y_i) + (λ/2) ‖W‖²    (b not penalised)

and scikit-learn 1.9's ``LogisticRegression`` (lbfgs, multinomial for K ≥ 3, full K×d coefficient
matrix, ``fit_intercept=True``) minimises

    C Σ_i CE(...) + ½ ‖W‖²                                          (intercept not penalised)

which it implements as ``mean CE + ‖W‖²/(2 C n)`` (``l2_reg_strength = 1/(C·sw_sum)`` in
``sklearn.linear_model._logistic``). Dividing the first form by ``C n`` gives the second, so the
two have the same minimiser when **λ = 1/(C n)**. The intercept is only determined up to a
common shift (softmax ignores adding a constant to every logit, and the intercept has no
penalty), so intercepts are compared after centring.

Measured with numpy 2.4.6 and scikit-learn 1.9.1 (λ = 1e-3, so C ≈ 0.695): full-batch Adam with
α = 0.03 for 2500 steps (about 1.6 s on one core) ends with a gradient of 4.9e-14 (max-norm)
and an objective *below* lbfgs's by a relative 8.2e-13; lbfgs (``tol=1e-12``) stopped with a
gradient of 3.5e-9. The weights agree to a relative 8.0e-7 and the centred intercepts to 5.1e-6,
both limited by lbfgs's stopping point. (After 2000 steps the gradient is 1.6e-10, after 1000
steps 4.5e-6 and the objective still 3.9e-7 above.) Minibatch Adam (256 rows, α decreasing in
six phases from 3e-2 to 1e-4, 800 epochs, about 2 s) ends a relative 2.1e-5 above: the
gradient noise leaves a floor that only a smaller α lowers. The tolerances below leave a
margin over those measurements.
"""

from __future__ import annotations

import functools
import time
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression

import adamlib
from adamlib.ml.data import DigitsSplit, load_digits_split
from adamlib.ml.models import SoftmaxRegression
from adamlib.ml.training import train

L2 = 1e-3
FULL_BATCH_LOSS_RTOL = 1e-10  # measured 8.2e-13 (Adam lower)
FULL_BATCH_WEIGHT_RTOL = 1e-5  # measured 8.0e-7, limited by lbfgs's stopping point
FULL_BATCH_INTERCEPT_RTOL = 1e-4  # measured 5.1e-6 (centred), same limit
FULL_BATCH_GRAD_MAX = 1e-11  # measured 4.9e-14
MINIBATCH_LOSS_RTOL = 1e-4  # measured 2.1e-5


@functools.cache
def digits() -> DigitsSplit:
    return load_digits_split(test_size=0.2, seed=0)


@functools.cache
def sklearn_optimum() -> tuple[dict[str, np.ndarray], float]:
    """scikit-learn's solution as adamlib parameters, and its objective value in adamlib's form."""
    d = digits()
    n = d.X_train.shape[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a ConvergenceWarning would mean no optimum to compare
        clf = LogisticRegression(
            C=1.0 / (L2 * n), solver="lbfgs", fit_intercept=True, max_iter=10_000, tol=1e-12
        ).fit(d.X_train, d.y_train)
    assert clf.coef_.shape == (10, 64)  # multinomial: one row per class
    params = {"W": clf.coef_.T.copy(), "b": clf.intercept_.copy()}
    model = SoftmaxRegression(64, 10)
    return params, model.loss(params, d.X_train, d.y_train, L2)


def relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def test_penalty_mapping_matches_sklearn_objective() -> None:
    """At sklearn's solution, adamlib's gradient with λ = 1/(C n) is (nearly) zero; with another
    λ it is not: the mapping, not luck, makes the two problems the same."""
    d = digits()
    params, _ = sklearn_optimum()
    model = SoftmaxRegression(64, 10)
    _, g = model.loss_and_grad(params, d.X_train, d.y_train, L2)
    assert max(float(np.abs(v).max()) for v in g.values()) < 1e-7
    _, g_wrong = model.loss_and_grad(params, d.X_train, d.y_train, 2 * L2)
    assert float(np.abs(g_wrong["W"]).max()) > 1e-4


def test_full_batch_adam_reaches_sklearn_optimum() -> None:
    d = digits()
    p_sk, loss_sk = sklearn_optimum()
    model = SoftmaxRegression(64, 10)
    start = time.perf_counter()
    r = train(
        adamlib.Adam(lr=0.03), model, model.init_params(), d.X_train, d.y_train, epochs=2500, l2=L2
    )
    elapsed = time.perf_counter() - start
    loss, grads = model.loss_and_grad(r.params, d.X_train, d.y_train, L2)
    assert loss == r.losses[-1]
    assert abs(loss - loss_sk) / loss_sk < FULL_BATCH_LOSS_RTOL
    assert loss <= loss_sk * (1 + 1e-12)  # not worse than lbfgs
    assert max(float(np.abs(g).max()) for g in grads.values()) < FULL_BATCH_GRAD_MAX
    assert relative(r.params["W"], p_sk["W"]) < FULL_BATCH_WEIGHT_RTOL
    b, b_sk = r.params["b"] - r.params["b"].mean(), p_sk["b"] - p_sk["b"].mean()
    assert relative(b, b_sk) < FULL_BATCH_INTERCEPT_RTOL
    np.testing.assert_array_equal(model.predict(r.params, d.X_test), model.predict(p_sk, d.X_test))
    assert model.accuracy(r.params, d.X_test, d.y_test) > 0.94
    assert elapsed < 15.0


def test_minibatch_adam_with_decaying_lr_gets_close() -> None:
    d = digits()
    _, loss_sk = sklearn_optimum()
    model = SoftmaxRegression(64, 10)
    rng = np.random.default_rng(0)
    params, state = model.init_params(), None
    phases = [(3e-2, 300), (1e-2, 100), (3e-3, 100), (1e-3, 100), (3e-4, 100), (1e-4, 100)]
    for lr, epochs in phases:  # one optimizer per phase; the state (t, m, v) carries over
        r = train(
            adamlib.Adam(lr=lr),
            model,
            params,
            d.X_train,
            d.y_train,
            epochs=epochs,
            batch_size=256,
            seed=rng,
            l2=L2,
            state=state,
        )
        params, state = r.params, r.state
    gap = (r.losses[-1] - loss_sk) / loss_sk
    assert 0.0 < gap < MINIBATCH_LOSS_RTOL


def test_sklearn_version_is_the_measured_one() -> None:
    """The numbers in the module docstring were measured with scikit-learn 1.9."""
    import sklearn

    assert sklearn.__version__.startswith("1.9.")
