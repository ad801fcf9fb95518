"""The same model as scikit-learn: with the same parameters, data and integer random_state,
``scratchnn.sklearn``'s estimators draw the same initial weights, shuffles and early-stopping
split, and train to the same ``coefs_``, losses and predictions."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")

from sklearn import neural_network  # noqa: E402
from sklearn.datasets import load_digits, make_regression  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from scratchnn import sklearn as ours  # noqa: E402
from tests.conftest import covering_grid  # noqa: E402

X_digits, y_digits = load_digits(return_X_y=True)
X_digits = X_digits[:300] / 16
y_digits = y_digits[:300]
TARGETS = {
    "binary": (X_digits, y_digits % 2),
    "multiclass": (X_digits, y_digits % 4),
    "multilabel": (X_digits, np.column_stack([y_digits % 2, y_digits > 4, y_digits % 3 == 0])),
}
X_regression, y_regression = make_regression(200, 10, noise=10.0, random_state=0)
y_regression = (y_regression - y_regression.mean()) / y_regression.std()
y_counts = np.random.default_rng(0).poisson(np.exp(0.3 * X_regression[:, 0]))


def fit_both(kind: str, X: Any, y: Any, engine: str = "numpy", sample_weight: Any = None,
             **parameters: Any) -> tuple[Any, Any]:
    settings = {"hidden_layer_sizes": (8, 6), "max_iter": 15, "random_state": 3, **parameters}
    pair = (getattr(neural_network, kind)(**settings),
            getattr(ours, kind)(**settings, engine=engine))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for estimator in pair:
            estimator.fit(X, y, sample_weight=sample_weight)
    return pair


def assert_same_model(theirs: Any, mine: Any, tolerance: float = 1e-9, X: Any = None) -> None:
    assert mine.n_iter_ == theirs.n_iter_
    if hasattr(theirs, "loss_curve_"):
        np.testing.assert_allclose(mine.loss_curve_, theirs.loss_curve_, rtol=tolerance)
    for a, b in zip(mine.coefs_ + mine.intercepts_, theirs.coefs_ + theirs.intercepts_,
                    strict=True):
        np.testing.assert_allclose(a, b, rtol=tolerance, atol=tolerance)
    if X is not None:
        np.testing.assert_array_equal(mine.predict(X), theirs.predict(X))
    for name in ("n_layers_", "n_outputs_", "out_activation_", "t_"):
        assert getattr(mine, name) == getattr(theirs, name), name
    for name in ("best_loss_", "validation_scores_", "best_validation_score_"):
        expected = getattr(theirs, name, None)
        assert getattr(mine, name) == (expected if expected is None else
                                       pytest.approx(expected, rel=tolerance)), name


def on_numpy(arguments: dict[str, Any]) -> bool:
    return bool(arguments["engine"] == "numpy")


@covering_grid(("solver", {
    "adam": {"solver": "adam"},
    "nesterov": {"solver": "sgd"},
    "momentum": {"solver": "sgd", "nesterovs_momentum": False},
    "plain": {"solver": "sgd", "momentum": 0.0},
    "invscaling": {"solver": "sgd", "learning_rate": "invscaling", "learning_rate_init": 0.5},
    "adaptive": {"solver": "sgd", "learning_rate": "adaptive", "tol": 0.05,
                 "n_iter_no_change": 2},
}), ("target", list(TARGETS)), ("engine", ["numpy", "tensorflow"]), always_fast=on_numpy)
def test_classifiers_train_scikit_learns_model(solver: dict[str, Any], target: str,
                                               engine: str) -> None:
    if engine == "tensorflow":
        pytest.importorskip("tensorflow")
    X, y = TARGETS[target]
    theirs, mine = fit_both("MLPClassifier", X, y, engine, alpha=0.01, batch_size=32,
                            activation="tanh", **solver)
    assert_same_model(theirs, mine, X=X)
    np.testing.assert_allclose(mine.predict_proba(X), theirs.predict_proba(X), rtol=1e-9)


@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("early_stopping", [True, False])
@pytest.mark.parametrize("activation", ["relu", "logistic", "identity"])
def test_shuffles_early_stopping_and_activations(shuffle: bool, early_stopping: bool,
                                                 activation: str) -> None:
    X, y = TARGETS["multiclass"]
    theirs, mine = fit_both("MLPClassifier", X, y, shuffle=shuffle, activation=activation,
                            early_stopping=early_stopping, n_iter_no_change=3, max_iter=40,
                            tol=1e-3, learning_rate_init=0.01)
    assert_same_model(theirs, mine, X=X)


@covering_grid(("solver", ["adam", "sgd"]), ("loss", ["squared_error", "poisson"]),
               ("engine", ["numpy", "tensorflow"]), always_fast=on_numpy)
def test_regressors_train_scikit_learns_model(solver: str, loss: str, engine: str) -> None:
    if engine == "tensorflow":
        pytest.importorskip("tensorflow")
    y = y_regression if loss == "squared_error" else y_counts
    theirs, mine = fit_both("MLPRegressor", X_regression, y, engine, loss=loss, solver=solver,
                            learning_rate_init=0.001 if loss == "poisson" else 0.01,
                            alpha=0.1, early_stopping=True, max_iter=20)
    assert_same_model(theirs, mine)
    np.testing.assert_allclose(mine.predict(X_regression), theirs.predict(X_regression),
                               rtol=1e-9)


@pytest.mark.parametrize("early_stopping", [True, False])
def test_sample_weights_train_scikit_learns_model(early_stopping: bool) -> None:
    X, y = TARGETS["binary"]
    weights = np.random.default_rng(1).uniform(0, 3, size=len(y))
    theirs, mine = fit_both("MLPClassifier", X, y, sample_weight=weights,
                            early_stopping=early_stopping, batch_size=50)
    # The same weights and predictions; the epoch's loss differs on purpose: scratchnn reports
    # its weighted mean, scikit-learn weights each batch's weighted mean by its sample count.
    for a, b in zip(mine.coefs_ + mine.intercepts_, theirs.coefs_ + theirs.intercepts_,
                    strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(mine.predict(X), theirs.predict(X))
    assert mine.validation_scores_ == theirs.validation_scores_
    assert not np.allclose(mine.loss_curve_, theirs.loss_curve_, rtol=1e-3)
    # In one batch (the training part, without the 10% held out), both are the weighted mean.
    theirs, mine = fit_both("MLPClassifier", X, y, sample_weight=weights,
                            batch_size=270 if early_stopping else 300,
                            early_stopping=early_stopping)
    assert_same_model(theirs, mine, X=X)


@pytest.mark.parametrize("kind", ["MLPClassifier", "MLPRegressor"])
def test_lbfgs_reaches_scikit_learns_minimum(kind: str) -> None:
    X, y = (TARGETS["multiclass"] if kind == "MLPClassifier"
            else (X_regression, y_regression))
    theirs, mine = fit_both(kind, X, y, solver="lbfgs", max_iter=30, alpha=0.01)
    # The packing order differs (scikit-learn puts every bias last), which changes the sums in
    # L-BFGS's dot products by rounding: the paths agree to L-BFGS's own tolerance.
    assert mine.n_iter_ == theirs.n_iter_ == 30
    assert mine.loss_ == pytest.approx(theirs.loss_, rel=1e-6)
    for a, b in zip(mine.coefs_, theirs.coefs_, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_float32_stays_float32_and_matches_scikit_learn() -> None:
    X, y = TARGETS["multiclass"]
    theirs, mine = fit_both("MLPClassifier", X.astype(np.float32), y)
    assert all(c.dtype == np.float32 for c in mine.coefs_ + mine.intercepts_)
    assert mine.predict_proba(X.astype(np.float32)).dtype == np.float32
    assert_same_model(theirs, mine, tolerance=1e-4)


def test_warm_start_and_partial_fit_continue_as_scikit_learn() -> None:
    X, y = TARGETS["binary"]
    theirs, mine = fit_both("MLPClassifier", X, y, warm_start=True, solver="sgd",
                            learning_rate="invscaling", max_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for estimator in (theirs, mine):
            estimator.fit(X, y)
            for _ in range(3):
                estimator.partial_fit(X[:100], y[:100])
    assert_same_model(theirs, mine)


def test_assigned_coefs_are_the_network() -> None:
    X, y = TARGETS["binary"]
    theirs, mine = fit_both("MLPClassifier", X, y, solver="sgd", max_iter=3)
    # Changed in place (the NumPy engine's views) or assigned, both train from the new values.
    mine.coefs_[0][:] = theirs.coefs_[0] = theirs.coefs_[0] * 0.5
    mine.intercepts_ = theirs.intercepts_ = [b + 0.1 for b in theirs.intercepts_]
    for estimator in (theirs, mine):
        estimator.partial_fit(X, y)
    assert_same_model(theirs, mine)


def test_verbose_lines_are_scikit_learns(capsys: pytest.CaptureFixture[str]) -> None:
    X, y = TARGETS["binary"]
    outputs = []
    for module in (neural_network, ours):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            module.MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, verbose=True,
                                 early_stopping=True, random_state=0).fit(X, y)
        outputs.append(capsys.readouterr().out)
    assert outputs[1] == outputs[0]
    assert outputs[1].startswith("Iteration 1, loss = ")


def test_the_budget_warning_is_scikit_learns() -> None:
    X, y = TARGETS["binary"]
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(2\) reached"):
        ours.MLPClassifier(max_iter=2, random_state=0).fit(X, y)
